"""The ops app holds no models: only the migration that makes the database cache's table."""

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "govit.ops"
    label = "ops"
    verbose_name = "运维"
