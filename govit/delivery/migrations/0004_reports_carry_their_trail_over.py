"""Existing reports and trial runs carry their trail over from the old columns to the shared ones
(0003 added them, 0005 drops the old): alone in its migration so that neither direction alters a
table whose rows it has just updated (PostgreSQL refuses: pending trigger events)."""

from django.db import migrations

MODELS = ("progressreport", "incidentreport", "trialrun")


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
    dependencies = [("delivery", "0003_reports_share_the_correction_trail")]

    operations = [migrations.RunPython(forwards, backwards)]
