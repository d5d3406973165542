"""A record is superseded by one correction and a correction supersedes one record: the link is
one-to-one, so the correction reads its original as ``supersedes`` (``govit.events.trail``, shared
with delivery's reports). Existing links are one-to-one already."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0002_correction_trail_findings_acknowledgement"),
    ]

    operations = [
        migrations.AlterField(
            model_name=model,
            name="superseded_by",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="supersedes",
                to=f"contracts.{model}",
                verbose_name="更正后的记录",
            ),
        )
        for model in ("procurement", "contract", "payment")
    ]
