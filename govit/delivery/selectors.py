"""Reads about a unit's record after construction: what its earlier projects owe before it gets a
new one (湘西第十六条), and the evaluation results its next declarations are weighed against
(临湘第三十三条、连平第二十六条、黑龙江第三十八条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_noop

from govit.core import clock
from govit.core.errors import InvalidInput, RuleRefused
from govit.delivery.models import (
    GRADE_SCALE_NOTE,
    Evaluation,
    EvaluationKind,
    Grade,
    ProgressReport,
    Rectification,
    grade_for,
)
from govit.delivery.steps import ACCEPTANCE_KINDS, application_due
from govit.events.phrases import Day, said
from govit.policy.decide import cn_date
from govit.projects.models import Project, ProjectStatus, ProjectStep, StepStatus

LIVE = (ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED)


def prior_year_projects(unit_id: int, plan_year: int) -> QuerySet[Project]:
    """The unit's projects in the approved plan of the year before ``plan_year``."""
    return Project.objects.filter(
        unit_id=unit_id,
        plan_entries__plan__year=plan_year - 1,
        plan_entries__plan__status="approved",
    ).distinct()


def unaccepted_prior_year_projects(unit_id: int, plan_year: int) -> list[Project]:
    """Last year's projects that are built but whose acceptance was not applied for in time or
    failed (湘西第十六条第（二）项). 湘西 sets no period for the application, so a built project
    counts until its acceptance is under way; where the rulebook sets one (黑龙江: 半年内), a
    project still within it does not count."""
    today = clock.today()
    failed = Rectification.objects.filter(project=OuterRef("pk"), closed_at__isnull=True)
    under_way = ProjectStep.objects.filter(
        project=OuterRef("pk"),
        kind__in=ACCEPTANCE_KINDS,
        status__in=(StepStatus.IN_REVIEW, StepStatus.PASSED),
    )
    built = (
        prior_year_projects(unit_id, plan_year)
        .filter(status__in=LIVE, completed_on__isnull=False, accepted_on__isnull=True)
        .annotate(failed=Exists(failed), under_way=Exists(under_way))
    )
    owing = []
    for project in built:
        if project.failed:
            owing.append(project)
        elif not project.under_way:
            due, _ = application_due(project)
            if due is None or today > due:
                owing.append(project)
    return owing


def unrectified_evaluations(unit_id: int) -> QuerySet[Evaluation]:
    """Evaluations of the unit's projects whose findings await rectification (湘西第十六条第（三）项)."""
    return Evaluation.objects.filter(
        project__unit_id=unit_id, rectification_required=True, rectified_at__isnull=True
    ).select_related("project")


def poor_post_evaluations(unit_id: int) -> QuerySet[Evaluation]:
    """The unit's projects rated 差 in a post-evaluation: the result its next declarations are
    weighed against."""
    return Evaluation.objects.filter(
        project__unit_id=unit_id, kind=EvaluationKind.POST, grade=Grade.POOR
    ).select_related("project")


# --- the unit's record as the gates name it (registered with the workflow in delivery/apps.py)


def _prior_year_projects_accepted(project: Project) -> list[str]:
    owing = unaccepted_prior_year_projects(project.unit_id, project.plan_year)
    return [p.name for p in owing if p.pk != project.pk]


def _evaluation_findings_rectified(project: Project) -> list[str]:
    return [e.project.name for e in unrectified_evaluations(project.unit_id)]


def _prior_evaluations_satisfactory(project: Project) -> list[str]:
    return [e.project.name for e in poor_post_evaluations(project.unit_id)]


# gate requirement → the unit's earlier projects that fail it, named for the message
UNIT_RECORD = {
    "prior_year_projects_accepted": _prior_year_projects_accepted,
    "evaluation_findings_rectified": _evaluation_findings_rectified,
    "prior_evaluations_satisfactory": _prior_evaluations_satisfactory,
}


def rectification_holds(project: Project) -> list[dict[str, Any]]:
    """A failed acceptance under rectification withholds the remaining payments where the rulebook
    says so (contracts/hold_sources.py)."""
    return [
        {
            "reason": f"竣工验收未通过，整改期限{cn_date(rectification.deadline)}",
            "said": said(
                gettext_noop("竣工验收未通过，整改期限%(due)s"), due=Day(rectification.deadline)
            ),
            "cite": rectification.cite,
        }
        for rectification in Rectification.objects.filter(
            project=project, closed_at__isnull=True, withhold_payments=True
        )
    ]


# --- the integrity of what is entered: the services refuse with these, the forms show them at
# the field before anything is sent ---------------------------------------------------------------


def _valid_progress(project: Project, *, besides: ProgressReport | None = None):
    reports = project.progress_reports.live()
    if besides is not None:
        reports = reports.exclude(pk=besides.pk)
    return reports.order_by("id")


