"""What the workflow does at particular steps of the back half, whatever the jurisdiction: the
facts come from each project's rulebook (its acceptance section, its obligations, its
self-evaluation window), never from the jurisdiction's name.

Registered per step kind with the workflow (``govit.projects.hooks``, in ``delivery/apps.py``)
and called by it inside the service's transaction at five moments: when a step opens, before the
unit submits it, before a task completes or approves it, after it passes, and when the
acceptance organizer returns it (a failed acceptance).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_noop

from govit.contracts.holds import sync_payment_holds
from govit.contracts.selectors import effective_contract_amount
from govit.core import clock
from govit.core.errors import InvalidInput, RuleRefused
from govit.delivery.models import Obligation, ProgressReport, Rectification
from govit.events.phrases import Day, maybe, said
from govit.events.services import record
from govit.organizations.models import User
from govit.policy.calendar import add_months
from govit.policy.decide import cn_date
from govit.policy.loader import LoadedRulebook
from govit.policy.schema import MonthDay
from govit.projects import workflow
from govit.projects.models import Project, ProjectStep, StepStatus
from govit.reviews.models import MeetingStatus, ReviewMeeting
from govit.reviews.selectors import experts_required

ACCEPTANCE_KINDS = ("final_acceptance",)
# a yearly duty whose first year a step of the procedure carries (岳阳第三十一条, 临湘第二十九条:
# the om_report step is the first year's O&M report): while that step is to be done, its task is
# the duty, due when the obligation is; completing it fulfils the obligation
CARRIED_BY_STEP = {"OM_REPORT": "om_report"}
# where a failed review opens a rectification with a deadline (连平第二十五条: 符合性审查)
RECTIFIABLE_KINDS = ("final_acceptance", "compliance_review")


# --- before the unit submits a step -----------------------------------------------------------


def require_main_contract(step: ProjectStep, actor: User | None = None) -> None:
    if not step.project.contracts.live().filter(kind="main").exists():
        raise RuleRefused("须先登记建设合同", code="CONTRACT_MISSING", cite=step.cite)


def require_application_in_time(step: ProjectStep, actor: User | None = None) -> None:
    _require_application_in_time(step.project)


# --- before a task completes or approves a step -----------------------------------------------


def require_procurement(step: ProjectStep, actor: User) -> None:
    if not step.project.procurements.live().exists():
        raise RuleRefused(
            "须先登记采购结果（采购方式、成交供应商、日期）",
            code="PROCUREMENT_MISSING",
            cite=step.cite,
        )


def require_construction_complete(step: ProjectStep, actor: User) -> None:
    require_main_contract(step)
    _require_full_progress(step.project, step)


def require_unit_application_in_time(step: ProjectStep, actor: User) -> None:
    """An acceptance the unit itself completes (办结) must still be applied for in time."""
    if step.actor == "construction_unit":
        _require_application_in_time(step.project)


def require_self_evaluation(step: ProjectStep, actor: User) -> None:
    _require_evaluation(step.project, step, "self")


def require_post_evaluation(step: ProjectStep, actor: User) -> None:
    _require_evaluation(step.project, step, "post")


def require_expert_meeting(step: ProjectStep, actor: User) -> None:
    if experts_required(step):
        _require_expert_meeting(step)


def fulfil_om_report(step: ProjectStep, actor: User) -> None:
    _fulfil_om_report(step.project, step, actor)


# --- after a step passes ----------------------------------------------------------------------


def construction_done(step: ProjectStep, actor: User | None) -> None:
    project = step.project
    project.completed_on = clock.today()
    project.save(update_fields=["completed_on", "updated_at"])


def accepted(step: ProjectStep, actor: User | None) -> None:
    project = step.project
    today = clock.today()
    project.accepted_on = today
    project.operation_started_on = today  # 通过竣工验收后方可投入使用
    project.save(update_fields=["accepted_on", "operation_started_on", "updated_at"])
    _obligations_after_acceptance(project, actor)


def on_construction_opened(step: ProjectStep, actor: User | None) -> None:
    """The yearly duties during construction (黑龙江第二十五条: 每年度结束前提交绩效评价报告)."""
    rb = workflow.rulebook_of(step.project)
    for duty in rb.model.obligations:
        if duty.every == "year" and duty.during == "construction":
            _obligation(
                step.project,
                duty.code,
                duty.name,
                duty.cite,
                period=clock.today().year,
                due_on=(duty.due or _year_end()).in_year(clock.today().year),
            )


def on_return(step: ProjectStep, actor: User, opinion: str, rectify_by: dt.date | None) -> None:
    """A failed acceptance opens a rectification with its deadline (岳阳第二十八条, 临湘第二十七条,
    连平第二十五条); where the rulebook says so, the remaining payments are withheld meanwhile."""
    rb = workflow.rulebook_of(step.project)
    spec = rb.model.acceptance.rectification if rb.model.acceptance else None
    if rectify_by is None:
        raise InvalidInput("验收不合格须规定整改期限（rectify_by）", code="DEADLINE_REQUIRED")
    if rectify_by <= clock.today():
        raise InvalidInput("整改期限应晚于今天", code="INVALID_DEADLINE")
    rectification = Rectification.objects.create(
        project=step.project,
        step=step,
        reason=opinion,
        deadline=rectify_by,
        cite=spec.cite if spec else step.cite,
        withhold_payments=bool(spec and spec.withhold_remaining_payments),
        opened_by=actor,
        opened_at=clock.now(),
    )
    record(
        "rectification.opened",
        actor=actor,
        project=step.project,
        summary=said(
            gettext_noop("竣工验收未通过，限%(day)s前整改后重新验收：%(opinion)s"),
            day=Day(rectify_by),
            opinion=opinion,
        )
        + maybe(rectification.withhold_payments, gettext_noop("；整改期间剩余款项暂停支付")),
        cite=rectification.cite,
        after={"rectification": rectification.pk, "deadline": rectify_by.isoformat()},
    )
    sync_payment_holds(step.project, actor)


# --- helpers -------------------------------------------------------------------------------


def _year_end() -> MonthDay:
    return MonthDay(month=12, day=31)


def _require_expert_meeting(step: ProjectStep) -> None:
    """An acceptance the rulebook holds with experts (临湘第二十六条第（二）项, 连平第二十四条)
    needs a concluded meeting of experts drawn from the pool, approving."""
    concluded = (
        ReviewMeeting.objects.filter(step=step, status=MeetingStatus.CONCLUDED)
        .order_by("-id")
        .first()
    )
    if concluded is None or concluded.conclusion != "approve":
        raise RuleRefused(
            f"“{step.name}”须组织从专家库抽取的专家进行验收，并形成同意验收的结论",
            code="EXPERT_MEETING_REQUIRED",
            cite=step.cite,
        )


def _require_full_progress(project: Project, step: ProjectStep) -> None:
    """Construction is complete at 100%: where the unit has reported progress, its last valid
    report must say so (a voided or corrected report does not count)."""
    last = ProgressReport.objects.live().filter(project=project).order_by("-id").first()
    if last is not None and last.percent < 100:
        raise RuleRefused(
            f"最近一次报送的建设进度为{last.percent}%（{last.period}），项目尚未完成建设；"
            "建设完成后请先报送累计完成100%的进度",
            code="CONSTRUCTION_INCOMPLETE",
            cite=step.cite,
        )


def application_due(project: Project) -> tuple[dt.date | None, str]:
    """The last day to apply for acceptance, and its article (黑龙江: 建成后半年内)."""
    rb = workflow.rulebook_of(project)
    if not sets_application_due(rb) or project.completed_on is None:
        return None, ""
    extension = project.extensions.filter(status="approved").order_by("-until").first()
    return application_due_by(rb, project.completed_on, extension.until if extension else None)


def sets_application_due(rb: LoadedRulebook) -> bool:
    return bool(rb.model.acceptance and rb.model.acceptance.application_due)


def application_due_by(
    rb: LoadedRulebook, completed_on: dt.date | None, extended_until: dt.date | None
) -> tuple[dt.date | None, str]:
    """``application_due`` from what the caller has read: the rulebook, the day the project was
    built and the latest approved extension's date (for a page or a job reading many at once)."""
    spec = rb.model.acceptance.application_due if rb.model.acceptance else None
    if spec is None or completed_on is None:
        return None, ""
    due = add_months(completed_on, spec.months)
    if extended_until is not None and extended_until > due:
        due = extended_until
    return due, spec.extension_cite or spec.cite


