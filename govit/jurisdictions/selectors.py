"""Reads about jurisdictions: the authorities' names their rulebook gives, the stored rulebook
versions, and the administrators' confirmations."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from govit.jurisdictions.models import Jurisdiction, RulebookConfirmation, RulebookVersion
from govit.policy.loader import LoadedRulebook
from govit.policy.vocab import AUTHORITY_KINDS, actor_label

# the authorities every staffed jurisdiction has, whether or not its rulebook names them: the
# audit bureau reads everything, the government approves plans
ALWAYS = ("audit", "government")


def authority_name(jurisdiction: Jurisdiction, kind: str, rb: LoadedRulebook | None) -> str:
    """The office's name as the rulebook gives it, made local: 市行政审批服务局 → 岳阳市行政审批服务局
    (岳阳楼区行政审批服务局 in a district that adopts 岳阳's rulebook);
    where the rulebook names none, the jurisdiction's name and the generic label."""
    role = rb.model.actors.get(kind) if rb else None  # type: ignore[call-overload]
    name = role.name if role is not None else f"{jurisdiction.name}{actor_label(kind)}"
    if name[0] in "省市州县区":  # the level the rulebook says, for this jurisdiction's own name
        name = jurisdiction.name + name[1:]
    elif not name.startswith(jurisdiction.name[:2]):
        name = f"{jurisdiction.name}{name}"
    return name[:200]


def named_authorities(rb: LoadedRulebook | None) -> list[str]:
    """The authority kinds a rulebook names among its actors, with those every jurisdiction has."""
    named = set(rb.model.actors) if rb else set()  # type: ignore[arg-type]
    return [k for k in AUTHORITY_KINDS if k in named or k in ALWAYS]


def versions() -> QuerySet[RulebookVersion]:
    return RulebookVersion.objects.order_by("rulebook_id", "-version")


def confirmations(jurisdiction: Jurisdiction) -> QuerySet[RulebookConfirmation]:
    return (
        RulebookConfirmation.objects.filter(jurisdiction=jurisdiction)
        .select_related("rulebook", "confirmed_by")
        .order_by("-confirmed_at", "-id")
    )


def status_cite(rb: LoadedRulebook, status: str) -> str | None:
    """The article that makes a rulebook a draft, not yet in force or expired (None in force)."""
    m = rb.model
    return {
        "draft": m.draft.cite if m.draft else None,
        "expired": m.validity.cite if m.validity else None,
        "not_yet_effective": m.effective_from.cite if m.effective_from else None,
    }.get(status)


def confirmation_of(
    jurisdiction_id: int, version: RulebookVersion, status: str
) -> RulebookConfirmation | None:
    """The administrator's recorded confirmation to proceed under ``version`` while it is
    ``status`` (draft, not yet in force, expired), if there is one."""
    if status == "in_force":
        return None
    return RulebookConfirmation.objects.filter(
        jurisdiction_id=jurisdiction_id, rulebook=version, status=status
    ).first()


def rulebook_state(jurisdiction: Jurisdiction, on: Any) -> dict[str, Any] | None:
    """The jurisdiction's rulebook today: its status, whether declarations need the
    administrator's confirmation, whether it is recorded, and the article that says so."""
    version = jurisdiction.rulebook
    if version is None:
        return None
    rb = version.load()
    status = rb.status_on(on)
    return {
        "version": version,
        "rulebook": rb,
        "status": status,
        "needs_confirmation": status != "in_force",
        "confirmed": confirmation_of(jurisdiction.pk, version, status) is not None,
        "cite": status_cite(rb, status),
        "effective_until": rb.effective_until,
        # the validity: the text's (its article) or the administrator's record (its basis)
        "validity": rb.model.validity,
    }
