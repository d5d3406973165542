from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "govit.events"
    verbose_name = "事件记录"
