"""Writes about construction and what follows it: progress and incident reports, acceptance
extensions, termination by the unit, the asset ledger, obligations fulfilled, evaluations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_noop

from govit.access.policy import authorize
from govit.core import clock
from govit.core.errors import Conflict, InvalidInput, RuleRefused
from govit.delivery.models import (
    AcceptanceExtension,
    Asset,
    Evaluation,
    EvaluationKind,
    ExtensionStatus,
    Grade,
    IncidentKind,
    IncidentReport,
    Obligation,
    ProgressReport,
    Termination,
    TrialRun,
)
from govit.delivery.selectors import (
    check_asset_dates,
    check_grade,
    check_progress_date,
    check_progress_percent,
    check_trial_run_dates,
)
from govit.delivery.steps import application_due
from govit.documents.models import DocumentVersion
from govit.events import trail
from govit.events.phrases import Day, Money, Word, maybe, said
from govit.events.services import record
from govit.organizations.models import Organization, User
from govit.policy.decide import cn_date
from govit.projects import workflow
from govit.projects.models import Project, ProjectStatus, StepStatus, Task, TaskStatus


def _active(project: Project) -> None:
    if project.status != ProjectStatus.ACTIVE:
        raise Conflict(f"项目{project.get_status_display()}，不能办理", code="PROJECT_NOT_ACTIVE")


def _duty(project: Project, code: str):
    rb = workflow.rulebook_of(project)
    return next((d for d in rb.model.obligations if d.code == code), None)


# --- progress and incident reports: entered, voided, corrected ------------------------------------


def _check_progress_text(period: str, text: str) -> None:
    if not period.strip() or not text.strip():
        raise InvalidInput("请填写报告期和进展情况", code="TEXT_REQUIRED")


@transaction.atomic
def progress_report(
    *,
    actor: User,
    project: Project,
    period: str,
    percent: int,
    text: str,
    as_of: dt.date | None = None,
) -> ProgressReport:
    authorize(actor, "delivery.unit", project)
    _active(project)
    as_of = as_of or clock.today()
    check_progress_percent(project, percent)
    check_progress_date(project, as_of)
    _check_progress_text(period, text)
    report = ProgressReport.objects.create(
        project=project,
        period=period[:40],
        as_of=as_of,
        percent=percent,
        text=text,
        reported_by=actor,
        reported_at=clock.now(),
    )
    record(
        "progress.reported",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("报送%(period)s进度：截至%(day)s累计完成%(percent)s%%"),
            period=period,
            day=Day(as_of),
            percent=percent,
        ),
        after={"report": report.pk, "percent": percent, "as_of": as_of.isoformat()},
    )
    return report


def _progress_values(report: ProgressReport) -> dict[str, Any]:
    return {
        "report": report.pk,
        "period": report.period,
        "percent": report.percent,
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "text": report.text,
    }


@transaction.atomic
def progress_void(*, actor: User, report: ProgressReport, reason: str) -> ProgressReport:
    """A progress report entered by mistake is voided: it stays, marked 已作废 with the reason,
    and no longer counts (the next report is measured against the live ones)."""
    report = ProgressReport.objects.select_for_update().select_related("project").get(pk=report.pk)
    authorize(actor, "delivery.unit", report.project)
    reason = trail.reason_for(report, reason, "进度报告")
    trail.record_void(
        "progress.voided",
        report,
        actor=actor,
        reason=reason,
        project=report.project,
        summary=said(
            gettext_noop("作废%(period)s进度报告（%(percent)s%%）：%(reason)s"),
            period=report.period,
            percent=report.percent,
            reason=reason,
        ),
        before=_progress_values(report),
        after={"report": report.pk},
    )
    return report


@transaction.atomic
def progress_correct(
    *,
    actor: User,
    report: ProgressReport,
    reason: str,
    period: str,
    percent: int,
    text: str,
    as_of: dt.date | None = None,
) -> ProgressReport:
    """A wrong progress report is replaced by a corrected one: the original stays, marked 已更正
    and linked to the report that supersedes it."""
    report = ProgressReport.objects.select_for_update().select_related("project").get(pk=report.pk)
    project = report.project
    authorize(actor, "delivery.unit", project)
    _active(project)
    reason = trail.reason_for(report, reason, "进度报告")
    as_of = as_of or report.as_of or clock.today()
    check_progress_percent(project, percent, replacing=report)
    check_progress_date(project, as_of, replacing=report)
    _check_progress_text(period, text)
    corrected = ProgressReport.objects.create(
        project=project,
        period=period[:40],
        as_of=as_of,
        percent=percent,
        text=text,
        reported_by=actor,
        reported_at=clock.now(),
    )
    trail.record_correction(
        "progress.corrected",
        report,
        corrected,
        actor=actor,
        reason=reason,
        project=project,
        summary=said(
            gettext_noop("更正%(period)s进度报告：%(old)s%% → %(new)s%%：%(reason)s"),
            period=report.period,
            old=report.percent,
            new=percent,
            reason=reason,
        ),
        before=_progress_values(report),
        after=_progress_values(corrected),
    )
    return corrected


def _incident_text(kind: str, text: str) -> None:
    if kind not in IncidentKind.values:
        raise InvalidInput(f"报告类别不正确：{kind}", code="INVALID_KIND")
    if not text.strip():
        raise InvalidInput("请填写情况说明", code="TEXT_REQUIRED")


@transaction.atomic
def incident_report(*, actor: User, project: Project, kind: str, text: str) -> IncidentReport:
    """工程严重逾期、投资重大损失的报告 (黑龙江第二十六条) to the competent department."""
    authorize(actor, "delivery.unit", project)
    _incident_text(kind, text)
    duty = _duty(project, "SERIOUS_DELAY_REPORT")
    report = IncidentReport.objects.create(
        project=project,
        kind=kind,
        text=text,
        cite=duty.cite if duty else "",
        reported_by=actor,
        reported_at=clock.now(),
    )
    record(
        "incident.reported",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("报告%(kind)s：%(text)s"),
            kind=Word(str(IncidentKind(kind).label)),
            text=text,
        ),
        cite=report.cite,
        after={"incident": report.pk},
    )
    return report


def _incident_values(report: IncidentReport) -> dict[str, Any]:
    return {"incident": report.pk, "kind": report.kind, "text": report.text}


@transaction.atomic
def incident_void(*, actor: User, report: IncidentReport, reason: str) -> IncidentReport:
    report = IncidentReport.objects.select_for_update().select_related("project").get(pk=report.pk)
    authorize(actor, "delivery.unit", report.project)
    reason = trail.reason_for(report, reason, "报告")
    trail.record_void(
        "incident.voided",
        report,
        actor=actor,
        reason=reason,
        project=report.project,
        summary=said(
            gettext_noop("作废%(kind)s报告：%(reason)s"),
            kind=Word(str(report.get_kind_display())),
            reason=reason,
        ),
        cite=report.cite,
        before=_incident_values(report),
        after={"incident": report.pk},
    )
    return report


@transaction.atomic
def incident_correct(
    *, actor: User, report: IncidentReport, reason: str, kind: str, text: str
) -> IncidentReport:
    report = IncidentReport.objects.select_for_update().select_related("project").get(pk=report.pk)
    project = report.project
    authorize(actor, "delivery.unit", project)
    reason = trail.reason_for(report, reason, "报告")
    _incident_text(kind, text)
    corrected = IncidentReport.objects.create(
        project=project,
        kind=kind,
        text=text,
        cite=report.cite,
        reported_by=actor,
        reported_at=clock.now(),
    )
    trail.record_correction(
        "incident.corrected",
        report,
        corrected,
        actor=actor,
        reason=reason,
        project=project,
        summary=said(
            gettext_noop("更正%(kind)s报告：%(reason)s"),
            kind=Word(str(report.get_kind_display())),
            reason=reason,
        ),
        cite=report.cite,
        before=_incident_values(report),
        after=_incident_values(corrected),
    )
    return corrected


@transaction.atomic
def trial_run_record(
    *, actor: User, project: Project, started_on: dt.date, ended_on: dt.date, text: str = ""
) -> TrialRun:
    authorize(actor, "delivery.unit", project)
    _active(project)
    step = project.steps.filter(kind="trial_operation").first()
    if step is None:
        raise RuleRefused("按其规则手册，本项目没有试运行环节", code="NO_SUCH_STEP")
    if project.trial_runs.live().exists():
        raise Conflict("已登记试运行起止日期；有误的请先作废", code="TRIAL_RUN_EXISTS")
    check_trial_run_dates(project, started_on, ended_on)
    run = TrialRun.objects.create(
        project=project,
        started_on=started_on,
        ended_on=ended_on,
        text=text,
        reported_by=actor,
        reported_at=clock.now(),
    )
    record(
        "trial_run.recorded",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("试运行%(start)s至%(end)s"), start=Day(started_on), end=Day(ended_on)
        )
        + maybe(text, gettext_noop("：%(note)s"), note=text),
        cite=step.cite,
        after={
            "trial_run": run.pk,
            "started_on": started_on.isoformat(),
            "ended_on": ended_on.isoformat(),
        },
    )
    return run


@transaction.atomic
def trial_run_void(*, actor: User, run: TrialRun, reason: str) -> TrialRun:
    run = TrialRun.objects.select_for_update().select_related("project").get(pk=run.pk)
    authorize(actor, "delivery.unit", run.project)
    reason = trail.reason_for(run, reason, "试运行登记")
    trail.record_void(
        "trial_run.voided",
        run,
        actor=actor,
        reason=reason,
        project=run.project,
        summary=said(
            gettext_noop("作废试运行登记（%(start)s至%(end)s）：%(reason)s"),
            start=Day(run.started_on),
            end=Day(run.ended_on),
            reason=reason,
        ),
        before={
            "trial_run": run.pk,
            "started_on": run.started_on.isoformat(),
            "ended_on": run.ended_on.isoformat(),
        },
        after={"trial_run": run.pk},
    )
    return run


@transaction.atomic
def extension_request(
    *, actor: User, project: Project, until: dt.date, reason: str
) -> AcceptanceExtension:
    """延期验收申请: where the rulebook sets a time to apply for acceptance (黑龙江第二十九条)."""
    authorize(actor, "delivery.unit", project)
    _active(project)
    rb = workflow.rulebook_of(project)
    spec = rb.model.acceptance.application_due if rb.model.acceptance else None
    if spec is None:
        raise RuleRefused("本办法未规定申请竣工验收的期限，无需申请延期", code="NOT_APPLICABLE")
    if project.completed_on is None:
        raise RuleRefused("项目尚未建成", code="NOT_COMPLETED", cite=spec.cite)
    if not reason.strip():
        raise InvalidInput("请说明不能按期申请验收的原因", code="REASON_REQUIRED")
    due, _ = application_due(project)
    if due is not None and until <= due:
        raise InvalidInput(f"延期日期应晚于现有期限{cn_date(due)}", code="INVALID_DATE")
    extension = AcceptanceExtension.objects.create(
        project=project,
        reason=reason,
        until=until,
        cite=spec.extension_cite or spec.cite,
        requested_by=actor,
        requested_at=clock.now(),
    )
    record(
        "extension.requested",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("申请延期至%(day)s申请竣工验收：%(reason)s"), day=Day(until), reason=reason
        ),
        cite=extension.cite,
        after={"extension": extension.pk},
    )
    return extension


@transaction.atomic
def extension_decide(
    *, actor: User, extension: AcceptanceExtension, approve: bool, opinion: str = ""
) -> AcceptanceExtension:
    extension = (
        AcceptanceExtension.objects.select_for_update()
        .select_related("project")
        .get(pk=extension.pk)
    )
    authorize(actor, "extension.decide", extension.project)
    if extension.status != ExtensionStatus.PENDING:
        raise Conflict("该申请已处理", code="ALREADY_DECIDED")
    if not approve and not opinion.strip():
        raise InvalidInput("不予同意须填写意见", code="OPINION_REQUIRED")
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    extension.decided_by, extension.decided_at, extension.opinion = actor, clock.now(), opinion
    extension.save()
    record(
        "extension.decided",
        actor=actor,
        project=extension.project,
        summary=said(
            gettext_noop("同意延期验收至%(day)s")
            if approve
            else gettext_noop("不同意延期验收至%(day)s"),
            day=Day(extension.until),
        )
        + maybe(opinion, gettext_noop("：%(opinion)s"), opinion=opinion),
        cite=extension.cite,
        after={"extension": extension.pk, "status": extension.status},
    )
    return extension


@transaction.atomic
def project_terminate(
    *, actor: User, project: Project, reason: str, statement_id: int
) -> Termination:
    """The construction unit ends the project and files its written statement (岳阳第二十六条,
    临湘第二十五条). Open tasks are withdrawn; the record stays."""
    authorize(actor, "delivery.unit", project)
    project = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
    _active(project)
    if not reason.strip():
        raise InvalidInput("请说明终止原因", code="REASON_REQUIRED")
    statement = DocumentVersion.objects.filter(pk=statement_id, document__project=project).first()
    if statement is None:
        raise RuleRefused(
            "终止项目须提交书面说明（先上传，再引用其版本）",
            code="STATEMENT_REQUIRED",
            cite=_duty(project, "TERMINATION_STATEMENT").cite
            if _duty(project, "TERMINATION_STATEMENT")
            else None,
        )
    duty = _duty(project, "TERMINATION_STATEMENT")
    recipient_kind = duty.recipient if duty and duty.recipient else "competent_department"
    recipient = workflow.organization_for(project, recipient_kind, "项目终止")
    termination = Termination.objects.create(
        project=project,
        reason=reason,
        statement=statement,
        recipient=recipient,
        cite=duty.cite if duty else "",
        by=actor,
        at=clock.now(),
    )
    _withdraw(project)
    project.status = ProjectStatus.TERMINATED
    project.save(update_fields=["status", "updated_at"])
    record(
        "project.terminated",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("建设单位终止项目实施，书面说明报%(office)s：%(reason)s"),
            office=recipient.name,
            reason=reason,
        ),
        cite=termination.cite,
        before={"status": ProjectStatus.ACTIVE},
        after={"status": project.status},
    )
    return termination


def _withdraw(project: Project) -> None:
    from django.db.models import F

    Task.objects.filter(project=project, status=TaskStatus.OPEN).update(
        status=TaskStatus.CANCELLED, closed_at=clock.now(), version=F("version") + 1
    )


@transaction.atomic
def asset_record(
    *,
    actor: User,
    project: Project,
    name: str,
    value: Any,
    entered_on: dt.date,
    using_unit: Organization | None = None,
    transferred_on: dt.date | None = None,
) -> Asset:
    """资产台账 after acceptance, and a transfer to the using unit (岳阳第三十条)."""
    authorize(actor, "delivery.unit", project)
    if project.accepted_on is None:
        raise RuleRefused(
            "项目竣工验收完成后方可建立资产台账",
            code="NOT_ACCEPTED",
            cite=_cite(project, "ASSET_LEDGER"),
        )
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput("资产价值应为数字（单位：元）", code="INVALID_AMOUNT") from None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e13"):
        raise InvalidInput("资产价值应大于0", code="INVALID_AMOUNT")
    if not name.strip():
        raise InvalidInput("请填写资产名称", code="INVALID_NAME")
    if using_unit is not None and using_unit.jurisdiction_id != project.jurisdiction_id:
        raise InvalidInput("使用单位须为本辖区单位", code="INVALID_UNIT")
    if transferred_on is not None and using_unit is None:
        raise InvalidInput("资产转移须写明使用单位", code="INVALID_UNIT")
    check_asset_dates(entered_on, transferred_on)
    asset = Asset.objects.create(
        project=project,
        name=name[:200],
        value=amount,
        entered_on=entered_on,
        using_unit=using_unit,
        transferred_on=transferred_on,
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    Obligation.objects.filter(
        project=project, code="ASSET_LEDGER", fulfilled_at__isnull=True
    ).update(fulfilled_at=clock.now(), fulfilled_by=actor)
    record(
        "asset.recorded",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("资产入账：%(name)s，%(amount)s"), name=name, amount=Money(amount)
        )
        + maybe(
            using_unit and transferred_on,
            gettext_noop("，转移至%(unit)s"),
            unit=using_unit.name if using_unit else "",
        ),
        cite=_cite(project, "ASSET_LEDGER"),
        after={"asset": asset.pk},
    )
    return asset


def _cite(project: Project, code: str) -> str:
    duty = _duty(project, code)
    return duty.cite if duty else ""


@transaction.atomic
def obligation_fulfil(
    *, actor: User, obligation: Obligation, note: str = "", document_id: int | None = None
) -> Obligation:
    """Mark a duty done (a yearly report filed, surplus funds returned …)."""
    obligation = (
        Obligation.objects.select_for_update().select_related("project").get(pk=obligation.pk)
    )
    authorize(actor, "delivery.unit", obligation.project)
    if obligation.fulfilled_at is not None:
        raise Conflict("该事项已完成", code="ALREADY_FULFILLED")
    if obligation.opens_on and clock.today() < obligation.opens_on:
        raise RuleRefused(
            f"“{obligation.name}”自{cn_date(obligation.opens_on)}起方可办理",
            code="NOT_YET_OPEN",
            cite=obligation.cite,
        )
    document = None
    if document_id is not None:
        document = DocumentVersion.objects.filter(
            pk=document_id, document__project=obligation.project
        ).first()
        if document is None:
            raise InvalidInput("所附材料不存在或不属于本项目", code="INVALID_DOCUMENT")
    obligation.fulfilled_at, obligation.fulfilled_by, obligation.document = (
        clock.now(),
        actor,
        document,
    )
    obligation.note = note[:300]
    obligation.save(update_fields=["fulfilled_at", "fulfilled_by", "document", "note"])
    late = obligation.due_on is not None and clock.today() > obligation.due_on
    record(
        "obligation.fulfilled",
        actor=actor,
        project=obligation.project,
        summary=said(gettext_noop("完成“%(name)s”"), name=obligation.name)
        + maybe(late, gettext_noop("（逾期）"))
        + maybe(note, gettext_noop("：%(note)s"), note=note),
        cite=obligation.cite,
        after={"obligation": obligation.pk},
    )
    return obligation


@transaction.atomic
def evaluation_record(
    *,
    actor: User,
    project: Project,
    kind: str,
    score: Any,
    grade: str,
    findings: str = "",
    rectification_required: bool = False,
) -> Evaluation:
    """自评价 by the unit within its window (黑龙江第三十三条), or 运行后评价 by the competent
    department, whose result feeds the unit's next declarations (临湘第三十三条、连平第二十六条)."""
    if kind not in EvaluationKind.values:
        raise InvalidInput(f"评价类别不正确：{kind}", code="INVALID_KIND")
    authorize(
        actor, "evaluation.self" if kind == EvaluationKind.SELF else "evaluation.post", project
    )
    step = project.steps.filter(
        kind="self_evaluation" if kind == "self" else "post_evaluation"
    ).first()
    if step is None:
        raise RuleRefused(
            "按其规则手册，本项目没有" + ("自评价" if kind == "self" else "运行后评价") + "环节",
            code="NO_SUCH_STEP",
        )
    if step.status != StepStatus.IN_REVIEW:
        workflow.require_previous_done(step)
        raise Conflict(f"“{step.name}”当前{step.get_status_display()}", code="STEP_NOT_OPEN")
    if kind == EvaluationKind.SELF:
        window = project.obligations.filter(code="SELF_EVALUATION").first()
        if window is not None and window.opens_on and clock.today() < window.opens_on:
            raise RuleRefused(
                f"自评价应在投入运行后6至12个月内开展，自{cn_date(window.opens_on)}起方可报送",
                code="SELF_EVALUATION_NOT_OPEN",
                cite=window.cite,
            )
    try:
        score = Decimal(str(score)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput("评分应为0至100的数字", code="INVALID_SCORE") from None
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise InvalidInput("评分应为0至100的数字", code="INVALID_SCORE")
    check_grade(score, grade)
    evaluation = Evaluation.objects.create(
        project=project,
        kind=kind,
        score=score,
        grade=grade,
        findings=findings,
        rectification_required=rectification_required,
        evaluator=actor.organization,
        cite=step.cite,
        by=actor,
        at=clock.now(),
    )
    if kind == EvaluationKind.SELF:
        Obligation.objects.filter(
            project=project, code="SELF_EVALUATION", fulfilled_at__isnull=True
        ).update(fulfilled_at=clock.now(), fulfilled_by=actor)
    record(
        "evaluation.recorded",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("%(kind)s：%(grade)s，%(score)s分"),
            kind=Word(str(EvaluationKind(kind).label)),
            grade=Word(str(Grade(grade).label)),
            score=str(score),
        )
        + maybe(rectification_required, gettext_noop("，须整改")),
        cite=step.cite,
        after={"evaluation": evaluation.pk, "grade": grade, "score": str(score)},
    )
    return evaluation


@transaction.atomic
def evaluation_rectified(*, actor: User, evaluation: Evaluation, note: str) -> Evaluation:
    """The competent department confirms the evaluation's findings were rectified (湘西第十六条
    第（三）项: until then the unit gets no new project)."""
    evaluation = (
        Evaluation.objects.select_for_update().select_related("project").get(pk=evaluation.pk)
    )
    authorize(actor, "evaluation.post", evaluation.project)
    if not evaluation.rectification_required or evaluation.rectified_at is not None:
        raise Conflict("该评价没有待整改的问题", code="NOTHING_TO_RECTIFY")
    evaluation.rectified_at = clock.now()
    evaluation.save(update_fields=["rectified_at"])
    record(
        "evaluation.rectified",
        actor=actor,
        project=evaluation.project,
        summary=said(gettext_noop("确认评价发现的问题已整改到位：%(note)s"), note=note),
        cite=evaluation.cite,
        after={"evaluation": evaluation.pk},
    )
    return evaluation
