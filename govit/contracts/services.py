"""Writes about procurement, contracts, payments and changes. Each checks the rulebook — the
contract clauses it requires, the change limits it sets, the payments it withholds — and names
the article when it refuses or warns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum

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
from govit.contracts.selectors import contract_findings, effective_contract_amount, payment_holds
from govit.core import clock
from govit.core.errors import Conflict, InvalidInput, RuleRefused
from govit.events.services import record
from govit.organizations.models import Organization, User
from govit.policy.decide import decide
from govit.policy.vocab import actor_label
from govit.projects import workflow
from govit.projects.models import PartyRole, Project, ProjectParty, ProjectStatus
from govit.supervision.selectors import blacklist_findings


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
) -> Procurement:
    """Record the procurement's result: method, agent, dates, the winning contractor."""
    authorize(actor, "delivery.unit", project)
    _active(project)
    _reached(project, "procurement")
    if method not in ProcurementMethod.values:
        raise InvalidInput(f"采购方式不正确：{method}", code="INVALID_METHOD")
    if winner.jurisdiction_id != project.jurisdiction_id or winner.kind != "contractor":
        raise InvalidInput("成交供应商须为本辖区登记的承建单位", code="INVALID_WINNER")
    if agent is not None and (
        agent.jurisdiction_id != project.jurisdiction_id or agent.kind != "agent"
    ):
        raise InvalidInput("采购代理机构须为本辖区登记的代理机构", code="INVALID_AGENT")
    if announced_on and announced_on > awarded_on:
        raise InvalidInput("公告日期不能晚于成交日期", code="INVALID_DATES")
    procurement = Procurement.objects.create(
        project=project,
        method=method,
        agent=agent,
        announced_on=announced_on,
        awarded_on=awarded_on,
        winner=winner,
        note=note,
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    _party(project, winner, PartyRole.CONTRACTOR)
    if agent is not None:
        _party(project, agent, PartyRole.AGENT)
    warnings = blacklist_findings(winner)
    record(
        "procurement.recorded",
        actor=actor,
        project=project,
        summary=f"登记采购结果：{ProcurementMethod(method).label}，成交供应商{winner.name}",
        cite=project.steps.filter(kind="procurement").values_list("cite", flat=True).first() or "",
        after={"procurement": procurement.pk, "winner": winner.pk},
        data={"warnings": warnings},
    )
    return procurement


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
) -> Contract:
    """Register a signed contract. A construction contract is checked against the clauses the
    rulebook requires; a block-level gap refuses it, a warn-level gap is recorded with it."""
    authorize(actor, "delivery.unit", project)
    _active(project)
    _reached(project, "procurement")
    if kind not in ContractKind.values:
        raise InvalidInput(f"合同类别不正确：{kind}", code="INVALID_KIND")
    expected = {"main": "contractor", "supervision": "supervisor"}.get(kind)
    if vendor.jurisdiction_id != project.jurisdiction_id or (expected and vendor.kind != expected):
        raise InvalidInput(
            f"{ContractKind(kind).label}的供应商须为本辖区登记的{actor_label(expected) if expected else '服务机构'}",
            code="INVALID_VENDOR",
        )
    number = (number or "").strip()
    if not number or len(number) > 60:
        raise InvalidInput("请填写合同编号（60字以内）", code="INVALID_NUMBER")
    if Contract.objects.filter(project=project, number=number).exists():
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
    findings = contract_findings(project, values) if kind == ContractKind.MAIN else []
    blocking = [f for f in findings if f["severity"] == "block"]
    if blocking:
        first = blocking[0]
        raise RuleRefused(first["message"], code=first["code"], cite=first["cite"])
    findings += blacklist_findings(vendor)
    contract = Contract.objects.create(
        project=project,
        kind=kind,
        vendor=vendor,
        number=number,
        amount=amount,
        signed_on=signed_on,
        om_period_years=years,
        ip_ownership=ip_ownership,
        termination_mechanism=termination_mechanism,
        equipment_matches_scheme=equipment_matches_scheme,
        findings=findings,
        registered_by=actor,
        registered_at=clock.now(),
    )
    role = {"main": PartyRole.CONTRACTOR, "supervision": PartyRole.SUPERVISOR}.get(kind)
    if role is not None:
        _party(project, vendor, role)
    record(
        "contract.registered",
        actor=actor,
        project=project,
        summary=f"登记{ContractKind(kind).label}{number}（{vendor.name}，{workflow.money_text(amount)}）"
        + (f"；审查意见{len(findings)}条" if findings else ""),
        after={"contract": contract.pk, "amount": str(amount)},
        data={"findings": findings},
    )
    return contract


