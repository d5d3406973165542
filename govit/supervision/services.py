"""Penalties the rulebooks name, recorded against the project with their article, with their
effects (暂停 stops the workflow, 停拨 withholds payments, 终止 ends the project); and vendors'
credit records and blacklist (岳阳第三十八条, 临湘第三十五条)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_noop

from govit.access.policy import authorize
from govit.core import clock
from govit.core.errors import Conflict, InvalidInput, RuleRefused
from govit.events.phrases import Word, said
from govit.events.services import record
from govit.organizations.models import Organization, User
from govit.projects import workflow
from govit.projects.models import Project, ProjectStatus, Task, TaskStatus
from govit.supervision.models import CreditKind, CreditRecord, Penalty
from govit.supervision.selectors import assignments, credit_rules, imposers
from govit.supervision.signals import penalty_changed

MEASURE_LABELS = {
    "rectify": "限期整改",
    "suspend": "暂停项目建设",
    "terminate": "终止项目",
    "stop_funds": "暂停、终止拨付资金",
    "recover_funds": "收回已拨付资金",
    "withhold_payment": "不予支付剩余款项",
    "defer_investment": "暂缓安排信息化投资计划",
    "public_notice": "通报批评",
    "accountability": "追究责任",
}


def _rule(where: Project | Any, code: str, targets: tuple[str, ...]):
    """The rulebook's penalty rule ``code`` for a project (its pinned version) or a jurisdiction."""
    if isinstance(where, Project):
        rb = workflow.rulebook_of(where)
    elif where.rulebook is not None:
        rb = where.rulebook.load()
    else:
        raise RuleRefused(f"“{where.name}”尚未启用规则手册", code="NO_RULEBOOK")
    for penalty in rb.model.penalties:
        if penalty.code == code and penalty.target in targets:
            return penalty
    kind = "供应商" if targets == ("vendor",) else "项目"
    raise InvalidInput(f"本办法没有编号为“{code}”的{kind}处理规则", code="UNKNOWN_RULE")


@transaction.atomic
def penalty_impose(
    *,
    actor: User,
    project: Project,
    code: str,
    measures: list[str],
    reason: str,
    amount: Any = None,
) -> Penalty:
    """责令暂停/终止、暂停拨付、收回资金、通报… as the rulebook's article allows, by the
    department it names."""
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("jurisdiction", "rulebook")
        .get(pk=project.pk)
    )
    rule = _rule(project, code, ("project", "official", "unit_or_person"))
    version = project.rulebook or project.jurisdiction.rulebook
    kinds = imposers(rule, assignments(project.jurisdiction_id, version))
    authorize(actor, "penalty.impose", (project, kinds))
    measures = list(dict.fromkeys(measures))
    if not measures:
        raise InvalidInput("请选择处理措施", code="MEASURES_REQUIRED")
    if bad := [m for m in measures if m not in rule.measures]:
        allowed = "、".join(MEASURE_LABELS.get(m, m) for m in rule.measures)
        raise RuleRefused(
            f"{rule.cite}规定的措施不包括：{'、'.join(MEASURE_LABELS.get(m, m) for m in bad)}（可用：{allowed}）",
            code="MEASURE_NOT_ALLOWED",
            cite=rule.cite,
        )
    if not reason.strip():
        raise InvalidInput("请写明事实与理由", code="REASON_REQUIRED")
    if project.status in (ProjectStatus.TERMINATED, ProjectStatus.REJECTED):
        raise Conflict(f"项目{project.get_status_display()}", code="PROJECT_CLOSED")
    recover = None
    if "recover_funds" in measures:
        try:
            recover = Decimal(str(amount)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError, TypeError):
            raise InvalidInput("收回已拨付资金须写明金额（元）", code="AMOUNT_REQUIRED") from None
        if not recover.is_finite() or recover <= 0:
            raise InvalidInput("收回金额应大于0", code="AMOUNT_REQUIRED")
    penalty = Penalty.objects.create(
        project=project,
        jurisdiction=project.jurisdiction,
        code=code,
        measures=measures,
        reason=reason,
        amount=recover,
        cite=rule.cite,
        imposed_by=actor,
        imposed_org=actor.organization,
        imposed_at=clock.now(),
    )
    before = project.status
    if "terminate" in measures:
        Task.objects.filter(project=project, status=TaskStatus.OPEN).update(
            status=TaskStatus.CANCELLED, closed_at=clock.now()
        )
        project.status = ProjectStatus.TERMINATED
    elif "suspend" in measures and project.status == ProjectStatus.ACTIVE:
        project.status = ProjectStatus.SUSPENDED
    project.save(update_fields=["status", "updated_at"])
    record(
        "penalty.imposed",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("%(office)s：%(measures)s——%(reason)s"),
            office=actor.organization.name,
            measures=[Word(MEASURE_LABELS.get(m, m)) for m in measures],
            reason=reason,
        ),
        cite=rule.cite,
        before={"status": before},
        after={"status": project.status, "penalty": penalty.pk, "measures": measures},
    )
    if "stop_funds" in measures:
        penalty_changed.send(Penalty, project=project, actor=actor, penalty=penalty)
    return penalty


