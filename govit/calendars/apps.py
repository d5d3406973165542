from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "govit.calendars"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from django.core.signals import request_started

        from govit.calendars import sync

        request_started.connect(sync.on_request, dispatch_uid="govit.calendars.sync")
