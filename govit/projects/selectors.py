"""Reads about projects, steps and tasks, scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet

from govit.core import clock
from govit.events.models import Event
from govit.organizations.models import User
from govit.policy.calendar import CalendarYearMissing, default_calendar
from govit.projects.models import (
    DONE_STEP_STATUSES,
    Action,
    Opinion,
    Project,
    ProjectStep,
    Task,
    TaskStatus,
)
from govit.projects.visibility import visible_projects


def project_list(
    user: User,
    *,
    q: str = "",
    status: str = "",
    stage: str = "",
    plan_year: int | None = None,
    unit_id: int | None = None,
    min_investment: Decimal | None = None,
    max_investment: Decimal | None = None,
    overdue: bool | None = None,
) -> QuerySet[Project]:
    qs = visible_projects(user).select_related("unit", "jurisdiction")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(unit__name__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if stage:
        qs = qs.filter(stage=stage)
    if plan_year:
        qs = qs.filter(plan_year=plan_year)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if min_investment is not None:
        qs = qs.filter(total_investment__gte=min_investment)
    if max_investment is not None:
        qs = qs.filter(total_investment__lte=max_investment)
    if overdue:
        overdue_ids = Task.objects.filter(status=TaskStatus.OPEN, due_on__lt=clock.today()).values(
            "project_id"
        )
        qs = qs.filter(pk__in=overdue_ids)
    return qs.order_by("-id")


def current_step(project: Project) -> ProjectStep | None:
    return project.steps.exclude(status__in=DONE_STEP_STATUSES).order_by("seq").first()


def task_list(
    user: User,
    *,
    status: str = "open",
    overdue: bool | None = None,
    organization_id: int | None = None,
) -> QuerySet[Task]:
    """Tasks of the user's organization (or, for the competent department and auditors, of any
    organization in the jurisdiction when ``organization_id`` is given)."""
    visible = visible_projects(user).values("pk")
    qs = Task.objects.filter(project_id__in=visible).select_related(
        "project", "step", "organization", "assignee"
    )
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    else:
        qs = qs.filter(organization_id=user.organization_id)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status=TaskStatus.OPEN, due_on__lt=clock.today())
    # tasks without a due date last, on every database (SQLite sorts NULL first, PostgreSQL last)
    return qs.order_by(F("due_on").asc(nulls_last=True), "id")


def days_left(task: Task, today: dt.date | None = None) -> int | None:
    """Working days from today to the task's due date (negative when overdue)."""
    return working_days_left(task.due_on, today or clock.today())


def working_days_left(due_on: dt.date | None, today: dt.date) -> int | None:
    """Working days from today to a due date (negative when overdue); None without one, or
    beyond the years the calendar holds."""
    return time_left(due_on, today)[0]


def time_left(due_on: dt.date | None, today: dt.date) -> tuple[int | None, int | None]:
    """(working days from today to a due date, None) — or, where the span reaches a year whose
    holidays the calendar does not hold yet, (None, that year): they cannot be counted until it
    is entered. (None, None) without a due date. Reads no database."""
    if due_on is None:
        return None, None
    cal = default_calendar()
    try:
        if due_on >= today:
            return cal.working_days_between(today, due_on), None
        return -cal.working_days_between(due_on, today), None
    except CalendarYearMissing as missing:
        return None, missing.year


def declaration_warnings(project: Project) -> list[dict[str, Any]]:
    """The warnings the rulebook raised when the project was declared (a late declaration, the
    unit's poor evaluations …), as recorded with the declaration for its reviewers."""
    declared = (
        Event.objects.filter(project=project, kind="project.declared").order_by("-pk").first()
    )
    return list((declared.data or {}).get("warnings", [])) if declared else []


def task_choices(task: Task) -> list[tuple[str, str]]:
    """The actions that fit this task (the same rule the service enforces): a construction unit
    completes its own step; a filing is acknowledged or returned; anything else is approved,
    returned or refused."""
    if task.actor == "construction_unit":
        kinds = ["complete"]
    elif task.step.filing:
        kinds = ["acknowledge", "return"]
    else:
        kinds = ["approve", "return", "reject"]
    return [(k, Action(k).label) for k in kinds]


def self_review(user: User, step: ProjectStep, task: Task) -> str | None:
    """Why ``user`` may not decide ``task``, when the office reviews a project it is itself the
    unit of (连平第四条第（一）项: 公共类项目 are the 县政务服务数据管理局's, and it also reviews
    them): the person who submitted the step's materials does not pass them; None otherwise."""
    if task.actor == "construction_unit" or task.organization_id != step.project.unit_id:
        return None
    submitted = (
        Opinion.objects.filter(step=step, action=Action.SUBMIT).order_by("-id").only("user_id")
    ).first()
    if submitted is None or submitted.user_id != user.pk:
        return None
    return (
        f"本局既是“{step.project.name}”的建设单位又办理“{step.name}”：报送本环节材料的经办人"
        "不能审核，请由本局其他经办人或负责人办理（职责分离）"
    )


def opinions_for_decision(task: Task) -> dict[str, list[Any]]:
    """What the person deciding ``task`` reads before acting: the other bodies' opinions in this
    round of the step (网信、密码 beside the organiser of 黑龙江第十条's joint review) and the unit's
    陈述和补正 since the round opened; and the decisions of the steps before (财政's 核定金额 and
    the review conclusions before 立项批复)."""
    step = task.step
    opened = (
        Task.objects.filter(step=step, round=step.round).order_by("opened_at").values("opened_at")
    ).first()
    same = Opinion.objects.filter(step=step).select_related("organization", "user")
    this_round = list(
        same.filter(task__round=step.round).exclude(task=task).exclude(action=Action.SUBMIT)
    )
    if opened is not None:
        this_round += list(same.filter(action=Action.SUPPLEMENT, at__gte=opened["opened_at"]))
    this_round.sort(key=lambda o: o.at)
    earlier = list(
        Opinion.objects.filter(
            project_id=step.project_id,
            step__seq__lt=step.seq,
            action__in=(Action.APPROVE, Action.ACKNOWLEDGE),
        )
        .exclude(organization_id=step.project.unit_id)
        .select_related("organization", "step")
        .order_by("step__seq", "id")
    )
    # the organiser of a step it consolidates (sign lead) decides last: whom it still waits for
    awaited = []
    if task.lead and step.sign == "lead":
        awaited = [
            t.organization.name
            for t in Task.objects.filter(
                step=step, round=step.round, lead=False, status=TaskStatus.OPEN
            ).select_related("organization")
        ]
    return {"this_round": this_round, "earlier": earlier, "awaited": awaited}
