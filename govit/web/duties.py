"""Duties: everything an account owes now, of every kind, as uniform rows for the 工作台 and the
header — the tasks of its organization, the unit's submissions and resubmissions, plan 会签 and
审定, change and extension decisions, an expert's opinion, the yearly obligations, and the
jurisdiction administrator's next year's holidays and rulebook confirmation. Reads only;
each kind is one query (or none, where the account cannot owe it), and a row disappears as soon
as the write that discharges it has recorded its event (the 工作台 is kept per jurisdiction)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govit.access.policy import acts_as_unit, authorize, jurisdiction_id, org_kind, works
from govit.calendars.selectors import next_year_to_add
from govit.contracts.models import ChangeApproval, ChangeStatus
from govit.core import clock
from govit.core.errors import PermissionDenied
from govit.delivery.models import (
    AcceptanceExtension,
    Evaluation,
    ExtensionStatus,
    Obligation,
    Rectification,
)
from govit.delivery.steps import application_due_by, carried_by_open_step, sets_application_due
from govit.jurisdictions.models import Jurisdiction, RulebookConfirmation, RulebookVersion
from govit.jurisdictions.selectors import status_cite
from govit.notifications.models import Notification
from govit.organizations.models import Role, User
from govit.planning.models import AnnualPlan, PlanEntry, PlanSignoff, PlanStatus, SignoffStatus
from govit.planning.selectors import approver_kind
from govit.policy.loader import LoadedRulebook
from govit.policy.vocab import AUTHORITY_KINDS, STATUS_LABELS
from govit.projects import selectors as project_selectors
from govit.projects.models import Project, ProjectStatus, ProjectStep, StepStatus, Task, TaskStatus
from govit.projects.selectors import time_left
from govit.reviews.models import ExpertOpinion, MeetingStatus, ReviewMeeting, Seat
from govit.reviews.selectors import expert_meetings
from govit.web import labels
from govit.web.labels import step_title
from govit.web.templatetags.govit import path, tr

# the kinds of duty, in the words of the page
TASK = "task"  # 审批、备案、会签 or the unit's own step: an open Task of the account's office
SUBMIT = "submit"  # the unit submits a step's materials (a step started on submission)
RESUBMIT = "resubmit"  # 退回修改: the unit resubmits
PLAN_COMPILE = "plan_compile"  # the compiler lists declared projects in a plan and sends it on
PLAN_COUNTERSIGN = "plan_countersign"  # a co-compiler's 会签
PLAN_APPROVE = "plan_approve"  # the approver's 审定
CHANGE_DECIDE = "change_decide"  # a change awaiting this office's approval or co-approval
EXTENSION_DECIDE = "extension_decide"  # an acceptance extension awaiting the department
RECTIFIED = "rectified"  # an evaluation's findings: the department confirms their rectification
OPINION = "opinion"  # an expert's opinion due on a meeting
MEETING = "meeting"  # the department convenes, draws or concludes an expert meeting
OBLIGATION = "obligation"  # a yearly report, the self-evaluation window, the surplus to return
ACCEPTANCE_DUE = "acceptance_due"  # the last day to apply for final acceptance (黑龙江)
CALENDAR = "calendar"  # the administrator enters next year's holidays (the calendar lacks them)
RULEBOOK_CONFIRM = "rulebook_confirm"  # the administrator confirms a rulebook not in force

KIND_LABELS = {
    TASK: gettext_lazy("待办"),
    SUBMIT: gettext_lazy("报送"),
    RESUBMIT: gettext_lazy("退回修改"),
    PLAN_COMPILE: gettext_lazy("编制计划"),
    PLAN_COUNTERSIGN: gettext_lazy("计划会签"),
    PLAN_APPROVE: gettext_lazy("计划审定"),
    CHANGE_DECIDE: gettext_lazy("变更审批"),
    EXTENSION_DECIDE: gettext_lazy("延期验收审批"),
    RECTIFIED: gettext_lazy("整改确认"),
    OPINION: gettext_lazy("评审意见"),
    MEETING: gettext_lazy("专家评审"),
    OBLIGATION: gettext_lazy("年度义务"),
    ACCEPTANCE_DUE: gettext_lazy("申请验收"),
    CALENDAR: gettext_lazy("节假日安排"),
    RULEBOOK_CONFIRM: gettext_lazy("规则手册确认"),
}

NOT_IN_FORCE = tuple(status for status in STATUS_LABELS if status != "in_force")

# the projects whose duties are still owed (a suspended project's wait for the measure to lift)
UNDER_WAY = (ProjectStatus.ACTIVE,)
OBLIGATIONS_OWED = (ProjectStatus.ACTIVE, ProjectStatus.COMPLETED)


@dataclass(frozen=True)
class Duty:
    kind: str
    title: str
    url: str  # the page where it is done
    who: str  # the office (or expert) that owes it
    project_id: int | None = None
    project_name: str = ""
    subject: str = ""  # what it is about when not a project (a plan)
    due_on: dt.date | None = None
    days_left: int | None = None  # working days (negative: overdue)
    # where they cannot be counted yet — the span reaches a year whose holidays are not entered
    # — that year, and the calendar days left instead
    uncounted_year: int | None = None
    calendar_days_left: int | None = None
    cite: str = ""
    co_signature: bool = False  # a 会签 task (not the lead office's)
    project_url: str = ""  # where the project's name leads, when not its page (an expert's)

    @property
    def overdue(self) -> bool:
        left = self.days_left if self.days_left is not None else self.calendar_days_left
        return left is not None and left < 0

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return (self.due_on is None, self.due_on or dt.date.max, self.project_id or 0, self.title)


def _due(due_on: dt.date | None, today: dt.date) -> dict[str, Any]:
    """A row's due date and the time left to it (``Duty``'s fields): in working days, or in
    calendar days where the calendar lacks a year's holidays on the way."""
    left, year = time_left(due_on, today)
    return {
        "due_on": due_on,
        "days_left": left,
        "uncounted_year": year,
        "calendar_days_left": (due_on - today).days if due_on is not None and year else None,
    }


