"""Progress and incident reports and trial runs take the correction trail procurements, contracts
and payments have (``govit.events.trail``): ``voided_at``/``voided_by``/``void_reason`` and
``superseded_by`` on the old row, the state derived from them, instead of a ``state`` column, its
own ``annul_*`` fields and ``replaces`` on the new row. Existing rows are carried over."""

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


def _old_fields(model):
    return [
        migrations.RemoveField(model_name=model, name=name)
        for name in ("replaces", "state", "annul_reason", "annulled_by", "annulled_at")
    ]


def forwards(apps, schema_editor):
    """A voided or corrected row keeps who, when and why; the correction that ``replaces`` a row
    becomes the row's ``superseded_by``. On the database being migrated (a restore migrates one
    that is not the default)."""
    db = schema_editor.connection.alias
    for name in MODELS:
        Model = apps.get_model("delivery", name)
        rows = Model.objects.using(db)
        for row in rows.exclude(state="valid"):
            row.voided_at = row.annulled_at or row.reported_at
            row.voided_by_id = row.annulled_by_id or row.reported_by_id
            row.void_reason = row.annul_reason
            row.save(update_fields=["voided_at", "voided_by", "void_reason"])
        for new in rows.filter(replaces__isnull=False):
            rows.filter(pk=new.replaces_id).update(superseded_by=new.pk)


def backwards(apps, schema_editor):
    db = schema_editor.connection.alias
    for name in MODELS:
        Model = apps.get_model("delivery", name)
        rows = Model.objects.using(db)
        for row in rows.filter(voided_at__isnull=False):
            row.state = "corrected" if row.superseded_by_id else "voided"
            row.annulled_at, row.annulled_by_id = row.voided_at, row.voided_by_id
            row.annul_reason = row.void_reason[:300]
            row.save(update_fields=["state", "annulled_at", "annulled_by", "annul_reason"])
            if row.superseded_by_id:
                rows.filter(pk=row.superseded_by_id).update(replaces=row.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0002_reports_void_or_correct_and_trial_runs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        *[op for model in MODELS for op in _trail_fields(model)],
        migrations.RunPython(forwards, backwards),
        *[op for model in MODELS for op in _old_fields(model)],
    ]
