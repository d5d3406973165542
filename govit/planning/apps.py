from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "govit.planning"
    verbose_name = "年度计划"
