"""The back half: procurement, contracts, payments, changes, construction reports, acceptance
extensions, termination, assets, obligations, evaluations, penalties, vendors' credit."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from govit.access.policy import jurisdiction_id
from govit.api import serialize
from govit.api.schemas import (
    ERRORS,
    AssetIn,
    AssetOut,
    ChangeDecisionIn,
    ChangeIn,
    ChangeOut,
    ContractCorrectionIn,
    ContractIn,
    ContractOut,
    CreditIn,
    CreditOut,
    DecisionIn,
    EvaluationIn,
    EvaluationOut,
    ExtensionIn,
    ExtensionOut,
    FindingOut,
    FulfilIn,
    IncidentCorrectionIn,
    IncidentIn,
    NoteIn,
    ObligationOut,
    PayIn,
    PaymentCorrectionIn,
    PaymentIn,
    PaymentOut,
    PaymentSummary,
    PenaltyIn,
    PenaltyOut,
    ProcurementCorrectionIn,
    ProcurementIn,
    ProcurementOut,
    ProgressCorrectionIn,
    ProgressIn,
    ReportOut,
    TerminationIn,
    TerminationOut,
    TrialRunIn,
    VoidIn,
)
from govit.contracts import services as contracts
from govit.contracts.models import ChangeRequest, Contract, Payment, Procurement
from govit.contracts.selectors import (
    contract_entry_findings,
    payment_totals,
    procurement_findings,
)
from govit.core import clock
from govit.core.errors import NotFound
from govit.delivery import services as delivery
from govit.delivery.models import (
    AcceptanceExtension,
    Evaluation,
    IncidentReport,
    Obligation,
    ProgressReport,
    TrialRun,
)
from govit.organizations.models import Organization, User
from govit.projects.visibility import project_for, visible_projects
from govit.supervision import selectors as supervision_selectors
from govit.supervision import services as supervision
from govit.supervision.models import CreditRecord, Penalty

router = Router(tags=["建设、验收、运行与监督"])


def _org(user_jurisdiction_project: Any, org_id: int | None) -> Organization | None:
    if org_id is None:
        return None
    org = Organization.objects.filter(
        pk=org_id, jurisdiction_id=user_jurisdiction_project.jurisdiction_id
    ).first()
    if org is None:
        raise NotFound("单位不存在或不在本辖区")
    return org


def _in_visible(user: User, model: Any, pk: int, label: str) -> Any:
    obj = (
        model.objects.filter(pk=pk, project__in=visible_projects(user))
        .select_related("project")
        .first()
    )
    if obj is None:
        raise NotFound(f"{label}不存在或无权查看")
    return obj


# --- procurement and contracts ---------------------------------------------------------------
# Each record carries the warnings it was entered with, who acknowledged them, and whether it
# was voided or corrected (the corrected row links to the one that supersedes it).


def _trail(r: Any) -> dict[str, Any]:
    return {
        "findings": r.findings,
        "acknowledgement": r.acknowledgement,
        "state": r.void_label,
        "voided_at": r.voided_at,
        "void_reason": r.void_reason,
        "superseded_by_id": r.superseded_by_id,
    }


def _procurement_out(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "method": p.method,
        "winner": serialize.org(p.winner),
        "agent": serialize.org(p.agent) if p.agent_id else None,
        "announced_on": p.announced_on,
        "awarded_on": p.awarded_on,
        "note": p.note,
    } | _trail(p)


@router.get(
    "/projects/{project_id}/procurements",
    response={200: list[ProcurementOut], **ERRORS},
    summary="采购记录",
)
def procurements(request: HttpRequest, project_id: int):
    project = project_for(request.auth, project_id)
    return [_procurement_out(p) for p in project.procurements.select_related("winner", "agent")]


@router.post(
    "/projects/{project_id}/procurements",
    response={201: ProcurementOut, **ERRORS},
    summary="登记采购结果",
)
def record_procurement(request: HttpRequest, project_id: int, payload: ProcurementIn):
    project = project_for(request.auth, project_id)
    procurement = contracts.procurement_record(
        actor=request.auth,
        project=project,
        method=payload.method,
        winner=_org(project, payload.winner_id),
        agent=_org(project, payload.agent_id),
        announced_on=payload.announced_on,
        awarded_on=payload.awarded_on,
        note=payload.note,
        acknowledged=payload.acknowledged,
    )
    return Status(201, _procurement_out(procurement))


@router.post(
    "/projects/{project_id}/procurements/findings",
    response={200: list[FindingOut], **ERRORS},
    summary="登记前审查采购结果：返回审查意见（block 拒绝，warn 须在登记时列入 acknowledged），不保存",
)
def procurement_check(request: HttpRequest, project_id: int, payload: ProcurementIn):
    project = project_for(request.auth, project_id)
    return procurement_findings(
        project,
        winner=_org(project, payload.winner_id),
        awarded_on=payload.awarded_on,
        announced_on=payload.announced_on,
    )


@router.post(
    "/procurements/{procurement_id}/void",
    response={200: ProcurementOut, **ERRORS},
    summary="作废采购记录（注明原因；原记录保留，标记已作废）",
)
def void_procurement(request: HttpRequest, procurement_id: int, payload: VoidIn):
    procurement = _in_visible(request.auth, Procurement, procurement_id, "采购记录")
    return _procurement_out(
        contracts.procurement_void(
            actor=request.auth, procurement=procurement, reason=payload.reason
        )
    )


@router.post(
    "/procurements/{procurement_id}/correction",
    response={201: ProcurementOut, **ERRORS},
    summary="更正采购记录（新记录经同样审查；原记录保留，标记已更正并指向新记录）",
)
def correct_procurement(
    request: HttpRequest, procurement_id: int, payload: ProcurementCorrectionIn
):
    procurement = _in_visible(request.auth, Procurement, procurement_id, "采购记录")
    project = procurement.project
    new = contracts.procurement_correct(
        actor=request.auth,
        procurement=procurement,
        reason=payload.reason,
        method=payload.method,
        winner=_org(project, payload.winner_id),
        agent=_org(project, payload.agent_id),
        announced_on=payload.announced_on,
        awarded_on=payload.awarded_on,
        note=payload.note,
        acknowledged=payload.acknowledged,
    )
    return Status(201, _procurement_out(new))


def _contract_out(c: Contract) -> dict[str, Any]:
    return {
        "id": c.pk,
        "kind": c.kind,
        "vendor": serialize.org(c.vendor),
        "signatory": serialize.org(c.signatory) if c.signatory_id else None,
        "number": c.number,
        "amount": c.amount,
        "signed_on": c.signed_on,
        "om_period_years": c.om_period_years,
        "ip_ownership": c.ip_ownership,
        "termination_mechanism": c.termination_mechanism,
        "equipment_matches_scheme": c.equipment_matches_scheme,
    } | _trail(c)


@router.get(
    "/projects/{project_id}/contracts", response={200: list[ContractOut], **ERRORS}, summary="合同"
)
def contract_list(request: HttpRequest, project_id: int):
    project = project_for(request.auth, project_id)
    return [_contract_out(c) for c in project.contracts.select_related("vendor", "signatory")]


@router.post(
    "/projects/{project_id}/contracts",
    response={201: ContractOut, **ERRORS},
    summary="登记合同（按规则手册审查知识产权、运维期、终止机制等条款）",
)
def register_contract(request: HttpRequest, project_id: int, payload: ContractIn):
    project = project_for(request.auth, project_id)
    vendor = _org(project, payload.vendor_id)
    data = payload.dict(exclude={"vendor_id", "signatory_id"})
    if payload.signatory_id is not None:
        data["signatory"] = _org(project, payload.signatory_id)
    contract = contracts.contract_register(
        actor=request.auth, project=project, vendor=vendor, **data
    )
    return Status(201, _contract_out(contract))


@router.post(
    "/projects/{project_id}/contracts/findings",
    response={200: list[FindingOut], **ERRORS},
    summary="登记前审查合同：返回审查意见（block 拒绝，warn 须在登记时列入 acknowledged），不保存",
)
def contract_check(request: HttpRequest, project_id: int, payload: ContractIn):
    project = project_for(request.auth, project_id)
    return contract_entry_findings(
        project,
        kind=payload.kind,
        vendor=_org(project, payload.vendor_id),
        amount=payload.amount,
        signed_on=payload.signed_on,
        values={
            "ip_ownership": payload.ip_ownership,
            "termination_mechanism": payload.termination_mechanism,
            "equipment_matches_scheme": payload.equipment_matches_scheme,
            "om_period_years": payload.om_period_years,
        },
    )


@router.post(
    "/contracts/{contract_id}/void",
    response={200: ContractOut, **ERRORS},
    summary="作废合同（其计划支付一并作废；已有已支付款项或已备案的建设合同只能更正）",
)
def void_contract(request: HttpRequest, contract_id: int, payload: VoidIn):
    contract = _in_visible(request.auth, Contract, contract_id, "合同")
    return _contract_out(
        contracts.contract_void(actor=request.auth, contract=contract, reason=payload.reason)
    )


@router.post(
    "/contracts/{contract_id}/correction",
    response={201: ContractOut, **ERRORS},
    summary="更正合同（新记录经同样审查，支付记录随之；原记录保留，标记已更正）",
)
def correct_contract(request: HttpRequest, contract_id: int, payload: ContractCorrectionIn):
    contract = _in_visible(request.auth, Contract, contract_id, "合同")
    vendor = _org(contract.project, payload.vendor_id)
    data = payload.dict(exclude={"vendor_id", "signatory_id"})
    if payload.signatory_id is not None:
        data["signatory"] = _org(contract.project, payload.signatory_id)
    new = contracts.contract_correct(actor=request.auth, contract=contract, vendor=vendor, **data)
    return Status(201, _contract_out(new))


# --- payments -------------------------------------------------------------------------------


def _payment_out(p: Payment) -> dict[str, Any]:
    return {
        "id": p.pk,
        "contract_id": p.contract_id,
        "contract_number": p.contract.number,
        "number": p.number,
        "amount": p.amount,
        "due_on": p.due_on,
        "status": p.status,
        "paid_on": p.paid_on,
        "withheld_reason": p.withheld_reason,
        "withheld_cite": p.withheld_cite,
    } | _trail(p)


@router.get(
    "/projects/{project_id}/payments",
    response={200: PaymentSummary, **ERRORS},
    summary="支付计划、已付、暂停支付及与批复概算的对比",
)
def payments(request: HttpRequest, project_id: int):
    project = project_for(request.auth, project_id)
    return {
        **payment_totals(project),
        "payments": [
            _payment_out(p)
            for p in project.payments.select_related("contract").order_by(
                "contract_id", "number", "id"
            )
        ],
    }


@router.post(
    "/contracts/{contract_id}/payments",
    response={201: PaymentOut, **ERRORS},
    summary="计划一期支付",
)
def plan_payment(request: HttpRequest, contract_id: int, payload: PaymentIn):
    contract = _in_visible(request.auth, Contract, contract_id, "合同")
    payment = contracts.payment_plan(
        actor=request.auth,
        contract=contract,
        amount=payload.amount,
        due_on=payload.due_on,
        acknowledged=payload.acknowledged,
    )
    return Status(201, _payment_out(payment))


@router.post(
    "/payments/{payment_id}/pay",
    response={200: PaymentOut, **ERRORS},
    summary="登记已支付（暂停支付期间拒绝，并注明依据）",
)
def pay(request: HttpRequest, payment_id: int, payload: PayIn):
    payment = _in_visible(request.auth, Payment, payment_id, "支付")
    return _payment_out(
        contracts.payment_pay(
            actor=request.auth,
            payment=payment,
            paid_on=payload.paid_on,
            acknowledged=payload.acknowledged,
        )
    )


@router.post(
    "/payments/{payment_id}/void",
    response={200: PaymentOut, **ERRORS},
    summary="作废支付记录（注明原因；原记录保留，不再计入合计）",
)
def void_payment(request: HttpRequest, payment_id: int, payload: VoidIn):
    payment = _in_visible(request.auth, Payment, payment_id, "支付")
    return _payment_out(
        contracts.payment_void(actor=request.auth, payment=payment, reason=payload.reason)
    )


@router.post(
    "/payments/{payment_id}/correction",
    response={201: PaymentOut, **ERRORS},
    summary="更正支付记录（同一期次的新记录；原记录保留，标记已更正）",
)
def correct_payment(request: HttpRequest, payment_id: int, payload: PaymentCorrectionIn):
    payment = _in_visible(request.auth, Payment, payment_id, "支付")
    new = contracts.payment_correct(
        actor=request.auth,
        payment=payment,
        reason=payload.reason,
        amount=payload.amount,
        due_on=payload.due_on,
        paid_on=payload.paid_on,
        acknowledged=payload.acknowledged,
    )
    return Status(201, _payment_out(new))


# --- changes --------------------------------------------------------------------------------


def _change_out(c: ChangeRequest) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "reason": c.reason,
        "basis": c.basis,
        "description": c.description,
        "goal_changed": c.goal_changed,
        "amount": c.amount,
        "new_total": c.new_total,
        "within_limits": c.within_limits,
        "procedure": c.procedure,
        "evaluation": c.evaluation,
        "cite": c.cite,
        "status": c.status,
        "items": [
            {
                "category": i.category,
                "sub_project": i.sub_project,
                "original_model": i.original_model,
                "original_spec": i.original_spec,
                "original_quantity": str(i.original_quantity),
                "original_unit_price": str(i.original_unit_price),
                "original_subtotal": str(i.original_subtotal),
                "new_model": i.new_model,
                "new_spec": i.new_spec,
                "new_quantity": str(i.new_quantity),
                "new_unit_price": str(i.new_unit_price),
                "new_subtotal": str(i.new_subtotal),
                "note": i.note,
            }
            for i in c.items.all()
        ],
        "approvals": [
            {
                "organization": a.organization.name,
                "lead": a.lead,
                "status": a.status,
                "opinion": a.opinion,
            }
            for a in c.approvals.select_related("organization")
        ],
        "findings": c.findings,
        "acknowledgement": c.acknowledgement,
    }


@router.get(
    "/projects/{project_id}/changes", response={200: list[ChangeOut], **ERRORS}, summary="项目变更"
)
def changes(request: HttpRequest, project_id: int):
    project = project_for(request.auth, project_id)
    return [_change_out(c) for c in project.changes.prefetch_related("items")]


@router.post(
    "/projects/{project_id}/changes",
    response={201: ChangeOut, **ERRORS},
    summary="申请变更（附变更清单；按规则手册的变更限额决定备案、报批或不能变更）",
)
def request_change(request: HttpRequest, project_id: int, payload: ChangeIn):
    project = project_for(request.auth, project_id)
    change = contracts.change_request(
        actor=request.auth,
        project=project,
        reason=payload.reason,
        basis=payload.basis,
        description=payload.description,
        goal_changed=payload.goal_changed,
        items=[item.dict() for item in payload.items],
        acknowledged=payload.acknowledged,
    )
    return Status(201, _change_out(change))


@router.post(
    "/changes/{change_id}/decision",
    response={200: ChangeOut, **ERRORS},
    summary="变更审批：同意或不予同意",
)
def decide_change(request: HttpRequest, change_id: int, payload: ChangeDecisionIn):
    change = _in_visible(request.auth, ChangeRequest, change_id, "变更")
    change = contracts.change_decide(
        actor=request.auth, change=change, decision=payload.decision, opinion=payload.opinion
    )
    return _change_out(change)


# --- construction ---------------------------------------------------------------------------


def _report_trail(r: Any) -> dict[str, Any]:
    """A report's place on the correction trail: valid / voided / corrected, why, and the report
    it corrects (read with ``select_related("supersedes")``)."""
    corrects = getattr(r, "supersedes", None)
    return {
        "state": r.trail_state.value,
        "reason": r.void_reason,
        "replaces": corrects.pk if corrects is not None else None,
    }


def _progress_out(r: ProgressReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": "progress",
        "text": f"{r.period}：{r.percent}%，{r.text}",
        "cite": "",
        "at": r.reported_at,
        "percent": r.percent,
        "as_of": r.as_of,
    } | _report_trail(r)


def _incident_out(r: IncidentReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind,
        "text": r.text,
        "cite": r.cite,
        "at": r.reported_at,
    } | _report_trail(r)


def _trial_run_out(r: TrialRun) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": "trial_run",
        "text": f"试运行{r.started_on:%Y-%m-%d}至{r.ended_on:%Y-%m-%d}"
        + (f"：{r.text}" if r.text else ""),
        "cite": "",
        "at": r.reported_at,
    } | _report_trail(r)


@router.post(
    "/projects/{project_id}/progress-reports",
    response={201: ReportOut, **ERRORS},
    summary="报送建设进度",
)
def report_progress(request: HttpRequest, project_id: int, payload: ProgressIn):
    project = project_for(request.auth, project_id)
    r = delivery.progress_report(
        actor=request.auth,
        project=project,
        period=payload.period,
        percent=payload.percent,
        text=payload.text,
        as_of=payload.as_of,
    )
    return Status(201, _progress_out(r))


@router.post(
    "/progress-reports/{report_id}/void",
    response={200: ReportOut, **ERRORS},
    summary="作废进度报告（原报告保留，标为已作废）",
)
def void_progress(request: HttpRequest, report_id: int, payload: VoidIn):
    r = _in_visible(request.auth, ProgressReport, report_id, "进度报告")
    return _progress_out(
        delivery.progress_void(actor=request.auth, report=r, reason=payload.reason)
    )


@router.post(
    "/progress-reports/{report_id}/correction",
    response={201: ReportOut, **ERRORS},
    summary="更正进度报告（新报告替代原报告，原报告标为已更正）",
)
def correct_progress(request: HttpRequest, report_id: int, payload: ProgressCorrectionIn):
    r = _in_visible(request.auth, ProgressReport, report_id, "进度报告")
    corrected = delivery.progress_correct(
        actor=request.auth,
        report=r,
        reason=payload.reason,
        period=payload.period,
        percent=payload.percent,
        text=payload.text,
        as_of=payload.as_of,
    )
    return Status(201, _progress_out(corrected))


@router.get(
    "/projects/{project_id}/reports",
    response={200: list[ReportOut], **ERRORS},
    summary="进度报告、重大问题报告与试运行登记（含已作废、已更正的）",
)
def reports(request: HttpRequest, project_id: int):
    project = project_for(request.auth, project_id)
    out = [_progress_out(r) for r in project.progress_reports.select_related("supersedes")]
    out += [_incident_out(r) for r in project.incidents.select_related("supersedes")]
    out += [_trial_run_out(r) for r in project.trial_runs.select_related("supersedes")]
    return sorted(out, key=lambda r: r["at"])


@router.post(
    "/projects/{project_id}/trial-runs",
    response={201: ReportOut, **ERRORS},
    summary="登记试运行起止日期",
)
def record_trial_run(request: HttpRequest, project_id: int, payload: TrialRunIn):
    project = project_for(request.auth, project_id)
    r = delivery.trial_run_record(
        actor=request.auth,
        project=project,
        started_on=payload.started_on,
        ended_on=payload.ended_on,
        text=payload.text,
    )
    return Status(201, _trial_run_out(r))


@router.post(
    "/trial-runs/{run_id}/void",
    response={200: ReportOut, **ERRORS},
    summary="作废试运行登记（原登记保留，标为已作废；如须重新登记起止日期，作废后再登记）",
)
def void_trial_run(request: HttpRequest, run_id: int, payload: VoidIn):
    run = _in_visible(request.auth, TrialRun, run_id, "试运行登记")
    return _trial_run_out(
        delivery.trial_run_void(actor=request.auth, run=run, reason=payload.reason)
    )


@router.post(
    "/projects/{project_id}/incidents",
    response={201: ReportOut, **ERRORS},
    summary="报告工程严重逾期、投资重大损失",
)
def report_incident(request: HttpRequest, project_id: int, payload: IncidentIn):
    project = project_for(request.auth, project_id)
    r = delivery.incident_report(
        actor=request.auth, project=project, kind=payload.kind, text=payload.text
    )
    return Status(201, _incident_out(r))


@router.post(
    "/incidents/{report_id}/void",
    response={200: ReportOut, **ERRORS},
    summary="作废重大问题报告（原报告保留，标为已作废）",
)
def void_incident(request: HttpRequest, report_id: int, payload: VoidIn):
    r = _in_visible(request.auth, IncidentReport, report_id, "报告")
    return _incident_out(
        delivery.incident_void(actor=request.auth, report=r, reason=payload.reason)
    )


@router.post(
    "/incidents/{report_id}/correction",
    response={201: ReportOut, **ERRORS},
    summary="更正重大问题报告（新报告替代原报告，原报告标为已更正）",
)
def correct_incident(request: HttpRequest, report_id: int, payload: IncidentCorrectionIn):
    r = _in_visible(request.auth, IncidentReport, report_id, "报告")
    corrected = delivery.incident_correct(
        actor=request.auth, report=r, reason=payload.reason, kind=payload.kind, text=payload.text
    )
    return Status(201, _incident_out(corrected))


@router.post(
    "/projects/{project_id}/termination",
    response={201: TerminationOut, **ERRORS},
    summary="建设单位终止项目（附书面说明）",
)
def terminate(request: HttpRequest, project_id: int, payload: TerminationIn):
    project = project_for(request.auth, project_id)
    t = delivery.project_terminate(
        actor=request.auth,
        project=project,
        reason=payload.reason,
        statement_id=payload.statement_version_id,
    )
    return Status(
        201, {"reason": t.reason, "recipient": t.recipient.name, "cite": t.cite, "at": t.at}
    )


# --- acceptance -----------------------------------------------------------------------------


def _extension_out(e: AcceptanceExtension) -> dict[str, Any]:
    return {
        "id": e.pk,
        "until": e.until,
        "reason": e.reason,
        "status": e.status,
        "cite": e.cite,
        "opinion": e.opinion,
    }


@router.get(
    "/projects/{project_id}/extensions",
    response={200: list[ExtensionOut], **ERRORS},
    summary="延期验收申请",
)
def extensions(request: HttpRequest, project_id: int):
    return [_extension_out(e) for e in project_for(request.auth, project_id).extensions.all()]


@router.post(
    "/projects/{project_id}/extensions",
    response={201: ExtensionOut, **ERRORS},
    summary="申请延期验收",
)
def request_extension(request: HttpRequest, project_id: int, payload: ExtensionIn):
    project = project_for(request.auth, project_id)
    e = delivery.extension_request(
        actor=request.auth, project=project, until=payload.until, reason=payload.reason
    )
    return Status(201, _extension_out(e))


@router.post(
    "/extensions/{extension_id}/decision",
    response={200: ExtensionOut, **ERRORS},
    summary="审批延期验收申请",
)
def decide_extension(request: HttpRequest, extension_id: int, payload: DecisionIn):
    e = _in_visible(request.auth, AcceptanceExtension, extension_id, "延期申请")
    e = delivery.extension_decide(
        actor=request.auth, extension=e, approve=payload.approve, opinion=payload.opinion
    )
    return _extension_out(e)


@router.get(
    "/projects/{project_id}/rectifications",
    response={200: list[dict[str, Any]], **ERRORS},
    summary="验收整改",
)
def rectifications(request: HttpRequest, project_id: int):
    project = project_for(request.auth, project_id)
    return [
        {
            "id": r.pk,
            "reason": r.reason,
            "deadline": r.deadline.isoformat(),
            "cite": r.cite,
            "withhold_payments": r.withhold_payments,
            "closed": r.closed_at is not None,
            "overdue": r.closed_at is None and clock.today() > r.deadline,
        }
        for r in project.rectifications.all()
    ]


# --- operation ------------------------------------------------------------------------------


def _asset_out(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "name": a.name,
        "value": a.value,
        "entered_on": a.entered_on,
        "using_unit": a.using_unit.name if a.using_unit_id else None,
        "transferred_on": a.transferred_on,
    }


@router.get(
    "/projects/{project_id}/assets", response={200: list[AssetOut], **ERRORS}, summary="资产台账"
)
def assets(request: HttpRequest, project_id: int):
    return [
        _asset_out(a)
        for a in project_for(request.auth, project_id).assets.select_related("using_unit")
    ]


@router.post(
    "/projects/{project_id}/assets",
    response={201: AssetOut, **ERRORS},
    summary="资产入账（可转移至使用单位）",
)
def record_asset(request: HttpRequest, project_id: int, payload: AssetIn):
    project = project_for(request.auth, project_id)
    a = delivery.asset_record(
        actor=request.auth,
        project=project,
        name=payload.name,
        value=payload.value,
        entered_on=payload.entered_on,
        using_unit=_org(project, payload.using_unit_id),
        transferred_on=payload.transferred_on,
    )
    return Status(201, _asset_out(a))


def _obligation_out(o: Obligation) -> dict[str, Any]:
    return {
        "id": o.pk,
        "code": o.code,
        "name": o.name,
        "period": o.period,
        "opens_on": o.opens_on,
        "due_on": o.due_on,
        "amount": o.amount,
        "cite": o.cite,
        "fulfilled_at": o.fulfilled_at,
        "overdue": o.fulfilled_at is None and o.due_on is not None and clock.today() > o.due_on,
    }


@router.get(
    "/projects/{project_id}/obligations",
    response={200: list[ObligationOut], **ERRORS},
    summary="年度报告、自评价期等义务",
)
def obligations(request: HttpRequest, project_id: int):
    return [_obligation_out(o) for o in project_for(request.auth, project_id).obligations.all()]


@router.post(
    "/obligations/{obligation_id}/fulfil",
    response={200: ObligationOut, **ERRORS},
    summary="履行义务",
)
def fulfil(request: HttpRequest, obligation_id: int, payload: FulfilIn):
    o = _in_visible(request.auth, Obligation, obligation_id, "义务")
    return _obligation_out(
        delivery.obligation_fulfil(
            actor=request.auth, obligation=o, note=payload.note, document_id=payload.document_id
        )
    )


def _evaluation_out(e: Evaluation) -> dict[str, Any]:
    return {
        "id": e.pk,
        "kind": e.kind,
        "score": e.score,
        "grade": e.grade,
        "findings": e.findings,
        "rectification_required": e.rectification_required,
        "rectified_at": e.rectified_at,
        "evaluator": e.evaluator.name,
        "cite": e.cite,
    }


@router.get(
    "/projects/{project_id}/evaluations",
    response={200: list[EvaluationOut], **ERRORS},
    summary="自评价与后评价",
)
def evaluations(request: HttpRequest, project_id: int):
    return [
        _evaluation_out(e)
        for e in project_for(request.auth, project_id).evaluations.select_related("evaluator")
    ]


@router.post(
    "/projects/{project_id}/evaluations",
    response={201: EvaluationOut, **ERRORS},
    summary="登记自评价或后评价结果",
)
def record_evaluation(request: HttpRequest, project_id: int, payload: EvaluationIn):
    project = project_for(request.auth, project_id)
    e = delivery.evaluation_record(actor=request.auth, project=project, **payload.dict())
    return Status(201, _evaluation_out(e))


@router.post(
    "/evaluations/{evaluation_id}/rectified",
    response={200: EvaluationOut, **ERRORS},
    summary="确认评价问题整改到位",
)
def evaluation_rectified(request: HttpRequest, evaluation_id: int, payload: NoteIn):
    e = _in_visible(request.auth, Evaluation, evaluation_id, "评价")
    return _evaluation_out(
        delivery.evaluation_rectified(actor=request.auth, evaluation=e, note=payload.note)
    )


# --- supervision ----------------------------------------------------------------------------


def _penalty_out(p: Penalty) -> dict[str, Any]:
    return {
        "id": p.pk,
        "project_id": p.project_id,
        "code": p.code,
        "measures": p.measures,
        "reason": p.reason,
        "amount": p.amount,
        "cite": p.cite,
        "imposed_org": p.imposed_org.name,
        "imposed_at": p.imposed_at,
        "lifted_at": p.lifted_at,
        "lift_reason": p.lift_reason,
    }


@router.get(
    "/projects/{project_id}/penalties",
    response={200: list[PenaltyOut], **ERRORS},
    summary="处理措施",
)
def penalties(request: HttpRequest, project_id: int):
    return [
        _penalty_out(p)
        for p in project_for(request.auth, project_id).penalties.select_related("imposed_org")
    ]


@router.post(
    "/projects/{project_id}/penalties",
    response={201: PenaltyOut, **ERRORS},
    summary="作出处理（责令暂停、终止、暂停拨付、收回资金、通报等，须为规则手册所列措施）",
)
def impose_penalty(request: HttpRequest, project_id: int, payload: PenaltyIn):
    project = project_for(request.auth, project_id)
    p = supervision.penalty_impose(actor=request.auth, project=project, **payload.dict())
    return Status(201, _penalty_out(p))


@router.post(
    "/penalties/{penalty_id}/lift", response={200: PenaltyOut, **ERRORS}, summary="解除处理措施"
)
def lift_penalty(request: HttpRequest, penalty_id: int, payload: NoteIn):
    p = _in_visible(request.auth, Penalty, penalty_id, "处理措施")
    return _penalty_out(
        supervision.penalty_lift(actor=request.auth, penalty=p, reason=payload.note)
    )


def _credit_out(c: CreditRecord) -> dict[str, Any]:
    return {
        "id": c.pk,
        "vendor": serialize.org(c.vendor),
        "kind": c.kind,
        "reason": c.reason,
        "project_id": c.project_id,
        "cite": c.cite,
        "recorded_at": c.recorded_at,
        "until": c.until,
        "revoked_at": c.revoked_at,
    }


def _vendor(user: User, vendor_id: int) -> Organization:
    vendor = Organization.objects.filter(
        pk=vendor_id, jurisdiction_id=jurisdiction_id(user)
    ).first()
    if vendor is None or user.organization_id is None:
        raise NotFound("单位不存在或无权查看")
    return vendor


@router.get(
    "/vendors/{vendor_id}/credit",
    response={200: list[CreditOut], **ERRORS},
    summary="供应商信用记录",
)
def vendor_credit(request: HttpRequest, vendor_id: int):
    vendor = _vendor(request.auth, vendor_id)
    return [_credit_out(c) for c in vendor.credit_records.select_related("vendor")]


@router.post(
    "/vendors/{vendor_id}/credit",
    response={201: CreditOut, **ERRORS},
    summary="记入信用档案或列入黑名单",
)
def record_credit(request: HttpRequest, vendor_id: int, payload: CreditIn):
    user: User = request.auth
    vendor = _vendor(user, vendor_id)
    project = None
    if payload.project_id is not None:
        project = visible_projects(user).filter(pk=payload.project_id).first()
        if project is None:
            raise NotFound("项目不存在或无权查看")
    entry = supervision.credit_record(
        actor=user,
        vendor=vendor,
        kind=payload.kind,
        reason=payload.reason,
        code=payload.code,
        project=project,
        until=payload.until,
    )
    return Status(201, _credit_out(entry))


@router.post(
    "/credit/{record_id}/revoke", response={200: CreditOut, **ERRORS}, summary="撤销信用记录"
)
def revoke_credit(request: HttpRequest, record_id: int, payload: NoteIn):
    user: User = request.auth
    entry = CreditRecord.objects.filter(
        pk=record_id, vendor__jurisdiction_id=jurisdiction_id(user)
    ).first()
    if entry is None or user.organization_id is None:
        raise NotFound("记录不存在或无权查看")
    return _credit_out(supervision.credit_revoke(actor=user, entry=entry, reason=payload.note))


@router.get(
    "/blacklist", response={200: list[CreditOut], **ERRORS}, summary="本辖区黑名单（予以公布）"
)
def blacklist(request: HttpRequest):
    user: User = request.auth
    if user.organization_id is None and not user.is_superuser:
        raise NotFound("无权查看")
    return [_credit_out(c) for c in supervision_selectors.blacklist(jurisdiction_id(user))]
