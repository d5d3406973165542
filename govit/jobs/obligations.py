"""Duties that come due once a year or in a window, told to the construction unit: the yearly O&M
report and performance report (Obligation rows with a due date), the self-evaluation window as it
opens, the last day to apply for final acceptance after completion (黑龙江: half a year), the
deadline of a failed acceptance's rectification, by which the step is to be resubmitted — and,
told to the offices that owe it, the 编制期限 of an annual plan not yet approved (黑龙江第七条), and
to each expert of a drawn panel, the opinion they owe by the day of the meeting.

Each is told once a month before it is due, once when overdue (and once when a window opens).

A yearly duty is created for its first year by the workflow (the O&M report at acceptance, the
construction-phase report when construction opens); ``renew`` creates each later year's, on the
first run of that year, while the project is still in that phase."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, Max, OuterRef, Q
from django.utils.translation import gettext_noop

from govit.core.clock import CHINA
from govit.delivery.models import Obligation, Rectification
from govit.delivery.steps import application_due, carried_by_open_step
from govit.events.phrases import Day, Step, Word, maybe, said
from govit.jobs.common import add_working_days, already_told, batches, system, untold
from govit.jobs.recheck import Rulebooks
from govit.jobs.recipients import People
from govit.notifications.email import send_pending
from govit.notifications.models import Kind
from govit.notifications.services import EventBatch, Notice, notify_many
from govit.organizations.models import Organization
from govit.planning.models import AnnualPlan, PlanSignoff, PlanStatus, SignoffStatus
from govit.planning.selectors import approver_kind
from govit.policy.calendar import default_calendar
from govit.policy.loader import LoadedRulebook
from govit.policy.schema import MonthDay
from govit.projects.models import Project, ProjectStatus
from govit.reviews.models import ExpertOpinion, MeetingStatus, Seat

SOON = dt.timedelta(days=30)  # a yearly report is prepared over weeks, not working days
LIVE = (ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED, ProjectStatus.COMPLETED)


def run(today: dt.date) -> dict[str, int]:
    actor = system()
    counts = {
        "renewed": 0,
        "obligations": 0,
        "acceptance": 0,
        "rectifications": 0,
        "plans": 0,
        "opinions": 0,
        "notices": 0,
    }
    counts["renewed"] = renew(actor, today)
    duties = list(
        Obligation.objects.filter(
            fulfilled_at__isnull=True,
            due_on__isnull=False,
            project__status__in=LIVE,
        )
        .filter(Q(opens_on__isnull=True) | Q(opens_on__lte=today))
        .filter(Q(due_on__lte=today + SOON) | Q(opens_on__lte=today))
        .select_related("project__jurisdiction", "project__unit")
        .annotate(
            rulebook_code=F("project__rulebook__rulebook_id"),
            # the first year's O&M report is also its step's task: the deadline scan tells it
            # overdue (and the competent department, to supervise), so it is not told twice
            carried=ExpressionWrapper(carried_by_open_step(), output_field=BooleanField()),
        )
        .order_by("due_on", "id")
    )
    counts["obligations"] = len(duties)
    for chunk in batches(duties):
        people = People({o.project.unit_id for o in chunk})
        plan = []
        for duty in chunk:
            for kind in _stages(duty, today):
                if duty.carried and kind == Kind.OBLIGATION_OVERDUE:
                    continue
                plan.append((duty, kind, f"{kind}:obligation:{duty.pk}:{duty.due_on.isoformat()}"))
        told = already_told(key for _, _, key in plan)
        notices = []
        for duty, kind, key in plan:
            recipients = people.working(duty.project.unit_id)
            if untold(recipients, key, told):
                notices.append(_tell_duty(duty, kind, key, recipients, today))
        counts["notices"] += _send(actor, notices)
    projects = list(
        Project.objects.filter(
            status=ProjectStatus.ACTIVE, completed_on__isnull=False, accepted_on__isnull=True
        ).select_related("jurisdiction", "unit", "rulebook")
    )
    for chunk in batches(projects):
        people = People({p.unit_id for p in chunk})
        plan = []
        for project in chunk:
            due, cite = application_due(project)
            if due is None or due > today + SOON:
                continue
            kind = Kind.ACCEPTANCE_OVERDUE if due < today else Kind.ACCEPTANCE_DUE_SOON
            plan.append(
                (project, due, cite, kind, f"{kind}:project:{project.pk}:{due.isoformat()}")
            )
        counts["acceptance"] += len(plan)
        told = already_told(key for *_, key in plan)
        notices = []
        for project, due, cite, kind, key in plan:
            recipients = people.working(project.unit_id)
            if untold(recipients, key, told):
                notices.append(_tell_acceptance(project, due, cite, kind, key, recipients, today))
        counts["notices"] += _send(actor, notices)
    rectifications(actor, today, counts)
    plans(actor, today, counts)
    opinions(actor, today, counts)
    counts["emails"] = send_pending()
    return counts


RECTIFY_SOON = 3  # working days, as for a task: a rectification's deadline is weeks, not a year


def rectifications(actor, today: dt.date, counts: dict[str, int]) -> None:
    """Open rectifications of a failed acceptance (岳阳第二十八条 …) due within RECTIFY_SOON
    working days or overdue: the unit owes the step's resubmission by the deadline."""
    horizon = add_working_days(default_calendar(), today, RECTIFY_SOON)
    due = list(
        Rectification.objects.filter(
            closed_at__isnull=True,
            deadline__lte=horizon,
            project__status__in=(ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED),
        )
        .select_related("project__unit", "project__rulebook", "step")
        .order_by("deadline", "id")
    )
    counts["rectifications"] = len(due)
    for chunk in batches(due):
        people = People({r.project.unit_id for r in chunk})
        plan = []
        for item in chunk:
            kind = (
                Kind.RECTIFICATION_OVERDUE if item.deadline < today else Kind.RECTIFICATION_DUE_SOON
            )
            plan.append((item, kind, f"{kind}:rectification:{item.pk}:{item.deadline.isoformat()}"))
        told = already_told(key for *_, key in plan)
        notices = []
        for item, kind, key in plan:
            recipients = people.working(item.project.unit_id)
            if untold(recipients, key, told):
                notices.append(_tell_rectification(item, kind, key, recipients, today))
        counts["notices"] += _send(actor, notices)