# --- tasks ---------------------------------------------------------------------------------------


def open_tasks(user: User) -> QuerySet[Task]:
    """The open tasks of the account's office, by due date, only the columns a row shows."""
    return (
        project_selectors.task_list(user)
        .select_related(None)
        .select_related("project", "step", "organization")
        .only(
            "id",
            "lead",
            "due_on",
            "project_id",
            "project__name",
            "step_id",
            "step__kind",
            "step__name",
            "step__cite",
            "organization_id",
            "organization__name",
        )
    )


def _office_open_tasks(organization_id: int) -> QuerySet[Task]:
    """The office's open tasks as the header counts them, on the office's own index: the same
    tasks ``open_tasks`` lists (a task opens only on a declared project of the office's
    jurisdiction, and only on a project whose procedure names the office), without checking
    each one's project against the reader's visible projects (tests/web/test_workbench_duties.py
    compares the two)."""
    return Task.objects.filter(organization_id=organization_id, status=TaskStatus.OPEN)


def task_duty(task: Task, today: dt.date) -> Duty:
    return Duty(
        kind=TASK,
        title=step_title(task.step.kind, task.step.name),
        url=path("task-act", task.project_id, task.pk),  # reversed once a page
        who=task.organization.name,
        project_id=task.project_id,
        project_name=task.project.name,
        **_due(task.due_on, today),
        cite=task.step.cite,
        co_signature=not task.lead,
    )


# --- everything else -----------------------------------------------------------------------------


def other_duties(user: User, today: dt.date | None = None) -> list[Duty]:
    """What the account owes besides its office's tasks, by due date (the overdue first, those
    without a due date last)."""
    if not user.is_authenticated:
        return []
    today = today or clock.today()
    rows: list[Duty] = []
    expert = getattr(user, "expert", None)
    if expert is not None:
        rows += _opinions(expert, today)
    if user.organization_id is not None and works(user):
        kind = org_kind(user)
        if acts_as_unit(user):  # a unit, or an authority doing a unit's part (连平第四条第（一）项)
            rows += _submissions(user, today)
            rows += _obligations(user, today)
            rows += _acceptance_due(user, today)
        if kind in AUTHORITY_KINDS:
            rows += _plans(user, kind, today)
            rows += _changes(user, today)
            if kind == "competent_department":
                rows += _meetings(user, today)
                rows += _extensions(user, today)
                rows += _rectified(user, today)
    rows += _administration(user, today)
    rows.sort(key=lambda d: d.sort_key)
    return rows


# Each kind of duty is one queryset below, read in full for the 工作台's rows and counted for the
# header's figure (header_figures): the two never differ.


def _steps_owed(organization_id: int) -> QuerySet[ProjectStep]:
    """The unit's steps waiting for its materials: started on submission, or returned."""
    return ProjectStep.objects.filter(
        project__unit_id=organization_id,
        project__status__in=UNDER_WAY,
        status__in=(StepStatus.READY, StepStatus.RETURNED),
    )


