"""Bulk writing: rows as dicts keyed by field name, ids handed out here, COPY on PostgreSQL and
executemany elsewhere; events chained per stream with the digest the event service computes."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models

from govit.events.models import Event
from govit.events.registry import label
from govit.events.services import GENESIS, _content, event_digest
from govit.gen.setup import Person


class Ids:
    """Primary keys handed out in advance, so that rows can point at each other before they are
    written; the database sequences are moved past them at the end (``reset_sequences``)."""

    def __init__(self) -> None:
        self.next: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model]) -> int:
        if model not in self.next:
            last = model._base_manager.order_by("-pk").values_list("pk", flat=True).first()
            self.next[model] = (last or 0) + 1
        value = self.next[model]
        self.next[model] = value + 1
        return value


def reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Writer:
    """Collects rows per model and writes them in one statement stream per model."""

    def __init__(self) -> None:
        self.rows: dict[type[models.Model], list[dict[str, Any]]] = defaultdict(list)
        self.written: dict[str, int] = defaultdict(int)
        self.postgres = connection.vendor == "postgresql"

    def add(self, model: type[models.Model], row: dict[str, Any]) -> None:
        self.rows[model].append(row)

    def flush(self, order: Iterable[type[models.Model]]) -> None:
        """Write the collected rows, parents before children (``order``), then forget them."""
        for model in order:
            rows = self.rows.pop(model, [])
            if rows:
                self._write(model, rows)
                self.written[model._meta.label] += len(rows)
        assert not self.rows, f"rows of models missing from the write order: {list(self.rows)}"

    def _write(self, model: type[models.Model], rows: list[dict[str, Any]]) -> None:
        fields = list(model._meta.concrete_fields)
        # what Django would store for a field the row leaves out ("" for text, None when nullable)
        defaults = [(f.attname, f.get_default()) for f in fields]
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with connection.cursor() as cursor:
            if self.postgres:
                # COPY's text format takes JSON as its text; everything else psycopg adapts
                json_columns = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        values = [row.get(name, default) for name, default in defaults]
                        for i in json_columns:
                            if values[i] is not None:
                                values[i] = json.dumps(values[i], ensure_ascii=False)
                        copy.write_row(values)
                return
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                [
                    [
                        f.get_db_prep_save(row.get(name, default), connection)
                        for f, (name, default) in zip(fields, defaults, strict=True)
                    ]
                    for row in rows
                ],
            )


class Chains:
    """The head (seq, digest) of every stream the generator appends to."""

    def __init__(self) -> None:
        self.heads: dict[str, tuple[int, str]] = {}

    def head(self, stream: str) -> tuple[int, str]:
        if stream not in self.heads:
            last = (
                Event.objects.filter(stream=stream).order_by("-seq").values("seq", "digest").first()
            )
            self.heads[stream] = (last["seq"], last["digest"]) if last else (0, GENESIS)
        return self.heads[stream]


class _Draft:
    """The attributes ``events.services._content`` reads, without a model instance."""

    __slots__ = (
        "actor_id",
        "actor_name",
        "actor_org_id",
        "actor_org_name",
        "actor_roles",
        "after",
        "at",
        "before",
        "cite",
        "correlation_id",
        "data",
        "digest",
        "id",
        "jurisdiction_id",
        "kind",
        "prev_digest",
        "project_id",
        "seq",
        "stream",
        "summary",
    )


def append(
    writer: Writer,
    ids: Ids,
    chains: Chains,
    *,
    stream: str,
    kind: str,
    at: dt.datetime,
    actor: Person,
    summary: str,
    jurisdiction_id: int | None,
    project_id: int | None = None,
    correlation_id: uuid.UUID,
    cite: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Append one event to ``stream``, exactly as ``events.services.record`` would have."""
    label(kind)  # an unregistered kind is refused here too
    seq, prev = chains.head(stream)
    e = _Draft()
    e.id = ids.take(Event)
    e.stream, e.seq, e.at, e.correlation_id, e.kind = stream, seq + 1, at, correlation_id, kind
    e.jurisdiction_id, e.project_id = jurisdiction_id, project_id
    e.actor_id, e.actor_name = actor.id, actor.name
    e.actor_org_id, e.actor_org_name, e.actor_roles = actor.org_id, actor.org_name, actor.roles
    e.summary, e.cite = summary, cite or ""
    e.before, e.after, e.data = before, after, data or {}
    e.prev_digest = prev
    e.digest = event_digest(_content(e))  # type: ignore[arg-type]
    chains.heads[stream] = (e.seq, e.digest)
    writer.add(Event, {name: getattr(e, name) for name in _Draft.__slots__})