def plans(actor, today: dt.date, counts: dict[str, int]) -> None:
    """Annual plans not yet approved whose 编制期限 (``due_on``, from the rulebook's annual_plan
    deadline: 黑龙江第七条 每年10月31日前) is within SOON or past, told to the offices that owe the
    plan's next act — as the 工作台 lists it: the compiler while it is a draft, each co-compiler
    whose 会签 is open, the approver once it is submitted. Told once a stage and owner."""
    waiting = list(
        AnnualPlan.objects.filter(
            due_on__isnull=False,
            due_on__lte=today + SOON,
            jurisdiction__rulebook__isnull=False,
        )
        .exclude(status=PlanStatus.APPROVED)
        .select_related("jurisdiction")
        .annotate(rulebook_code=F("jurisdiction__rulebook__rulebook_id"))
        .order_by("due_on", "id")
    )
    counts["plans"] = len(waiting)
    if not waiting:
        return
    rulebooks = Rulebooks()
    signing: dict[int, set[int]] = {}
    for plan_id, org_id in PlanSignoff.objects.filter(
        plan__in=waiting, round=F("plan__round"), status=SignoffStatus.OPEN
    ).values_list("plan_id", "organization_id"):
        signing.setdefault(plan_id, set()).add(org_id)
    offices: dict[tuple[int, str], set[int]] = {}
    for org_id, jid, kind in Organization.objects.filter(
        jurisdiction_id__in={p.jurisdiction_id for p in waiting}
    ).values_list("pk", "jurisdiction_id", "kind"):
        offices.setdefault((jid, kind), set()).add(org_id)
    plan = []
    for item in waiting:
        step = next(
            s
            for s in rulebooks(item.jurisdiction.rulebook_id).model.steps
            if s.kind == "annual_plan"
        )
        if item.status == PlanStatus.COUNTERSIGNING:
            owers = signing.get(item.pk, set())
        else:
            owner = step.actor if item.status == PlanStatus.DRAFT else approver_kind(step)
            owers = offices.get((item.jurisdiction_id, owner), set())
        kind = Kind.PLAN_OVERDUE if item.due_on < today else Kind.PLAN_DUE_SOON
        key = f"{kind}:plan:{item.pk}:{item.status}:{item.round}:{item.due_on.isoformat()}"
        plan.append((item, owers, kind, key))
    people = People({org for _, owers, *_ in plan for org in owers})
    told = already_told(key for *_, key in plan)
    notices = []
    for item, owers, kind, key in plan:
        for org in sorted(owers):
            recipients = people.working(org)
            if untold(recipients, key, told):
                notices.append(_tell_plan(item, kind, key, recipients, today))
    counts["notices"] += _send(actor, notices)