def _obligations_owed(organization_id: int, today: dt.date) -> QuerySet[Obligation]:
    """The unit's obligations not yet fulfilled, from the day their window opens — but for those
    a step still to be done carries (the first year's O&M report: the om_report step's task is
    that duty, due the same day)."""
    return (
        Obligation.objects.filter(
            project__unit_id=organization_id,
            project__status__in=OBLIGATIONS_OWED,
            fulfilled_at__isnull=True,
        )
        .filter(Q(opens_on__isnull=True) | Q(opens_on__lte=today))
        .exclude(carried_by_open_step())
    )


def _built(organization_id: int) -> QuerySet[Project]:
    """The unit's built projects whose final acceptance step has not come round yet."""
    return Project.objects.filter(
        unit_id=organization_id,
        status__in=UNDER_WAY,
        completed_on__isnull=False,
        accepted_on__isnull=True,
        steps__kind="final_acceptance",
        steps__status=StepStatus.PENDING,
    )


def _approvals_owed(organization_id: int) -> QuerySet[ChangeApproval]:
    """The office's open approvals (or co-approvals) of pending changes."""
    return ChangeApproval.objects.filter(
        organization_id=organization_id,
        status="open",
        change__status=ChangeStatus.PENDING,
        change__project__status__in=UNDER_WAY,
    )


def _extensions_owed(jid: int | None) -> QuerySet[AcceptanceExtension]:
    """Requests to apply for final acceptance later, awaiting the competent department."""
    return AcceptanceExtension.objects.filter(
        project__jurisdiction_id=jid,
        project__status__in=UNDER_WAY,
        status=ExtensionStatus.PENDING,
    )


def _rectifications_to_confirm(jid: int | None) -> QuerySet[Evaluation]:
    """Evaluations whose findings must be rectified, for the department to confirm."""
    return Evaluation.objects.filter(
        project__jurisdiction_id=jid, rectification_required=True, rectified_at__isnull=True
    ).exclude(project__status=ProjectStatus.DRAFT)


def _opinions_owed(expert: Any) -> QuerySet[ReviewMeeting]:
    """Drawn meetings the expert sits on with no opinion of theirs yet."""
    return (
        expert_meetings(expert)
        .filter(status=MeetingStatus.DRAWN)
        .exclude(Exists(ExpertOpinion.objects.filter(meeting=OuterRef("pk"), expert=expert)))
    )


def _submissions(user: User, today: dt.date) -> list[Duty]:
    """The unit's steps waiting for its materials: started on submission (待报送), or returned for
    revision (退回修改) — due by the rectification deadline where a failed acceptance set one."""
    steps = (
        _steps_owed(user.organization_id)
        .select_related("project")
        .only(
            "id",
            "kind",
            "name",
            "cite",
            "status",
            "project_id",
            "project__name",
            "project__completed_on",
            "project__accepted_on",
        )
        .annotate(
            rectify_by=Rectification.objects.filter(step=OuterRef("pk"), closed_at__isnull=True)
            .order_by("deadline")
            .values("deadline")[:1],
            extended_until=_extended_until("project_id"),
            **_bound("project__"),
        )
        .order_by("project_id", "seq")
    )
    unit = user.organization.name
    rows = []
    for step in steps:
        returned = step.status == StepStatus.RETURNED
        due, cite = step.rectify_by, step.cite
        built = step.project.completed_on and step.project.accepted_on is None
        if due is None and built and step.kind == "final_acceptance" and step.version:
            # 黑龙江: the last day to apply, 建成后半年内 (or the approved extension's)
            application_due, application_cite = application_due_by(
                _rulebook(step.version, step.digest), step.project.completed_on, step.extended_until
            )
            if application_due is not None:
                due, cite = application_due, application_cite
        rows.append(
            Duty(
                kind=RESUBMIT if returned else SUBMIT,
                title=(_("重新报送“%(step)s”") if returned else _("报送“%(step)s”"))
                % {"step": step_title(step.kind, step.name)},
                url=reverse("step-submit", args=[step.project_id, step.kind]),
                who=unit,
                project_id=step.project_id,
                project_name=step.project.name,
                **_due(due, today),
                cite=cite,
            )
        )
    return rows


def _acceptance_due(user: User, today: dt.date) -> list[Duty]:
    """A built project whose final acceptance must be applied for by a date the rulebook sets,
    while that step has not come round yet (when it has, the submission row carries the date)."""
    waiting = (
        _built(user.organization_id)
        .annotate(extended_until=_extended_until("pk"), **_bound())
        .only("id", "name", "completed_on")
    )
    rows = []
    for project in waiting:
        if project.version is None:
            continue
        rb = _rulebook(project.version, project.digest)
        due, cite = application_due_by(rb, project.completed_on, project.extended_until)
        if due is None:
            continue
        rows.append(
            Duty(
                kind=ACCEPTANCE_DUE,
                title=_("申请竣工验收"),
                url=reverse("project-detail", args=[project.pk]),
                who=user.organization.name,
                project_id=project.pk,
                project_name=project.name,
                **_due(due, today),
                cite=cite,
            )
        )
    return rows


