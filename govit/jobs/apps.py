from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "govit.jobs"
    verbose_name = "后台任务"