@transaction.atomic
def penalty_lift(*, actor: User, penalty: Penalty, reason: str) -> Penalty:
    """解除: the suspension ends, payments resume. A termination cannot be undone."""
    # of=self: a penalty may name no project, and PostgreSQL cannot lock the outer join's null side
    penalty = (
        Penalty.objects.select_for_update(of=("self",)).select_related("project").get(pk=penalty.pk)
    )
    project = penalty.project
    authorize(actor, "penalty.lift", penalty)
    if penalty.lifted_at is not None:
        raise Conflict("该措施已解除", code="ALREADY_LIFTED")
    if "terminate" in penalty.measures:
        raise Conflict("终止项目的决定不能解除", code="CANNOT_LIFT")
    if not reason.strip():
        raise InvalidInput("请写明解除理由（如整改到位）", code="REASON_REQUIRED")
    penalty.lifted_at, penalty.lifted_by, penalty.lift_reason = clock.now(), actor, reason
    penalty.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    before = project.status
    still_suspended = any(
        "suspend" in p.measures
        for p in Penalty.objects.filter(project=project, lifted_at__isnull=True)
    )
    if project.status == ProjectStatus.SUSPENDED and not still_suspended:
        project.status = ProjectStatus.ACTIVE
        project.save(update_fields=["status", "updated_at"])
    record(
        "penalty.lifted",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("解除%(measures)s：%(reason)s"),
            measures=[Word(MEASURE_LABELS.get(m, m)) for m in penalty.measures],
            reason=reason,
        ),
        cite=penalty.cite,
        before={"status": before},
        after={"status": project.status, "penalty": penalty.pk},
    )
    if "stop_funds" in penalty.measures:
        penalty_changed.send(Penalty, project=project, actor=actor, penalty=penalty)
    return penalty


@transaction.atomic
def credit_record(
    *,
    actor: User,
    vendor: Organization,
    kind: str,
    reason: str,
    code: str,
    project: Project | None = None,
    until: Any = None,
) -> CreditRecord:
    """将不良行为记入信用档案或列入黑名单予以公布."""
    if not vendor.is_vendor:
        raise InvalidInput(
            "只有服务机构（咨询、设计、承建、代理、监理、测评）可记入信用档案", code="NOT_A_VENDOR"
        )
    jurisdiction = vendor.jurisdiction
    rule = _rule(jurisdiction, code, ("vendor",))
    kinds = imposers(rule, assignments(jurisdiction.pk, jurisdiction.rulebook))
    authorize(actor, "credit.record", (jurisdiction.pk, kinds))
    if kind not in CreditKind.values:
        raise InvalidInput(f"类别不正确：{kind}", code="INVALID_KIND")
    measure = "blacklist" if kind == CreditKind.BLACKLIST else "credit_record"
    if measure not in rule.measures:
        raise RuleRefused(f"{rule.cite}未规定此措施", code="MEASURE_NOT_ALLOWED", cite=rule.cite)
    if not reason.strip():
        raise InvalidInput("请写明不良行为", code="REASON_REQUIRED")
    if project is not None and project.jurisdiction_id != jurisdiction.pk:
        raise InvalidInput("项目不在本辖区", code="INVALID_PROJECT")
    entry = CreditRecord.objects.create(
        vendor=vendor,
        kind=kind,
        reason=reason,
        project=project,
        cite=rule.cite,
        recorded_by=actor,
        recorded_at=clock.now(),
        until=until,
    )
    record(
        "credit.recorded",
        actor=actor,
        jurisdiction=jurisdiction,
        summary=said(
            gettext_noop("%(vendor)s%(kind)s：%(reason)s"),
            vendor=vendor.name,
            kind=Word(str(CreditKind(kind).label)),
            reason=reason,
        ),
        cite=rule.cite,
        after={"credit": entry.pk, "vendor": vendor.pk, "kind": kind},
    )
    return entry


@transaction.atomic
def credit_revoke(*, actor: User, entry: CreditRecord, reason: str) -> CreditRecord:
    entry = (
        CreditRecord.objects.select_for_update()
        .select_related("vendor__jurisdiction")
        .get(pk=entry.pk)
    )
    # the departments the jurisdiction's rulebook names for vendors' credit revoke what they
    # record (the competent department where the rulebook names none)
    jurisdiction = entry.vendor.jurisdiction
    rb = jurisdiction.rulebook.load() if jurisdiction.rulebook_id else None
    rule_orgs = {k for p in (credit_rules(rb) if rb else []) for k in p.imposed_by}
    authorize(actor, "credit.record", (jurisdiction.pk, rule_orgs or {"competent_department"}))
    if entry.revoked_at is not None:
        raise Conflict("该记录已撤销", code="ALREADY_REVOKED")
    if not reason.strip():
        raise InvalidInput("请写明撤销理由", code="REASON_REQUIRED")
    entry.revoked_at = clock.now()
    entry.save(update_fields=["revoked_at"])
    record(
        "credit.revoked",
        actor=actor,
        jurisdiction=entry.vendor.jurisdiction,
        summary=said(
            gettext_noop("撤销%(vendor)s的%(kind)s：%(reason)s"),
            vendor=entry.vendor.name,
            kind=Word(str(entry.get_kind_display())),
            reason=reason,
        ),
        cite=entry.cite,
        after={"credit": entry.pk},
    )
    return entry
