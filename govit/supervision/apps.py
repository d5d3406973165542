from django.apps import AppConfig

from govit.projects import hooks


class SupervisionConfig(AppConfig):
    name = "govit.supervision"
    verbose_name = "监督与信用"

    def ready(self) -> None:
        """The penalties in force, which the workflow names when it refuses a suspended project
        (projects/hooks.py)."""
        # deferred: selectors import models, which exist only once the app registry is ready
        from govit.supervision import selectors

        hooks.value("active_penalties", selectors.active_penalties)
