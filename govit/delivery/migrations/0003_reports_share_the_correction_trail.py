"""Progress and incident reports and trial runs take the correction trail procurements, contracts
and payments have (``govit.events.trail``): ``voided_at``/``voided_by``/``void_reason`` and
``superseded_by`` on the old row, the state derived from them, instead of a ``state`` column, its
own ``annul_*`` fields and ``replaces`` on the new row. 0004 carries existing rows over and 0005
drops the old columns: each in a transaction of its own, since on PostgreSQL a table whose rows a
transaction updated has pending foreign-key trigger events and cannot be altered in it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("progressreport", "incidentreport", "trialrun")


def _trail_fields(model):
    return [
        migrations.AddField(
            model_name=model,
            name="voided_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="作废时间"),
        ),
        migrations.AddField(
            model_name=model,
            name="voided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name=model,
            name="void_reason",
            field=models.CharField(blank=True, max_length=500, verbose_name="作废或更正原因"),
        ),
        migrations.AddField(
            model_name=model,
            name="superseded_by",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="supersedes",
                to=f"delivery.{model}",
                verbose_name="更正后的记录",
            ),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0002_reports_void_or_correct_and_trial_runs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [op for model in MODELS for op in _trail_fields(model)]