def _obligations(user: User, today: dt.date) -> list[Duty]:
    """The unit's obligations not yet fulfilled, from the day their window opens."""
    owed = (
        _obligations_owed(user.organization_id, today)
        .select_related("project")
        .only("id", "name", "due_on", "cite", "project_id", "project__name")
    )
    unit = user.organization.name
    return [
        Duty(
            kind=OBLIGATION,
            title=o.name,
            url=reverse("project-action", args=[o.project_id, "obligation"])
            + f"?obligation={o.pk}",
            who=unit,
            project_id=o.project_id,
            project_name=o.project.name,
            **_due(o.due_on, today),
            cite=o.cite,
        )
        for o in owed
    ]


def _plan_board(jurisdiction: int, year: int, anchor: str = "") -> str:
    query = urlencode({"jurisdiction": jurisdiction, "year": year})
    return f"{reverse('plan-board')}?{query}" + (f"#{anchor}" if anchor else "")


@dataclass(frozen=True)
class PlanRule:
    """Who compiles and who approves a jurisdiction's plans, under which article."""

    compiler: str
    approver: str
    cite: str


_RULEBOOKS: dict[str, LoadedRulebook] = {}  # by the stored version's SM3 digest: never changes


def _rulebook(version_id: int, digest: str) -> LoadedRulebook:
    """A stored rulebook version, its YAML read once a process (a query names it by its id and
    digest, never reading the text)."""
    if digest not in _RULEBOOKS:
        _RULEBOOKS[digest] = RulebookVersion.objects.get(pk=version_id).load()
    return _RULEBOOKS[digest]


def _bound(prefix: str = "") -> dict[str, Any]:
    """Annotations of a query of projects (``prefix`` "") or of their steps ("project__"): the
    rulebook version the project is bound to (its own, else its jurisdiction's), by id and
    digest (``_rulebook``)."""
    return {
        "version": Coalesce(f"{prefix}rulebook_id", f"{prefix}jurisdiction__rulebook_id"),
        "digest": Coalesce(f"{prefix}rulebook__digest", f"{prefix}jurisdiction__rulebook__digest"),
    }


def _extended_until(project: str) -> Subquery:
    """The latest approved acceptance extension's date of the project ``project`` names in the
    outer query — with ``_bound``, what ``application_due_by`` needs, read in the same query."""
    approved = AcceptanceExtension.objects.filter(
        project=OuterRef(project), status=ExtensionStatus.APPROVED
    )
    return Subquery(approved.order_by("-until").values("until")[:1])


def plan_rule(version_id: int | None, digest: str | None) -> PlanRule | None:
    """The annual_plan rule of a stored rulebook version."""
    if version_id is None or digest is None:
        return None
    rb = _rulebook(version_id, digest)
    step = next((s for s in rb.model.steps if s.kind == "annual_plan"), None)
    return PlanRule(step.actor, approver_kind(step), step.cite) if step else None


def _built_owing(organization_id: int) -> int:
    """The built projects of ``_built`` whose rulebook sets the application's last day (each
    one duty, ``_acceptance_due``), counted from their rulebooks' digests in one query."""
    bound = (
        _built(organization_id)
        .annotate(**_bound())
        .values_list("pk", "version", "digest")
        .distinct()
    )
    return sum(
        1
        for _pk, version, digest in bound
        if version is not None and sets_application_due(_rulebook(version, digest))
    )


def _jurisdiction_rule(jid: int | None) -> PlanRule | None:
    found = Jurisdiction.objects.filter(pk=jid).values("rulebook_id", "rulebook__digest").first()
    return plan_rule(found["rulebook_id"], found["rulebook__digest"]) if found else None


def _waiting_plans(jid: int | None) -> QuerySet[Any]:
    return AnnualPlan.objects.filter(jurisdiction_id=jid).exclude(status=PlanStatus.APPROVED)


def _unlisted(jid: int | None, kind: str) -> QuerySet[ProjectStep]:
    """The annual_plan steps waiting for this compiler in projects no plan lists yet."""
    return ProjectStep.objects.filter(
        project__jurisdiction_id=jid,
        project__status__in=UNDER_WAY,
        kind="annual_plan",
        status=StepStatus.IN_REVIEW,
        actor=kind,  # the compiler the project's own rulebook named
    ).exclude(Exists(PlanEntry.objects.filter(project_id=OuterRef("project_id"))))


