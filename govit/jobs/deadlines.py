"""The daily deadline scan: open tasks due within 3 working days, due today, or overdue.

The task's organization is told (its assignee first) once per task, stage and due date; an overdue
task is also escalated to the jurisdiction's competent department (督办). The time limit is the
rulebook's, so each notice names the article that sets it.

The tasks are told in batches: each batch's notices (and their events) are one transaction
(``notify_many``), so a run killed in the middle keeps the batches it finished and the next run
tells the rest."""

from __future__ import annotations

import contextvars
import datetime as dt
import os
import queue
import threading
from typing import Any

from django.db import connection
from django.utils.translation import gettext_noop

from govit.events.phrases import Day, Phrase, Step, maybe, said
from govit.jobs.common import add_working_days, batches, system, untold
from govit.jobs.common import working_days as count_days
from govit.jobs.recipients import People
from govit.notifications.email import send_pending
from govit.notifications.models import Kind, Notification
from govit.notifications.services import Notice, NoticeBatch, notify_many
from govit.organizations.models import Organization, User
from govit.policy.calendar import default_calendar
from govit.projects.models import ProjectStatus, Task, TaskStatus

SOON = 3  # working days: "due within 3 working days"
BATCH = 2000  # tasks a transaction (their notices and events: one COPY each)


# what decides whom to tell, and what a task's notices say: its project, step, organization and
# rulebook — read with the candidates, in one query for the night (no model instances)
ABOUT = (
    "pk",
    "due_on",
    "organization_id",
    "assignee_id",
    "project_id",
    "project__jurisdiction_id",
    "project__name",
    "project__code",
    "step__kind",
    "step__name",
    "step__cite",
    "step__working_days",
    "organization__name",
    "project__rulebook__rulebook_id",
)


def _open_tasks(today: dt.date):
    """Open tasks of projects under way whose due date is at most SOON working days away."""
    horizon = add_working_days(default_calendar(), today, SOON)
    return Task.objects.filter(
        status=TaskStatus.OPEN,
        due_on__isnull=False,
        due_on__lte=horizon,
        project__status=ProjectStatus.ACTIVE,
    )


def candidates(today: dt.date):
    """The tasks to tell about (``_open_tasks``), as rows named by ``ABOUT``."""
    return _open_tasks(today).order_by("due_on", "id").values_list(*ABOUT, named=True)


def _told_of(today: dt.date) -> set[tuple[int, str]]:
    """(user id, key) of the notifications already sent about the candidates, read once for
    the night: every reminder and escalation of a task is stored with its task, and no two
    candidates share a key (a concurrent run's rows are found by ``notify_many``'s insert)."""
    return set(
        Notification.objects.filter(task__in=_open_tasks(today).values("pk")).values_list(
            "user_id", "key"
        )
    )


def stage(task, today: dt.date) -> str:
    if task.due_on < today:
        return Kind.TASK_OVERDUE
    if task.due_on == today:
        return Kind.TASK_DUE_TODAY
    return Kind.TASK_DUE_SOON


def _key(kind: str, task) -> str:
    return f"{kind}:task:{task.pk}:{task.due_on.isoformat()}"


def _limit(task) -> Phrase | None:
    if not task.step__cite:
        return None
    if task.step__working_days:
        return said(
            gettext_noop("（%(days)s个工作日内办结，依据%(cite)s）"),
            days=task.step__working_days,
            cite=task.step__cite,
        )
    return said(gettext_noop("（依据%(cite)s）"), cite=task.step__cite)


def _step(task) -> Step:
    return Step(task.step__kind, task.step__name)


def _what(task) -> Phrase:
    if task.project__code:
        return said(
            gettext_noop("项目“%(project)s”（%(code)s）的“%(step)s”"),
            project=task.project__name,
            code=task.project__code,
            step=_step(task),
        )
    return said(
        gettext_noop("项目“%(project)s”的“%(step)s”"), project=task.project__name, step=_step(task)
    )


