"""Reads about contracts and payments: the effective contract amount, what withholds payments,
and the totals a project has planned, paid and withheld against its approved budget."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum

from govit.contracts.models import ChangeStatus, Contract, ContractKind, Payment, PaymentStatus
from govit.projects import workflow
from govit.projects.models import Project

CENT = Decimal("0.01")


def effective_contract_amount(project: Project) -> Decimal | None:
    """The construction contracts' amount, as the latest agreed change left it."""
    base = Contract.objects.filter(project=project, kind=ContractKind.MAIN).aggregate(
        total=Sum("amount")
    )["total"]
    if base is None:
        return None
    latest = (
        project.changes.filter(status__in=(ChangeStatus.FILED, ChangeStatus.APPROVED))
        .order_by("-number")
        .first()
    )
    return latest.new_total if latest is not None else base


def agreed_changes(project: Project) -> int:
    return project.changes.filter(status__in=(ChangeStatus.FILED, ChangeStatus.APPROVED)).count()


def payment_holds(project: Project) -> list[dict[str, Any]]:
    """Why the project's remaining payments are withheld now, each with its article."""
    from govit.delivery.models import Rectification
    from govit.supervision.models import Penalty

    holds = []
    for rectification in Rectification.objects.filter(
        project=project, closed_at__isnull=True, withhold_payments=True
    ):
        holds.append(
            {
                "reason": f"竣工验收未通过，整改期限{rectification.deadline:%Y年%m月%d日}",
                "cite": rectification.cite,
            }
        )
    for penalty in Penalty.objects.filter(project=project, lifted_at__isnull=True):
        if "stop_funds" in penalty.measures:
            holds.append({"reason": "已责令暂停拨付资金", "cite": penalty.cite})
    return holds


def payment_totals(project: Project) -> dict[str, Any]:
    def total(queryset: Any) -> Decimal:
        return (queryset.aggregate(total=Sum("amount"))["total"] or Decimal(0)).quantize(CENT)

    sums = {
        status: total(Payment.objects.filter(project=project, status=status))
        for status in PaymentStatus.values
    }
    budget = (project.approved_budget or project.total_investment).quantize(CENT)
    contracts = total(Contract.objects.filter(project=project))
    return {
        "contracts": contracts,
        "planned": sums[PaymentStatus.PLANNED],
        "paid": sums[PaymentStatus.PAID],
        "withheld": sums[PaymentStatus.WITHHELD],
        "budget": budget,
        "remaining_budget": budget - sums[PaymentStatus.PAID],
        "over_budget": sums[PaymentStatus.PAID] > budget,
    }


CLAUSE_FIELDS = {
    "IP_OWNERSHIP": "ip_ownership",
    "TERMINATION_MECHANISM": "termination_mechanism",
    "EQUIPMENT_MATCHES_SCHEME": "equipment_matches_scheme",
}


def contract_findings(project: Project, values: dict[str, Any]) -> list[dict[str, Any]]:
    """What the rulebook requires of a construction contract that this one does not do."""
    rb = workflow.rulebook_of(project)
    spec = rb.model.contract
    findings: list[dict[str, Any]] = []
    if spec is None:
        return findings
    for clause in spec.clauses:
        field = CLAUSE_FIELDS.get(clause.code)
        if field is not None and not values.get(field):
            findings.append(
                {
                    "code": f"CONTRACT_{clause.code}",
                    "severity": clause.severity,
                    "message": f"合同未{clause.text}",
                    "cite": clause.cite,
                }
            )
    if spec.om_period is not None:
        years = values.get("om_period_years")
        if years is None or Decimal(str(years)) < spec.om_period.min_years:
            shown = "未约定" if years is None else f"约定{Decimal(str(years)).normalize():f}年"
            findings.append(
                {
                    "code": "OM_PERIOD_SHORT",
                    "severity": spec.om_period.severity,
                    "message": f"合同运维期{shown}，本办法要求不少于{spec.om_period.min_years.normalize():f}年",
                    "cite": spec.om_period.cite,
                }
            )
    return findings
