"""Reads about contracts and payments: the effective contract amount, what withholds payments,
the totals a project has planned, paid and withheld against its approved budget, and the checks
of a record being entered (``*_findings``): pure reads, run by the page before it saves and by
the service that saves, so both say the same thing. Voided records count nowhere."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext_noop

from govit.contracts.hold_sources import registered_holds
from govit.contracts.models import (
    ChangeRequest,
    ChangeStatus,
    Contract,
    ContractKind,
    Payment,
    PaymentStatus,
    Procurement,
)
from govit.core import clock
from govit.events.phrases import said
from govit.organizations.models import Organization
from govit.projects import workflow
from govit.projects.models import Project
from govit.supervision.models import Penalty
from govit.supervision.selectors import blacklist_findings

CENT = Decimal("0.01")


def effective_contract_amount(project: Project) -> Decimal | None:
    """The construction contracts' amount, as the latest agreed change left it."""
    base = (
        Contract.objects.live()
        .filter(project=project, kind=ContractKind.MAIN)
        .aggregate(total=Sum("amount"))["total"]
    )
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
    """Why the project's remaining payments are withheld now, each with its article: what the
    registered sources report (a failed acceptance under rectification, contracts/hold_sources.py),
    then a stop-funds order."""
    holds = registered_holds(project)
    for penalty in Penalty.objects.filter(project=project, lifted_at__isnull=True):
        if "stop_funds" in penalty.measures:
            holds.append(
                {
                    "reason": "已责令暂停拨付资金",
                    "said": said(gettext_noop("已责令暂停拨付资金")),
                    "cite": penalty.cite,
                }
            )
    return holds


def payment_totals(project: Project) -> dict[str, Any]:
    def total(queryset: Any) -> Decimal:
        return (queryset.aggregate(total=Sum("amount"))["total"] or Decimal(0)).quantize(CENT)

    by_status = (
        Payment.objects.live()
        .filter(project=project)
        .aggregate(**{s: Sum("amount", filter=Q(status=s)) for s in PaymentStatus.values})
    )
    sums = {s: (by_status[s] or Decimal(0)).quantize(CENT) for s in PaymentStatus.values}
    budget = (project.approved_budget or project.total_investment).quantize(CENT)
    contracts = total(Contract.objects.live().filter(project=project))
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
                    "message": f"合同未约定本办法要求的条款：{clause.text}",
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


# -- the checks of a record being entered ------------------------------------------------------
# A finding: {code, severity (block / warn), message, cite ("" for a plain integrity check),
# field (the form field it is about, or None)}. A block refuses; a warning must be acknowledged.


def finding(
    code: str, message: str, *, field: str | None, cite: str = "", severity: str = "block"
) -> dict[str, Any]:
    return {"code": code, "severity": severity, "message": message, "cite": cite, "field": field}


def _day(on: dt.date) -> str:
    return f"{on.year}年{on.month}月{on.day}日"


def _vendor_warnings(vendor: Organization, field: str) -> list[dict[str, Any]]:
    return [f | {"field": field} for f in blacklist_findings(vendor)]


def procurement_findings(
    project: Project,
    *,
    winner: Organization,
    awarded_on: dt.date,
    announced_on: dt.date | None = None,
    replacing: Procurement | None = None,
) -> list[dict[str, Any]]:
    """A procurement's result: dates in order and not after today, the winner's credit."""
    today = clock.today()
    found = []
    if awarded_on > today:
        found.append(
            finding(
                "AWARD_IN_FUTURE",
                f"成交（中标）日期{_day(awarded_on)}晚于今天，请填写实际成交日期",
                field="awarded_on",
            )
        )
    if announced_on is not None and announced_on > awarded_on:
        found.append(
            finding("INVALID_DATES", "采购公告日期不能晚于成交（中标）日期", field="announced_on")
        )
    if replacing is not None and replacing.winner_id != winner.pk:
        bound = (
            Contract.objects.live()
            .filter(project=project, kind=ContractKind.MAIN, vendor_id=replacing.winner_id)
            .first()
        )
        if bound is not None:
            found.append(
                finding(
                    "CONTRACT_WITH_WINNER",
                    f"已与原成交供应商签订建设合同{bound.number}，请先作废或更正该合同",
                    field="winner",
                )
            )
    return found + _vendor_warnings(winner, "winner")


