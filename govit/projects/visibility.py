"""Which projects a user may see, as querysets: the policy's first question (``access.policy``
decides the second, what one may do) asked of the project tables. A user of one jurisdiction
never sees another's; a project you may not see is "not found", the same answer as a project that
does not exist. It lives with the projects because it builds their queries; the facts about the
user it reads (jurisdiction, organization kind, auditor) are the policy's."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from govit.access.policy import acts_as_unit, is_auditor, jurisdiction_id, org_kind
from govit.core.errors import NotFound
from govit.organizations.models import User
from govit.policy.vocab import AUTHORITY_KINDS
from govit.projects.models import (
    PartyRole,
    Project,
    ProjectParty,
    ProjectStatus,
    ProjectStep,
    Task,
)


def visible_projects(user: User) -> QuerySet[Project]:
    """Every project this user may see, as a queryset to filter further."""
    if not user.is_authenticated:
        return Project.objects.none()
    if user.is_superuser:
        return Project.objects.all()
    jid = jurisdiction_id(user)
    if jid is None:
        return Project.objects.none()
    mine = Project.objects.filter(jurisdiction_id=jid)
    kind = org_kind(user)
    declared = mine.exclude(status=ProjectStatus.DRAFT)
    if kind == "construction_unit":
        # its own projects, and the 公共类 projects it joined (连平第十五条: its needs, its contract)
        # (read first: most units joined none, and their list stays one index scan)
        own = mine.filter(unit_id=user.organization_id)
        joined = list(
            ProjectParty.objects.filter(
                organization_id=user.organization_id, role=PartyRole.JOINT_UNIT
            ).values_list("project_id", flat=True)
        )
        return own | declared.filter(pk__in=joined) if joined else own
    acting = acts_as_unit(user)
    if acting:
        # an authority that is a project's unit (连平第四条第（一）项) sees its own drafts too
        declared = declared | mine.filter(unit_id=user.organization_id)
    if kind in ("competent_department", "audit") or is_auditor(user):
        return declared
    if kind in AUTHORITY_KINDS:
        # an authority sees the projects whose procedure names it, that it has been given a task
        # on, or — the government and the leading group, which approve plans — that a plan lists.
        # Each as "id IN (a list read once)": PostgreSQL hashes each list, where joining the
        # steps, tasks and plan lines multiplied every project's rows (0.6 s a page).
        seen = Q(pk__in=ProjectStep.objects.filter(actor=kind).values("project_id")) | Q(
            pk__in=Task.objects.filter(organization_id=user.organization_id).values("project_id")
        )
        if kind in ("government", "leading_group_office"):
            entries = Project._meta.get_field("plan_entries").related_model
            seen |= Q(pk__in=entries.objects.values("project_id"))
        if acting:
            seen |= Q(unit_id=user.organization_id)
        return declared.filter(seen)
    if kind is not None:  # a vendor: only the projects it is a party to
        parties = ProjectParty.objects.filter(organization_id=user.organization_id)
        return declared.filter(pk__in=parties.values("project_id"))
    # an expert sees no project as such, only the materials of the meetings they sit on
    # (govit.reviews.selectors.expert_meetings)
    return Project.objects.none()


def project_for(user: User, pk: int, *, for_update: bool = False) -> Project:
    """The project with this id if the user may see it; otherwise NotFound."""
    qs = visible_projects(user).filter(pk=pk)
    if for_update:
        qs = Project.objects.select_for_update(of=("self",)).filter(pk__in=qs.values("pk"))
    project = qs.select_related("jurisdiction", "unit", "rulebook").first()
    if project is None:
        raise NotFound("项目不存在或无权查看")
    return project


def task_for(user: User, task_id: int) -> Task:
    """The task with this id if the user may see its project; otherwise NotFound. (Whether they
    may act on it is the policy's ``task.act``.)"""
    task = (
        Task.objects.filter(pk=task_id, project__in=visible_projects(user))
        .select_related("project", "step", "organization")
        .first()
    )
    if task is None:
        raise NotFound("待办不存在或无权查看")
    return task