def _tell_plan(item, kind: str, key: str, recipients, today: dt.date) -> Notice:
    act = Word(
        {
            PlanStatus.DRAFT: "编制并报送",
            PlanStatus.COUNTERSIGNING: "会签",
            PlanStatus.SUBMITTED: "审定",
        }[item.status]
    )
    if kind == Kind.PLAN_OVERDUE:
        title = said(gettext_noop("年度计划编制已逾期：%(plan)s"), plan=item.title)
        body = said(
            gettext_noop(
                "“%(plan)s”应于%(due)s前编制完成（依据%(cite)s），已逾期%(late)s天，"
                "尚待%(act)s，请尽快办理。"
            ),
            plan=item.title,
            due=Day(item.due_on),
            cite=item.due_cite,
            late=(today - item.due_on).days,
            act=act,
        )
    else:
        title = said(gettext_noop("年度计划编制期限将至：%(plan)s"), plan=item.title)
        body = said(
            gettext_noop("“%(plan)s”应于%(due)s前编制完成（依据%(cite)s），尚待%(act)s。"),
            plan=item.title,
            due=Day(item.due_on),
            cite=item.due_cite,
            act=act,
        )
    return Notice(
        recipients=recipients,
        kind=kind,
        key=key,
        title=title,
        body=body,
        cite=item.due_cite,
        rulebook_id=item.rulebook_code,
        jurisdiction=item.jurisdiction,
        summary=title,
    )


def opinions(actor, today: dt.date, counts: dict[str, int]) -> None:
    """Each expert seated on a drawn panel who has given no opinion, told RECTIFY_SOON working
    days before it is due and once overdue — due, as the expert's 工作台 says, on the day of the
    meeting, else by the step's own due date; the article is the step's."""
    horizon = add_working_days(default_calendar(), today, RECTIFY_SOON)
    seats = (
        Seat.objects.filter(
            vacated_at__isnull=True,
            meeting__status=MeetingStatus.DRAWN,
            meeting__project__status=ProjectStatus.ACTIVE,
            expert__user__is_active=True,
        )
        .exclude(
            Exists(
                ExpertOpinion.objects.filter(
                    meeting_id=OuterRef("meeting_id"), expert_id=OuterRef("expert_id")
                )
            )
        )
        .select_related("expert__user", "meeting__project", "meeting__step")
        .annotate(rulebook_code=F("meeting__project__rulebook__rulebook_id"))
        .order_by("meeting_id", "position")
    )
    plan = []
    for seat in seats:
        meeting = seat.meeting
        due = (
            meeting.scheduled_for.astimezone(CHINA).date()
            if meeting.scheduled_for
            else meeting.step.due_on
        )
        if due is None or due > horizon:
            continue
        kind = Kind.OPINION_OVERDUE if due < today else Kind.OPINION_DUE_SOON
        plan.append((seat, due, kind, f"{kind}:opinion:{meeting.pk}:{seat.expert_id}:{due}"))
    counts["opinions"] = len(plan)
    told = already_told(key for *_, key in plan)
    notices = [
        _tell_opinion(seat, due, kind, key, today)
        for seat, due, kind, key in plan
        if untold([seat.expert.user], key, told)
    ]
    counts["notices"] += _send(actor, notices)


def _tell_opinion(seat, due: dt.date, kind: str, key: str, today: dt.date) -> Notice:
    meeting, cite = seat.meeting, seat.meeting.step.cite
    what = said(
        gettext_noop(
            "您是“%(meeting)s”（项目“%(project)s”）的评审专家，应于%(due)s前提交评审意见"
            "（依据%(cite)s）"
        ),
        meeting=meeting.title,
        project=meeting.project.name,
        due=Day(due),
        cite=cite,
    )
    if kind == Kind.OPINION_OVERDUE:
        title = said(gettext_noop("评审意见已逾期：%(meeting)s"), meeting=meeting.title)
        body = what + said(
            gettext_noop("，已逾期%(late)s天，请尽快提交。"), late=(today - due).days
        )
    else:
        title = said(gettext_noop("评审意见即将到期：%(meeting)s"), meeting=meeting.title)
        body = what + said(gettext_noop("。"))
    return Notice(
        recipients=[seat.expert.user],
        kind=kind,
        key=key,
        title=title,
        body=body,
        cite=cite,
        rulebook_id=seat.rulebook_code or "",
        project=meeting.project,
        summary=title,
    )


