"""Send notifications: the platform (or a jurisdiction's administrator) tells people something,
once per reason, and the event log keeps that it did.

``notify`` tells about one thing; ``notify_many`` tells about a whole batch of things in one
transaction (what the nightly jobs do: a few queries per batch instead of ten per notice), with
the same rows, the same events and the same once-per-reason guarantee. The batch's events are appended
by ``govit.events.services.EventBatch``, with one read and one insert."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from govit.access.policy import authorize
from govit.core import clock
from govit.events.phrases import Phrase, said
from govit.events.services import EventBatch, insert_rows, record
from govit.jurisdictions.models import Jurisdiction
from govit.notifications.models import EmailState, Notification
from govit.organizations.models import User
from govit.organizations.signals import account_changed
from govit.projects.models import Project, Task


@transaction.atomic
def notify(
    *,
    actor: User,
    recipients: Iterable[User],
    kind: str,
    key: str,
    title: str | Phrase,
    body: str | Phrase,
    cite: str = "",
    rulebook_id: str = "",
    project: Project | None = None,
    task: Task | None = None,
    jurisdiction: Jurisdiction | None = None,
    summary: str | Phrase = "",
) -> list[Notification]:
    """Notify each recipient who has not yet been notified for ``key``; returns the new ones.

    ``key`` names the reason (kind, object and window): running the same job twice, or again
    after a crash, finds the rows already there and notifies nobody twice; the unique constraint
    (user, key) decides when two workers race. One event records who was told, only when
    somebody new was."""
    jurisdiction = jurisdiction or (project.jurisdiction if project is not None else None)
    if jurisdiction is None:
        raise ValueError("notify() needs a project or a jurisdiction")
    what = summary or title
    words = _wording(title, body)
    title, body = _text(title), _text(body)
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
            words=words,
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
    # every page's header counts the unread
    account_changed.send(sender=User, user_ids={n.user_id for n in new})
    record(
        "notification.sent",
        actor=actor,
        project=project,
        jurisdiction=jurisdiction,
        summary=_sent_summary(what, new),
        cite=cite,
        data={"kind": kind, "key": key, "users": [n.user.pk for n in new]},
    )
    return new


def _text(what: str | Phrase) -> str:
    return what.chinese() if isinstance(what, Phrase) else what


def _wording(title: str | Phrase, body: str | Phrase) -> dict[str, Any]:
    """What ``Notification.words`` keeps of a title and a body worded as phrases."""
    return {
        part: what.kept()
        for part, what in (("title", title), ("body", body))
        if isinstance(what, Phrase)
    }


@dataclass
class Notice:
    """One reason to tell some people something: what ``notify`` takes, for ``notify_many``.
    ``project`` and ``task`` may be given by id alone (``project_id``/``task_id``). The title,
    the body and the event's summary may be worded as phrases (govit/events/phrases.py)."""

    recipients: Sequence[User]
    kind: str
    key: str
    title: str | Phrase
    body: str | Phrase
    cite: str = ""
    rulebook_id: str = ""
    project: Project | None = None
    task: Task | None = None
    jurisdiction: Jurisdiction | None = None
    summary: str | Phrase = ""
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


class Told(NamedTuple):
    """A notification ``notify_many`` wrote: whom it told, for which reason (the row is in the
    table; its id is not read back)."""

    user: User
    key: str

    @property
    def user_id(self) -> int:
        return self.user.pk


# the columns ``notify_many`` fills (id is the table's; read_at and emailed_at stay empty)
COLUMNS = (
    "user_id",
    "kind",
    "key",
    "project_id",
    "task_id",
    "jurisdiction_id",
    "title",
    "body",
    "words",
    "cite",
    "rulebook_id",
    "created_at",
    "email_state",
)


