from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "govit.web"
    verbose_name = "网页界面"