def budget_of(project: Project) -> tuple[Decimal, str]:
    """What the project's contracts are measured against: the 批复概算, else the total investment."""
    if project.approved_budget is not None:
        return project.approved_budget.quantize(CENT), "批复概算"
    return project.total_investment.quantize(CENT), "总投资"


def budget_cite(project: Project) -> str:
    """The rulebook's rule that keeps the total within the 批复概算, where it has one."""
    spec = workflow.rulebook_of(project).model.change
    for limit in spec.limits if spec is not None else []:
        if limit.type == "total_within" and limit.of == "approved_budget":
            return limit.cite
    return ""


def contract_entry_findings(
    project: Project,
    *,
    kind: str,
    vendor: Organization,
    amount: Decimal,
    signed_on: dt.date,
    values: dict[str, Any],
    replacing: Contract | None = None,
) -> list[dict[str, Any]]:
    """Everything checked when a contract is entered: the vendor won the procurement, the dates,
    the total against the 批复概算, the clauses the rulebook requires, the vendor's credit."""
    today = clock.today()
    found = []
    if signed_on > today:
        found.append(
            finding(
                "SIGNED_IN_FUTURE",
                f"签订日期{_day(signed_on)}晚于今天，请登记已签订的合同",
                field="signed_on",
            )
        )
    if kind == ContractKind.MAIN:
        won = [
            p
            for p in Procurement.objects.live().filter(project=project).order_by("awarded_on")
            if p.winner_id == vendor.pk
        ]
        if not won:
            winners = "、".join(
                sorted(
                    {
                        p.winner.name
                        for p in Procurement.objects.live()
                        .filter(project=project)
                        .select_related("winner")
                    }
                )
            )
            found.append(
                finding(
                    "VENDOR_NOT_WINNER",
                    f"{vendor.name}不是本项目采购的成交供应商"
                    + (f"（成交供应商：{winners}）" if winners else "（尚未登记采购结果）"),
                    field="vendor",
                )
            )
        elif signed_on < won[0].awarded_on:
            found.append(
                finding(
                    "SIGNED_BEFORE_AWARD",
                    f"签订日期{_day(signed_on)}早于成交（中标）日期{_day(won[0].awarded_on)}",
                    field="signed_on",
                )
            )
    others = Contract.objects.live().filter(project=project)
    if replacing is not None:
        others = others.exclude(pk=replacing.pk)
    signed = others.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    signed += changed_by(project)  # the agreed changes moved the construction contract's total
    budget, label = budget_of(project)
    if signed + amount > budget:
        found.append(
            finding(
                "CONTRACTS_OVER_BUDGET",
                f"合同金额{workflow.money_text(amount)}"
                + (
                    f"与已登记合同（含已同意的变更）{workflow.money_text(signed)}合计"
                    if signed
                    else ""
                )
                + f"超过{label}{workflow.money_text(budget)}",
                field="amount",
                cite=budget_cite(project),
            )
        )
    if replacing is not None:
        live = replacing.payments.live()
        scheduled = live.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        if scheduled > amount:
            found.append(
                finding(
                    "BELOW_PAYMENTS",
                    f"该合同已计划和支付{workflow.money_text(scheduled)}，更正后的合同金额不能低于此数",
                    field="amount",
                )
            )
        first_paid = live.filter(paid_on__isnull=False).order_by("paid_on").first()
        if first_paid is not None and first_paid.paid_on < signed_on:
            found.append(
                finding(
                    "SIGNED_AFTER_PAYMENT",
                    f"该合同第{first_paid.number}期已于{_day(first_paid.paid_on)}支付，签订日期不能晚于此日",
                    field="signed_on",
                )
            )
    if kind == ContractKind.MAIN:
        found += [
            f | {"field": CLAUSE_FIELD.get(f["code"])} for f in contract_findings(project, values)
        ]
    return found + _vendor_warnings(vendor, "vendor")


CLAUSE_FIELD = {f"CONTRACT_{code}": field for code, field in CLAUSE_FIELDS.items()} | {
    "OM_PERIOD_SHORT": "om_period_years"
}


