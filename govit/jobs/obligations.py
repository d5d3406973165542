"""Duties that come due once a year or in a window, told to the construction unit: the yearly O&M
report and performance report (Obligation rows with a due date), the self-evaluation window as it
opens, and the last day to apply for final acceptance after completion (黑龙江: half a year).

Each is told once a month before it is due, once when overdue (and once when a window opens)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q

from govit.delivery.models import Obligation
from govit.delivery.steps import application_due
from govit.jobs.common import already_told, batches, day, system, untold
from govit.jobs.recipients import People
from govit.notifications.email import send_pending
from govit.notifications.models import Kind
from govit.notifications.services import notify
from govit.projects.models import Project, ProjectStatus

SOON = dt.timedelta(days=30)  # a yearly report is prepared over weeks, not working days
LIVE = (ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED, ProjectStatus.COMPLETED)


def run(today: dt.date) -> dict[str, int]:
    actor = system()
    counts = {"obligations": 0, "acceptance": 0, "notices": 0}
    duties = list(
        Obligation.objects.filter(
            fulfilled_at__isnull=True,
            due_on__isnull=False,
            project__status__in=LIVE,
        )
        .filter(Q(opens_on__isnull=True) | Q(opens_on__lte=today))
        .filter(Q(due_on__lte=today + SOON) | Q(opens_on__lte=today))
        .select_related("project__jurisdiction", "project__unit")
        .annotate(rulebook_code=F("project__rulebook__rulebook_id"))
        .order_by("due_on", "id")
    )
    counts["obligations"] = len(duties)
    for chunk in batches(duties):
        people = People({o.project.unit_id for o in chunk})
        plan = []
        for duty in chunk:
            for kind in _stages(duty, today):
                plan.append((duty, kind, f"{kind}:obligation:{duty.pk}:{duty.due_on.isoformat()}"))
        told = already_told(key for _, _, key in plan)
        for duty, kind, key in plan:
            recipients = people.working(duty.project.unit_id)
            if untold(recipients, key, told):
                counts["notices"] += len(_tell_duty(actor, duty, kind, key, recipients, today))
    projects = list(
        Project.objects.filter(
            status=ProjectStatus.ACTIVE, completed_on__isnull=False, accepted_on__isnull=True
        ).select_related("jurisdiction", "unit", "rulebook")
    )
    for chunk in batches(projects):
        people = People({p.unit_id for p in chunk})
        plan = []
        for project in chunk:
            due, cite = application_due(project)
            if due is None or due > today + SOON:
                continue
            kind = Kind.ACCEPTANCE_OVERDUE if due < today else Kind.ACCEPTANCE_DUE_SOON
            plan.append(
                (project, due, cite, kind, f"{kind}:project:{project.pk}:{due.isoformat()}")
            )
        counts["acceptance"] += len(plan)
        told = already_told(key for *_, key in plan)
        for project, due, cite, kind, key in plan:
            recipients = people.working(project.unit_id)
            if untold(recipients, key, told):
                counts["notices"] += len(
                    _tell_acceptance(actor, project, due, cite, kind, key, recipients, today)
                )
    counts["emails"] = send_pending()
    return counts


def _stages(duty: Obligation, today: dt.date) -> list[str]:
    stages = []
    if duty.opens_on is not None and duty.opens_on <= today <= duty.due_on:
        stages.append(Kind.OBLIGATION_OPEN)
    if duty.due_on < today:
        stages.append(Kind.OBLIGATION_OVERDUE)
    elif duty.due_on <= today + SOON:
        stages.append(Kind.OBLIGATION_DUE_SOON)
    return stages


def _tell_duty(actor, duty: Obligation, kind: str, key: str, recipients, today: dt.date):
    project = duty.project
    what = f"项目“{project.name}”的“{duty.name}”"
    period = f"（{duty.period}年度）" if duty.period else ""
    if kind == Kind.OBLIGATION_OPEN:
        title = f"评价期已开始：{duty.name}"
        body = f"{what}{period}可在{day(duty.opens_on)}至{day(duty.due_on)}期间完成（依据{duty.cite}）。"
    elif kind == Kind.OBLIGATION_OVERDUE:
        title = f"义务已逾期：{duty.name}"
        body = f"{what}{period}应于{day(duty.due_on)}前完成（依据{duty.cite}），已逾期{(today - duty.due_on).days}天，请尽快办理。"
    else:
        title = f"义务即将到期：{duty.name}"
        body = f"{what}{period}应于{day(duty.due_on)}前完成（依据{duty.cite}），尚余{(duty.due_on - today).days}天。"
    return notify(
        actor=actor,
        recipients=recipients,
        kind=kind,
        key=key,
        title=title,
        body=f"{project.unit.name}：{body}",
        cite=duty.cite,
        rulebook_id=duty.rulebook_code or "",
        project=project,
        summary=title,
    )


def _tell_acceptance(actor, project, due: dt.date, cite: str, kind: str, key, recipients, today):
    built = day(project.completed_on)
    if kind == Kind.ACCEPTANCE_OVERDUE:
        title = "竣工验收申请已逾期"
        body = (
            f"项目“{project.name}”于{built}建成，申请竣工验收的期限已于{day(due)}届满（依据{cite}）；"
            "不能按期申请验收的，应先提出延期验收申请。"
        )
    else:
        title = "竣工验收申请期限将至"
        body = (
            f"项目“{project.name}”于{built}建成，应于{day(due)}前申请竣工验收（依据{cite}），"
            f"尚余{(due - today).days}天；不能按期申请的，应在期满前提出延期验收申请。"
        )
    return notify(
        actor=actor,
        recipients=recipients,
        kind=kind,
        key=key,
        title=title,
        body=f"{project.unit.name}：{body}",
        cite=cite,
        rulebook_id=project.rulebook.rulebook_id if project.rulebook else "",
        project=project,
        summary=title,
    )
