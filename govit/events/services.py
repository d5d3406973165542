"""Append events. Called by every service, inside its transaction, after the change it records.

Every change records an event, so an event is also what tells whatever was read from its
jurisdiction and project that it is stale (``events.signals.data_changed``: kept reads listen)."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import OuterRef, Subquery

from govit.core import clock
from govit.core.digest import canonical_json, sm3
from govit.events.models import Event
from govit.events.phrases import Phrase
from govit.events.registry import label
from govit.events.signals import data_changed

_correlation: contextvars.ContextVar[uuid.UUID | None] = contextvars.ContextVar(
    "correlation", default=None
)

GENESIS = "0" * 64

# set while the workflow carries out what an act sets in motion (``automatic``): (the act,)
_cause: contextvars.ContextVar[tuple[Event | None] | None] = contextvars.ContextVar(
    "cause", default=None
)


@contextmanager
def correlation(existing: uuid.UUID | None = None) -> Iterator[uuid.UUID]:
    """Group the events of one user action (one request, one job) under one id."""
    current = _correlation.get()
    if current is not None and existing is None:
        yield current
        return
    token = _correlation.set(existing or uuid.uuid4())
    try:
        yield _correlation.get()  # type: ignore[misc]
    finally:
        _correlation.reset(token)


@contextmanager
def automatic(cause: Event | None) -> Iterator[Event | None]:
    """What is recorded inside is done by the system because of ``cause`` (a person's act): a
    step the workflow opens or passes on its own is not the act of whoever triggered it. Nested
    blocks keep the outermost cause."""
    outer = _cause.get()
    if outer is not None:
        yield outer[0]
        return
    token = _cause.set((cause,))
    try:
        yield cause
    finally:
        _cause.reset(token)


def event_digest(fields: dict[str, Any]) -> str:
    return sm3(canonical_json(fields))


def _content(event: Event) -> dict[str, Any]:
    return {
        "stream": event.stream,
        "seq": event.seq,
        "at": event.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "correlation_id": str(event.correlation_id),
        "kind": event.kind,
        "jurisdiction": event.jurisdiction_id,
        "project": event.project_id,
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "actor_org": event.actor_org_id,
        "actor_org_name": event.actor_org_name,
        "actor_roles": event.actor_roles,
        "summary": event.summary,
        "cite": event.cite,
        "before": event.before,
        "after": event.after,
        "data": event.data,
        "prev": event.prev_digest,
    } | _cause_content(event)


def _cause_content(event: Any) -> dict[str, Any]:
    # digested only when set, so the events recorded before causes existed keep their digests
    cause_id = getattr(event, "cause_id", None)
    return {"cause": cause_id} if cause_id is not None else {}


def _fit(field: str, value: str) -> str:
    return value[: Event._meta.get_field(field).max_length]


def _actor_fields(actor: Any | None) -> dict[str, Any]:
    """Who did it, as the event keeps it: the account and a snapshot of its name, organization
    and roles at that moment. A username (150) may be longer than the column (100): PostgreSQL
    refuses what SQLite silently stores, so the snapshot is cut to fit before it is digested."""
    org = getattr(actor, "organization", None) if actor is not None else None
    return {
        "actor": actor,
        "actor_name": _fit("actor_name", actor.display_name if actor is not None else "系统"),
        "actor_org": org,
        "actor_org_name": _fit("actor_org_name", org.name if org is not None else ""),
        "actor_roles": ",".join(sorted(actor.role_codes())) if actor is not None else "",
    }


def worded(summary: str | Phrase, data: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """The summary as recorded (Chinese) and the event's data, with the phrase where there is one."""
    if isinstance(summary, Phrase):
        return summary.chinese(), {**(data or {}), "phrase": summary.kept()}
    return summary, data or {}


def record(
    kind: str,
    *,
    actor: Any | None,
    summary: str | Phrase,
    project: Any | None = None,
    jurisdiction: Any | None = None,
    cite: str | None = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    cause: Event | None = None,
) -> Event:
    """Append one event. Must run inside the caller's transaction. Inside ``automatic(act)`` the
    event is the system's (no actor), caused by ``act``; ``cause`` names it explicitly. A
    ``Phrase`` summary is recorded in Chinese and kept as words for other languages (phrases)."""
    label(kind)  # unregistered kinds are refused
    summary, data = worded(summary, data)
    carried = _cause.get()
    if carried is not None:
        actor, cause = None, cause or carried[0]
    if jurisdiction is None and project is not None:
        jurisdiction = project.jurisdiction
    stream = (
        f"project:{project.pk}"
        if project is not None
        else f"jurisdiction:{getattr(jurisdiction, 'pk', 0)}"
    )
    who = _actor_fields(actor)
    for attempt in range(5):
        last = Event.objects.filter(stream=stream).order_by("-seq").values("seq", "digest").first()
        event = Event(
            stream=stream,
            seq=(last["seq"] + 1) if last else 1,
            at=clock.now(),
            correlation_id=_correlation.get() or uuid.uuid4(),
            kind=kind,
            jurisdiction=jurisdiction,
            project=project,
            **who,
            summary=summary,
            cite=cite or "",
            before=before,
            after=after,
            data=data or {},
            cause=cause,
            prev_digest=last["digest"] if last else GENESIS,
        )
        event.digest = event_digest(_content(event))
        try:
            with transaction.atomic():
                event.save()
            data_changed.send(sender=Event, where={(event.jurisdiction_id, event.project_id)})
            return event
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


# the columns an appended event fills, in the order ``insert_rows`` writes them (id is the table's)
COLUMNS = (
    "stream",
    "seq",
    "at",
    "correlation_id",
    "kind",
    "jurisdiction_id",
    "project_id",
    "actor_id",
    "actor_name",
    "actor_org_id",
    "actor_org_name",
    "actor_roles",
    "summary",
    "cite",
    "before",
    "after",
    "data",
    "prev_digest",
    "digest",
)


class Appended:
    """An event as ``EventBatch`` appends it: the attributes of ``Event`` that ``_content``
    digests (and the table stores), without the cost of a model instance per event."""

    __slots__ = COLUMNS

    def __init__(self, **values: Any) -> None:
        for name in COLUMNS:
            setattr(self, name, values.get(name))

    def row(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in COLUMNS)


@dataclass
class EventBatch:
    """Events of one actor, appended to their streams together: ``record`` each, then ``flush``
    inside the transaction of the change they record. Each event is what
    ``govit.events.services.record`` would have appended, chained by SM3 after the stream's last
    event (and after the batch's earlier events on the same stream); ``verify_stream`` checks
    them like any other. Two writers appending to one stream at once: the unique (stream, seq)
    refuses the second one's insert (IntegrityError), which the caller retries.

    The batch is written with ``insert_rows`` (COPY on PostgreSQL): no model instance per event
    and no ids read back."""

    actor: Any | None
    pending: list[Appended] = field(default_factory=list)
    chained: list[Appended] = field(default_factory=list)

    def record(
        self,
        kind: str,
        *,
        summary: str | Phrase,
        project_id: int | None = None,
        jurisdiction_id: int | None = None,
        cite: str | None = "",
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        label(kind)  # unregistered kinds are refused
        summary, data = worded(summary, data)
        stream = (
            f"project:{project_id}"
            if project_id is not None
            else f"jurisdiction:{jurisdiction_id or 0}"
        )
        self.pending.append(
            Appended(
                stream=stream,
                kind=kind,
                jurisdiction_id=jurisdiction_id,
                project_id=project_id,
                summary=summary,
                cite=cite or "",
                before=before,
                after=after,
                data=data or {},
            )
        )

    def chain(self) -> list[Appended]:
        """Number, link and digest the recorded events after their streams' last events (read
        now), without writing them: ``flush`` writes them. A job may chain a batch on one
        connection and flush it on another, when no other batch of its own appends to the same
        streams in between (the deadline scan's batches are whole projects)."""
        if not self.pending:
            return self.chained
        who = _actor_fields(self.actor)
        actor, org = who.pop("actor"), who.pop("actor_org")
        who["actor_id"] = actor.pk if actor is not None else None
        who["actor_org_id"] = org.pk if org is not None else None
        heads = _heads({p.stream for p in self.pending})
        for event in self.chained:  # chained earlier in this batch, not yet written
            heads[event.stream] = (event.seq, event.digest)
        now = clock.now()
        events = self.pending
        with correlation() as correlation_id:
            correlation_id = correlation_id or uuid.uuid4()
            for event in events:
                seq, prev = heads.get(event.stream, (0, GENESIS))
                event.seq, event.prev_digest, event.at = seq + 1, prev, now
                event.correlation_id = correlation_id
                for name, value in who.items():
                    setattr(event, name, value)
                event.digest = event_digest(_content(event))  # type: ignore[arg-type]
                heads[event.stream] = (event.seq, event.digest)
        self.chained.extend(events)
        self.pending = []
        return self.chained

    def flush(self) -> list[Appended]:
        """Insert the recorded events, chained (``chain``); must run inside the caller's
        transaction. Returns them as inserted (without their ids)."""
        events = self.chain()
        if not events:
            return []
        insert_rows(Event, COLUMNS, [event.row() for event in events])
        data_changed.send(
            sender=Event, where={(event.jurisdiction_id, event.project_id) for event in events}
        )
        self.chained = []
        return events


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert ``rows`` (tuples of the ``columns``' attnames) into ``model``'s table, ids left to
    the table, none read back: COPY on PostgreSQL (psycopg 3), ``bulk_create`` elsewhere. Must run
    inside the caller's transaction. A row that breaks a constraint fails the whole insert with
    Django's ``IntegrityError``, as ``bulk_create`` does."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._base_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=500
        )
        return
    fields = [model._meta.get_field(name) for name in columns]
    json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    copy_sql = f"COPY {table} ({names}) FROM STDIN"
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.copy(copy_sql) as copy,
    ):
        for row in rows:
            if json_at:
                row = list(row)
                for i in json_at:
                    # COPY's text format takes the JSON's text; NULL stays NULL
                    if row[i] is not None:
                        row[i] = json.dumps(row[i], ensure_ascii=False)
            copy.write_row(row)


def _heads(streams: set[str]) -> dict[str, tuple[int, str]]:
    """The last (seq, digest) of each stream that has events. On PostgreSQL one index probe a
    stream (a LATERAL join over the names); elsewhere a correlated subquery."""
    found: dict[str, tuple[int, str]] = {}
    names = sorted(streams)
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Event._meta.db_table)
        with connection.cursor() as cursor:
            for start in range(0, len(names), 2000):
                cursor.execute(
                    "SELECT s.stream, e.seq, e.digest FROM unnest(%s::varchar[]) AS s(stream) "
                    f"CROSS JOIN LATERAL (SELECT seq, digest FROM {table} "
                    "WHERE stream = s.stream ORDER BY seq DESC LIMIT 1) AS e",
                    [names[start : start + 2000]],
                )
                for stream, seq, digest in cursor.fetchall():
                    found[stream] = (seq, digest)
        return found
    for start in range(0, len(names), 500):
        chunk = names[start : start + 500]
        last = Event.objects.filter(stream=OuterRef("stream")).order_by("-seq").values("seq")[:1]
        for stream, seq, digest in Event.objects.filter(
            stream__in=chunk, seq=Subquery(last)
        ).values_list("stream", "seq", "digest"):
            found[stream] = (seq, digest)
    return found


def verify_stream(stream: str, using: str = "default") -> list[str]:
    """Recompute the chain of one stream; returns the problems found (empty when intact)."""
    events = Event.objects.using(using).filter(stream=stream).order_by("seq")
    return chain_problems(events.iterator(chunk_size=2000))


def chain_problems(events: Iterable[Event]) -> list[str]:
    """The breaks in the SM3 chains of ``events``, ordered by stream then seq (one stream or
    all of them): a missing number, a link that does not match, content altered after the fact."""
    problems = []
    stream, previous, expected_seq = None, GENESIS, 1
    for event in events:
        if event.stream != stream:
            stream, previous, expected_seq = event.stream, GENESIS, 1
        if event.seq != expected_seq:
            problems.append(f"{stream}: 第{expected_seq}条事件缺失")
        if event.prev_digest != previous:
            problems.append(f"{stream}#{event.seq}: 与前一事件的链接不符")
        if event_digest(_content(event)) != event.digest:
            problems.append(f"{stream}#{event.seq}: 内容与摘要不符（被改动过）")
        previous, expected_seq = event.digest, event.seq + 1
    return problems
