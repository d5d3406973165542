"""The columns the reports' old trail kept (a ``state``, ``annul_*`` and ``replaces`` on the new
row), dropped once 0004 has carried them over to the shared correction trail."""

from django.db import migrations

MODELS = ("progressreport", "incidentreport", "trialrun")
OLD = ("replaces", "state", "annul_reason", "annulled_by", "annulled_at")


class Migration(migrations.Migration):
    dependencies = [("delivery", "0004_reports_carry_their_trail_over")]

    operations = [
        migrations.RemoveField(model_name=model, name=name) for model in MODELS for name in OLD
    ]
