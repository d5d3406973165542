"""The database cache's table (govit_cache): every app server shares the cache when there is no
Redis. Made by `migrate` (which a fresh clone's `make run`, the tests and a deployment run), and
made whatever CACHES says now, so that switching from Redis back to the database needs no step."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

from govit.settings.env import CACHE_TABLE


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(create, drop)]