def _plans(user: User, kind: str, today: dt.date) -> list[Duty]:
    """Plans that wait for this office: the compiler's draft to send on (and the declared projects
    no plan lists yet), a co-compiler's 会签, the approver's 审定 — as the rulebook names them."""
    jid = jurisdiction_id(user)
    plans = list(
        _waiting_plans(jid)
        .annotate(
            entry_count=Count("entries", distinct=True),
            mine=Exists(
                PlanSignoff.objects.filter(
                    plan=OuterRef("pk"),
                    round=OuterRef("round"),
                    status=SignoffStatus.OPEN,
                    organization_id=user.organization_id,
                )
            ),
        )
        .order_by("year", "kind", "number")
    )
    unlisted = list(
        _unlisted(jid, kind)
        .values("project__plan_year")  # one row a year, as the header counts them
        .annotate(n=Count("id"), cite=Max("cite"))
        .order_by("project__plan_year")
    )
    if not plans and not unlisted:
        return []
    rule = _jurisdiction_rule(jid) if plans else None  # the unlisted name their own compiler
    office = user.organization.name
    rows = []
    for group in unlisted:
        year = group["project__plan_year"]
        rows.append(
            Duty(
                kind=PLAN_COMPILE,
                title=_("%(n)d个已申报项目待列入%(year)d年度计划")
                % {"n": group["n"], "year": year},
                url=_plan_board(jid, year),
                who=office,
                subject=_("%(year)d年度计划") % {"year": year},
                cite=group["cite"],
            )
        )
    for plan in plans:
        if rule is None:
            break
        if plan.status == PlanStatus.DRAFT and kind == rule.compiler and plan.entry_count:
            kind_of, title = PLAN_COMPILE, _("报送“%(plan)s”")
        elif plan.status == PlanStatus.COUNTERSIGNING and plan.mine:
            kind_of, title = PLAN_COUNTERSIGN, _("会签“%(plan)s”")
        elif plan.status == PlanStatus.SUBMITTED and kind == rule.approver:
            kind_of, title = PLAN_APPROVE, _("审定“%(plan)s”")
        else:
            continue
        rows.append(
            Duty(
                kind=kind_of,
                title=title % {"plan": plan.title},
                url=_plan_board(jid, plan.year, f"plan-{plan.pk}"),
                who=office,
                subject=plan.title,
                **_due(plan.due_on, today),
                cite=plan.due_cite or rule.cite,
            )
        )
    return rows


def _changes(user: User, today: dt.date) -> list[Duty]:
    """Changes awaiting this office's decision (the approver's or a co-approver's)."""
    waiting = (
        _approvals_owed(user.organization_id)
        .select_related("change__project", "organization")
        .only(
            "id",
            "lead",
            "organization__name",
            "change__id",
            "change__number",
            "change__cite",
            "change__project_id",
            "change__project__name",
        )
    )
    return [
        Duty(
            kind=CHANGE_DECIDE,
            title=_("审批变更%(n)d") % {"n": a.change.number},
            url=reverse("project-action", args=[a.change.project_id, "change-decide"])
            + f"?change={a.change.pk}",
            who=a.organization.name,
            project_id=a.change.project_id,
            project_name=a.change.project.name,
            cite=a.change.cite,
            co_signature=not a.lead,
        )
        for a in waiting
    ]


def _expert_steps(user: User) -> QuerySet[ProjectStep]:
    """The steps under review that need experts (the partial index ``step_needs_experts``) on
    which the department has no task of its own (a task is the duty, and its page leads to the
    meeting)."""
    return ProjectStep.objects.filter(
        Q(kind="expert_review") | Q(co_actors__icontains='"experts"'),
        project__jurisdiction_id=jurisdiction_id(user),
        project__status__in=UNDER_WAY,
        status=StepStatus.IN_REVIEW,
    ).exclude(
        Exists(
            Task.objects.filter(
                step=OuterRef("pk"), organization_id=user.organization_id, status="open"
            )
        )
    )


