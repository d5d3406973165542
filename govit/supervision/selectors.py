"""Reads about penalties and vendors' credit."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from govit.core import clock
from govit.organizations.models import Organization
from govit.organizations.selectors import assigned_organizations
from govit.supervision.models import CreditKind, CreditRecord, Penalty


def in_force(records: QuerySet[CreditRecord]) -> QuerySet[CreditRecord]:
    """The records not revoked and within their period today (CreditRecord.in_force_on)."""
    return records.filter(revoked_at__isnull=True).filter(
        Q(until__isnull=True) | Q(until__gte=clock.today())
    )


def active_credit(vendor: Organization) -> QuerySet[CreditRecord]:
    return in_force(CreditRecord.objects.filter(vendor=vendor))


def blacklist(jurisdiction_id: int | None) -> QuerySet[CreditRecord]:
    """The jurisdiction's blacklist in force (published within it), newest first."""
    records = CreditRecord.objects.filter(
        kind=CreditKind.BLACKLIST, vendor__jurisdiction_id=jurisdiction_id
    )
    return in_force(records).select_related("vendor", "project").order_by("-recorded_at", "-id")


def blacklist_findings(vendor: Organization) -> list[dict[str, Any]]:
    """A warning for each blacklisting in force of a vendor named on a new contract."""
    return [
        {
            "code": "VENDOR_BLACKLISTED",
            "severity": "warn",
            "message": f"{vendor.name}已被列入黑名单：{r.reason}",
            "cite": r.cite,
        }
        for r in active_credit(vendor).filter(kind=CreditKind.BLACKLIST)
    ]


def active_penalties(project: Any) -> QuerySet[Penalty]:
    return Penalty.objects.filter(project=project, lifted_at__isnull=True)


def penalty_rules(rb: Any) -> list[Any]:
    """The rulebook's penalty rules on projects (and the officials responsible for them)."""
    return [p for p in rb.model.penalties if p.target in ("project", "official", "unit_or_person")]


def credit_rules(rb: Any) -> list[Any]:
    """The rulebook's rules on vendors: 记入信用档案, 列入黑名单."""
    return [
        p
        for p in rb.model.penalties
        if p.target == "vendor" and {"credit_record", "blacklist"} & set(p.measures)
    ]


def assignments(jurisdiction_id: int, version: Any) -> dict[str, Any]:
    """The jurisdiction's assignments of bodies its regulation leaves open, by rule key (one
    query; none without a rulebook)."""
    if version is None:
        return {}
    return assigned_organizations(jurisdiction_id, version.rulebook_id)


def imposers(rule: Any, assigned: dict[str, Any]) -> set[str]:
    """The kinds of body that may act under a penalty rule: the rulebook's; where the text names
    none (``unstated`` imposed_by: 岳阳第三十八条, 连平第三十条 “相关监管部门”), the body the
    jurisdiction's administrator assigned (管理 → 未规定的办理机关, ``assigned``), once one is."""
    found = (
        assigned.get(f"penalties.{rule.code}.imposed_by") if "imposed_by" in rule.unstated else None
    )
    return {found.organization.kind} if found is not None else set(rule.imposed_by)
