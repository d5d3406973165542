"""The daily deadline scan: open tasks due within 3 working days, due today, or overdue.

The task's organization is told (its assignee first) once per task, stage and due date; an overdue
task is also escalated to the jurisdiction's competent department (督办). The time limit is the
rulebook's, so each notice names the article that sets it.

The tasks are told in batches: each batch's notices (and their events) are one transaction
(``notify_many``), so a run killed in the middle keeps the batches it finished and the next run
tells the rest."""

from __future__ import annotations

import datetime as dt

from django.db.models import F

from govit.jobs.common import BATCH, add_working_days, already_told, batches, day, system, untold
from govit.jobs.common import working_days as count_days
from govit.jobs.recipients import People
from govit.notifications.email import send_pending
from govit.notifications.models import Kind
from govit.notifications.services import Notice, notify_many
from govit.organizations.models import Organization, User
from govit.policy.calendar import default_calendar
from govit.projects.models import ProjectStatus, Task, TaskStatus

SOON = 3  # working days: "due within 3 working days"


def candidates(today: dt.date):
    """Open tasks of projects under way whose due date is at most SOON working days away: what
    decides whom to tell (id, due date, organization, assignee, the project's jurisdiction)."""
    horizon = add_working_days(default_calendar(), today, SOON)
    return (
        Task.objects.filter(
            status=TaskStatus.OPEN,
            due_on__isnull=False,
            due_on__lte=horizon,
            project__status=ProjectStatus.ACTIVE,
        )
        .order_by("due_on", "id")
        .values_list(
            "pk", "due_on", "organization_id", "assignee_id", "project__jurisdiction_id", named=True
        )
    )


def _told_about(ids: list[int]) -> dict[int, Task]:
    """The tasks with what their notices say (project, step, organization, rulebook)."""
    return {
        t.pk: t
        for t in Task.objects.filter(pk__in=ids)
        .select_related("project", "step", "organization")
        .only(
            "id",
            "due_on",
            "organization_id",
            "project_id",
            "step_id",
            "project__id",
            "project__jurisdiction_id",
            "project__name",
            "project__code",
            "step__id",
            "step__name",
            "step__cite",
            "step__working_days",
            "organization__id",
            "organization__name",
        )
        .annotate(rulebook_code=F("project__rulebook__rulebook_id"))
    }


def stage(task, today: dt.date) -> str:
    if task.due_on < today:
        return Kind.TASK_OVERDUE
    if task.due_on == today:
        return Kind.TASK_DUE_TODAY
    return Kind.TASK_DUE_SOON


def _key(kind: str, task) -> str:
    return f"{kind}:task:{task.pk}:{task.due_on.isoformat()}"


def _limit(task: Task) -> str:
    step = task.step
    limit = f"{step.working_days}个工作日内办结，" if step.working_days else ""
    return f"（{limit}依据{step.cite}）" if step.cite else ""


def _what(task: Task) -> str:
    project = task.project
    code = f"（{project.code}）" if project.code else ""
    return f"项目“{project.name}”{code}的“{task.step.name}”"


