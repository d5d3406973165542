"""Yearly duties and windows, told to the construction unit a month ahead and when overdue:
黑龙江's yearly performance report (第二十五条), the half year to apply for final acceptance
(第二十九条第三款) and the self-evaluation window 6–12 months into operation (第三十三条)."""

from __future__ import annotations

import pytest

from govit.core import clock
from govit.demo.driver import advance_to
from govit.notifications.models import Kind, Notification
from tests.delivery.conftest import staffed
from tests.jobs.conftest import D, run
from tests.workflow import flows

pytestmark = pytest.mark.django_db
UNIT = {"heilongjiang.unit.clerk", "heilongjiang.unit.leader"}


@pytest.fixture
def cast(tree):
    return staffed(tree, "heilongjiang")


@pytest.fixture
def building(cast):
    """Declared 2026-06-15, in construction from 2026-06-16: the 2026 performance report is due
    2026-12-31."""
    project = flows.declared(cast, amount=1_000_000, on=D(2026, 6, 15))
    with clock.frozen(D(2026, 6, 16)):
        return advance_to(cast, project, "construction")


def notes(kind, **filters):
    return Notification.objects.filter(kind=kind, **filters).select_related("user")


def test_the_yearly_performance_report_a_month_ahead_and_when_overdue(building):
    report = building.obligations.get(code="PERFORMANCE_REPORT")
    assert (report.due_on, report.cite) == (D(2026, 12, 31), "第二十五条")
    run("obligations", D(2026, 11, 30))  # 31 days ahead
    assert not Notification.objects.exists()
    run("obligations", D(2026, 12, 1))  # 30 days ahead
    soon = notes(Kind.OBLIGATION_DUE_SOON)
    assert {n.user.username for n in soon} == UNIT
    assert "（2026年度）应于2026年12月31日前完成（依据第二十五条），尚余30天" in soon[0].body
    assert soon[0].cite == "第二十五条" and soon[0].project == building
    run("obligations", D(2026, 12, 31))
    assert Notification.objects.count() == 2  # told once
    run("obligations", D(2027, 1, 1))
    late = notes(Kind.OBLIGATION_OVERDUE)
    assert {n.user.username for n in late} == UNIT
    assert "已逾期1天" in late[0].body


def test_the_half_year_to_apply_for_final_acceptance(cast, building):
    with clock.frozen(D(2027, 3, 1)):
        project = advance_to(cast, building, "final_acceptance")
    assert project.completed_on == D(2027, 3, 1)  # so the application is due 2027-09-01
    run("obligations", D(2027, 8, 1))
    assert not notes(Kind.ACCEPTANCE_DUE_SOON).exists()
    run("obligations", D(2027, 8, 2))
    soon = notes(Kind.ACCEPTANCE_DUE_SOON)
    assert {n.user.username for n in soon} == UNIT
    assert "应于2027年9月1日前申请竣工验收（依据第二十九条第三款），尚余30天" in soon[0].body
    run("obligations", D(2027, 9, 1))
    assert not notes(Kind.ACCEPTANCE_OVERDUE).exists()
    run("obligations", D(2027, 9, 2))
    late = notes(Kind.ACCEPTANCE_OVERDUE)
    assert {n.user.username for n in late} == UNIT
    assert "申请竣工验收的期限已于2027年9月1日届满" in late[0].body
    assert late[0].cite == "第二十九条第三款"


def test_the_self_evaluation_window_when_it_opens(cast, building):
    with clock.frozen(D(2027, 3, 1)):
        project = advance_to(cast, building, "self_evaluation")
    window = project.obligations.get(code="SELF_EVALUATION")
    assert (window.opens_on, window.due_on) == (D(2027, 9, 1), D(2028, 3, 1))
    run("obligations", D(2027, 8, 31))
    assert not notes(Kind.OBLIGATION_OPEN).exists()
    run("obligations", D(2027, 9, 1))
    opened = notes(Kind.OBLIGATION_OPEN)
    assert {n.user.username for n in opened} == UNIT
    assert "可在2027年9月1日至2028年3月1日期间完成（依据第三十三条）" in opened[0].body


def test_the_yearly_om_report_of_yueyang(tree):
    cast = staffed(tree, "yueyang")
    project = flows.declared(cast, amount=1_000_000, on=D(2026, 10, 20))
    with clock.frozen(D(2026, 10, 21)):
        project = advance_to(cast, project, "om_report")
    om = project.obligations.get(code="OM_REPORT")
    assert (om.period, om.due_on) == (2026, D(2026, 12, 31))
    key = f"{Kind.OBLIGATION_DUE_SOON}:obligation:{om.pk}:2026-12-31"
    run("obligations", D(2026, 11, 30))
    assert not Notification.objects.filter(key=key).exists()
    run("obligations", D(2026, 12, 1))
    assert {n.user.username for n in Notification.objects.filter(key=key)} == {
        "yueyang.unit.clerk",
        "yueyang.unit.leader",
    }
    assert Notification.objects.filter(key=key).first().cite == om.cite


def test_the_first_om_report_is_told_overdue_once_by_its_task_not_again_as_an_obligation(tree):
    """The O&M report of the year of acceptance is the om_report step's task, due with its
    obligation: the obligations job tells it a month ahead, the deadline scan tells it overdue."""
    cast = staffed(tree, "yueyang")
    project = flows.declared(cast, amount=1_000_000, on=D(2026, 10, 20))
    with clock.frozen(D(2026, 10, 21)):
        project = advance_to(cast, project, "om_report")
    om = project.obligations.get(code="OM_REPORT")
    task = project.tasks.get(step__kind="om_report", status="open")
    assert task.due_on == om.due_on == D(2026, 12, 31)
    run("obligations", D(2027, 1, 4))
    run("deadline_scan", D(2027, 1, 4))
    overdue = Notification.objects.filter(user__username="yueyang.unit.clerk")
    assert not overdue.filter(kind=Kind.OBLIGATION_OVERDUE).exists()
    assert overdue.filter(kind=Kind.TASK_OVERDUE, key__contains=f"task:{task.pk}:").count() == 1
