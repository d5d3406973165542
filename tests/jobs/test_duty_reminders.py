"""The reminders follow the duties the 工作台 lists where they have a due date: a failed
acceptance's rectification deadline, by which the unit resubmits, is told to the unit before and
after it passes (the obligations job), once each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from govit.core import clock
from govit.demo.driver import advance_to
from govit.projects import services as projects
from govit.web import duties
from tests.delivery.conftest import staffed
from tests.delivery.test_rules import built
from tests.jobs.conftest import run, told
from tests.workflow import flows

pytestmark = pytest.mark.django_db

D = dt.date
DEADLINE = D(2026, 11, 16)  # a Monday


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def chinese():
    """Read outside a request, in Chinese whatever a page read before left active."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def returned(tree):
    """岳阳: the final acceptance returned on 2026-11-02, to be rectified by 2026-11-16."""
    cast = staffed(tree, "yueyang")
    project = built(cast, "yueyang")
    unit = cast.user("unit")
    with clock.frozen(D(2026, 11, 2)):
        project = advance_to(cast, project, "final_acceptance")
        step = project.steps.get(kind="final_acceptance")
        flows.upload_all(unit, project, step.documents)
        projects.step_submit(actor=unit, step=step)
        task = flows.open_task(project, "final_acceptance")
        projects.task_act(
            actor=cast.user(task.organization.kind),
            task_id=task.pk,
            action="return",
            opinion="不合格",
            rectify_by=DEADLINE,
        )
    return cast, project


def test_a_rectification_deadline_is_told_to_the_unit_before_and_after_once(returned):
    cast, project = returned
    mine = {"user__organization": cast.units["unit"]}
    run("obligations", D(2026, 11, 10))  # four working days before: not yet
    assert told(kind__startswith="rectification", **mine) == []
    result = run("obligations", D(2026, 11, 11))  # three working days before
    assert result.result["rectifications"] == 1
    key = f"rectification_due_soon:rectification:{project.rectifications.get().pk}:2026-11-16"
    assert told(kind__startswith="rectification", **mine) == [
        ("yueyang.unit.clerk", "rectification_due_soon", key),
        ("yueyang.unit.leader", "rectification_due_soon", key),
    ]
    run("obligations", D(2026, 11, 12))
    assert len(told(kind__startswith="rectification")) == 2  # once
    run("obligations", D(2026, 11, 17))
    overdue = told(kind="rectification_overdue")
    assert [u for u, *_ in overdue] == ["yueyang.unit.clerk", "yueyang.unit.leader"]
    # the 工作台 row and the reminder name the same day
    [row] = [d for d in duties.owed(cast.user("unit")) if d.project_id == project.pk]
    assert row.due_on == DEADLINE and row.kind == duties.RESUBMIT


def test_a_rectification_resubmitted_is_told_no_more(returned):
    cast, project = returned
    step = project.steps.get(kind="final_acceptance")
    with clock.frozen(D(2026, 11, 12)):
        projects.step_submit(actor=cast.user("unit"), step=step)
    run("obligations", D(2026, 11, 17))
    assert told(kind__startswith="rectification") == []
