from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "govit.organizations"
    verbose_name = "单位与用户"