@transaction.atomic
def payment_plan(*, actor: User, contract: Contract, amount: Any, due_on: dt.date) -> Payment:
    """A planned payment of a contract; it is withheld at once if a hold is in force."""
    project = contract.project
    authorize(actor, "delivery.unit", project)
    amount = _money(amount, "支付金额")
    if amount <= 0:
        raise InvalidInput("支付金额应大于0", code="INVALID_AMOUNT")
    Contract.objects.select_for_update().filter(pk=contract.pk).first()
    scheduled = contract.payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if scheduled + amount > contract.amount:
        raise InvalidInput(
            f"累计计划支付{workflow.money_text(scheduled + amount)}将超过合同金额{workflow.money_text(contract.amount)}",
            code="PAYMENT_EXCEEDS_CONTRACT",
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
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    record(
        "payment.planned",
        actor=actor,
        project=project,
        summary=f"{contract.number}第{number}期计划支付{workflow.money_text(amount)}（{due_on:%Y年%m月%d日}）"
        + (f"，因{holds[0]['reason']}暂停支付" if holds else ""),
        cite=holds[0]["cite"] if holds else "",
        after={"payment": payment.pk, "status": payment.status},
    )
    return payment


@transaction.atomic
def payment_pay(*, actor: User, payment: Payment, paid_on: dt.date) -> Payment:
    """Record a payment as paid — refused while the rulebook withholds it."""
    payment = (
        Payment.objects.select_for_update().select_related("contract", "project").get(pk=payment.pk)
    )
    project = payment.project
    authorize(actor, "payment.pay", project)
    if payment.status == PaymentStatus.PAID:
        raise Conflict("该期款项已支付", code="ALREADY_PAID")
    holds = payment_holds(project)
    if holds:
        raise RuleRefused(
            f"{holds[0]['reason']}，剩余款项暂停支付",
            code="PAYMENT_WITHHELD",
            cite=holds[0]["cite"],
        )
    payment.status = PaymentStatus.PAID
    payment.paid_on = paid_on
    payment.save(update_fields=["status", "paid_on"])
    record(
        "payment.paid",
        actor=actor,
        project=project,
        summary=f"{payment.contract.number}第{payment.number}期已支付{workflow.money_text(payment.amount)}",
        before={"status": PaymentStatus.PLANNED},
        after={"payment": payment.pk, "status": payment.status, "paid_on": paid_on.isoformat()},
    )
    return payment


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
    for doc in spec.documents:
        from govit.documents.models import Document

        if not Document.objects.filter(
            project=project, name=doc.name, versions__isnull=False
        ).exists():
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
        ChangeApproval.objects.bulk_create(
            [
                ChangeApproval(
                    change=change,
                    organization=workflow.organization_for(project, kind, "项目变更"),
                    lead=lead,
                )
                for kind, lead in approvers
            ]
        )
    record(
        "change.requested",
        actor=actor,
        project=project,
        summary=f"申请第{number}次变更：变更部分{workflow.money_text(amount)}，变更后总金额{workflow.money_text(new_total)}；"
        + ("在限额内，由建设单位调整后报备案" if filing else "须报批同意后方可实施"),
        cite=answer["cite"],
        after={"change": change.pk, "status": change.status, "procedure": change.procedure},
        data={"evaluation": answer["reasons"]},
    )
    return change


def _proposed(amount: Decimal, new_total: Decimal, goal_changed: bool, reason: str) -> Any:
    from govit.policy.facts import ProposedChange

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
        summary=f"{approval.organization.name}{'同意' if decision == 'approve' else '不予同意'}第{change.number}次变更"
        + (f"：{opinion}" if opinion else ""),
        cite=change.cite,
        after={"change": change.pk, "status": change.status},
    )
    return change