def _require_application_in_time(project: Project) -> None:
    due, cite = application_due(project)
    if due is not None and clock.today() > due:
        raise RuleRefused(
            f"项目于{cn_date(project.completed_on)}建成，申请竣工验收的期限已于{cn_date(due)}届满；"
            "不能按期申请验收的，应先提出延期验收申请",
            code="ACCEPTANCE_APPLICATION_OVERDUE",
            cite=cite,
        )


def close_rectification(step: ProjectStep, actor: User) -> None:
    """The unit resubmits a failed review: its rectification is done."""
    open_ones = Rectification.objects.filter(step=step, closed_at__isnull=True)
    for rectification in open_ones:
        rectification.closed_at, rectification.closed_by = clock.now(), actor
        rectification.save(update_fields=["closed_at", "closed_by"])
        record(
            "rectification.closed",
            actor=actor,
            project=step.project,
            summary=said(gettext_noop("整改完成，重新申请竣工验收"))
            + maybe(clock.today() > rectification.deadline, gettext_noop("（逾期整改）")),
            cite=rectification.cite,
        )
    if open_ones.model.objects.filter(step=step).exists():
        sync_payment_holds(step.project, actor)


def _require_evaluation(project: Project, step: ProjectStep, kind: str) -> None:
    if not project.evaluations.filter(kind=kind).exists():
        label = "自评价报告" if kind == "self" else "后评价结果"
        raise RuleRefused(f"须先登记{label}", code="EVALUATION_MISSING", cite=step.cite)


