from django.apps import AppConfig


class JurisdictionsConfig(AppConfig):
    name = "govit.jurisdictions"
    verbose_name = "辖区与规则手册"
