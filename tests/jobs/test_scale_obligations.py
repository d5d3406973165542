"""The yearly duties after their first year: the O&M report (运维) every year of operation and a
construction-phase report every year of construction, created by the obligations job once a
year, once."""

from __future__ import annotations

import pytest

from govit.core import clock
from govit.delivery.models import Obligation
from govit.demo.driver import advance_to
from govit.events.models import Event
from govit.events.services import verify_stream
from govit.notifications.models import Kind, Notification
from govit.projects.models import Project, ProjectStatus
from tests.delivery.conftest import staffed
from tests.jobs.conftest import D, run
from tests.workflow import flows

pytestmark = pytest.mark.django_db


def periods(project, code):
    return list(
        Obligation.objects.filter(project=project, code=code)
        .order_by("period")
        .values_list("period", "due_on")
    )


@pytest.fixture
def in_operation(tree):
    """A 岳阳 project accepted (in operation) in October 2026: its 2026 O&M report is due
    2026-12-31 (第三十一条: 每年形成一次项目运行维护情况报告)."""
    cast = staffed(tree, "yueyang")
    project = flows.declared(cast, amount=1_000_000, on=D(2026, 10, 20))
    with clock.frozen(D(2026, 10, 21)):
        project = advance_to(cast, project, "om_report")
    assert project.operation_started_on is not None
    return project


def test_each_later_year_of_operation_gets_its_om_report_once(in_operation):
    project = in_operation
    assert periods(project, "OM_REPORT") == [(2026, D(2026, 12, 31))]
    outcome = run("obligations", D(2026, 12, 20))
    assert outcome.result["renewed"] == 0  # the year already has its report
    outcome = run("obligations", D(2027, 1, 1))
    assert outcome.result["renewed"] == 1
    assert periods(project, "OM_REPORT") == [(2026, D(2026, 12, 31)), (2027, D(2027, 12, 31))]
    om = Obligation.objects.get(project=project, code="OM_REPORT", period=2027)
    first = Obligation.objects.get(project=project, code="OM_REPORT", period=2026)
    assert (om.name, om.cite) == (first.name, first.cite) == (om.name, "第三十一条")
    event = Event.objects.get(project=project, kind="obligation.created", after__obligation=om.pk)
    assert "2027年12月31日前完成" in event.summary and event.cite == "第三十一条"
    assert verify_stream(f"project:{project.pk}") == []
    # again the same day, and later that year: nothing more
    assert run("obligations", D(2027, 1, 1)).result["renewed"] == 0
    assert run("obligations", D(2027, 6, 1)).result["renewed"] == 0
    assert Obligation.objects.filter(project=project, code="OM_REPORT").count() == 2
    # the new year's report is told a month ahead like the first
    run("obligations", D(2027, 12, 1))
    key = f"{Kind.OBLIGATION_DUE_SOON}:obligation:{om.pk}:2027-12-31"
    assert {n.user.username for n in Notification.objects.filter(key=key)} == {
        "yueyang.unit.clerk",
        "yueyang.unit.leader",
    }
    # and the year after
    assert run("obligations", D(2028, 1, 2)).result["renewed"] == 1
    assert [p for p, _ in periods(project, "OM_REPORT")] == [2026, 2027, 2028]


def test_a_terminated_project_gets_no_new_years(in_operation):
    Project.objects.filter(pk=in_operation.pk).update(status=ProjectStatus.TERMINATED)
    assert run("obligations", D(2027, 1, 1)).result["renewed"] == 0
    assert [p for p, _ in periods(in_operation, "OM_REPORT")] == [2026]


def test_the_construction_report_is_renewed_only_while_under_construction(tree):
    """黑龙江第二十五条: every year of construction a performance report, due 12-31."""
    cast = staffed(tree, "heilongjiang")
    project = flows.declared(cast, amount=1_000_000, on=D(2026, 6, 15))
    with clock.frozen(D(2026, 6, 16)):
        project = advance_to(cast, project, "construction")
    assert periods(project, "PERFORMANCE_REPORT") == [(2026, D(2026, 12, 31))]
    assert run("obligations", D(2027, 1, 4)).result["renewed"] == 1
    assert periods(project, "PERFORMANCE_REPORT")[-1] == (2027, D(2027, 12, 31))
    with clock.frozen(D(2027, 3, 1)):
        project = advance_to(cast, project, "final_acceptance")  # built on 2027-03-01
    assert project.completed_on == D(2027, 3, 1)
    assert run("obligations", D(2028, 1, 3)).result["renewed"] == 0
    assert [p for p, _ in periods(project, "PERFORMANCE_REPORT")] == [2026, 2027]