# the note on a count of working days that reaches a year whose holidays are not entered
UNCOUNTED = gettext_noop("（工作日按已录入的节假日安排计算，未录入年份暂按周一至周五计。）")


def run(today: dt.date) -> dict[str, int]:
    cal = default_calendar()
    actor = system()
    counts = {"tasks": 0, "notices": 0, "escalations": 0}
    tasks = list(candidates(today))
    told = _told_of(today)
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
    writer = _Writer() if _pipelined(len(tasks)) else None
    # written by the writer thread, a batch's streams must be no other batch's: whole projects
    chunks = by_project(tasks, BATCH) if writer else list(batches(tasks, BATCH))
    try:
        for chunk in chunks:
            notices = _notices(chunk, today, cal, told, people, assignees, competent)
            if not notices:
                continue  # a night with nothing new reads no more than this
            if writer is None:
                _count(counts, notices, notify_many(actor=actor, notices=notices, told=told))
                continue
            batch = NoticeBatch(actor, told)
            for notice in notices:
                batch.record(notice)
            batch.events.chain()  # read and linked here: this batch's streams are no other's
            writer.put(batch)
    except BaseException:
        if writer is not None:
            writer.close(raising=False)  # what it was handed is written (or not) whole
        raise
    if writer is not None:
        for batch, sent in writer.close():
            _count(counts, batch.notices, sent)
    counts["emails"] = send_pending()
    return counts


def by_project(tasks: list[Any], size: int) -> list[list[Any]]:
    """The tasks in batches of about ``size`` that never split a project: each batch's
    notices append to streams (the projects') no other batch appends to. A project's tasks
    keep their order (due date, id) and come where its first task comes."""
    projects: dict[int, list[Any]] = {}
    for task in tasks:
        projects.setdefault(task.project_id, []).append(task)
    chunks: list[list[Any]] = []
    chunk: list[Any] = []
    for mine in projects.values():
        chunk.extend(mine)
        if len(chunk) >= size:
            chunks.append(chunk)
            chunk = []
    if chunk:
        chunks.append(chunk)
    return chunks


def _notices(chunk, today, cal, told, people: People, assignees, competent) -> list[Notice]:
    """The notices of a batch of tasks: each task's organization (its assignee first) unless
    all were told, and an overdue task's escalation to the competent department."""
    due: list[tuple[str, Any, str, list[User], int | None]] = []
    for task in chunk:
        kind = stage(task, today)
        recipients = people.working(task.organization_id, first=assignees.get(task.assignee_id))
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
    notices: list[Notice] = []
    for kind, task, key, recipients, dept in due:
        if kind == Kind.TASK_ESCALATED:
            notices.append(_escalate(task, key, recipients, cal=cal, today=today))
        else:
            notices.append(_remind(task, kind, key, recipients, cal=cal, today=today, up=dept))
    return notices


def _count(counts: dict[str, int], notices: list[Notice], sent) -> None:
    for notice, rows in zip(notices, sent, strict=True):
        counts["escalations" if notice.kind == Kind.TASK_ESCALATED else "notices"] += len(rows)


def _pipelined(tasks: int) -> bool:
    """Whether a writer thread writes the batches while the next is prepared: on PostgreSQL,
    with a second core, several batches, and no transaction around the run (the writer's
    connection could not see into it)."""
    return (
        tasks > BATCH
        and (os.cpu_count() or 1) > 1
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )


class _Writer:
    """Writes prepared batches (``NoticeBatch.write``: one transaction each, COPY) on its own
    connection, in order, while the scan prepares the next one; waiting on PostgreSQL (the
    inserts, the foreign keys checked at commit) overlaps with the Python of the next batch.
    A failure stops it: the batches written are kept, the rest is left to the next run."""

    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue(maxsize=1)
        self.done: list[tuple[NoticeBatch, list]] = []
        self.error: BaseException | None = None
        context = contextvars.copy_context()  # the job's correlation id
        self.thread = threading.Thread(
            target=context.run, args=(self._work,), name="deadline-scan-writer", daemon=True
        )
        self.thread.start()

    def _work(self) -> None:
        try:
            while (prepared := self.queue.get()) is not None:
                self.done.append((prepared, prepared.write()))
        except BaseException as exc:
            self.error = exc
        finally:
            connection.close()  # this thread's own

    def put(self, prepared: NoticeBatch) -> None:
        while True:
            if self.error is not None or not self.thread.is_alive():
                raise RuntimeError("逾期扫描的写入线程已停止") from self.error
            try:
                self.queue.put(prepared, timeout=0.5)
                return
            except queue.Full:
                continue

    def close(self, *, raising: bool = True) -> list[tuple[NoticeBatch, list]]:
        """Wait for the batches handed over; re-raise what stopped the writer."""
        while self.thread.is_alive():
            try:
                self.queue.put(None, timeout=0.5)
                break
            except queue.Full:
                continue
        self.thread.join()
        if self.error is not None and raising:
            raise self.error
        return self.done


def _remind(task, kind: str, key: str, recipients, *, cal, today: dt.date, up) -> Notice:
    what, due = _what(task), Day(task.due_on)
    if kind == Kind.TASK_DUE_SOON:
        left, exact = count_days(cal, today, task.due_on)
        title = said(gettext_noop("待办即将到期：%(step)s"), step=_step(task))
        body = (
            what
            + said(gettext_noop("应于%(due)s前办结，尚余%(left)s个工作日"), due=due, left=left)
            + _limit(task)
            + said(gettext_noop("。"))
        )
    elif kind == Kind.TASK_DUE_TODAY:
        exact = True
        title = said(gettext_noop("待办今日到期：%(step)s"), step=_step(task))
        body = (
            what
            + said(gettext_noop("今日（%(due)s）到期"), due=due)
            + _limit(task)
            + said(gettext_noop("，请今日内办结。"))
        )
    else:
        late, exact = count_days(cal, task.due_on, today)
        title = said(gettext_noop("待办已逾期：%(step)s"), step=_step(task))
        body = (
            what
            + said(gettext_noop("应于%(due)s前办结"), due=due)
            + _limit(task)
            + said(gettext_noop("，已逾期%(late)s个工作日，"), late=late)
            + maybe(
                up is not None and up == task.organization_id,
                gettext_noop("已报本单位负责人督办。"),
            )
            + maybe(
                up is not None and up != task.organization_id,
                gettext_noop("已报政务信息化主管部门督办。"),
            )
            + said(gettext_noop("请尽快办理。"))
        )
    if not exact:
        body += said(UNCOUNTED)
    return Notice(
        recipients=recipients,
        kind=kind,
        key=key,
        title=title,
        body=said(gettext_noop("%(office)s："), office=task.organization__name) + body,
        cite=task.step__cite,
        rulebook_id=task.project__rulebook__rulebook_id or "",
        project_id=task.project_id,
        task_id=task.pk,
        jurisdiction_id=task.project__jurisdiction_id,
        summary=title + said(gettext_noop("（%(office)s）"), office=task.organization__name),
    )


def _escalate(task, key: str, recipients, *, cal, today: dt.date) -> Notice:
    late, exact = count_days(cal, task.due_on, today)
    title = said(
        gettext_noop("逾期督办：%(office)s · %(step)s"),
        office=task.organization__name,
        step=_step(task),
    )
    body = (
        said(gettext_noop("%(office)s办理"), office=task.organization__name)
        + _what(task)
        + said(gettext_noop("应于%(due)s前办结"), due=Day(task.due_on))
        + _limit(task)
        + said(gettext_noop("，已逾期%(late)s个工作日，请督促办理。"), late=late)
    )
    if not exact:
        body += said(UNCOUNTED)
    return Notice(
        recipients=recipients,
        kind=Kind.TASK_ESCALATED,
        key=key,
        title=title,
        body=body,
        cite=task.step__cite,
        rulebook_id=task.project__rulebook__rulebook_id or "",
        project_id=task.project_id,
        task_id=task.pk,
        jurisdiction_id=task.project__jurisdiction_id,
        summary=title,
    )
