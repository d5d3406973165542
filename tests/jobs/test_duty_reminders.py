"""The reminders follow the duties the 工作台 lists where they have a due date: a failed
acceptance's rectification deadline, by which the unit resubmits, is told to the unit before and
after it passes (the obligations job), once each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from govit.core import clock
from govit.demo.driver import advance_to
from govit.notifications.models import Notification
from govit.planning import services as planning
from govit.planning.models import AnnualPlan
from govit.projects import services as projects
from govit.reviews import services as reviews
from govit.reviews.selectors import current_panel
from govit.web import duties
from tests.api.helpers import experts
from tests.delivery.conftest import staffed
from tests.delivery.test_rules import built
from tests.jobs.conftest import run, told
from tests.workflow import flows
from tests.workflow.conftest import make_cast

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


def test_a_plans_deadline_is_told_to_the_office_that_owes_its_next_act(tree):
    """黑龙江第七条: the year's plan is compiled by 10月31日 of the year before. A month ahead and
    once overdue, the office that owes the plan's next act is told — the compiler, then the
    co-compiler whose 会签 is open, then the approver — each once, as its 工作台 lists it."""
    cast = staffed(tree, "heilongjiang")
    competent, finance, government = (
        cast.user(k) for k in ("competent_department", "finance", "government")
    )
    project = flows.declared(cast, amount=2_500_000, on=D(2026, 6, 15))
    with clock.frozen(D(2026, 6, 16)):
        project = advance_to(cast, project, "annual_plan")
    with clock.frozen(D(2026, 9, 1)):
        plan = planning.plan_create(
            actor=competent, jurisdiction=cast.jurisdiction, year=project.plan_year
        )
        planning.plan_add_project(actor=competent, plan=plan, project=project)
    assert (plan.due_on, plan.due_cite) == (D(2026, 10, 31), "第七条、第十一条")

    def offices(**filters) -> list[str]:
        return sorted(
            {
                n.user.organization.kind
                for n in Notification.objects.filter(kind__startswith="plan", **filters)
            }
        )

    run("obligations", D(2026, 9, 30))  # a month and a day ahead: not yet
    assert offices() == []
    assert run("obligations", D(2026, 10, 1)).result["plans"] == 1
    assert offices(kind="plan_due_soon") == ["competent_department"]
    [notice] = Notification.objects.filter(user=competent, kind="plan_due_soon")
    assert notice.cite == "第七条、第十一条" and "2026年10月31日" in notice.body
    [row] = [d for d in duties.other_duties(competent) if d.kind == duties.PLAN_COMPILE]
    assert (row.due_on, row.cite) == (plan.due_on, notice.cite)  # the 工作台 names the same day
    with clock.frozen(D(2026, 10, 9)):
        plan = planning.plan_submit(actor=competent, plan=plan)
    run("obligations", D(2026, 10, 10))
    run("obligations", D(2026, 10, 12))
    assert offices(kind="plan_due_soon") == ["competent_department", "finance"]
    assert Notification.objects.filter(kind="plan_due_soon", user=finance).count() == 1  # once
    with clock.frozen(D(2026, 10, 12)):
        planning.plan_countersign(actor=finance, plan=plan, decision="approve")
    run("obligations", D(2026, 11, 2))
    assert offices(kind="plan_overdue") == ["government"]
    with clock.frozen(D(2026, 11, 3)):
        planning.plan_approve(actor=government, plan=AnnualPlan.objects.get(pk=plan.pk))
    assert run("obligations", D(2026, 11, 4)).result["plans"] == 0


def test_each_expert_of_a_drawn_panel_is_told_of_the_opinion_due_on_the_meeting_day(tree):
    """The opinion the expert's 工作台 shows as due on the day of the meeting is told to that
    expert three working days before and once overdue — never to one who has given it, nor to
    an expert of the pool not drawn."""
    cast = make_cast(tree, "yueyang")
    pool = experts(cast, "政务信息化", 4, prefix="yueyang")
    project = flows.declared(cast, amount=2_500_000)
    competent = cast.user("competent_department")
    with clock.frozen(D(2026, 10, 21)):
        project = advance_to(cast, project, "expert_review", pool=pool)
        meeting = reviews.meeting_create(
            actor=competent,
            project=project,
            specialty="政务信息化",
            size=3,
            scheduled_for=dt.datetime(2026, 11, 10, 9, 0, tzinfo=clock.CHINA),
        )
        reviews.draw_make(actor=competent, meeting=meeting)
    panel = current_panel(meeting)
    first = panel[0]
    [row] = duties.owed(first.user)
    assert row.due_on == D(2026, 11, 10)
    run("obligations", D(2026, 11, 4))  # four working days before: not yet
    assert told(kind__startswith="opinion") == []
    with clock.frozen(D(2026, 11, 5)):
        reviews.opinion_submit(
            actor=first.user, meeting=meeting, text="同意", score="90", conclusion="approve"
        )
    assert run("obligations", D(2026, 11, 5)).result["opinions"] == 2
    due_soon = told(kind="opinion_due_soon")
    assert sorted(u for u, *_ in due_soon) == sorted(e.user.username for e in panel[1:])
    notice = Notification.objects.filter(kind="opinion_due_soon").first()
    step = project.steps.get(kind="expert_review")
    assert notice.cite == step.cite and "2026年11月10日" in notice.body
    run("obligations", D(2026, 11, 6))
    assert len(told(kind__startswith="opinion")) == 2  # once
    run("obligations", D(2026, 11, 11))
    assert sorted(u for u, *_ in told(kind="opinion_overdue")) == sorted(
        e.user.username for e in panel[1:]
    )
