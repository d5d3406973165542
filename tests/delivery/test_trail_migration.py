"""delivery 0003–0005 carry the reports' trail over: a report voided or corrected under the old
columns (``state``, ``annul_*``, ``replaces`` on the correction) keeps who voided it, when, why
and which report corrects it under the shared ones (``voided_*``, ``superseded_by``)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from govit.core import clock
from govit.delivery import services as delivery
from govit.delivery.models import IncidentReport, ProgressReport
from tests.delivery.conftest import staffed
from tests.delivery.test_integrity import TODAY, D, report
from tests.delivery.test_rules import built
from tests.workflow.conftest import tree  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("delivery", "0002_reports_void_or_correct_and_trial_runs")]
AFTER = [("delivery", "0005_reports_drop_the_old_state_columns")]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def trail(row):
    return (row.voided_at, row.voided_by_id, row.void_reason, row.superseded_by_id)


def test_reports_voided_or_corrected_keep_their_trail_through_the_migration(tree):  # noqa: F811
    cast = staffed(tree, "yueyang")
    project = built(cast, "yueyang")
    unit = cast.user("unit")
    first = report(cast, project, 10, as_of=D(2026, 11, 1))
    wrong = report(cast, project, 50, as_of=D(2026, 11, 2))
    with clock.frozen(TODAY):
        corrected = delivery.progress_correct(
            actor=unit, report=wrong, reason="应为20%", period="2026年11月", percent=20, text="更正"
        )
    incident = delivery.incident_report(actor=unit, project=project, kind="major_loss", text="误报")
    delivery.incident_void(actor=unit, report=incident, reason="误报")
    rows = [first, wrong, corrected]
    expected = {r.pk: trail(ProgressReport.objects.get(pk=r.pk)) for r in rows}
    voided = trail(IncidentReport.objects.get(pk=incident.pk))

    old = migrate(BEFORE)
    Old = old.get_model("delivery", "ProgressReport")
    states = dict(Old.objects.values_list("pk", "state"))
    assert [states[r.pk] for r in rows] == ["valid", "corrected", "valid"]
    assert Old.objects.get(pk=corrected.pk).replaces_id == wrong.pk
    old_wrong = Old.objects.get(pk=wrong.pk)
    assert (old_wrong.annul_reason, old_wrong.annulled_by_id) == ("应为20%", unit.pk)
    assert old.get_model("delivery", "IncidentReport").objects.get(pk=incident.pk).state == "voided"

    new = migrate(AFTER)
    New = new.get_model("delivery", "ProgressReport")
    assert {r.pk: trail(New.objects.get(pk=r.pk)) for r in rows} == expected
    assert expected[wrong.pk][3] == corrected.pk and expected[first.pk] == (None, None, "", None)
    assert trail(new.get_model("delivery", "IncidentReport").objects.get(pk=incident.pk)) == voided
