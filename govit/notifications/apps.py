from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "govit.notifications"
    verbose_name = "消息提醒"
