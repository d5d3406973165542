from django.apps import AppConfig

from govit.projects import hooks


class NotificationsConfig(AppConfig):
    name = "govit.notifications"
    verbose_name = "消息提醒"

    def ready(self) -> None:
        """Tell the unit when its step is returned, and the bodies a step is copied to when it
        passes (notifications/steps.py), through the workflow's step hooks."""
        # deferred: steps imports models, which exist only once the registry is ready
        from govit.notifications import steps

        hooks.on_step("returned", hooks.ANY_KIND, steps.tell_unit_returned)
        hooks.on_step("after_pass", hooks.ANY_KIND, steps.copy_out)