def _send(actor, notices: list[Notice]) -> int:
    if not notices:
        return 0
    return sum(len(rows) for rows in notify_many(actor=actor, notices=notices))


YEAR_END = MonthDay(month=12, day=31)


def renew(actor, today: dt.date) -> int:
    """This year's yearly duties of the projects that had last year's (or an earlier year's)
    and are still in the phase the duty belongs to: the O&M report (运维, 岳阳第三十一条, 临湘
    第二十九条: 每年) while the system is in operation, a construction-phase report (黑龙江第二十五
    条: 每年度) while it is being built. Created once (unique per project, code and year), each
    with its ``obligation.created`` event; returns how many were created."""
    rulebooks = Rulebooks()
    latest = (
        Obligation.objects.filter(period__isnull=False, project__status__in=LIVE)
        .values("project_id", "code")
        .annotate(last=Max("period"))
        .filter(last__lt=today.year)
        .order_by("project_id", "code")
        .values_list("project_id", "code")
    )
    wanted: dict[int, list[str]] = {}
    for project_id, code in latest:
        wanted.setdefault(project_id, []).append(code)
    created = 0
    for chunk in batches(sorted(wanted)):
        projects = Project.objects.filter(pk__in=chunk).only(
            "id", "jurisdiction_id", "rulebook_id", "completed_on", "operation_started_on"
        )
        rows = []
        for project in projects:
            if project.rulebook_id is None:
                continue
            rb = rulebooks(project.rulebook_id)
            for code in wanted[project.pk]:
                spec = _yearly(rb, code, project)
                if spec is not None:
                    name, cite, due = spec
                    rows.append(
                        Obligation(
                            project_id=project.pk,
                            code=code,
                            name=name,
                            cite=cite,
                            period=today.year,
                            due_on=due.in_year(today.year),
                        )
                    )
        created += _create(actor, rows, {p.pk: p.jurisdiction_id for p in projects})
    return created


def _yearly(rb: LoadedRulebook, code: str, project: Project):
    """(name, article, due day in the year) of a yearly duty the project is still bound to this
    year, or None (the phase is over, or its rulebook has no such yearly duty)."""
    if code == "OM_REPORT":
        if project.operation_started_on is None:
            return None
        rule = next((r for r in rb.model.steps if r.kind == "om_report"), None)
        return (rule.name, rule.cite, YEAR_END) if rule is not None else None
    duty = next((d for d in rb.model.obligations if d.code == code and d.every == "year"), None)
    if duty is None:
        return None
    if duty.during == "construction" and project.completed_on is not None:
        return None
    if duty.during == "operation" and project.operation_started_on is None:
        return None
    return duty.name, duty.cite, duty.due or YEAR_END


def _create(actor, rows: list[Obligation], jurisdictions: dict[int, int]) -> int:
    """The batch's new duties and their events in one transaction; when another run created
    some of them first, one by one (each created once)."""
    if not rows:
        return 0
    try:
        with transaction.atomic():
            Obligation.objects.bulk_create(rows)
            _created_events(actor, rows, jurisdictions).flush()
        return len(rows)
    except IntegrityError:
        pass
    created = 0
    for row in rows:
        try:
            with transaction.atomic():
                row.pk = None
                row._state.adding = True
                row.save(force_insert=True)
                _created_events(actor, [row], jurisdictions).flush()
        except IntegrityError:
            continue
        created += 1
    return created


def _created_events(actor, rows: list[Obligation], jurisdictions: dict[int, int]) -> EventBatch:
    events = EventBatch(actor)
    for row in rows:
        events.record(
            "obligation.created",
            project_id=row.project_id,
            jurisdiction_id=jurisdictions[row.project_id],
            summary=said(
                gettext_noop("%(name)s（%(year)s年度），应于%(day)s前完成"),
                name=row.name,
                year=row.period,
                day=Day(row.due_on),
            ),
            cite=row.cite,
            after={"obligation": row.pk, "due_on": row.due_on.isoformat(), "period": row.period},
        )
    return events


def _stages(duty: Obligation, today: dt.date) -> list[str]:
    stages = []
    if duty.opens_on is not None and duty.opens_on <= today <= duty.due_on:
        stages.append(Kind.OBLIGATION_OPEN)
    if duty.due_on < today:
        stages.append(Kind.OBLIGATION_OVERDUE)
    elif duty.due_on <= today + SOON:
        stages.append(Kind.OBLIGATION_DUE_SOON)
    return stages