def _meetings_owed(user: User) -> QuerySet[ProjectStep]:
    """The steps of ``_expert_steps`` on which the department owes the meeting's next act: no
    open meeting yet (convene it), one planned (draw its panel), or one drawn whose every expert
    has given an opinion (conclude it) — while the experts owe theirs, the department owes
    nothing. Each with its open meeting and that meeting's status."""
    latest = ReviewMeeting.objects.filter(
        step=OuterRef("pk"), status__in=(MeetingStatus.PLANNED, MeetingStatus.DRAWN)
    ).order_by("-pk")
    return (
        _expert_steps(user)
        .annotate(
            open_meeting=latest.values("pk")[:1],
            open_status=latest.values("status")[:1],
            panel_size=Subquery(
                Seat.objects.filter(meeting=OuterRef("open_meeting"), vacated_at__isnull=True)
                .order_by()
                .annotate(n=Func(F("pk"), function="COUNT"))
                .values("n")[:1]
            ),
            opinions_given=Subquery(
                ExpertOpinion.objects.filter(meeting=OuterRef("open_meeting"))
                .order_by()
                .annotate(n=Func(F("pk"), function="COUNT"))
                .values("n")[:1]
            ),
        )
        .filter(
            Q(open_meeting__isnull=True)
            | Q(open_status=MeetingStatus.PLANNED)
            | Q(panel_size__gt=0, opinions_given__gte=F("panel_size"))
        )
    )


def _meetings(user: User, today: dt.date) -> list[Duty]:
    """The expert meetings the competent department owes on a step experts join: convene one
    (and draw its panel), then conclude it once every expert on the panel has given an opinion."""
    steps = (
        _meetings_owed(user)
        .select_related("project")
        .only("id", "kind", "name", "cite", "due_on", "project_id", "project__name")
    )
    office = user.organization.name
    rows = []
    for step in steps:
        if step.open_meeting is None:
            title, url = (
                _("组织专家评审：%(step)s"),
                reverse("expert-meeting-create", args=[step.pk]),
            )
        elif step.open_status == MeetingStatus.PLANNED:
            title, url = (
                _("抽取评审专家：%(step)s"),
                reverse("expert-meeting", args=[step.open_meeting]),
            )
        else:
            title, url = (
                _("形成评审结论：%(step)s"),
                reverse("expert-conclude", args=[step.open_meeting]),
            )
        rows.append(
            Duty(
                kind=MEETING,
                title=title % {"step": step_title(step.kind, step.name)},
                url=url,
                who=office,
                project_id=step.project_id,
                project_name=step.project.name,
                **_due(step.due_on, today),
                cite=step.cite,
            )
        )
    return rows


def _extensions(user: User, today: dt.date) -> list[Duty]:
    """Requests to apply for final acceptance later, awaiting the competent department."""
    waiting = (
        _extensions_owed(jurisdiction_id(user))
        .select_related("project")
        .only("id", "until", "cite", "project_id", "project__name")
    )
    return [
        Duty(
            kind=EXTENSION_DECIDE,
            title=_("审批延期验收申请（延至%(day)s）") % {"day": f"{labels.day(e.until)}"},
            url=reverse("project-action", args=[e.project_id, "extension-decide"])
            + f"?extension={e.pk}",
            who=user.organization.name,
            project_id=e.project_id,
            project_name=e.project.name,
            cite=e.cite,
        )
        for e in waiting
    ]


def _rectified(user: User, today: dt.date) -> list[Duty]:
    """Evaluations whose findings must be rectified, for the department to confirm."""
    waiting = (
        _rectifications_to_confirm(jurisdiction_id(user))
        .select_related("project")
        .only("id", "kind", "cite", "project_id", "project__name")
    )
    return [
        Duty(
            kind=RECTIFIED,
            title=_("确认%(kind)s问题整改到位") % {"kind": tr(e.get_kind_display())},
            url=reverse("project-action", args=[e.project_id, "rectified"]) + f"?evaluation={e.pk}",
            who=user.organization.name,
            project_id=e.project_id,
            project_name=e.project.name,
            cite=e.cite,
        )
        for e in waiting
    ]


def _opinions(expert: Any, today: dt.date) -> list[Duty]:
    """Meetings the expert sits on whose panel has been drawn and that have no opinion of theirs:
    due on the day of the meeting, else by the step's own due date."""
    meetings = (
        _opinions_owed(expert)
        .only(
            "id",
            "title",
            "scheduled_for",
            "project_id",
            "project__name",
            "step__cite",
            "step__due_on",
        )
        .annotate(step_due=F("step__due_on"))
    )
    rows = []
    for m in meetings:
        due = m.scheduled_for.astimezone(clock.CHINA).date() if m.scheduled_for else m.step_due
        rows.append(
            Duty(
                kind=OPINION,
                title=_("提交评审意见：%(meeting)s") % {"meeting": m.title},
                url=reverse("expert-opinion", args=[m.pk]),
                project_url=reverse("expert-opinion", args=[m.pk]),  # experts see no project page
                who=expert.name,
                project_id=m.project_id,
                project_name=m.project.name,
                **_due(due, today),
                cite=m.step.cite,
            )
        )
    return rows


