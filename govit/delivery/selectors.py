"""Reads about a unit's record after construction: what its earlier projects owe before it gets a
new one (湘西第十六条), and the evaluation results its next declarations are weighed against
(临湘第三十三条、连平第二十六条、黑龙江第三十八条)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from govit.core import clock
from govit.delivery.models import Evaluation, EvaluationKind, Grade, Rectification
from govit.delivery.steps import ACCEPTANCE_KINDS, application_due
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