def _carried(step: ProjectStep):
    """The open obligations of the yearly duty ``step`` carries, the earliest first."""
    codes = [code for code, kind in CARRIED_BY_STEP.items() if kind == step.kind]
    return Obligation.objects.filter(
        project_id=step.project_id, code__in=codes, fulfilled_at__isnull=True
    ).order_by("due_on", "pk")


def carried_due(step: ProjectStep) -> dt.date | None:
    """The day a step carrying a yearly duty is due: its earliest open obligation's (the O&M
    report's 12月31日 of the year of acceptance)."""
    return _carried(step).values_list("due_on", flat=True).first()


def carried_by_open_step() -> Q:
    """Obligations (a filter on them) a step of their project carries and that is still to be
    done: that step's task is the duty, not a second one."""
    waiting = (StepStatus.READY, StepStatus.IN_REVIEW, StepStatus.RETURNED)
    carried = Q(pk__in=[])
    for code, kind in CARRIED_BY_STEP.items():
        step = ProjectStep.objects.filter(
            project_id=OuterRef("project_id"), kind=kind, status__in=waiting
        )
        carried |= Q(code=code) & Q(Exists(step))
    return carried


def _fulfil_om_report(project: Project, step: ProjectStep, actor: User) -> None:
    obligation = _carried(step).first()
    if obligation is not None:
        obligation.fulfilled_at, obligation.fulfilled_by = clock.now(), actor
        obligation.save(update_fields=["fulfilled_at", "fulfilled_by"])


def _obligation(project: Project, code: str, name: str, cite: str, **fields: object):
    obligation, created = Obligation.objects.get_or_create(
        project=project,
        code=code,
        period=fields.pop("period", None),
        defaults={"name": name, "cite": cite, **fields},
    )
    if created:
        due = obligation.due_on
        record(
            "obligation.created",
            actor=None,
            project=project,
            summary=said(gettext_noop("%(name)s"), name=name)
            + maybe(due, gettext_noop("，应于%(day)s前完成"), day=Day(due)),
            cite=cite,
            after={"obligation": obligation.pk, "due_on": due.isoformat() if due else None},
        )
    return obligation


def _obligations_after_acceptance(project: Project, actor: User | None) -> None:
    rb = workflow.rulebook_of(project)
    today = clock.today()
    for rule in rb.model.steps:
        if rule.kind == "om_report":
            _obligation(
                project,
                "OM_REPORT",
                rule.name,
                rule.cite,
                period=today.year,
                due_on=_year_end().in_year(today.year),
            )
        if rule.kind == "self_evaluation" and rule.window is not None:
            start = project.operation_started_on or today
            _obligation(
                project,
                "SELF_EVALUATION",
                rule.name,
                rule.window.cite,
                opens_on=add_months(start, rule.window.from_months),
                due_on=add_months(start, rule.window.to_months),
            )
    for duty in rb.model.obligations:
        if duty.code == "ASSET_LEDGER":
            _obligation(project, duty.code, duty.name, duty.cite)
        if duty.code == "SURPLUS_RETURN":
            budget = project.approved_budget or project.total_investment
            spent = effective_contract_amount(project) or Decimal(0)
            if spent < budget:
                _obligation(project, duty.code, duty.name, duty.cite, amount=budget - spent)