# --- the jurisdiction's administrator ------------------------------------------------------------


def _may(user: User, action: str, obj: Any) -> bool:
    try:
        authorize(user, action, obj)
    except PermissionDenied:
        return False
    return True


def _administered(user: User) -> tuple[int | None, bool, bool]:
    """The jurisdiction the account administers (None: none), whether it enters the calendar's
    years (calendars.services) and whether it confirms a rulebook not in force
    (access.services.rulebook_confirm) — from the user and its roles as read, no query."""
    jid = jurisdiction_id(user) if user.is_authenticated else None
    if jid is None or not user.has_role(Role.ADMIN):
        return None, False, False
    return jid, _may(user, "jurisdiction.admin", jid), _may(user, "rulebook.confirm", jid)


def _confirmed(jid: int) -> dict[str, Exists]:
    """Annotations (of any query: they name the jurisdiction): whether its administrator has
    confirmed its bound rulebook version while it is each status short of in force."""
    return {
        f"confirmed_{status}": Exists(
            RulebookConfirmation.objects.filter(
                jurisdiction_id=jid, rulebook_id=F("jurisdiction__rulebook_id"), status=status
            )
        )
        for status in NOT_IN_FORCE
    }


def _unconfirmed(
    version_id: int | None, digest: str | None, found: dict[str, Any], today: dt.date
) -> tuple[LoadedRulebook, str] | None:
    """The bound rulebook and its status today when declarations wait for the administrator's
    confirmation (projects.workflow.require_rulebook_usable): not in force, and not confirmed
    while it is what it is (``found``: ``_confirmed``'s values)."""
    if version_id is None or digest is None:
        return None
    rb = _rulebook(version_id, digest)
    status = rb.status_on(today)
    if status == "in_force" or found.get(f"confirmed_{status}"):
        return None
    return rb, status


def _administration(user: User, today: dt.date) -> list[Duty]:
    """What the jurisdiction's administrator owes, as the administration pages say it: next
    year's holiday schedule while the calendar lacks it (the due dates in that year cannot be
    counted), and the confirmation declarations wait for under a rulebook not in force."""
    jid, calendar, confirms = _administered(user)
    if jid is None:
        return []
    rows = []
    year = next_year_to_add(today) if calendar else None  # the engine's calendar: no query
    if year is not None:
        rows.append(
            Duty(
                kind=CALENDAR,
                title=_("录入%(year)d年的节假日安排：涉及该年的到期日尚无法按工作日计算")
                % {"year": year},
                url=reverse("admin-calendar"),
                who=_("辖区管理员"),
                subject=_("工作日历"),
            )
        )
    if confirms:
        confirmed = _confirmed(jid)
        found = (
            Jurisdiction.objects.filter(pk=jid)
            .annotate(**confirmed)
            .values("rulebook_id", "rulebook__digest", *confirmed)
            .first()
        )
        owed = found and _unconfirmed(found["rulebook_id"], found["rulebook__digest"], found, today)
        if owed:
            rb, status = owed
            rows.append(
                Duty(
                    kind=RULEBOOK_CONFIRM,
                    title=_("规则手册%(status)s，须确认后方可申报")
                    % {"status": tr(STATUS_LABELS[status])},
                    url=reverse("admin-rulebook"),
                    who=_("辖区管理员"),
                    subject=f"《{rb.model.title}》",
                    cite=status_cite(rb, status) or "",
                )
            )
    return rows


# --- the whole desk ------------------------------------------------------------------------------


def owed(user: User, today: dt.date | None = None) -> list[Duty]:
    """Every duty the account owes, its tasks all read (the 工作台 pages them): by due date."""
    today = today or clock.today()
    tasks = [task_duty(t, today) for t in open_tasks(user)] if user.organization_id else []
    return sorted(tasks + other_duties(user, today), key=lambda d: d.sort_key)


def count(user: User, today: dt.date | None = None) -> int:
    """Every duty the account owes, of every kind (the header's figure)."""
    return header_figures(user, today)[0]