def payment_findings(
    contract: Contract,
    *,
    amount: Decimal,
    due_on: dt.date,
    paid_on: dt.date | None = None,
    replacing: Payment | None = None,
) -> list[dict[str, Any]]:
    """A payment planned (or corrected): within what the contract leaves, not before signing."""
    found = []
    if contract.voided:
        found.append(
            finding(
                "CONTRACT_VOIDED", f"合同{contract.number}{contract.void_label}", field="contract"
            )
        )
    others = contract.payments.live()
    if replacing is not None:
        others = others.exclude(pk=replacing.pk)
    scheduled = others.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if scheduled + amount > contract.amount:
        found.append(
            finding(
                "PAYMENT_EXCEEDS_CONTRACT",
                f"累计计划支付{workflow.money_text(scheduled + amount)}将超过合同金额{workflow.money_text(contract.amount)}"
                + (f"（已计划和支付{workflow.money_text(scheduled)}）" if scheduled else ""),
                field="amount",
            )
        )
    if due_on < contract.signed_on:
        found.append(
            finding(
                "DUE_BEFORE_SIGNED",
                f"计划支付日期{_day(due_on)}早于合同签订日期{_day(contract.signed_on)}",
                field="due_on",
            )
        )
    if paid_on is not None:
        found += paid_findings(contract, paid_on)
    return found


def paid_findings(contract: Contract, paid_on: dt.date) -> list[dict[str, Any]]:
    """The day a payment was made: not before the contract was signed, not after today."""
    found = []
    if paid_on > clock.today():
        found.append(
            finding(
                "PAID_IN_FUTURE",
                f"支付日期{_day(paid_on)}晚于今天，请在实际支付后登记",
                field="paid_on",
            )
        )
    if paid_on < contract.signed_on:
        found.append(
            finding(
                "PAID_BEFORE_SIGNED",
                f"支付日期{_day(paid_on)}早于合同{contract.number}的签订日期{_day(contract.signed_on)}",
                field="paid_on",
            )
        )
    return found


def changed_by(project: Project) -> Decimal:
    """How far the agreed changes moved the construction contracts' total (0 without any)."""
    effective = effective_contract_amount(project)
    if effective is None:
        return Decimal(0)
    base = (
        Contract.objects.live()
        .filter(project=project, kind=ContractKind.MAIN)
        .aggregate(total=Sum("amount"))["total"]
    )
    return effective - (base or Decimal(0))


def change_findings(
    project: Project, *, original: Decimal, new_total: Decimal, contract_total: Decimal
) -> list[dict[str, Any]]:
    """The 变更单's figures: what it changes must be within the contract it changes; a change
    that takes the contracts beyond the 批复概算 is said to the applicant before it is saved (where
    the rulebook limits the total to the 批复概算, its change rules refuse it with the article)."""
    found = []
    others = Contract.objects.live().filter(project=project).exclude(
        kind=ContractKind.MAIN
    ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    budget, label = budget_of(project)
    if new_total + others > budget:
        found.append(
            finding(
                "CHANGE_OVER_BUDGET",
                f"变更后合同总金额{workflow.money_text(new_total)}"
                + (f"与其他合同{workflow.money_text(others)}合计" if others else "")
                + f"超过{label}{workflow.money_text(budget)}",
                field="new_unit_price",
                cite=budget_cite(project),
                severity="warn",
            )
        )
    if original > contract_total:
        found.append(
            finding(
                "ORIGINAL_EXCEEDS_CONTRACT",
                f"变更清单的原小计合计{workflow.money_text(original)}超过现合同金额{workflow.money_text(contract_total)}",
                field="original_unit_price",
            )
        )
    if new_total <= 0:
        found.append(
            finding("NEW_TOTAL_INVALID", "变更后合同总金额应大于0", field="new_unit_price")
        )
    return found


def change_summary(change: ChangeRequest) -> dict[str, Any]:
    """What the approver reads before deciding: the 变更单's items with their differences, the
    totals against the contract and the 批复概算, the limits with their articles, the decisions
    so far."""
    items = list(change.items.all())
    original = sum((i.original_subtotal for i in items), Decimal(0))
    new = sum((i.new_subtotal for i in items), Decimal(0))
    before = change.new_total - new + original
    budget, label = budget_of(change.project)
    return {
        "change": change,
        "items": [{"item": i, "difference": i.new_subtotal - i.original_subtotal} for i in items],
        "original": original,
        "new": new,
        "difference": new - original,
        "before": before,
        "budget": budget,
        "budget_label": label,
        "share_of_budget": (
            ((change.new_total - before) / budget * 100).quantize(Decimal("0.01"))
            if budget
            else None
        ),
        "over_budget": change.new_total > budget,
        "approvals": list(
            change.approvals.select_related("organization", "decided_by").order_by("id")
        ),
    }
