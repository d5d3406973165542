"""The correction trail: a record entered by mistake is voided, or corrected by a new record,
with a reason — never updated in place nor deleted. The old row keeps its values, says who voided
it, when and why, and (corrected) points to the row that supersedes it; the event log keeps the
values before and after. Procurements, contracts and payments (``contracts``) and progress and
incident reports and trial runs (``delivery``) share it: the fields (``Correctable``), the rows in
force (``.live()``), the state derived from the fields (有效 / 已作废 / 已更正) and the writes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from govit.core import clock
from govit.core.errors import Conflict, InvalidInput
from govit.events.phrases import Phrase
from govit.events.services import record

REASON_LENGTH = 500


class TrailState(models.TextChoices):
    VALID = "valid", "有效"
    VOIDED = "voided", "已作废"
    CORRECTED = "corrected", "已更正"


class CorrectableQuerySet(models.QuerySet):
    def live(self) -> CorrectableQuerySet:
        """The records in force: neither voided nor superseded by a correction."""
        return self.filter(voided_at__isnull=True)


class Correctable(models.Model):
    """The trail's fields. A voided row has ``voided_at``; a corrected one also ``superseded_by``
    (its correction, which reads the other way as ``supersedes``). Totals and checks read
    ``live()`` rows only."""

    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField("作废或更正原因", max_length=REASON_LENGTH, blank=True)
    superseded_by = models.OneToOneField(
        "self",
        verbose_name="更正后的记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
    )

    objects = CorrectableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def voided(self) -> bool:
        return self.voided_at is not None

    @property
    def trail_state(self) -> TrailState:
        if self.voided_at is None:
            return TrailState.VALID
        return TrailState.CORRECTED if self.superseded_by_id else TrailState.VOIDED

    @property
    def void_label(self) -> str:
        """已作废 / 已更正, or nothing for a record in force."""
        return "" if self.voided_at is None else self.trail_state.label


def reason_for(row: Correctable, reason: str, label: str) -> str:
    """The row (a ``label``: 合同, 进度报告…) may still be voided or corrected and a reason is
    given: the reason, trimmed."""
    if row.voided:
        raise Conflict(f"该{label}{row.void_label}，不能再作废或更正", code="ALREADY_VOIDED")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写作废或更正的原因", code="REASON_REQUIRED")
    return reason[:REASON_LENGTH]


def mark(
    row: Correctable, actor: Any, reason: str, superseded_by: Correctable | None = None
) -> None:
    """Mark the row voided (by its correction, when given). A correction that would clash with
    the row it replaces (the same 合同编号, the same 期次) marks the row first, then links it."""
    if row.voided_at is None:
        row.voided_at, row.voided_by, row.void_reason = clock.now(), actor, reason
    row.superseded_by = superseded_by
    row.save(update_fields=["voided_at", "voided_by", "void_reason", "superseded_by"])


def record_void(
    kind: str,
    row: Correctable,
    *,
    actor: Any,
    reason: str,
    project: Any,
    summary: str | Phrase,
    before: dict[str, Any],
    cite: str = "",
    after: dict[str, Any] | None = None,
) -> None:
    """Void the row and record ``kind`` with its values before and the reason."""
    mark(row, actor, reason)
    record(
        kind,
        actor=actor,
        project=project,
        summary=summary,
        cite=cite,
        before=before,
        after={"state": TrailState.VOIDED.value, **(after or {})},
        data={"reason": reason},
    )


def record_correction(
    kind: str,
    old: Correctable,
    new: Correctable,
    *,
    actor: Any,
    reason: str,
    project: Any,
    summary: str | Phrase,
    before: dict[str, Any],
    after: dict[str, Any],
    cite: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    """Mark ``old`` corrected by ``new`` and record ``kind`` with both rows' values and the
    reason."""
    mark(old, actor, reason, superseded_by=new)
    record(
        kind,
        actor=actor,
        project=project,
        summary=summary,
        cite=cite,
        before=before,
        after=after,
        data={"reason": reason, **(data or {})},
    )