def header_figures(
    user: User, today: dt.date | None = None, *, unread_at_most: int | None = None
) -> tuple[int, int]:
    """The header's two figures in one query: every duty the account owes, of every kind, and
    (given ``unread_at_most``) its unread notifications counted up to that many. The kinds that
    need the rulebook (plans, the acceptance application's date) or a meeting's panel are worked
    out in full only when there is something of theirs to count."""
    if not user.is_authenticated:
        return 0, 0
    today = today or clock.today()
    counts: dict[str, QuerySet[Any]] = {}
    if user.organization_id is not None:
        counts["tasks"] = _office_open_tasks(user.organization_id)
    expert = getattr(user, "expert", None)
    if expert is not None:
        counts["opinions"] = _opinions_owed(expert)
    kind = org_kind(user)
    if works(user) and acts_as_unit(user):
        org = user.organization_id
        counts["steps"] = _steps_owed(org)
        counts["obligations"] = _obligations_owed(org, today)
        counts["built"] = _built(org)
    if works(user) and kind in AUTHORITY_KINDS:
        jid = jurisdiction_id(user)
        counts["changes"] = _approvals_owed(user.organization_id)
        plans = _waiting_plans(jid)
        counts["drafts"] = plans.filter(status=PlanStatus.DRAFT, entries__isnull=False)
        counts["submitted"] = plans.filter(status=PlanStatus.SUBMITTED)
        counts["countersign"] = PlanSignoff.objects.filter(
            plan__in=plans.filter(status=PlanStatus.COUNTERSIGNING),
            round=F("plan__round"),
            status=SignoffStatus.OPEN,
            organization_id=user.organization_id,
        )
        counts["years"] = _unlisted(jid, kind)
        if kind == "competent_department":
            counts["meetings"] = _meetings_owed(user)
            counts["extensions"] = _extensions_owed(jid)
            counts["rectified"] = _rectifications_to_confirm(jid)
    figures: dict[str, Any] = {
        f"n_{name}": _counted(qs, *COUNTED.get(name, ("pk", True))) for name, qs in counts.items()
    }
    if unread_at_most is not None:
        # counting stops there: a clerk told thousands of times costs what one told a hundred does
        capped = Subquery(
            Notification.objects.filter(user=user, read_at__isnull=True)
            .order_by()
            .values("pk")[:unread_at_most]
        )
        figures["unread"] = Func(
            capped,
            template="(SELECT COUNT(*) FROM %(expressions)s capped)",
            output_field=IntegerField(),
        )
    administered, enters_calendar, confirms = _administered(user)
    if confirms:  # whether the bound rulebook waits for this administrator's confirmation
        figures.update(_confirmed(administered))
    if "drafts" in counts or confirms:  # the plan rule is the jurisdiction's rulebook's
        bound = Jurisdiction.objects.filter(pk=jurisdiction_id(user))
        figures["rulebook"] = Subquery(bound.values("rulebook_id")[:1])
        figures["digest"] = Subquery(bound.values("rulebook__digest")[:1])
    found = User.objects.filter(pk=user.pk).annotate(**figures).values(*figures).first() or {}
    n = {name: found.get(f"n_{name}") or 0 for name in counts}
    total = sum(n.get(name, 0) for name in ("tasks", "opinions", "steps", "obligations", "changes"))
    total += n.get("extensions", 0) + n.get("rectified", 0) + n.get("countersign", 0)
    total += n.get("meetings", 0)
    total += n.get("years", 0)  # one row a plan year
    if n.get("drafts") or n.get("submitted"):
        rule = plan_rule(found["rulebook"], found["digest"])
        if rule is not None:
            total += n["drafts"] if kind == rule.compiler else 0
            total += n["submitted"] if kind == rule.approver else 0
    if n.get("built"):  # whether a date is owed is the rulebook's
        total += _built_owing(user.organization_id)
    if enters_calendar and next_year_to_add(today) is not None:
        total += 1
    if confirms and _unconfirmed(found.get("rulebook"), found.get("digest"), found, today):
        total += 1
    return total, found.get("unread") or 0


# what the header counts of a kind, and whether distinct (a join may repeat a row): the plan years
# of the unlisted projects; an office's tasks by a column of its index (task_office_open_due: read
# from the index alone, one table so no row repeated); every other kind's distinct rows
COUNTED = {"years": ("project__plan_year", True), "tasks": ("project_id", False)}


def _counted(qs: QuerySet[Any], field: str, distinct: bool = True) -> Subquery:
    """The distinct values of ``field`` in ``qs`` counted, as a value of another query (one row:
    COUNT without GROUP BY; distinct, as a join may repeat a row)."""
    template = (
        "%(function)s(DISTINCT %(expressions)s)" if distinct else "%(function)s(%(expressions)s)"
    )
    counted = Func(F(field), function="COUNT", template=template)
    return Subquery(qs.order_by().annotate(n=counted).values("n")[:1])
