from django.apps import AppConfig
from django.core.signals import request_started


class CalendarsConfig(AppConfig):
    name = "govit.calendars"
    verbose_name = "工作日历"

    def ready(self) -> None:
        # deferred: sync reads the calendar models, which exist only once the apps are loaded
        from govit.calendars import sync

        request_started.connect(sync.on_request, dispatch_uid="govit.calendars.sync")