def check_progress_percent(
    project: Project, percent: int, *, replacing: ProgressReport | None = None
) -> None:
    """Progress is cumulative: it never goes back. A report is measured against the valid reports
    entered before it (and, for a correction, after it); voided and corrected ones are ignored."""
    if not 0 <= percent <= 100:
        raise InvalidInput("累计完成比例应为0至100", code="INVALID_PERCENT")
    reports = _valid_progress(project, besides=replacing)
    earlier = reports.filter(pk__lt=replacing.pk) if replacing is not None else reports
    previous = earlier.order_by("-percent", "-id").first()
    if previous is not None and percent < previous.percent:
        raise InvalidInput(
            f"累计完成比例不能低于此前报送的{previous.percent}%（{previous.period}）；"
            "此前的报告有误的，请先作废或更正该报告",
            code="PROGRESS_DECREASING",
        )
    if replacing is not None:
        following = reports.filter(pk__gt=replacing.pk).order_by("percent", "id").first()
        if following is not None and percent > following.percent:
            raise InvalidInput(
                f"累计完成比例不能高于其后报送的{following.percent}%（{following.period}）",
                code="PROGRESS_DECREASING",
            )


def check_progress_date(
    project: Project, as_of: dt.date, *, replacing: ProgressReport | None = None
) -> None:
    """The date a report's progress is measured at: not in the future, not before construction
    began, not before the date of the valid report entered before it."""
    today = clock.today()
    if as_of > today:
        raise InvalidInput(
            f"截至日期{cn_date(as_of)}晚于今天（{cn_date(today)}），进度只能报送已完成的情况",
            code="DATE_IN_FUTURE",
        )
    construction = project.steps.filter(kind="construction").only("started_on").first()
    if construction is not None and construction.started_on and as_of < construction.started_on:
        raise InvalidInput(
            f"截至日期早于建设开始日期{cn_date(construction.started_on)}",
            code="DATE_BEFORE_CONSTRUCTION",
        )
    reports = _valid_progress(project, besides=replacing).filter(as_of__isnull=False)
    earlier = reports.filter(pk__lt=replacing.pk) if replacing is not None else reports
    previous = earlier.order_by("-as_of", "-id").first()
    if previous is not None and as_of < previous.as_of:
        raise InvalidInput(
            f"截至日期不能早于此前报送的截至日期{cn_date(previous.as_of)}（{previous.period}）",
            code="DATE_OUT_OF_ORDER",
        )


def last_progress(project: Project) -> ProgressReport | None:
    return _valid_progress(project).order_by("-id").first()


def check_trial_run_dates(project: Project, started_on: dt.date, ended_on: dt.date) -> None:
    """A trial run ends after the day it starts and not after today, and begins only once the
    preliminary acceptance has been done (试运行开始前组织完成初步验收). No rulebook sets its length."""
    if ended_on <= started_on:
        raise InvalidInput(
            "试运行结束日期应晚于开始日期（试运行不能在开始当日或之前结束）",
            code="TRIAL_RUN_DATES",
        )
    today = clock.today()
    if ended_on > today:
        raise InvalidInput(
            f"试运行结束日期{cn_date(ended_on)}晚于今天，试运行结束后再登记",
            code="DATE_IN_FUTURE",
        )
    preliminary = project.steps.filter(kind="preliminary_acceptance").first()
    if preliminary is not None:
        done = (
            preliminary.closed_at.astimezone(clock.CHINA).date() if preliminary.closed_at else None
        )
        if done is None or started_on < done:
            raise RuleRefused(
                "试运行开始前须完成初步验收"
                + (f"（初步验收于{cn_date(done)}完成）" if done else "（初步验收尚未完成）"),
                code="PRELIMINARY_ACCEPTANCE_FIRST",
                cite=preliminary.cite,
            )


def check_grade(score: Decimal, grade: str) -> None:
    """The grade must be the one the score earns on the platform's scale (no rulebook sets grade
    bands: ``delivery.models.GRADE_BANDS``)."""
    if grade not in Grade.values:
        raise InvalidInput(f"等次不正确：{grade}", code="INVALID_GRADE")
    score = Decimal(score).quantize(Decimal("0.01"))
    expected = grade_for(score)
    if grade != expected:
        raise InvalidInput(
            f"{score}分对应的等次是“{Grade(expected).label}”，不是“{Grade(grade).label}”"
            f"（平台评价等次：{GRADE_SCALE_NOTE}）",
            code="GRADE_INCONSISTENT",
        )


def check_asset_dates(entered_on: dt.date, transferred_on: dt.date | None = None) -> None:
    """An asset is entered in the ledger on a day that has come, and transferred after it."""
    today = clock.today()
    if entered_on > today:
        raise InvalidInput(
            f"入账日期{cn_date(entered_on)}晚于今天（{cn_date(today)}）",
            code="DATE_IN_FUTURE",
        )
    if transferred_on is not None and not entered_on <= transferred_on <= today:
        raise InvalidInput("转移日期应在入账日期之后、不晚于今天", code="DATE_OUT_OF_ORDER")