def _tell_duty(duty: Obligation, kind: str, key: str, recipients, today: dt.date) -> Notice:
    project = duty.project
    what = said(
        gettext_noop("项目“%(project)s”的“%(duty)s”"), project=project.name, duty=duty.name
    ) + maybe(duty.period, gettext_noop("（%(year)s年度）"), year=duty.period)
    due = Day(duty.due_on)
    if kind == Kind.OBLIGATION_OPEN:
        title = said(gettext_noop("评价期已开始：%(duty)s"), duty=duty.name)
        body = what + said(
            gettext_noop("可在%(start)s至%(due)s期间完成（依据%(cite)s）。"),
            start=Day(duty.opens_on),
            due=due,
            cite=duty.cite,
        )
    elif kind == Kind.OBLIGATION_OVERDUE:
        title = said(gettext_noop("义务已逾期：%(duty)s"), duty=duty.name)
        body = what + said(
            gettext_noop("应于%(due)s前完成（依据%(cite)s），已逾期%(late)s天，请尽快办理。"),
            due=due,
            cite=duty.cite,
            late=(today - duty.due_on).days,
        )
    else:
        title = said(gettext_noop("义务即将到期：%(duty)s"), duty=duty.name)
        body = what + said(
            gettext_noop("应于%(due)s前完成（依据%(cite)s），尚余%(left)s天。"),
            due=due,
            cite=duty.cite,
            left=(duty.due_on - today).days,
        )
    return Notice(
        recipients=recipients,
        kind=kind,
        key=key,
        title=title,
        body=said(gettext_noop("%(office)s："), office=project.unit.name) + body,
        cite=duty.cite,
        rulebook_id=duty.rulebook_code or "",
        project=project,
        summary=title,
    )


def _tell_rectification(item, kind: str, key: str, recipients, today: dt.date) -> Notice:
    project, step = item.project, item.step
    failed = said(
        gettext_noop(
            "项目“%(project)s”的“%(step)s”不合格，应于%(due)s前整改并重新报送（依据%(cite)s）"
        ),
        project=project.name,
        step=Step.of(step),
        due=Day(item.deadline),
        cite=item.cite,
    )
    if kind == Kind.RECTIFICATION_OVERDUE:
        title = said(gettext_noop("整改已逾期：%(step)s"), step=Step.of(step))
        body = failed + said(
            gettext_noop("，已逾期%(late)s天，请尽快办理。"), late=(today - item.deadline).days
        )
    else:
        title = said(gettext_noop("整改期限将至：%(step)s"), step=Step.of(step))
        body = failed + said(gettext_noop("。"))
    return Notice(
        recipients=recipients,
        kind=kind,
        key=key,
        title=title,
        body=said(gettext_noop("%(office)s："), office=project.unit.name) + body,
        cite=item.cite,
        rulebook_id=project.rulebook.rulebook_id if project.rulebook else "",
        project=project,
        summary=title,
    )


def _tell_acceptance(project, due: dt.date, cite: str, kind: str, key, recipients, today):
    built = Day(project.completed_on)
    if kind == Kind.ACCEPTANCE_OVERDUE:
        title = said(gettext_noop("竣工验收申请已逾期"))
        body = said(
            gettext_noop(
                "项目“%(project)s”于%(built)s建成，申请竣工验收的期限已于%(due)s届满（依据%(cite)s）；"
                "不能按期申请验收的，应先提出延期验收申请。"
            ),
            project=project.name,
            built=built,
            due=Day(due),
            cite=cite,
        )
    else:
        title = said(gettext_noop("竣工验收申请期限将至"))
        body = said(
            gettext_noop(
                "项目“%(project)s”于%(built)s建成，应于%(due)s前申请竣工验收（依据%(cite)s），"
                "尚余%(left)s天；不能按期申请的，应在期满前提出延期验收申请。"
            ),
            project=project.name,
            built=built,
            due=Day(due),
            cite=cite,
            left=(due - today).days,
        )
    return Notice(
        recipients=recipients,
        kind=kind,
        key=key,
        title=title,
        body=said(gettext_noop("%(office)s："), office=project.unit.name) + body,
        cite=cite,
        rulebook_id=project.rulebook.rulebook_id if project.rulebook else "",
        project=project,
        summary=title,
    )