@transaction.atomic
def notify_many(
    *, actor: User, notices: Sequence[Notice], told: set[tuple[int, str]] | None = None
) -> list[list[Told]]:
    """``notify`` for each notice, in one transaction; returns whom each notice told anew.

    The rows of the whole batch are inserted at once and so are their events (one per notice
    that told somebody new, on the project's or jurisdiction's stream, as ``notify`` records),
    with COPY on PostgreSQL (``govit.events.services.insert_rows``). ``told``: the (user id, key)
    already notified for these notices' keys, when the caller has just read them (the deadline
    scan reads them once a night); otherwise they are read here.
    When another run got to some of the same (user, key) — or to one of the streams — first,
    the batch's insert fails as a whole and the notices are told one by one with ``notify``,
    each finding what the other run recorded: nobody is told twice, nothing is lost."""
    for jurisdiction_id in sorted({n.jurisdiction_id for n in notices}):
        authorize(actor, "jurisdiction.admin", jurisdiction_id)
    batch = NoticeBatch(actor, _told(notices) if told is None else told)
    for notice in notices:
        batch.record(notice)
    return batch.write()


def _told(notices: Sequence[Notice]) -> set[tuple[int, str]]:
    """(user id, key) of the notifications that exist for these notices' keys."""
    keys = sorted({n.key for n in notices})
    told: set[tuple[int, str]] = set()
    for start in range(0, len(keys), 500):
        told.update(
            Notification.objects.filter(key__in=keys[start : start + 500]).values_list(
                "user_id", "key"
            )
        )
    return told


class NoticeBatch:
    """``notify_many`` in two halves, for a job that prepares its next batch while this one is
    written (the deadline scan on PostgreSQL): ``record`` each notice (the actor's permission
    checked, whom it tells anew against ``told``, its rows built and its event recorded), then
    ``write`` — on this connection or another — in one transaction."""

    def __init__(self, actor: User, told: set[tuple[int, str]]) -> None:
        self.actor = actor
        self.told = set(told)
        self.notices: list[Notice] = []
        self.planned: list[list[Told]] = []
        self.rows: list[tuple] = []
        self.events = EventBatch(actor)
        self.now = clock.now()
        self._authorized: set[int] = set()

    def record(self, notice: Notice) -> list[Told]:
        if notice.jurisdiction_id not in self._authorized:
            authorize(self.actor, "jurisdiction.admin", notice.jurisdiction_id)
            self._authorized.add(notice.jurisdiction_id)  # type: ignore[arg-type]
        mine = []
        title = _text(notice.title)[:200]
        body = _text(notice.body)
        words = _wording(notice.title, notice.body)
        for user in {u.pk: u for u in notice.recipients}.values():
            if (user.pk, notice.key) in self.told:
                continue
            self.told.add((user.pk, notice.key))  # the same reason twice in one batch: once
            mine.append(Told(user, notice.key))
            self.rows.append(
                (
                    user.pk,
                    notice.kind,
                    notice.key,
                    notice.project_id,
                    notice.task_id,
                    notice.jurisdiction_id,
                    title,
                    body,
                    words,
                    notice.cite or "",
                    notice.rulebook_id,
                    self.now,
                    EmailState.PENDING if user.email else EmailState.NONE,
                )
            )
        self.notices.append(notice)
        self.planned.append(mine)
        if mine:
            self.events.record(
                "notification.sent",
                project_id=notice.project_id,
                jurisdiction_id=notice.jurisdiction_id,
                summary=_sent_summary(notice.summary or notice.title, mine),
                cite=notice.cite,
                data={"kind": notice.kind, "key": notice.key, "users": [t.user.pk for t in mine]},
            )
        return mine

    def write(self) -> list[list[Told]]:
        """Insert the rows and the events in one transaction; returns whom each notice told."""
        if not self.rows:
            return self.planned
        with transaction.atomic(savepoint=False):
            try:
                with transaction.atomic():
                    insert_rows(Notification, COLUMNS, self.rows)
                    self.events.flush()
                    # their badges
                    account_changed.send(sender=User, user_ids={row[0] for row in self.rows})
            except IntegrityError:
                # a concurrent run inserted the same (user, key) or appended to one of the streams
                return [
                    [Told(row.user, row.key) for row in notify(actor=self.actor, **n.arguments())]
                    for n in self.notices
                ]
        return self.planned


def _sent_summary(
    what: str | Phrase, rows: Sequence[Notification] | Sequence[Told]
) -> str | Phrase:
    names = [row.user.display_name for row in rows]
    if isinstance(what, Phrase):
        return what + said(gettext_noop("（已提醒：%(names)s）"), names=names)
    return f"{what}（已提醒：{'、'.join(names)}）"
