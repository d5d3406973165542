"""The project actions after 立项, one entry each: its form, who it is for, the rules the page shows
before the user submits, and the service that does it. The project page lists the entries that
fit the user; the generic action page (views/projects.py ``project_action``) renders any of them.

Whether the regulation allows the action is never decided here: the service refuses, citing the
article, and the page shows that refusal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from govit.contracts import selectors as contract_checks
from govit.contracts import services as contracts
from govit.contracts.models import (
    ChangeRequest,
    ChangeStatus,
    Contract,
    Payment,
    PaymentStatus,
    Procurement,
)
from govit.delivery import services as delivery
from govit.delivery.models import (
    AcceptanceExtension,
    Evaluation,
    ExtensionStatus,
    IncidentReport,
    Obligation,
    ProgressReport,
    TrialRun,
)
from govit.documents.models import DocumentVersion
from govit.organizations.models import Organization, User
from govit.policy import render
from govit.projects.models import PartyRole, Project
from govit.web import labels
from govit.web import project_forms as pf
from govit.web.forms import yuan_as_wan

UNIT, AUTHORITY = "unit", "authority"


@dataclass(frozen=True)
class ProjectAction:
    slug: str
    label: Any
    form: type[forms.Form]
    who: str  # UNIT: the project's construction unit; AUTHORITY: the competent department
    perform: Callable[[User, Project, dict[str, Any]], Any]
    # (rulebook, the project's steps by kind) → the rules shown before the form
    rules: Callable[..., list[tuple[str, str]]] = lambda rb, applied=None: []
    choices: dict[str, Callable[[Project], list[tuple[Any, str]]]] = field(default_factory=dict)
    # the record's checks, run before it is saved (the service runs the same): findings
    check: Callable[[Project, dict[str, Any]], list[dict[str, Any]]] | None = None


def _vendors(kinds: tuple[str, ...]) -> Callable[[Project], list[tuple[Any, str]]]:
    def choices(project: Project) -> list[tuple[Any, str]]:
        return [
            (o.pk, o.name)
            for o in Organization.objects.filter(
                jurisdiction_id=project.jurisdiction_id, kind__in=kinds, is_active=True
            ).order_by("name")
        ]

    return choices


def _signatories(project: Project) -> list[tuple[Any, str]]:
    """The 联合单位 that may sign their own contract (连平第十五条: 分别签订合同)."""
    return [
        (p.organization_id, p.organization.name)
        for p in project.parties.filter(role=PartyRole.JOINT_UNIT).select_related("organization")
    ]


def _contracts(project: Project) -> list[tuple[Any, str]]:
    return [
        (c.pk, f"{c.number} · {c.vendor.name} · {yuan_as_wan(c.amount)} 万元")
        for c in project.contracts.live().select_related("vendor")
    ]


def _payment_label(p: Payment) -> str:
    return f"{p.contract.number} 第{p.number}期 · {yuan_as_wan(p.amount)} 万元 · {labels.day(p.due_on)} · {p.get_status_display()}"


def _planned_payments(project: Project) -> list[tuple[Any, str]]:
    return [
        (p.pk, _payment_label(p))
        for p in project.payments.live()
        .select_related("contract")
        .filter(status=PaymentStatus.PLANNED)
    ]


def _live_payments(project: Project) -> list[tuple[Any, str]]:
    return [(p.pk, _payment_label(p)) for p in project.payments.live().select_related("contract")]


def _live_procurements(project: Project) -> list[tuple[Any, str]]:
    return [
        (p.pk, f"{p.get_method_display()} · {p.winner.name} · {labels.day(p.awarded_on)}")
        for p in project.procurements.live().select_related("winner")
    ]


def _pending_changes(project: Project) -> list[tuple[Any, str]]:
    return [
        (
            c.pk,
            f"第{c.number}次变更 · 变更部分 {yuan_as_wan(c.amount)} 万元 · 变更后合同总金额 {yuan_as_wan(c.new_total)} 万元",
        )
        for c in project.changes.filter(status=ChangeStatus.PENDING)
    ]


def _pending_extensions(project: Project) -> list[tuple[Any, str]]:
    return [
        (e.pk, f"延期至 {labels.day(e.until)} · {e.reason[:40]}")
        for e in project.extensions.filter(status=ExtensionStatus.PENDING)
    ]


def _statements(project: Project) -> list[tuple[Any, str]]:
    return [
        (v.pk, f"{v.document.name} · v{v.number} · {v.filename}")
        for v in DocumentVersion.objects.filter(document__project=project).select_related(
            "document"
        )
    ]


def _valid_progress(project: Project) -> list[tuple[Any, str]]:
    return [
        (r.pk, f"{r.period} · {r.percent}%" + (f" · {labels.day(r.as_of)}" if r.as_of else ""))
        for r in project.progress_reports.live().order_by("-id")
    ]


def _valid_incidents(project: Project) -> list[tuple[Any, str]]:
    return [
        (r.pk, f"{r.get_kind_display()} · {labels.day(r.reported_at)} · {r.text[:40]}")
        for r in project.incidents.live().order_by("-id")
    ]


def _valid_trial_runs(project: Project) -> list[tuple[Any, str]]:
    return [
        (r.pk, f"{labels.day(r.started_on)} — {labels.day(r.ended_on)}")
        for r in project.trial_runs.live()
    ]


def _steps(*kinds: str) -> Callable[..., list[tuple[str, str]]]:
    return lambda rb, applied=None: render.step_rules(rb, kinds, applied)


def _voiding(
    slug: str,
    label: Any,
    form: type[forms.Form],
    perform: Callable[[User, Project, dict[str, Any]], Any],
    records: Callable[[Project], list[tuple[Any, str]]],
    rules: Callable[..., list[tuple[str, str]]] | None = None,
) -> ProjectAction:
    """The unit voids a record it entered by mistake: one of its ``records`` in force, with a
    reason (``govit.events.trail``; ``pf.void_form``)."""
    kwargs = {"rules": rules} if rules is not None else {}
    return ProjectAction(slug, label, form, UNIT, perform, choices={"record": records}, **kwargs)


def _org(project: Project, pk: int) -> Organization:
    return Organization.objects.get(pk=pk, jurisdiction_id=project.jurisdiction_id)


def _acknowledged(d: dict[str, Any]) -> list[str]:
    return list(d.get("acknowledged") or ())


def _procurement_check(p: Project, d: dict[str, Any], replacing: Any = None) -> list[Any]:
    return contract_checks.procurement_findings(
        p,
        winner=_org(p, d["winner"]),
        awarded_on=d["awarded_on"],
        announced_on=d["announced_on"],
        replacing=replacing,
    )


def _contract_values(d: dict[str, Any]) -> dict[str, Any]:
    years = d["om_period_years"]
    return {
        "ip_ownership": d["ip_ownership"],
        "termination_mechanism": d["termination_mechanism"],
        "equipment_matches_scheme": d["equipment_matches_scheme"],
        "om_period_years": Decimal(years) if years is not None else None,
    }


def _contract_check(p: Project, d: dict[str, Any], replacing: Contract | None = None) -> list[Any]:
    return contract_checks.contract_entry_findings(
        p,
        kind=replacing.kind if replacing is not None else d["kind"],
        vendor=_org(p, d["vendor"]),
        amount=d["amount"],
        signed_on=d["signed_on"],
        values=_contract_values(d),
        replacing=replacing,
    )


def _contract_fields(p: Project, d: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": d["number"],
        "amount": d["amount"],
        "signed_on": d["signed_on"],
        "om_period_years": d["om_period_years"],
        "ip_ownership": d["ip_ownership"],
        "termination_mechanism": d["termination_mechanism"],
        "equipment_matches_scheme": d["equipment_matches_scheme"],
        "acknowledged": _acknowledged(d),
        "signatory": _org(p, d["signatory"]) if d.get("signatory") else None,
    }


def _change_check(p: Project, d: dict[str, Any]) -> list[Any]:
    total = contract_checks.effective_contract_amount(p)
    if total is None:
        return []  # the service refuses: no construction contract yet
    original = d["original_quantity"] * d["original_unit_price"]
    new = d["new_quantity"] * d["new_unit_price"]
    return contract_checks.change_findings(
        p, original=original, new_total=total - original + new, contract_total=total
    )


def _payment_check(p: Project, d: dict[str, Any]) -> list[Any]:
    replacing = Payment.objects.get(pk=d["record"], project=p)
    return contract_checks.payment_findings(
        replacing.contract,
        amount=d["amount"],
        due_on=d["due_on"],
        paid_on=d["paid_on"],
        replacing=replacing,
    )


def _change_items(d: dict[str, Any]) -> list[dict[str, Any]]:
    keys = ("category", "sub_project", "original_model", "original_quantity", "original_unit_price")
    keys += ("new_model", "new_quantity", "new_unit_price")
    return [{k: d[k] for k in keys}]


ACTIONS = [
    ProjectAction(
        "procurement",
        _("登记采购结果"),
        pf.ProcurementForm,
        UNIT,
        lambda u, p, d: contracts.procurement_record(
            actor=u,
            project=p,
            method=d["method"],
            winner=_org(p, d["winner"]),
            awarded_on=d["awarded_on"],
            announced_on=d["announced_on"],
            note=d["note"],
            acknowledged=_acknowledged(d),
        ),
        _steps("procurement"),
        {"winner": _vendors(("contractor",))},
        _procurement_check,
    ),
    ProjectAction(
        "contract",
        _("登记合同"),
        pf.ContractForm,
        UNIT,
        lambda u, p, d: contracts.contract_register(
            actor=u,
            project=p,
            kind=d["kind"],
            vendor=_org(p, d["vendor"]),
            **_contract_fields(p, d),
        ),
        _steps("contract_filing", "procurement"),
        {
            "vendor": _vendors(("contractor", "supervisor", "consultant")),
            "signatory": _signatories,
        },
        _contract_check,
    ),
    ProjectAction(
        "payment-plan",
        _("计划一期支付"),
        pf.PaymentPlanForm,
        UNIT,
        lambda u, p, d: contracts.payment_plan(
            actor=u,
            contract=Contract.objects.get(pk=d["contract"], project=p),
            amount=d["amount"],
            due_on=d["due_on"],
            acknowledged=_acknowledged(d),
        ),
        _steps("construction", "final_acceptance"),
        {"contract": _contracts},
        lambda p, d: contract_checks.payment_findings(
            Contract.objects.get(pk=d["contract"], project=p),
            amount=d["amount"],
            due_on=d["due_on"],
        ),
    ),
    ProjectAction(
        "payment-pay",
        _("登记已支付"),
        pf.PaymentPayForm,
        UNIT,
        lambda u, p, d: contracts.payment_pay(
            actor=u,
            payment=Payment.objects.get(pk=d["payment"], project=p),
            paid_on=d["paid_on"],
            acknowledged=_acknowledged(d),
        ),
        _steps("final_acceptance"),
        {"payment": _planned_payments},
        lambda p, d: contract_checks.paid_findings(
            Payment.objects.select_related("contract").get(pk=d["payment"], project=p).contract,
            d["paid_on"],
        ),
    ),
    ProjectAction(
        "change",
        _("申请变更"),
        pf.ChangeForm,
        UNIT,
        lambda u, p, d: contracts.change_request(
            actor=u,
            project=p,
            reason=d["reason"],
            basis=d["basis"],
            description=d["description"],
            items=_change_items(d),
            goal_changed=d["goal_changed"],
            acknowledged=_acknowledged(d),
        ),
        render.change_rules,
        check=_change_check,
    ),
    ProjectAction(
        "change-decide",
        _("变更审批"),
        pf.ChangeDecideForm,
        AUTHORITY,
        lambda u, p, d: contracts.change_decide(
            actor=u,
            change=ChangeRequest.objects.get(pk=d["change"], project=p),
            decision=d["decision"],
            opinion=d["opinion"],
        ),
        render.change_rules,
        {"change": _pending_changes},
    ),
    ProjectAction(
        "progress",
        _("报送建设进度"),
        pf.ProgressForm,
        UNIT,
        lambda u, p, d: delivery.progress_report(
            actor=u,
            project=p,
            period=d["period"],
            percent=d["percent"],
            text=d["text"],
            as_of=d["as_of"],
        ),
        _steps("construction"),
    ),
    ProjectAction(
        "progress-correct",
        _("更正进度报告"),
        pf.ProgressCorrectForm,
        UNIT,
        lambda u, p, d: delivery.progress_correct(
            actor=u,
            report=ProgressReport.objects.get(pk=d["record"], project=p),
            reason=d["reason"],
            period=d["period"],
            percent=d["percent"],
            text=d["text"],
            as_of=d["as_of"],
        ),
        _steps("construction"),
        {"record": _valid_progress},
    ),
    _voiding(
        "progress-void",
        _("作废进度报告"),
        pf.void_form(_("进度报告")),
        lambda u, p, d: delivery.progress_void(
            actor=u,
            report=ProgressReport.objects.get(pk=d["record"], project=p),
            reason=d["reason"],
        ),
        _valid_progress,
        _steps("construction"),
    ),
    ProjectAction(
        "incident",
        _("报告严重逾期或重大损失"),
        pf.IncidentForm,
        UNIT,
        lambda u, p, d: delivery.incident_report(
            actor=u, project=p, kind=d["kind"], text=d["text"]
        ),
        _steps("construction"),
    ),
    ProjectAction(
        "incident-correct",
        _("更正严重逾期或重大损失报告"),
        pf.IncidentCorrectForm,
        UNIT,
        lambda u, p, d: delivery.incident_correct(
            actor=u,
            report=IncidentReport.objects.get(pk=d["record"], project=p),
            reason=d["reason"],
            kind=d["kind"],
            text=d["text"],
        ),
        _steps("construction"),
        {"record": _valid_incidents},
    ),
    _voiding(
        "incident-void",
        _("作废严重逾期或重大损失报告"),
        pf.void_form(_("重大问题报告")),
        lambda u, p, d: delivery.incident_void(
            actor=u,
            report=IncidentReport.objects.get(pk=d["record"], project=p),
            reason=d["reason"],
        ),
        _valid_incidents,
        _steps("construction"),
    ),
    ProjectAction(
        "trial-run",
        _("登记试运行起止日期"),
        pf.TrialRunForm,
        UNIT,
        lambda u, p, d: delivery.trial_run_record(
            actor=u, project=p, started_on=d["started_on"], ended_on=d["ended_on"], text=d["text"]
        ),
        _steps("preliminary_acceptance", "trial_operation"),
    ),
    _voiding(
        "trial-run-void",
        _("作废试运行登记"),
        pf.void_form(_("试运行登记")),
        lambda u, p, d: delivery.trial_run_void(
            actor=u, run=TrialRun.objects.get(pk=d["record"], project=p), reason=d["reason"]
        ),
        _valid_trial_runs,
        _steps("trial_operation"),
    ),
    ProjectAction(
        "extension",
        _("申请延期验收"),
        pf.ExtensionForm,
        UNIT,
        lambda u, p, d: delivery.extension_request(
            actor=u, project=p, until=d["until"], reason=d["reason"]
        ),
        _steps("final_acceptance", "acceptance_application"),
    ),
    ProjectAction(
        "extension-decide",
        _("审批延期验收"),
        pf.ExtensionDecideForm,
        AUTHORITY,
        lambda u, p, d: delivery.extension_decide(
            actor=u,
            extension=AcceptanceExtension.objects.get(pk=d["extension"], project=p),
            approve=d["decision"] == "approve",
            opinion=d["opinion"],
        ),
        _steps("final_acceptance", "acceptance_application"),
        {"extension": _pending_extensions},
    ),
    ProjectAction(
        "terminate",
        _("终止项目"),
        pf.TerminateForm,
        UNIT,
        lambda u, p, d: delivery.project_terminate(
            actor=u, project=p, reason=d["reason"], statement_id=d["statement"]
        ),
        _steps("construction"),
        {"statement": _statements},
    ),
    ProjectAction(
        "evaluation",
        _("登记自评价结果"),
        pf.EvaluationForm,
        UNIT,  # the unit's own; the post-evaluation is the competent department's (below)
        lambda u, p, d: delivery.evaluation_record(
            actor=u,
            project=p,
            kind="self",
            score=d["score"],
            grade=d["grade"],
            findings=d["findings"],
            rectification_required=d["rectification_required"],
        ),
        _steps("self_evaluation"),
    ),
]
ACTIONS += [
    ProjectAction(
        "post-evaluation",
        _("登记后评价结果"),
        pf.EvaluationForm,
        AUTHORITY,
        lambda u, p, d: delivery.evaluation_record(
            actor=u,
            project=p,
            kind="post",
            score=d["score"],
            grade=d["grade"],
            findings=d["findings"],
            rectification_required=d["rectification_required"],
        ),
        _steps("post_evaluation"),
    ),
    ProjectAction(
        "asset",
        _("资产入账"),
        pf.AssetForm,
        UNIT,
        lambda u, p, d: delivery.asset_record(
            actor=u, project=p, name=d["name"], value=d["value"], entered_on=d["entered_on"]
        ),
        _steps("final_acceptance", "archive_acceptance"),
    ),
]


def _open_obligations(project: Project) -> list[tuple[Any, str]]:
    return [
        (o.pk, f"{o.name}" + (f" · {labels.day(o.due_on)}" if o.due_on else ""))
        for o in project.obligations.filter(fulfilled_at__isnull=True).order_by("due_on", "pk")
    ]


def _unrectified(project: Project) -> list[tuple[Any, str]]:
    return [
        (e.pk, f"{e.get_kind_display()} · {e.get_grade_display()} · {e.findings[:40]}")
        for e in project.evaluations.filter(rectification_required=True, rectified_at__isnull=True)
    ]


ACTIONS += [
    ProjectAction(
        "obligation",
        _("履行义务（年度报告等）"),
        pf.ObligationForm,
        UNIT,
        lambda u, p, d: delivery.obligation_fulfil(
            actor=u,
            obligation=Obligation.objects.get(pk=d["obligation"], project=p),
            note=d["note"],
            document_id=d["document"],
        ),
        _steps("om_report", "self_evaluation"),
        {"obligation": _open_obligations, "document": _statements},
    ),
    ProjectAction(
        "rectified",
        _("确认评价问题整改到位"),
        pf.RectifiedForm,
        AUTHORITY,
        lambda u, p, d: delivery.evaluation_rectified(
            actor=u,
            evaluation=Evaluation.objects.get(pk=d["evaluation"], project=p),
            note=d["note"],
        ),
        _steps("post_evaluation"),
        {"evaluation": _unrectified},
    ),
]
# a record entered by mistake: voided or corrected by the unit that entered it, with a reason;
# the old row stays (已作废 / 已更正) on the page and in the event log
ACTIONS += [
    _voiding(
        "procurement-void",
        _("作废采购记录"),
        pf.void_form(_("采购记录")),
        lambda u, p, d: contracts.procurement_void(
            actor=u,
            procurement=Procurement.objects.get(pk=d["record"], project=p),
            reason=d["reason"],
        ),
        _live_procurements,
    ),
    ProjectAction(
        "procurement-correct",
        _("更正采购记录"),
        pf.ProcurementCorrectForm,
        UNIT,
        lambda u, p, d: contracts.procurement_correct(
            actor=u,
            procurement=Procurement.objects.get(pk=d["record"], project=p),
            reason=d["reason"],
            method=d["method"],
            winner=_org(p, d["winner"]),
            awarded_on=d["awarded_on"],
            announced_on=d["announced_on"],
            note=d["note"],
            acknowledged=_acknowledged(d),
        ),
        _steps("procurement"),
        {"record": _live_procurements, "winner": _vendors(("contractor",))},
        lambda p, d: _procurement_check(p, d, Procurement.objects.get(pk=d["record"], project=p)),
    ),
    _voiding(
        "contract-void",
        _("作废合同"),
        pf.void_form(
            _("合同"), _("合同的计划支付一并作废；已有已支付款项的，须先作废或更正支付记录。")
        ),
        lambda u, p, d: contracts.contract_void(
            actor=u, contract=Contract.objects.get(pk=d["record"], project=p), reason=d["reason"]
        ),
        _contracts,
        _steps("contract_filing"),
    ),
    ProjectAction(
        "contract-correct",
        _("更正合同"),
        pf.ContractCorrectForm,
        UNIT,
        lambda u, p, d: contracts.contract_correct(
            actor=u,
            contract=Contract.objects.get(pk=d["record"], project=p),
            reason=d["reason"],
            vendor=_org(p, d["vendor"]),
            **_contract_fields(p, d),
        ),
        _steps("contract_filing", "procurement"),
        {
            "record": _contracts,
            "vendor": _vendors(("contractor", "supervisor", "consultant")),
            "signatory": _signatories,
        },
        lambda p, d: _contract_check(p, d, Contract.objects.get(pk=d["record"], project=p)),
    ),
    _voiding(
        "payment-void",
        _("作废支付记录"),
        pf.void_form(_("支付记录")),
        lambda u, p, d: contracts.payment_void(
            actor=u, payment=Payment.objects.get(pk=d["record"], project=p), reason=d["reason"]
        ),
        _live_payments,
    ),
    ProjectAction(
        "payment-correct",
        _("更正支付记录"),
        pf.PaymentCorrectForm,
        UNIT,
        lambda u, p, d: contracts.payment_correct(
            actor=u,
            payment=Payment.objects.get(pk=d["record"], project=p),
            reason=d["reason"],
            amount=d["amount"],
            due_on=d["due_on"],
            paid_on=d["paid_on"],
            acknowledged=_acknowledged(d),
        ),
        choices={"record": _live_payments},
        check=_payment_check,
    ),
]
BY_SLUG = {a.slug: a for a in ACTIONS}


def build_form(
    action: ProjectAction, project: Project, data: Any = None, chosen: Any = None
) -> forms.Form:
    """The action's form for the project; ``chosen`` (the page's query, e.g. ``?change=7`` from
    the 工作台) preselects the record a choice field names, when it is one of the choices."""
    form = action.form(data)
    form.project = project  # the forms that check against the project's records read it
    for name, choices in action.choices.items():
        form.fields[name].choices = [("", "—"), *choices(project)]
        if name == "signatory":  # asked only where there are 联合单位; empty: the unit signs
            if len(form.fields[name].choices) == 1:
                del form.fields[name]
                continue
            form.fields[name].choices = [("", project.unit.name), *form.fields[name].choices[1:]]
        wanted = (chosen or {}).get(name)
        if (
            data is None
            and wanted
            and any(str(value) == wanted for value, _label in form.fields[name].choices)
        ):
            form.initial[name] = wanted
    if action.check is not None:
        form.check = lambda data: action.check(project, data)
    if action.slug == "change-decide":  # the approver reads each change in full before deciding
        form.changes = [
            contract_checks.change_summary(c)
            for c in project.changes.filter(status=ChangeStatus.PENDING)
            .select_related("project")
            .order_by("number")
        ]
    return form


# --- the 办理 panel: each action in its group, offered once the project has reached its stage ----

PROCURE, PAY, BUILD, ACCEPT, OPERATE, CORRECT = (
    _("采购与合同"),
    _("支付"),
    _("建设与变更"),
    _("验收"),
    _("运行与评价"),
    _("作废与更正"),
)
GROUPS = (PROCURE, PAY, BUILD, ACCEPT, OPERATE, CORRECT)
_PROCUREMENT = ("procurement", "contract_filing")
_PAYMENTS = ("procurement", "contract_filing", "construction")
# slug → (its group, the steps from which it makes sense: offered once the project has reached one
# of them; an action none of whose steps the project's rulebook has is not offered at all — a trial
# run where the regulation has no 试运行)
PANEL: dict[str, tuple[Any, tuple[str, ...]]] = {
    "procurement": (PROCURE, _PROCUREMENT),
    "contract": (PROCURE, _PROCUREMENT),
    "payment-plan": (PAY, _PAYMENTS),
    "payment-pay": (PAY, _PAYMENTS),
    "change": (BUILD, ("construction",)),
    "change-decide": (BUILD, ("construction",)),
    "progress": (BUILD, ("construction",)),
    "incident": (BUILD, ("construction",)),
    "terminate": (BUILD, ("construction",)),
    "obligation": (OPERATE, ("construction",)),  # 黑龙江第二十五条: yearly reports while building
    "trial-run": (ACCEPT, ("trial_operation",)),
    "extension": (ACCEPT, ("construction",)),
    "extension-decide": (ACCEPT, ("construction",)),
    "asset": (ACCEPT, ("final_acceptance",)),
    "evaluation": (OPERATE, ("self_evaluation",)),
    "post-evaluation": (OPERATE, ("post_evaluation",)),
    "rectified": (OPERATE, ("self_evaluation", "post_evaluation")),
    "procurement-void": (CORRECT, _PROCUREMENT),
    "procurement-correct": (CORRECT, _PROCUREMENT),
    "contract-void": (CORRECT, _PROCUREMENT),
    "contract-correct": (CORRECT, _PROCUREMENT),
    "payment-void": (CORRECT, _PAYMENTS),
    "payment-correct": (CORRECT, _PAYMENTS),
    "progress-correct": (CORRECT, ("construction",)),
    "progress-void": (CORRECT, ("construction",)),
    "incident-correct": (CORRECT, ("construction",)),
    "incident-void": (CORRECT, ("construction",)),
    "trial-run-void": (CORRECT, ("trial_operation",)),
}


def panel(actions: list[ProjectAction], steps: list[Any]) -> list[tuple[Any, list[ProjectAction]]]:
    """The actions the 办理 panel offers, by group: those whose stage the project has reached (its
    steps in order; a step is reached once every step before it is done or it is itself open)."""
    seq = {s.kind: s.seq for s in steps}
    waiting = [s.seq for s in steps if s.status == "pending"]
    reached = min(waiting) - 1 if waiting else max(seq.values(), default=0)
    by_group: dict[Any, list[ProjectAction]] = {}
    for action in actions:
        group, kinds = PANEL[action.slug]
        if any(kind in seq and seq[kind] <= reached for kind in kinds):
            by_group.setdefault(group, []).append(action)
    return [(group, by_group[group]) for group in GROUPS if group in by_group]
