"""Writes to the expert pool (专家库) beyond registering and availability (those are in
services.py, with the draw): correcting an expert's entry. The draw reads the pool as it is at the
moment of the draw and records a snapshot, so an edit never changes a past draw."""

from __future__ import annotations

from django.db import transaction

from govit.access.policy import authorize
from govit.core import kept
from govit.core.errors import InvalidInput
from govit.events.services import record
from govit.organizations.models import Organization, User
from govit.reviews.models import Expert


@transaction.atomic
def expert_update(
    *,
    actor: User,
    expert: Expert,
    name: str,
    title: str,
    specialties: list[str],
    employer_name: str,
    employer: Organization | None,
    reason: str,
) -> Expert:
    """修改专家信息: the fields the draw uses (specialties; the employer the conflict exclusion
    compares with the project's unit and vendors), with the reason; before and after recorded."""
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    authorize(actor, "expert.manage", expert.jurisdiction_id)
    specialties = list(dict.fromkeys(s.strip() for s in specialties if s.strip()))
    if not name.strip() or not specialties:
        raise InvalidInput("请填写专家姓名和至少一个专业领域", code="INVALID_EXPERT")
    if employer is not None and employer.jurisdiction_id != expert.jurisdiction_id:
        raise InvalidInput("工作单位须为本辖区登记的单位", code="INVALID_EMPLOYER")
    if not reason.strip():
        raise InvalidInput("请说明修改理由", code="REASON_REQUIRED")
    fields = ("name", "title", "specialties", "employer_id", "employer_name")
    before = {f: getattr(expert, f) for f in fields}
    expert.name, expert.title, expert.specialties = name.strip(), title.strip(), specialties
    expert.employer = employer
    expert.employer_name = employer_name.strip() or (employer.name if employer else "")
    after = {f: getattr(expert, f) for f in fields}
    if after == before:
        return expert
    expert.save(update_fields=["name", "title", "specialties", "employer", "employer_name"])
    if expert.user_id is not None:
        kept.account_changed(expert.user_id)
    changed = [f for f in fields if before[f] != after[f]]
    record(
        "expert.updated",
        actor=actor,
        jurisdiction=expert.jurisdiction,
        summary=f"修改专家{expert.name}的信息：{reason}",
        before={f: before[f] for f in changed} | {"expert": expert.pk},
        after={f: after[f] for f in changed} | {"expert": expert.pk},
    )
    return expert
