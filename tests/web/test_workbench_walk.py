"""One project of each jurisdiction carried from declaration to post-evaluation by its people, one
action at a time: before every action, the action is in the 工作台 of exactly the accounts of the
office (or the expert) that owes it — with the link to the page where it is done, in the page
itself — and in nobody else's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from govit.core import clock
from govit.delivery.services import evaluation_record
from govit.demo.driver import act_on, block_checks, prerequisites, upload_missing
from govit.planning import services as planning
from govit.planning.models import AnnualPlan, PlanStatus
from govit.projects import services as projects
from govit.projects import workflow
from govit.projects.models import ProjectStatus, StepStatus, Task, TaskStatus
from govit.reviews import services as reviews
from govit.reviews.selectors import current_panel
from govit.web import duties
from tests.api.helpers import experts
from tests.delivery.conftest import staffed
from tests.delivery.test_rules import DECLARED_ON, declared_in

pytestmark = pytest.mark.django_db

SPECIALTY = "政务信息化"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def chinese():
    """Read outside a request, in Chinese whatever a page read before left active."""
    with translation.override("zh-hans"):
        yield


class Desk:
    """Everyone of the jurisdiction who could owe something, and what each owes on the project."""

    def __init__(self, cast, pool, project):
        self.cast, self.project = cast, project
        self.people = [u for k, u in cast.users.items() if not k.endswith(".leader")]
        self.people += [e.user for e in pool]
        self.client = Client()
        self.checked: list[str] = []  # what was found where it was owed, in order
        self.last = ""  # the link of the action before: done, so in nobody's 工作台 now

    def urls_of(self, user) -> set[str]:
        return {d.url for d in duties.owed(user) if d.project_id in (self.project.pk, None)}

    def expect(self, url: str, owers: list, what: str) -> None:
        """``url`` is in the 工作台 of every one of ``owers`` and of nobody else; the first of
        them finds it on the rendered page. The action before it, done, has left every 工作台."""
        desks = {u.username: self.urls_of(u) for u in self.people}
        if self.last and self.last != url:
            still = sorted(name for name, urls in desks.items() if self.last in urls)
            assert not still, f"done before “{what}”, still in the 工作台 of {still}"
        self.last = url
        having = {name for name, urls in desks.items() if url in urls}
        assert having == {u.username for u in owers}, (
            f"{what}: owed by {sorted(u.username for u in owers)}, in the 工作台 of {sorted(having)}"
        )
        self.client.force_login(owers[0])
        html = self.client.get(reverse("home")).content.decode()
        assert f'href="{escape(url)}"' in html, f"{what}: not on {owers[0].username}'s page"
        self.checked.append(what)

    def office(self, organization) -> list:
        return [u for u in self.people if u.organization_id == organization.pk]


def plan_walk(desk: Desk) -> None:
    """The annual plan: compiled, sent for 会签, countersigned, approved — each by its owner."""
    cast, project = desk.cast, desk.project
    rb = workflow.rulebook_of(project)
    rule = next(s for s in rb.model.steps if s.kind == "annual_plan")
    compiler = cast.user(rule.actor)
    board = reverse("plan-board")
    unlisted = next(d.url for d in duties.other_duties(compiler) if d.kind == duties.PLAN_COMPILE)
    assert unlisted.startswith(board)
    desk.expect(unlisted, desk.office(compiler.organization), "列入年度计划")
    plan = planning.plan_create(
        actor=compiler, jurisdiction=project.jurisdiction, year=project.plan_year
    )
    planning.plan_add_project(actor=compiler, plan=plan, project=project)
    at = duties._plan_board(project.jurisdiction_id, plan.year, f"plan-{plan.pk}")
    desk.expect(at, desk.office(compiler.organization), "报送计划")
    plan = planning.plan_submit(actor=compiler, plan=plan)
    signoffs = list(plan.signoffs.filter(round=plan.round).select_related("organization"))
    if signoffs:
        owers = [u for s in signoffs for u in desk.office(s.organization)]
        desk.expect(at, owers, "计划会签")
        for signoff in signoffs:
            planning.plan_countersign(
                actor=cast.user(signoff.organization.kind), plan=plan, decision="approve"
            )
    approver = cast.user(rule.approver or f"{rule.actor}.leader")  # not the compiler's hand
    plan = AnnualPlan.objects.get(pk=plan.pk)
    assert plan.status == PlanStatus.SUBMITTED
    desk.expect(at, desk.office(approver.organization), "计划审定")
    planning.plan_approve(actor=approver, plan=plan)


def meeting_walk(desk: Desk, step, pool) -> None:
    """An expert meeting: convened and drawn by the department, each expert's opinion, the
    conclusion (which acts on the step's task, or lets the step's tasks go on)."""
    cast, project = desk.cast, desk.project
    competent = cast.user("competent_department")
    own_task = Task.objects.filter(
        step=step, organization=competent.organization, status=TaskStatus.OPEN
    ).first()
    if own_task is None:  # a step experts join: the meeting is the department's duty
        convene = reverse("expert-meeting-create", args=[step.pk])
        desk.expect(convene, desk.office(competent.organization), f"组织专家评审：{step.name}")
    else:
        act = reverse("task-act", args=[project.pk, own_task.pk])
        desk.expect(act, desk.office(competent.organization), f"专家评审待办：{step.name}")
        desk.last = ""  # owed until the meeting concludes, while the experts give their opinions
    meeting = reviews.meeting_create(
        actor=competent,
        project=project,
        step_kind=step.kind,
        specialty=SPECIALTY,
        size=min(3, len(pool)),
    )
    reviews.draw_make(actor=competent, meeting=meeting)
    opinion = reverse("expert-opinion", args=[meeting.pk])
    panel = current_panel(meeting)
    for i, expert in enumerate(panel):  # each owes it until they have given theirs
        desk.expect(opinion, [e.user for e in panel[i:]], f"评审意见：{expert.name}")
        reviews.opinion_submit(
            actor=expert.user, meeting=meeting, text="同意", score="90", conclusion="approve"
        )
    if own_task is None:
        conclude = reverse("expert-conclude", args=[meeting.pk])
        desk.expect(conclude, desk.office(competent.organization), f"评审结论：{step.name}")
    reviews.meeting_conclude(
        actor=competent,
        meeting=meeting,
        conclusion="approve",
        text="专家组同意",
        confirmed_checks=block_checks(step),
    )
    if own_task is not None:
        own_task.refresh_from_db()
        # a meeting that decides the step closes the task; one that only joins it (an acceptance
        # with experts) leaves the department its own task still to act on
        desk.last = act if own_task.status != TaskStatus.OPEN else ""


def walk(desk: Desk, pool, start: dt.date) -> list[str]:
    cast, project = desk.cast, desk.project
    unit = cast.user("unit")
    today = start
    for _ in range(120):
        with clock.frozen(today):
            project.refresh_from_db()
            if project.status != ProjectStatus.ACTIVE:
                break
            step = workflow.current_step(project)
            if step is None:
                break
            if step.kind == "annual_plan":
                plan_walk(desk)
                continue
            if step.status in (StepStatus.READY, StepStatus.RETURNED):
                if step.kind == "self_evaluation":
                    window = project.obligations.filter(code="SELF_EVALUATION").first()
                    if window is not None and window.opens_on and window.opens_on > today:
                        today = window.opens_on  # 黑龙江第三十三条: the window opens later
                        continue
                url = reverse("step-submit", args=[project.pk, step.kind])
                desk.expect(url, desk.office(unit.organization), f"报送：{step.name}")
                upload_missing(unit, project, step)
                if step.kind == "self_evaluation":
                    prerequisites(cast, project, step, unit)
                projects.step_submit(actor=unit, step=step)
                continue
            assert step.status == StepStatus.IN_REVIEW, f"{step.kind} is {step.status}"
            if step.kind == "expert_review":
                meeting_walk(desk, step, pool)
                continue
            if "experts" in step.co_actors and not step.meetings.filter(status="concluded"):
                meeting_walk(desk, step, pool)
                step.refresh_from_db()
                if step.status != StepStatus.IN_REVIEW:
                    continue
            if step.kind == "post_evaluation" and not project.evaluations.filter(kind="post"):
                evaluation_record(
                    actor=cast.user("competent_department"),
                    project=project,
                    kind="post",
                    score="85",
                    grade="good",
                )
            tasks = list(
                Task.objects.filter(step=step, round=step.round, status=TaskStatus.OPEN)
                .select_related("organization")
                .order_by("lead", "pk")  # an organiser that consolidates acts last
            )
            assert tasks, f"{step.kind} waits in review with nobody to act"
            task = tasks[0]
            url = reverse("task-act", args=[project.pk, task.pk])
            desk.expect(url, desk.office(task.organization), f"待办：{step.name}")
            if task.actor == "construction_unit" and step.kind == "self_evaluation":
                window = project.obligations.filter(code="SELF_EVALUATION").first()
                if window is not None and window.opens_on and window.opens_on > today:
                    today = window.opens_on
                    continue
            act_on(cast, project, step, task)
        today += dt.timedelta(days=1)
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED, f"stopped at {project.stage}"
    # done: nothing is owed on it any more but the yearly obligations of its operation
    with clock.frozen(today):
        left = {
            (u.username, d.kind)
            for u in desk.people
            for d in duties.owed(u)
            if d.project_id == project.pk and d.kind != duties.OBLIGATION
        }
    assert left == set(), left
    return desk.checked


@pytest.mark.parametrize("key", ["yueyang", "xiangxi", "heilongjiang", "linxiang", "lianping"])
def test_every_next_action_is_in_the_workbench_of_exactly_the_account_that_owes_it(tree, key):
    cast = staffed(tree, key)
    pool = experts(cast, SPECIALTY, 4, prefix=key)
    project = declared_in(cast, key, amount=2_500_000 if key != "lianping" else 800_000)
    desk = Desk(cast, pool, project)
    start = DECLARED_ON.get(key, dt.date(2026, 10, 20)) + dt.timedelta(days=1)
    checked = walk(desk, pool, start)
    # the whole procedure was walked, each action found where it was owed
    kinds = {s.kind for s in project.steps.all()}
    assert "post_evaluation" in kinds and any("待办：" in c for c in checked)
    assert any(c.startswith("报送：") for c in checked) and "计划审定" in checked
    assert project.steps.exclude(status__in=(StepStatus.PASSED, StepStatus.CANCELLED)).count() == 0
