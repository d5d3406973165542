"""Send notifications: the platform (or a jurisdiction's administrator) tells people something,
once per reason, and the event log keeps that it did.

``notify`` tells about one thing; ``notify_many`` tells about a whole batch of things in one
transaction (what the nightly jobs do: a few queries per batch instead of ten per notice), with
the same rows, the same events and the same once-per-reason guarantee. The batch's events are appended
by ``govit.events.services.EventBatch``, with one read and one insert."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from govit.access.policy import authorize
from govit.core import clock
from govit.events.services import EventBatch, record
from govit.jurisdictions.models import Jurisdiction
from govit.notifications.models import EmailState, Notification
from govit.organizations.models import User
from govit.projects.models import Project, Task


@transaction.atomic
def notify(
    *,
    actor: User,
    recipients: Iterable[User],
    kind: str,
    key: str,
    title: str,
    body: str,
    cite: str = "",
    rulebook_id: str = "",
    project: Project | None = None,
    task: Task | None = None,
    jurisdiction: Jurisdiction | None = None,
    summary: str = "",
) -> list[Notification]:
    """Notify each recipient who has not yet been notified for ``key``; returns the new ones.

    ``key`` names the reason (kind, object and window): running the same job twice, or again
    after a crash, finds the rows already there and notifies nobody twice; the unique constraint
    (user, key) decides when two workers race. One event records who was told, only when
    somebody new was."""
    jurisdiction = jurisdiction or (project.jurisdiction if project is not None else None)
    if jurisdiction is None:
        raise ValueError("notify() needs a project or a jurisdiction")
    authorize(actor, "jurisdiction.admin", jurisdiction.pk)
    people = list({u.pk: u for u in recipients}.values())
    if not people:
        return []
    told = set(
        Notification.objects.filter(key=key, user_id__in=[u.pk for u in people]).values_list(
            "user_id", flat=True
        )
    )
    now = clock.now()
    new = []
    for user in people:
        if user.pk in told:
            continue
        row = Notification(
            user=user,
            kind=kind,
            key=key,
            project=project,
            task=task,
            jurisdiction=jurisdiction,
            title=title[:200],
            body=body,
            cite=cite or "",
            rulebook_id=rulebook_id,
            created_at=now,
            email_state=EmailState.PENDING if user.email else EmailState.NONE,
        )
        try:
            # a concurrent run that inserted the same (user, key) first wins: on PostgreSQL this
            # waits for its commit and then fails here, so exactly one of the two records it
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            continue
        new.append(row)
    if not new:
        return []
    record(
        "notification.sent",
        actor=actor,
        project=project,
        jurisdiction=jurisdiction,
        summary=_sent_summary(summary or title, new),
        cite=cite,
        data={"kind": kind, "key": key, "users": [n.user.pk for n in new]},
    )
    return new


@dataclass
class Notice:
    """One reason to tell some people something: what ``notify`` takes, for ``notify_many``.
    ``project`` and ``task`` may be given by id alone (``project_id``/``task_id``)."""

    recipients: Sequence[User]
    kind: str
    key: str
    title: str
    body: str
    cite: str = ""
    rulebook_id: str = ""
    project: Project | None = None
    task: Task | None = None
    jurisdiction: Jurisdiction | None = None
    summary: str = ""
    project_id: int | None = None
    task_id: int | None = None
    jurisdiction_id: int | None = None

    def __post_init__(self) -> None:
        if self.project is not None:
            self.project_id = self.project.pk
        if self.task is not None:
            self.task_id = self.task.pk
        if self.jurisdiction is not None:
            self.jurisdiction_id = self.jurisdiction.pk
        elif self.jurisdiction_id is None and self.project is not None:
            self.jurisdiction_id = self.project.jurisdiction_id
        if self.jurisdiction_id is None:
            raise ValueError("a notice needs a project or a jurisdiction")

    def arguments(self) -> dict[str, Any]:
        """What ``notify`` takes for this notice."""
        return {
            "recipients": self.recipients,
            "kind": self.kind,
            "key": self.key,
            "title": self.title,
            "body": self.body,
            "cite": self.cite,
            "rulebook_id": self.rulebook_id,
            "project": self.project
            or (Project.objects.get(pk=self.project_id) if self.project_id else None),
            "task": self.task or (Task.objects.get(pk=self.task_id) if self.task_id else None),
            "jurisdiction": self.jurisdiction or Jurisdiction.objects.get(pk=self.jurisdiction_id),
            "summary": self.summary,
        }


@transaction.atomic
def notify_many(*, actor: User, notices: Sequence[Notice]) -> list[list[Notification]]:
    """``notify`` for each notice, in one transaction; returns each notice's new rows.

    The rows of the whole batch are inserted at once and so are their events (one per notice
    that told somebody new, on the project's or jurisdiction's stream, as ``notify`` records).
    When another run got to some of the same (user, key) — or to one of the streams — first,
    the batch's insert fails as a whole and the notices are told one by one with ``notify``,
    each finding what the other run recorded: nobody is told twice, nothing is lost."""
    for jurisdiction_id in sorted({n.jurisdiction_id for n in notices}):
        authorize(actor, "jurisdiction.admin", jurisdiction_id)
    keys = sorted({n.key for n in notices})
    told: set[tuple[int, str]] = set()
    for start in range(0, len(keys), 500):
        told.update(
            Notification.objects.filter(key__in=keys[start : start + 500]).values_list(
                "user_id", "key"
            )
        )
    now = clock.now()
    planned: list[list[Notification]] = []
    for notice in notices:
        rows = []
        for user in {u.pk: u for u in notice.recipients}.values():
            if (user.pk, notice.key) in told:
                continue
            told.add((user.pk, notice.key))  # the same reason twice in one batch: told once
            rows.append(
                Notification(
                    user=user,
                    kind=notice.kind,
                    key=notice.key,
                    project_id=notice.project_id,
                    task_id=notice.task_id,
                    jurisdiction_id=notice.jurisdiction_id,
                    title=notice.title[:200],
                    body=notice.body,
                    cite=notice.cite or "",
                    rulebook_id=notice.rulebook_id,
                    created_at=now,
                    email_state=EmailState.PENDING if user.email else EmailState.NONE,
                )
            )
        planned.append(rows)
    if not any(planned):
        return planned
    try:
        with transaction.atomic():
            Notification.objects.bulk_create([row for rows in planned for row in rows])
            events = EventBatch(actor)
            for notice, rows in zip(notices, planned, strict=True):
                if rows:
                    events.record(
                        "notification.sent",
                        project_id=notice.project_id,
                        jurisdiction_id=notice.jurisdiction_id,
                        summary=_sent_summary(notice.summary or notice.title, rows),
                        cite=notice.cite,
                        data={
                            "kind": notice.kind,
                            "key": notice.key,
                            "users": [row.user.pk for row in rows],
                        },
                    )
            events.flush()
    except IntegrityError:
        # a concurrent run inserted the same (user, key) or appended to one of the streams
        return [notify(actor=actor, **notice.arguments()) for notice in notices]
    return planned


def _sent_summary(what: str, rows: Sequence[Notification]) -> str:
    names = "、".join(row.user.display_name for row in rows)
    return f"{what}（已提醒：{names}）"