def run(today: dt.date) -> dict[str, int]:
    cal = default_calendar()
    actor = system()
    counts = {"tasks": 0, "notices": 0, "escalations": 0}
    tasks = list(candidates(today))
    counts["tasks"] = len(tasks)
    competent = dict(
        Organization.objects.filter(kind="competent_department", is_active=True).values_list(
            "jurisdiction_id", "pk"
        )
    )
    # everybody the run may tell, once: the tasks' organizations and the competent departments
    people = People({t.organization_id for t in tasks} | set(competent.values()))
    assignees = {
        u.pk: u
        for u in User.objects.filter(
            pk__in={t.assignee_id for t in tasks if t.assignee_id}, is_active=True
        ).only("pk", "username", "real_name", "email", "organization_id")
    }
    for chunk in batches(tasks, BATCH):
        plan = []
        for task in chunk:
            kind = stage(task, today)
            first = assignees.get(task.assignee_id)
            plan.append((task, kind, people.working(task.organization_id, first=first)))
        keys = [_key(kind, t) for t, kind, _ in plan]
        keys += [_key(Kind.TASK_ESCALATED, t) for t, kind, _ in plan if kind == Kind.TASK_OVERDUE]
        told = already_told(keys)
        due: list[tuple[str, object, str, list[User], int | None]] = []
        for task, kind, recipients in plan:
            key = _key(kind, task)
            dept = competent.get(task.project__jurisdiction_id)
            if untold(recipients, key, told):
                due.append((kind, task, key, recipients, dept))
            if kind != Kind.TASK_OVERDUE or dept is None:
                continue
            # the department's own overdue task goes up to its leaders
            chiefs = people.leaders(dept) if dept == task.organization_id else people.working(dept)
            key = _key(Kind.TASK_ESCALATED, task)
            if untold(chiefs, key, told):
                due.append((Kind.TASK_ESCALATED, task, key, chiefs, dept))
        if not due:
            continue  # a night with nothing new reads no more than this
        full = _told_about(sorted({task.pk for _, task, *_ in due}))
        notices: list[Notice] = []
        for kind, task, key, recipients, dept in due:
            if kind == Kind.TASK_ESCALATED:
                notices.append(_escalate(full[task.pk], key, recipients, cal=cal, today=today))
            else:
                notices.append(
                    _remind(full[task.pk], kind, key, recipients, cal=cal, today=today, up=dept)
                )
        sent = notify_many(actor=actor, notices=notices)
        for notice, rows in zip(notices, sent, strict=True):
            counts["escalations" if notice.kind == Kind.TASK_ESCALATED else "notices"] += len(rows)
    counts["emails"] = send_pending()
    return counts


def _remind(task: Task, kind: str, key: str, recipients, *, cal, today: dt.date, up) -> Notice:
    what, due = _what(task), day(task.due_on)
    if kind == Kind.TASK_DUE_SOON:
        left, exact = count_days(cal, today, task.due_on)
        title = f"待办即将到期：{task.step.name}"
        body = f"{what}应于{due}前办结，尚余{left}个工作日{_limit(task)}。"
    elif kind == Kind.TASK_DUE_TODAY:
        exact = True
        title = f"待办今日到期：{task.step.name}"
        body = f"{what}今日（{due}）到期{_limit(task)}，请今日内办结。"
    else:
        late, exact = count_days(cal, task.due_on, today)
        title = f"待办已逾期：{task.step.name}"
        if up is None:
            escalated = ""
        elif up == task.organization_id:
            escalated = "已报本单位负责人督办。"
        else:
            escalated = "已报政务信息化主管部门督办。"
        body = f"{what}应于{due}前办结{_limit(task)}，已逾期{late}个工作日，{escalated}请尽快办理。"
    if not exact:
        body += "（工作日按已录入的节假日安排计算，未录入年份暂按周一至周五计。）"
    return Notice(
        recipients=recipients,
        kind=kind,
        key=key,
        title=title,
        body=f"{task.organization.name}：{body}",
        cite=task.step.cite,
        rulebook_id=task.rulebook_code or "",
        project=task.project,
        task=task,
        summary=f"{title}（{task.organization.name}）",
    )


def _escalate(task: Task, key: str, recipients, *, cal, today: dt.date) -> Notice:
    late, exact = count_days(cal, task.due_on, today)
    title = f"逾期督办：{task.organization.name} · {task.step.name}"
    body = (
        f"{task.organization.name}办理{_what(task)}应于{day(task.due_on)}前办结{_limit(task)}，"
        f"已逾期{late}个工作日，请督促办理。"
    )
    if not exact:
        body += "（工作日按已录入的节假日安排计算，未录入年份暂按周一至周五计。）"
    return Notice(
        recipients=recipients,
        kind=Kind.TASK_ESCALATED,
        key=key,
        title=title,
        body=body,
        cite=task.step.cite,
        rulebook_id=task.rulebook_code or "",
        project=task.project,
        task=task,
        summary=title,
    )
