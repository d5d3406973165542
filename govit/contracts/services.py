"""Writes about procurement, contracts, payments and changes. Each checks the rulebook — the
contract clauses it requires, the change limits it sets, the payments it withholds — and names
the article when it refuses or warns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_noop

from govit.access.policy import authorize
from govit.contracts.models import (
    ChangeApproval,
    ChangeItem,
    ChangeRequest,
    ChangeStatus,
    Contract,
    ContractKind,
    Payment,
    PaymentStatus,
    Procurement,
    ProcurementMethod,
)
from govit.contracts.selectors import (
    change_findings,
    contract_entry_findings,
    effective_contract_amount,
    paid_findings,
    payment_findings,
    payment_holds,
    procurement_findings,
)
from govit.core import clock
from govit.core.errors import Conflict, InvalidInput, RuleRefused
from govit.documents.materials import change_material_present
from govit.events import trail
from govit.events.phrases import Day, Money, Phrase, Word, maybe, said
from govit.events.services import record
from govit.organizations.models import Organization, User
from govit.policy.decide import decide
from govit.policy.facts import ProposedChange
from govit.policy.vocab import actor_label
from govit.projects import workflow
from govit.projects.models import (
    DONE_STEP_STATUSES,
    PartyRole,
    Project,
    ProjectParty,
    ProjectStatus,
)


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{field}应为数字（单位：元）", code="INVALID_AMOUNT") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e13"):
        raise InvalidInput(f"{field}应为不小于0的金额（单位：元）", code="INVALID_AMOUNT")
    return amount.quantize(Decimal("0.01"))


def _active(project: Project) -> None:
    if project.status != ProjectStatus.ACTIVE:
        raise Conflict(f"项目{project.get_status_display()}，不能办理", code="PROJECT_NOT_ACTIVE")


def _reached(project: Project, kind: str) -> None:
    """The project has come as far as the ``kind`` step (or has none: then the step before it)."""
    step = project.steps.filter(kind=kind).first()
    if step is not None:
        workflow.require_previous_done(step)


def _party(project: Project, organization: Organization, role: str) -> None:
    ProjectParty.objects.get_or_create(
        project=project, organization=organization, role=role, defaults={"added_at": clock.now()}
    )


def _settle(actor: User, findings: list[dict[str, Any]], acknowledged: Any) -> dict[str, Any]:
    """A block refuses (at its field on the page; here with its code and article); every warning
    must have been acknowledged. Returns the acknowledgement stored with the record."""
    for f in findings:
        if f["severity"] == "block":
            error = RuleRefused if f["cite"] else InvalidInput
            raise error(f["message"], code=f["code"], cite=f["cite"] or None)
    warnings = [f for f in findings if f["severity"] != "block"]
    if not warnings:
        return {}
    missing = [f for f in warnings if f["code"] not in set(acknowledged or ())]
    if missing:
        raise RuleRefused(
            "以下审查意见须确认已知悉后方可登记："
            + "；".join(
                f"{f['message']}（{f['cite']}）" if f["cite"] else f["message"] for f in missing
            ),
            code="FINDINGS_NOT_ACKNOWLEDGED",
            cite=missing[0]["cite"] or None,
        )
    return {
        "by": actor.pk,
        "by_name": actor.display_name,
        "at": clock.now().isoformat(),
        "codes": sorted({f["code"] for f in warnings}),
    }


def _warnings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if f["severity"] != "block"]


def _step_done(project: Project, kind: str) -> bool:
    return project.steps.filter(kind=kind, status__in=DONE_STEP_STATUSES).exists()


def _procurement_checked(
    actor: User,
    project: Project,
    *,
    method: str,
    winner: Organization,
    awarded_on: dt.date,
    agent: Organization | None,
    announced_on: dt.date | None,
    note: str,
    acknowledged: Any,
    replacing: Procurement | None = None,
) -> Procurement:
    if method not in ProcurementMethod.values:
        raise InvalidInput(f"采购方式不正确：{method}", code="INVALID_METHOD")
    if winner.jurisdiction_id != project.jurisdiction_id or winner.kind != "contractor":
        raise InvalidInput("成交供应商须为本辖区登记的承建单位", code="INVALID_WINNER")
    if agent is not None and (
        agent.jurisdiction_id != project.jurisdiction_id or agent.kind != "agent"
    ):
        raise InvalidInput("采购代理机构须为本辖区登记的代理机构", code="INVALID_AGENT")
    findings = procurement_findings(
        project,
        winner=winner,
        awarded_on=awarded_on,
        announced_on=announced_on,
        replacing=replacing,
    )
    acknowledgement = _settle(actor, findings, acknowledged)
    procurement = Procurement.objects.create(
        project=project,
        method=method,
        agent=agent,
        announced_on=announced_on,
        awarded_on=awarded_on,
        winner=winner,
        note=note,
        findings=_warnings(findings),
        acknowledgement=acknowledgement,
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    _party(project, winner, PartyRole.CONTRACTOR)
    if agent is not None:
        _party(project, agent, PartyRole.AGENT)
    return procurement


@transaction.atomic
def procurement_record(
    *,
    actor: User,
    project: Project,
    method: str,
    winner: Organization,
    awarded_on: dt.date,
    agent: Organization | None = None,
    announced_on: dt.date | None = None,
    note: str = "",
    acknowledged: Any = (),
) -> Procurement:
    """Record the procurement's result: method, agent, dates, the winning contractor. The
    findings (``selectors.procurement_findings``) refuse it or must be acknowledged."""
    authorize(actor, "delivery.unit", project)
    _active(project)
    _reached(project, "procurement")
    procurement = _procurement_checked(
        actor,
        project,
        method=method,
        winner=winner,
        awarded_on=awarded_on,
        agent=agent,
        announced_on=announced_on,
        note=note,
        acknowledged=acknowledged,
    )
    record(
        "procurement.recorded",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("登记采购结果：%(method)s，成交供应商%(winner)s"),
            method=Word(str(ProcurementMethod(method).label)),
            winner=winner.name,
        )
        + _ack_text(procurement),
        cite=_step_cite(project, "procurement"),
        after={"procurement": procurement.pk, "winner": winner.pk},
        data={"findings": procurement.findings, "acknowledgement": procurement.acknowledgement},
    )
    return procurement


def _step_cite(project: Project, kind: str) -> str:
    return project.steps.filter(kind=kind).values_list("cite", flat=True).first() or ""


def _ack_text(record: Any) -> Phrase | None:
    if not record.findings:
        return None
    return said(
        gettext_noop("；审查意见%(count)s条，%(who)s已确认知悉"),
        count=len(record.findings),
        who=record.acknowledgement["by_name"],
    )


def _procurement_values(p: Procurement) -> dict[str, Any]:
    return {
        "procurement": p.pk,
        "method": p.method,
        "winner": p.winner_id,
        "agent": p.agent_id,
        "announced_on": p.announced_on.isoformat() if p.announced_on else None,
        "awarded_on": p.awarded_on.isoformat(),
        "note": p.note,
    }


@transaction.atomic
def procurement_void(*, actor: User, procurement: Procurement, reason: str) -> Procurement:
    """A procurement recorded by mistake: kept, marked 已作废, counted nowhere."""
    procurement = Procurement.objects.select_for_update().get(pk=procurement.pk)
    project = procurement.project
    authorize(actor, "delivery.unit", project)
    _active(project)
    reason = trail.reason_for(procurement, reason, "采购记录")
    others = Procurement.objects.live().filter(project=project).exclude(pk=procurement.pk)
    if (
        Contract.objects.live()
        .filter(project=project, kind=ContractKind.MAIN, vendor_id=procurement.winner_id)
        .exists()
        and not others.filter(winner_id=procurement.winner_id).exists()
    ):
        raise Conflict(
            f"已与该采购的成交供应商{procurement.winner.name}签订建设合同，请先作废或更正该合同",
            code="CONTRACT_WITH_WINNER",
        )
    if _step_done(project, "procurement") and not others.exists():
        raise Conflict(
            "采购环节已办结，不能作废唯一的采购记录；请更正该记录",
            code="USE_CORRECTION",
            cite=_step_cite(project, "procurement") or None,
        )
    trail.record_void(
        "procurement.voided",
        procurement,
        actor=actor,
        reason=reason,
        project=project,
        summary=said(
            gettext_noop("作废采购记录（成交供应商%(winner)s）：%(reason)s"),
            winner=procurement.winner.name,
            reason=reason,
        ),
        before=_procurement_values(procurement),
        after={"procurement": procurement.pk},
    )
    return procurement


@transaction.atomic
def procurement_correct(
    *,
    actor: User,
    procurement: Procurement,
    reason: str,
    method: str,
    winner: Organization,
    awarded_on: dt.date,
    agent: Organization | None = None,
    announced_on: dt.date | None = None,
    note: str = "",
    acknowledged: Any = (),
) -> Procurement:
    """A procurement recorded wrongly: a new row with the right values; the old one is kept,
    marked 已更正 and linked to it."""
    old = Procurement.objects.select_for_update().get(pk=procurement.pk)
    project = old.project
    authorize(actor, "delivery.unit", project)
    _active(project)
    reason = trail.reason_for(old, reason, "采购记录")
    new = _procurement_checked(
        actor,
        project,
        method=method,
        winner=winner,
        awarded_on=awarded_on,
        agent=agent,
        announced_on=announced_on,
        note=note,
        acknowledged=acknowledged,
        replacing=old,
    )
    trail.record_correction(
        "procurement.corrected",
        old,
        new,
        actor=actor,
        reason=reason,
        project=project,
        summary=said(
            gettext_noop("更正采购记录：成交供应商%(winner)s，%(method)s；原因：%(reason)s"),
            winner=winner.name,
            method=Word(str(ProcurementMethod(method).label)),
            reason=reason,
        )
        + _ack_text(new),
        before=_procurement_values(old),
        after=_procurement_values(new),
        data={"findings": new.findings, "acknowledgement": new.acknowledgement},
    )
    return new


def _contract_checked(
    actor: User,
    project: Project,
    *,
    kind: str,
    vendor: Organization,
    number: str,
    amount: Any,
    signed_on: dt.date,
    om_period_years: Any,
    ip_ownership: bool,
    termination_mechanism: bool,
    equipment_matches_scheme: bool,
    acknowledged: Any,
    replacing: Contract | None = None,
    signatory: Organization | None = None,
) -> tuple[Contract, dict[str, Any]]:
    if kind not in ContractKind.values:
        raise InvalidInput(f"合同类别不正确：{kind}", code="INVALID_KIND")
    expected = {"main": "contractor", "supervision": "supervisor"}.get(kind)
    if vendor.jurisdiction_id != project.jurisdiction_id or (expected and vendor.kind != expected):
        raise InvalidInput(
            f"{ContractKind(kind).label}的供应商须为本辖区登记的{actor_label(expected) if expected else '服务机构'}",
            code="INVALID_VENDOR",
        )
    if signatory is not None and signatory.pk == project.unit_id:
        signatory = None  # the unit itself
    if (
        signatory is not None
        and not project.parties.filter(organization=signatory, role=PartyRole.JOINT_UNIT).exists()
    ):
        raise RuleRefused(
            f"合同的签订单位须为本项目的建设单位或其联合单位；“{signatory.name}”不是",
            code="INVALID_SIGNATORY",
            cite=_step_cite(project, "procurement") or None,
        )
    number = (number or "").strip()
    if not number or len(number) > 60:
        raise InvalidInput("请填写合同编号（60字以内）", code="INVALID_NUMBER")
    taken = Contract.objects.live().filter(project=project, number=number)
    if replacing is not None:
        taken = taken.exclude(pk=replacing.pk)
    if taken.exists():
        raise Conflict(f"合同编号{number}已登记", code="DUPLICATE_CONTRACT")
    amount = _money(amount, "合同金额")
    if amount <= 0:
        raise InvalidInput("合同金额应大于0", code="INVALID_AMOUNT")
    years = None
    if om_period_years is not None:
        years = _money(om_period_years, "运维期")
        if years > 50:
            raise InvalidInput("运维期不能超过50年", code="INVALID_OM_PERIOD")
    values = {
        "ip_ownership": ip_ownership,
        "termination_mechanism": termination_mechanism,
        "equipment_matches_scheme": equipment_matches_scheme,
        "om_period_years": years,
    }
    findings = contract_entry_findings(
        project,
        kind=kind,
        vendor=vendor,
        amount=amount,
        signed_on=signed_on,
        values=values,
        replacing=replacing,
    )
    acknowledgement = _settle(actor, findings, acknowledged)
    fields = {
        "project": project,
        "kind": kind,
        "vendor": vendor,
        "signatory": signatory,
        "number": number,
        "amount": amount,
        "signed_on": signed_on,
        "om_period_years": years,
        "ip_ownership": ip_ownership,
        "termination_mechanism": termination_mechanism,
        "equipment_matches_scheme": equipment_matches_scheme,
        "findings": _warnings(findings),
        "acknowledgement": acknowledgement,
        "registered_by": actor,
        "registered_at": clock.now(),
    }
    return Contract(**fields), fields


@transaction.atomic
def contract_register(
    *,
    actor: User,
    project: Project,
    kind: str,
    vendor: Organization,
    number: str,
    amount: Any,
    signed_on: dt.date,
    om_period_years: Any = None,
    ip_ownership: bool = False,
    termination_mechanism: bool = False,
    equipment_matches_scheme: bool = False,
    acknowledged: Any = (),
    signatory: Organization | None = None,
) -> Contract:
    """Register a signed contract. ``selectors.contract_entry_findings`` checks it — the vendor
    won the procurement, the dates, the total against the 批复概算, the clauses the rulebook
    requires, the vendor's credit: a block refuses it, a warning must be acknowledged and is
    stored with it, with the acknowledgement."""
    authorize(actor, "delivery.unit", project)
    _active(project)
    _reached(project, "procurement")
    contract, _ = _contract_checked(
        actor,
        project,
        kind=kind,
        vendor=vendor,
        number=number,
        amount=amount,
        signed_on=signed_on,
        om_period_years=om_period_years,
        ip_ownership=ip_ownership,
        termination_mechanism=termination_mechanism,
        equipment_matches_scheme=equipment_matches_scheme,
        acknowledged=acknowledged,
        signatory=signatory,
    )
    contract.save()
    role = {"main": PartyRole.CONTRACTOR, "supervision": PartyRole.SUPERVISOR}.get(kind)
    if role is not None:
        _party(project, vendor, role)
    record(
        "contract.registered",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("登记%(kind)s%(number)s（%(vendor)s，%(amount)s）"),
            kind=Word(str(ContractKind(kind).label)),
            number=contract.number,
            vendor=vendor.name,
            amount=Money(contract.amount),
        )
        + maybe(
            contract.signatory is not None,
            gettext_noop("，签订单位：%(signatory)s"),
            signatory=contract.signatory.name if contract.signatory else "",
        )
        + _ack_text(contract),
        after={"contract": contract.pk, "amount": str(contract.amount)},
        data={"findings": contract.findings, "acknowledgement": contract.acknowledgement},
    )
    return contract


def _contract_values(c: Contract) -> dict[str, Any]:
    return {
        "contract": c.pk,
        "kind": c.kind,
        "vendor": c.vendor_id,
        "signatory": c.signatory_id,
        "number": c.number,
        "amount": str(c.amount),
        "signed_on": c.signed_on.isoformat(),
        "om_period_years": str(c.om_period_years) if c.om_period_years is not None else None,
        "ip_ownership": c.ip_ownership,
        "termination_mechanism": c.termination_mechanism,
        "equipment_matches_scheme": c.equipment_matches_scheme,
    }


@transaction.atomic
def contract_void(*, actor: User, contract: Contract, reason: str) -> Contract:
    """A contract registered by mistake: kept, marked 已作废. Its planned payments are voided with
    it; a contract with payments already made must have those voided or corrected first, and a
    filed construction contract can only be corrected (the filing would be left without one)."""
    contract = Contract.objects.select_for_update().select_related("project").get(pk=contract.pk)
    project = contract.project
    authorize(actor, "delivery.unit", project)
    _active(project)
    reason = trail.reason_for(contract, reason, "合同")
    if contract.payments.live().filter(status=PaymentStatus.PAID).exists():
        raise Conflict(
            "该合同已有已支付的款项，请先作废或更正这些支付记录", code="CONTRACT_HAS_PAYMENTS"
        )
    if (
        contract.kind == ContractKind.MAIN
        and _step_done(project, "contract_filing")
        and not Contract.objects.live()
        .filter(project=project, kind=ContractKind.MAIN)
        .exclude(pk=contract.pk)
        .exists()
    ):
        raise Conflict(
            "建设合同已备案，不能作废；请更正该合同（更正记入备案单位可见的记录）",
            code="USE_CORRECTION",
            cite=_step_cite(project, "contract_filing") or None,
        )
    planned = list(contract.payments.live().order_by("number"))
    for payment in planned:
        trail.mark(payment, actor, f"合同作废：{reason}")
    trail.record_void(
        "contract.voided",
        contract,
        actor=actor,
        reason=reason,
        project=project,
        summary=said(
            gettext_noop("作废合同%(number)s（%(vendor)s）：%(reason)s"),
            number=contract.number,
            vendor=contract.vendor.name,
            reason=reason,
        )
        + maybe(planned, gettext_noop("；其%(count)s期计划支付一并作废"), count=len(planned)),
        before=_contract_values(contract),
        after={"contract": contract.pk, "payments_voided": [p.pk for p in planned]},
    )
    return contract


@transaction.atomic
def contract_correct(
    *,
    actor: User,
    contract: Contract,
    reason: str,
    vendor: Organization,
    number: str,
    amount: Any,
    signed_on: dt.date,
    om_period_years: Any = None,
    ip_ownership: bool = False,
    termination_mechanism: bool = False,
    equipment_matches_scheme: bool = False,
    acknowledged: Any = (),
    signatory: Organization | None = None,
) -> Contract:
    """A contract registered wrongly: a new row with the right values, checked as a new one;
    the old row is kept, marked 已更正 and linked to it; its payments follow the new row. A
    correction after the contract was filed says so in the record the filer reads."""
    old = Contract.objects.select_for_update().select_related("project").get(pk=contract.pk)
    project = old.project
    authorize(actor, "delivery.unit", project)
    _active(project)
    reason = trail.reason_for(old, reason, "合同")
    new, _ = _contract_checked(
        actor,
        project,
        kind=old.kind,
        vendor=vendor,
        number=number,
        amount=amount,
        signed_on=signed_on,
        om_period_years=om_period_years,
        ip_ownership=ip_ownership,
        termination_mechanism=termination_mechanism,
        equipment_matches_scheme=equipment_matches_scheme,
        acknowledged=acknowledged,
        replacing=old,
        signatory=signatory,
    )
    trail.mark(old, actor, reason)  # first: the new contract may keep its 合同编号
    new.save()
    moved = list(old.payments.live().values_list("pk", flat=True))
    Payment.objects.filter(pk__in=moved).update(contract=new)
    role = {"main": PartyRole.CONTRACTOR, "supervision": PartyRole.SUPERVISOR}.get(old.kind)
    if role is not None:
        _party(project, vendor, role)
    filed = old.kind == ContractKind.MAIN and _step_done(project, "contract_filing")
    trail.record_correction(
        "contract.corrected",
        old,
        new,
        actor=actor,
        reason=reason,
        project=project,
        summary=said(
            gettext_noop("更正合同%(old)s为%(new)s（%(vendor)s，%(amount)s）；原因：%(reason)s"),
            old=old.number,
            new=new.number,
            vendor=vendor.name,
            amount=Money(new.amount),
            reason=reason,
        )
        + maybe(filed, gettext_noop("；合同已备案，更正后的合同随记录送备案单位查阅"))
        + _ack_text(new),
        cite=_step_cite(project, "contract_filing") if filed else "",
        before=_contract_values(old),
        after=_contract_values(new) | {"payments_moved": moved},
        data={
            "after_filing": filed,
            "findings": new.findings,
            "acknowledgement": new.acknowledgement,
        },
    )
    return new


def _payment_checked(
    actor: User,
    contract: Contract,
    *,
    amount: Any,
    due_on: dt.date,
    paid_on: dt.date | None,
    acknowledged: Any,
    replacing: Payment | None = None,
) -> tuple[Decimal, list[dict[str, Any]], dict[str, Any]]:
    amount = _money(amount, "支付金额")
    if amount <= 0:
        raise InvalidInput("支付金额应大于0", code="INVALID_AMOUNT")
    findings = payment_findings(
        contract, amount=amount, due_on=due_on, paid_on=paid_on, replacing=replacing
    )
    return amount, _warnings(findings), _settle(actor, findings, acknowledged)


@transaction.atomic
def payment_plan(
    *, actor: User, contract: Contract, amount: Any, due_on: dt.date, acknowledged: Any = ()
) -> Payment:
    """A planned payment of a contract, within what the contract leaves and not before it was
    signed (``selectors.payment_findings``); withheld at once if a hold is in force."""
    project = contract.project
    authorize(actor, "delivery.unit", project)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    amount, findings, acknowledgement = _payment_checked(
        actor, contract, amount=amount, due_on=due_on, paid_on=None, acknowledged=acknowledged
    )
    number = (contract.payments.aggregate(n=Max("number"))["n"] or 0) + 1
    holds = payment_holds(project)
    payment = Payment.objects.create(
        contract=contract,
        project=project,
        number=number,
        amount=amount,
        due_on=due_on,
        status=PaymentStatus.WITHHELD if holds else PaymentStatus.PLANNED,
        withheld_reason=holds[0]["reason"] if holds else "",
        withheld_cite=holds[0]["cite"] if holds else "",
        findings=findings,
        acknowledgement=acknowledgement,
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    record(
        "payment.planned",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("%(contract)s第%(number)s期计划支付%(amount)s（%(due)s）"),
            contract=contract.number,
            number=number,
            amount=Money(amount),
            due=Day(due_on),
        )
        + (said(gettext_noop("，暂停支付：")) + holds[0]["said"] if holds else None)
        + _ack_text(payment),
        cite=holds[0]["cite"] if holds else "",
        after={"payment": payment.pk, "status": payment.status},
        data={"findings": findings, "acknowledgement": acknowledgement} if findings else None,
    )
    return payment


@transaction.atomic
def payment_pay(
    *, actor: User, payment: Payment, paid_on: dt.date, acknowledged: Any = ()
) -> Payment:
    """Record a payment as paid — refused while the rulebook withholds it, and on a day before
    the contract was signed or after today (``selectors.paid_findings``)."""
    payment = (
        Payment.objects.select_for_update().select_related("contract", "project").get(pk=payment.pk)
    )
    project = payment.project
    authorize(actor, "payment.pay", project)
    if payment.voided:
        raise Conflict(f"该期款项记录{payment.void_label}", code="ALREADY_VOIDED")
    if payment.status == PaymentStatus.PAID:
        raise Conflict("该期款项已支付", code="ALREADY_PAID")
    holds = payment_holds(project)
    if holds:
        raise RuleRefused(
            f"{holds[0]['reason']}，剩余款项暂停支付",
            code="PAYMENT_WITHHELD",
            cite=holds[0]["cite"],
        )
    findings = paid_findings(payment.contract, paid_on)
    acknowledgement = _settle(actor, findings, acknowledged)
    payment.status = PaymentStatus.PAID
    payment.paid_on = paid_on
    fields = ["status", "paid_on"]
    if acknowledgement:
        payment.findings = payment.findings + _warnings(findings)
        payment.acknowledgement = acknowledgement
        fields += ["findings", "acknowledgement"]
    payment.save(update_fields=fields)
    record(
        "payment.paid",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("%(contract)s第%(number)s期已支付%(amount)s"),
            contract=payment.contract.number,
            number=payment.number,
            amount=Money(payment.amount),
        ),
        before={"status": PaymentStatus.PLANNED},
        after={"payment": payment.pk, "status": payment.status, "paid_on": paid_on.isoformat()},
    )
    return payment


def _payment_values(p: Payment) -> dict[str, Any]:
    return {
        "payment": p.pk,
        "contract": p.contract_id,
        "number": p.number,
        "amount": str(p.amount),
        "due_on": p.due_on.isoformat(),
        "status": p.status,
        "paid_on": p.paid_on.isoformat() if p.paid_on else None,
    }


@transaction.atomic
def payment_void(*, actor: User, payment: Payment, reason: str) -> Payment:
    """A payment recorded by mistake (planned or paid): kept, marked 已作废, counted nowhere."""
    payment = (
        Payment.objects.select_for_update().select_related("contract", "project").get(pk=payment.pk)
    )
    project = payment.project
    authorize(actor, "delivery.unit", project)
    reason = trail.reason_for(payment, reason, "支付记录")
    trail.record_void(
        "payment.voided",
        payment,
        actor=actor,
        reason=reason,
        project=project,
        summary=said(
            gettext_noop("作废%(contract)s第%(number)s期%(status)s记录（%(amount)s）：%(reason)s"),
            contract=payment.contract.number,
            number=payment.number,
            status=Word(str(payment.get_status_display())),
            amount=Money(payment.amount),
            reason=reason,
        ),
        before=_payment_values(payment),
        after={"payment": payment.pk},
    )
    return payment


@transaction.atomic
def payment_correct(
    *,
    actor: User,
    payment: Payment,
    reason: str,
    amount: Any,
    due_on: dt.date,
    paid_on: dt.date | None = None,
    acknowledged: Any = (),
) -> Payment:
    """A payment recorded wrongly: a new row of the same 期次 with the right amount and dates
    (paid when ``paid_on`` is given); the old one is kept, marked 已更正 and linked to it."""
    old = (
        Payment.objects.select_for_update().select_related("contract", "project").get(pk=payment.pk)
    )
    project = old.project
    authorize(actor, "delivery.unit", project)
    if paid_on is not None:
        authorize(actor, "payment.pay", project)
    reason = trail.reason_for(old, reason, "支付记录")
    contract = Contract.objects.select_for_update().get(pk=old.contract_id)
    amount, findings, acknowledgement = _payment_checked(
        actor,
        contract,
        amount=amount,
        due_on=due_on,
        paid_on=paid_on,
        acknowledged=acknowledged,
        replacing=old,
    )
    holds = payment_holds(project)
    if paid_on is not None and holds and old.status != PaymentStatus.PAID:
        raise RuleRefused(
            f"{holds[0]['reason']}，剩余款项暂停支付",
            code="PAYMENT_WITHHELD",
            cite=holds[0]["cite"],
        )
    status = (
        PaymentStatus.PAID
        if paid_on is not None
        else (PaymentStatus.WITHHELD if holds else PaymentStatus.PLANNED)
    )
    trail.mark(old, actor, reason)  # first: the new row keeps the 期次
    new = Payment.objects.create(
        contract=contract,
        project=project,
        number=old.number,
        amount=amount,
        due_on=due_on,
        status=status,
        paid_on=paid_on,
        withheld_reason=holds[0]["reason"] if status == PaymentStatus.WITHHELD else "",
        withheld_cite=holds[0]["cite"] if status == PaymentStatus.WITHHELD else "",
        findings=findings,
        acknowledgement=acknowledgement,
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    trail.record_correction(
        "payment.corrected",
        old,
        new,
        actor=actor,
        reason=reason,
        project=project,
        summary=said(
            gettext_noop(
                "更正%(contract)s第%(number)s期支付记录：%(amount)s，%(status)s；原因：%(reason)s"
            ),
            contract=contract.number,
            number=old.number,
            amount=Money(amount),
            status=Word(str(new.get_status_display())),
            reason=reason,
        )
        + _ack_text(new),
        before=_payment_values(old),
        after=_payment_values(new),
        data={"findings": findings, "acknowledgement": acknowledgement},
    )
    return new


REASONS = ("policy_requirement", "technical_optimization", "business_development", "other")


def _items(raw: list[dict[str, Any]]) -> list[ChangeItem]:
    if not raw:
        raise InvalidInput("变更清单不能为空", code="ITEMS_REQUIRED")
    items = []
    for i, row in enumerate(raw, 1):
        if row.get("category") not in ("hardware", "software"):
            raise InvalidInput(
                f"第{i}项的类别应为 hardware（硬件设备含系统软件）或 software（应用软件）",
                code="INVALID_ITEM",
            )
        item = ChangeItem(
            category=row["category"],
            sub_project=str(row.get("sub_project", ""))[:100],
            original_model=str(row.get("original_model", ""))[:200],
            original_spec=str(row.get("original_spec", ""))[:500],
            original_quantity=_money(row.get("original_quantity", 0), f"第{i}项原数量"),
            original_unit_price=_money(row.get("original_unit_price", 0), f"第{i}项原单价"),
            new_model=str(row.get("new_model", ""))[:200],
            new_spec=str(row.get("new_spec", ""))[:500],
            new_quantity=_money(row.get("new_quantity", 0), f"第{i}项现数量"),
            new_unit_price=_money(row.get("new_unit_price", 0), f"第{i}项现单价"),
            note=str(row.get("note", ""))[:200],
        )
        if item.original_subtotal == 0 and item.new_subtotal == 0:
            raise InvalidInput(f"第{i}项的原小计和现小计都为0", code="INVALID_ITEM")
        items.append(item)
    return items


def _change_figures(items: list[ChangeItem], contract_total: Decimal) -> tuple[Decimal, Decimal]:
    """变更部分金额 = Σ max(原小计, 现小计) — the value of the content changed; 变更后总金额 =
    合同金额 − Σ原小计 + Σ现小计."""
    amount = sum((max(i.original_subtotal, i.new_subtotal) for i in items), Decimal(0))
    new_total = (
        contract_total
        - sum((i.original_subtotal for i in items), Decimal(0))
        + sum((i.new_subtotal for i in items), Decimal(0))
    )
    return amount, new_total


@transaction.atomic
def change_request(
    *,
    actor: User,
    project: Project,
    reason: str,
    basis: str,
    description: str,
    items: list[dict[str, Any]],
    goal_changed: bool = False,
    acknowledged: Any = (),
) -> ChangeRequest:
    """变更申请 with its 变更单. The rulebook's limits decide whether the unit may adjust and file it,
    must have it approved, or may not make it under this regulation at all."""
    authorize(actor, "delivery.unit", project)
    project = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
    _active(project)
    if reason not in REASONS:
        raise InvalidInput(f"变更原因类别不正确：{reason}", code="INVALID_REASON")
    if not basis.strip() or not description.strip():
        raise InvalidInput("请填写变更依据和变更内容", code="TEXT_REQUIRED")
    contract_total = effective_contract_amount(project)
    if contract_total is None:
        raise RuleRefused("尚未登记建设合同，不能申请变更", code="CONTRACT_MISSING")
    if project.accepted_on is not None:
        raise Conflict("项目已竣工验收，不能再申请变更", code="ALREADY_ACCEPTED")
    rb = workflow.rulebook_of(project)
    spec = rb.model.change
    if spec is None:
        raise RuleRefused("本办法未规定项目变更", code="NO_CHANGE_RULES")
    rows = _items(items)
    amount, new_total = _change_figures(rows, contract_total)
    findings = change_findings(
        project,
        original=sum((r.original_subtotal for r in rows), Decimal(0)),
        new_total=new_total,
        contract_total=contract_total,
    )
    acknowledgement = _settle(actor, findings, acknowledged)
    facts = workflow.project_facts(project).model_copy(
        update={"proposed_change": _proposed(amount, new_total, goal_changed, reason)}
    )
    answer = decide(rb, facts, clock.today())["change"]
    if answer["procedure"] == "escalate":
        failed = "；".join(r["message"] for r in answer["reasons"] if r["ok"] is False)
        raise RuleRefused(
            f"拟变更超出本办法的变更限额（{failed}），应按上级有关规定重新履行审批程序，不能按本办法变更",
            code="CHANGE_OUTSIDE_LIMITS",
            cite=answer["cite"],
        )
    if answer["procedure"] is None:
        missing = "；".join(r["message"] for r in answer["reasons"] if r["ok"] is None)
        raise RuleRefused(
            f"无法判断是否在变更限额内：{missing}", code="CHANGE_FACTS_MISSING", cite=spec.cite
        )
    for index, doc in enumerate(spec.documents, start=1):
        if not change_material_present(project, index, doc.name):
            raise RuleRefused(f"变更须提交“{doc.name}”", code="DOCUMENT_MISSING", cite=doc.cite)
    number = (project.changes.aggregate(n=Max("number"))["n"] or 0) + 1
    filing = answer["procedure"] == "filing"
    change = ChangeRequest.objects.create(
        project=project,
        number=number,
        reason=reason,
        basis=basis,
        description=description,
        goal_changed=goal_changed,
        amount=amount,
        new_total=new_total,
        within_limits=answer["within_limits"],
        procedure=answer["procedure"],
        evaluation=answer["reasons"],
        findings=_warnings(findings),
        acknowledgement=acknowledgement,
        cite=answer["cite"],
        status=ChangeStatus.FILED if filing else ChangeStatus.PENDING,
        requested_by=actor,
        requested_at=clock.now(),
    )
    for row in rows:
        row.change = change
    ChangeItem.objects.bulk_create(rows)
    if not filing:
        approvers = [(spec.approver or "competent_department", True)] + [
            (c.actor, False) for c in spec.co_approvers
        ]
        # a change approver the regulation does not name (临湘第二十四条) is the jurisdiction's
        named = workflow.assigned_to(project, "change.approver") if spec.unstated else None
        ChangeApproval.objects.bulk_create(
            [
                ChangeApproval(
                    change=change,
                    organization=(named if lead and named else None)
                    or workflow.organization_for(project, kind, "项目变更"),
                    lead=lead,
                )
                for kind, lead in approvers
            ]
        )
    record(
        "change.requested",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("申请第%(number)s次变更：变更部分%(amount)s，变更后总金额%(total)s；"),
            number=number,
            amount=Money(amount),
            total=Money(new_total),
        )
        + (
            said(gettext_noop("在限额内，由建设单位调整后报备案"))
            if filing
            else said(gettext_noop("须报批同意后方可实施"))
        ),
        cite=answer["cite"],
        after={"change": change.pk, "status": change.status, "procedure": change.procedure},
        data={"evaluation": answer["reasons"]},
    )
    return change


def _proposed(amount: Decimal, new_total: Decimal, goal_changed: bool, reason: str) -> Any:
    return ProposedChange(
        amount=amount, new_total=new_total, goal_changed=goal_changed, reason=reason
    )


@transaction.atomic
def change_decide(
    *, actor: User, change: ChangeRequest, decision: str, opinion: str = ""
) -> ChangeRequest:
    """The approver (and each co-approver) agrees to the change or refuses it."""
    change = ChangeRequest.objects.select_for_update().select_related("project").get(pk=change.pk)
    approval = change.approvals.filter(organization_id=actor.organization_id, status="open").first()
    authorize(actor, "change.decide", (change, approval))
    assert approval is not None
    if change.status != ChangeStatus.PENDING:
        raise Conflict(f"该变更{change.get_status_display()}", code="CHANGE_CLOSED")
    if decision not in ("approve", "refuse"):
        raise InvalidInput("审批意见应为同意或不予同意", code="INVALID_DECISION")
    if decision == "refuse" and not opinion.strip():
        raise InvalidInput("不予同意须填写意见", code="OPINION_REQUIRED")
    now = clock.now()
    approval.status = "approved" if decision == "approve" else "refused"
    approval.opinion, approval.decided_by, approval.decided_at = opinion, actor, now
    approval.save()
    if decision == "refuse":
        change.status = ChangeStatus.REFUSED
        change.approvals.filter(status="open").update(status="cancelled")
    elif not change.approvals.filter(status="open").exists():
        change.status = ChangeStatus.APPROVED
    if change.status != ChangeStatus.PENDING:
        change.decided_at = now
    change.save(update_fields=["status", "decided_at"])
    record(
        "change.decided",
        actor=actor,
        project=change.project,
        summary=said(
            gettext_noop("%(office)s同意第%(number)s次变更")
            if decision == "approve"
            else gettext_noop("%(office)s不予同意第%(number)s次变更"),
            office=approval.organization.name,
            number=change.number,
        )
        + maybe(opinion, gettext_noop("：%(opinion)s"), opinion=opinion),
        cite=change.cite,
        after={"change": change.pk, "status": change.status},
    )
    return change
