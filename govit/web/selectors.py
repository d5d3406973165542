"""Reads shaped for pages. They call the domain selectors (which scope everything to what the user
may see) and add what a page shows beside the data: days left, labels, counts, article texts."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils.translation import get_language, gettext

from govit.access.policy import acts_as_unit, is_auditor, jurisdiction_id, org_kind, works
from govit.core import clock
from govit.delivery.models import Rectification
from govit.documents.models import Document, DocumentVersion
from govit.events import selectors as event_selectors
from govit.events.models import Event
from govit.exchange.annex import forms_for
from govit.jurisdictions.models import Jurisdiction
from govit.organizations.models import Organization, User
from govit.policy import render
from govit.policy.calendar import CalendarYearMissing, default_calendar
from govit.policy.loader import LoadedRulebook
from govit.policy.vocab import AUTHORITY_KINDS
from govit.projects import selectors as project_selectors
from govit.projects import workflow
from govit.projects.models import (
    DONE_STEP_STATUSES,
    Opinion,
    PartyRole,
    Project,
    ProjectStatus,
    ProjectStep,
    StepStatus,
    Task,
    TaskStatus,
)
from govit.reviews.selectors import expert_meetings
from govit.web import duties as desk
from govit.web.actions import ACTIONS, AUTHORITY, UNIT, panel
from govit.web.labels import (
    event_actor_name,
    event_actor_text,
    event_kind_label,
    event_summary,
    step_label,
)

EVENTS_SHOWN = 50  # events a page of the project's history


def is_unit_user(user: User) -> bool:
    """A unit's clerk or leader, or one of an authority that is the unit of some projects
    (连平第四条第（一）项: 县政务服务数据管理局 for 公共类项目)."""
    return acts_as_unit(user) and works(user)


def next_year() -> int:
    return clock.today().year + 1


WORKBENCH_PAGE = 25  # tasks a page of the 工作台


class CountedPaginator(Paginator):
    """A paginator whose total was already counted (with the overdue tasks, in one query)."""

    def __init__(self, object_list: Any, per_page: int, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # the cached_property, filled


def overdue_before(today: dt.date) -> dt.date:
    """A task is overdue (its working days left are negative) when it was due before the last
    working day up to today: on a Saturday, a task due on Friday has 0 working days left."""
    cal = default_calendar()
    day = today
    try:
        for _ in range(60):  # the longest holiday is far shorter
            if cal.is_working_day(day):
                return day
            day -= dt.timedelta(days=1)
    except CalendarYearMissing:
        pass
    return today


def workbench(user: User, page_number: Any = None) -> dict[str, Any]:
    """Everything the user owes (govit/web/duties.py): the office's open tasks a page at a time
    by due date (the overdue first), counted exactly with the overdue ones in one query and read
    with only the columns the page shows; then the other duties — submissions, plan 会签 and
    审定, change decisions, an expert's opinion, obligations — all of them, by due date."""
    today = clock.today()
    tasks = desk.open_tasks(user)
    counts = tasks.order_by().aggregate(  # COUNT(*): counted from the index, rows unread
        total=Count("*"), overdue=Count("due_on", filter=Q(due_on__lt=overdue_before(today)))
    )
    page = CountedPaginator(tasks, WORKBENCH_PAGE, counts["total"]).get_page(page_number)
    rows = [desk.task_duty(task, today) for task in page.object_list]
    others = desk.other_duties(user, today)
    meetings = []
    expert = getattr(user, "expert", None)
    if expert is not None:
        meetings = list(expert_meetings(expert).select_related("project")[:50])
    drafts = []
    if is_unit_user(user):
        drafts = list(
            project_selectors.project_list(user, status=ProjectStatus.DRAFT)
            .select_related(None)
            .only("id", "name", "plan_year")[:20]
        )
    return {
        "today": today,
        "page": page,
        "rows": rows,
        "others": others,
        "task_count": counts["total"],
        "duty_count": counts["total"] + len(others),
        "overdue_count": counts["overdue"] + sum(1 for d in others if d.overdue),
        "meetings": meetings,
        "drafts": drafts,
    }


def filter_choices(user: User, visible: QuerySet[Project]) -> tuple[Any, Any]:
    """The project list's 辖区 and 建设单位 choices, without reading the visible projects for
    them where the policy already says whose they are: every project a user of a jurisdiction
    may see is of that jurisdiction, and an authority's or auditor's are its construction
    units' (a unit sees its own). Vendors (a few projects each) ask the projects."""
    units = Organization.objects.filter(kind="construction_unit").only("id", "name")
    if user.is_superuser:
        return Jurisdiction.objects.order_by("code"), units.order_by("name")
    jid = jurisdiction_id(user)
    kind = org_kind(user)
    if jid is None or kind is None:
        return Jurisdiction.objects.none(), Organization.objects.none()
    jurisdictions = Jurisdiction.objects.filter(pk=jid)
    if kind == "construction_unit":
        units = units.filter(pk=user.organization_id)
    elif kind in AUTHORITY_KINDS or is_auditor(user):
        units = units.filter(jurisdiction_id=jid)
    else:
        units = Organization.objects.filter(pk__in=visible.values("unit_id")).only("id", "name")
    return jurisdictions, units.order_by("name")


def project_rows(projects: list[Project]) -> list[dict[str, Any]]:
    """One row per project of a list page, with whether it has overdue tasks (one query)."""
    today = clock.today()
    overdue = set(
        Task.objects.filter(
            project__in=projects, status=TaskStatus.OPEN, due_on__lt=today
        ).values_list("project_id", flat=True)
    )
    return [
        {
            "project": p,
            "stage": step_label(p.stage) if p.stage else "",
            "overdue": p.pk in overdue,
        }
        for p in projects
    ]


def declaration_rules(
    rb: LoadedRulebook | None, applied: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    """What the rulebook asks of a declaration, shown before the unit fills or submits it;
    with ``applied`` (the project's steps) only the rules that apply to the project."""
    if rb is None:
        return []
    rules = render.step_rules(rb, ("declaration",), applied)
    for gate in rb.model.gates:
        rules.append((render.gate_test(gate, rb), gate.cite))
    # who declares what (连平第四条第（一）项: 公共类项目 are the 县政务服务数据管理局's own)
    rules += [(a.note, a.cite) for a in rb.model.acting]
    return rules


def declare_preview(project: Project) -> dict[str, Any]:
    """What declaring would do: the procedure the rulebook gives this project, and the findings
    about the unit's record that block or warn — before the unit presses the button."""
    rb = workflow.rulebook_of(project)
    answer = workflow.decision(project)
    return {
        "project": project,
        "rb": rb,
        "answer": answer,
        "findings": workflow.unit_record_findings(project) if project.status == "draft" else [],
        "rules": declaration_rules(rb, {s["kind"]: s for s in answer["steps"]}),
    }


RECORD_TTL = 15 * 60  # seconds the project page's rendered record is kept (see project_page)


def record_head(project: Project) -> str:
    """The digest of the last event on the project's stream: every change to a project's steps,
    tasks, opinions and documents records one, so it names the state they are in (a digest, not
    a number: unique even where a database hands out a rolled-back number again)."""
    return (
        Event.objects.filter(stream=f"project:{project.pk}")
        .order_by("-seq")
        .values_list("digest", flat=True)
        .first()
        or "none"
    )


def project_timeline(
    steps: list[ProjectStep], rb: LoadedRulebook | None, today: dt.date
) -> list[dict[str, Any]]:
    """Each step with its tasks (every round) and opinions, for the project page's 生命周期."""
    prefetch_related_objects(
        steps,
        Prefetch(
            "tasks",
            queryset=Task.objects.select_related("organization", "closed_by").order_by(
                "round", "-lead", "id"
            ),
        ),
        Prefetch(
            "opinions",
            queryset=Opinion.objects.select_related("user", "organization").order_by("at"),
        ),
    )
    current = _current(steps)
    unstated = {s.kind for s in rb.model.steps if "actor" in s.unstated} if rb else set()
    return [
        {
            "step": step,
            "actor": _actor_label(step, rb, unstated),
            "tasks": list(step.tasks.all()),
            "opinions": list(step.opinions.all()),
            "done": step.status in DONE_STEP_STATUSES,
            "current": step is current,
            "overdue": step.due_on is not None
            and step.due_on < today
            and step.status not in DONE_STEP_STATUSES,
        }
        for step in steps
    ]


def _actor_label(step: ProjectStep, rb: LoadedRulebook | None, unstated: set[str]) -> str:
    """Who acts on a step; where the regulation names nobody (连平第二十二条 档案验收), the body
    leading it is said to be the jurisdiction's choice, not the regulation's."""
    name = rb.actor_name(step.actor) if rb else step.actor
    if step.kind not in unstated:
        return name
    lead = next((t for t in step.tasks.all() if t.lead), None)
    shown = lead.organization.name if lead is not None else name
    return gettext("%(name)s（办法未规定办理机关，由辖区指定）") % {"name": shown}


STEP_HISTORY_ACTIONS = ("submit", "return")


def step_history(step: ProjectStep) -> list[dict[str, Any]]:
    """Each 报送 (with the unit's 报送说明) and each 退回修改 (who, when, why) of a step, oldest
    first, with the round each belongs to; a failed acceptance's return carries its 整改期限
    (the ``Rectification`` its returner opened for the same reason). The unit reads it before
    resubmitting, the reviewer before deciding the next round."""
    opinions = step.opinions.filter(action__in=("submit", "return")).select_related(
        "user", "organization"
    )
    deadlines = {
        (r.opened_by_id, r.reason): r.deadline for r in Rectification.objects.filter(step=step)
    }
    history, round_ = [], 0
    for o in opinions.order_by("at", "id"):
        returned = o.action == "return"
        round_ += not returned
        history.append(
            {
                "opinion": o,
                "returned": returned,
                "round": round_,
                "rectify_by": deadlines.get((o.user_id, o.text)) if returned else None,
            }
        )
    return history


def project_documents(project: Project) -> list[Document]:
    """The project's documents with every version and its uploader, by name."""
    return list(
        Document.objects.filter(project=project)
        .order_by("name")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("number"),
            )
        )
    )


def _current(steps: list[ProjectStep]) -> ProjectStep | None:
    return next((s for s in steps if s.status not in DONE_STEP_STATUSES), None)


def project_page(user: User, project: Project) -> dict[str, Any]:
    """What the project page shows its reader. The record — the timeline with every task and
    opinion, and the documents with every version — is the same for every reader on a given day:
    the page caches it rendered (``record_key``, for ``RECORD_TTL``) under the project's last
    event, and reads it (``timeline``, ``documents``: called by the template) only when it is
    not cached. What depends on the reader (their tasks, what they may do) is read every time."""
    rb = workflow.rulebook_of(project)
    today = clock.today()
    steps = list(project.steps.order_by("seq"))
    by_id = {s.pk: s for s in steps}
    current = _current(steps)
    mine = []
    if user.organization_id is not None and works(user):  # an auditor reads, and does nothing
        for task in Task.objects.filter(
            project=project, status=TaskStatus.OPEN, organization_id=user.organization_id
        ).order_by("round", "-lead", "id"):
            task.step = by_id[task.step_id]
            mine.append(task)
        mine.sort(key=lambda t: t.step.seq)  # in the timeline's order
    own_unit = project.unit_id == user.organization_id and works(user)
    competent = org_kind(user) == "competent_department" and works(user)
    can_submit = (
        (
            own_unit
            and current is not None
            and current.actor == "construction_unit"
            and current.status in (StepStatus.READY, StepStatus.RETURNED)
        )
        or (
            own_unit
            and current is not None
            and current.start_mode == "on_submission"
            and current.status in (StepStatus.READY, StepStatus.RETURNED)
        )
        or (  # a returned step goes back to whoever reviews it when the unit resubmits
            own_unit and current is not None and current.status == StepStatus.RETURNED
        )
    )
    can_supplement = (
        own_unit
        and current is not None
        and current.status == StepStatus.IN_REVIEW
        and current.actor != "construction_unit"
    )
    active = project.status == ProjectStatus.ACTIVE
    actions = panel(
        [
            a
            for a in ACTIONS
            if active and ((a.who == UNIT and own_unit) or (a.who == AUTHORITY and competent))
        ],
        steps,
    )
    record_key = ":".join(
        (
            str(project.pk),
            record_head(project),
            today.isoformat(),
            getattr(rb, "digest", "") or "",
            get_language() or "",
        )
    )
    return {
        "project": project,
        "rb": rb,
        "steps": steps,
        "timeline": lambda: project_timeline(steps, rb, today),
        "documents": lambda: project_documents(project),
        "record_key": record_key,
        "record_ttl": RECORD_TTL,
        "current": current,
        "my_tasks": mine,
        "can_submit": can_submit,
        "can_supplement": can_supplement,
        "is_draft": project.status == ProjectStatus.DRAFT and own_unit,
        "actions": actions,
        "read_only": is_auditor(user) or not works(user),
        "warnings": project_selectors.declaration_warnings(project),
        "readings": project_readings(project),
        "annex_forms": forms_for(rb),
        **acting_part(project),
    }


def acting_part(project: Project) -> dict[str, Any]:
    """Whose part the project's unit does (连平第四条第（一）项: a 公共类 project is the 县政务服务
    数据管理局's) and the units joined to it (第十五条); nothing for a unit's own project."""
    acting = workflow.performed_by(project)
    if acting is None:
        return {"acting": None, "joint_units": []}
    joint = project.parties.filter(role=PartyRole.JOINT_UNIT).select_related("organization")
    return {"acting": acting, "joint_units": [p.organization for p in joint]}


def project_readings(project: Project) -> list[Any]:
    """The readings the platform applies to this project where its regulation leaves a choice
    (the rulebook's ``interpretations`` whose condition the project's facts meet): an official
    sees what was assumed, with the article. Classification is memoised: no query."""
    return list(workflow.column_classification(project).interpretations)


# what the mark of a voided or corrected record reads (web/projects/_void_mark.html)
TRAIL = ("voided_by", "supersedes")


def project_delivery(project: Project) -> dict[str, Any]:
    """The project page's 采购、合同、支付、变更与评价, loaded when the reader reaches it."""
    return {
        "project": project,
        "rb": workflow.rulebook_of(project),
        "changes": list(project.changes.prefetch_related("items").order_by("number")),
        # voided and corrected records stay listed, marked as such (who, when, why)
        "procurements": list(project.procurements.select_related("winner", *TRAIL)),
        "contracts": list(
            project.contracts.select_related("vendor", "signatory", *TRAIL).order_by("signed_on")
        ),
        "payments": list(project.payments.select_related("contract", *TRAIL).order_by("due_on")),
        "evaluations": list(project.evaluations.order_by("at")),
        "progress": list(project.progress_reports.select_related(*TRAIL).order_by("-id")[:10]),
        "incidents": list(project.incidents.select_related(*TRAIL).order_by("-id")[:10]),
        "trial_runs": list(project.trial_runs.select_related(*TRAIL).order_by("-id")),
    }


def history_filters(query: Any) -> dict[str, str]:
    """The event log's filter as the request gives it (the history part and its export alike):
    kind, person (a user id or ``events.selectors.SYSTEM``) and words."""
    return {
        "kind": str(query.get("kind", "")).strip(),
        "person": str(query.get("person", "")).strip(),
        "q": str(query.get("q", "")).strip()[:100],
    }


def project_history(project: Project, query: Any = None) -> dict[str, Any]:
    """The project page's event history, newest first, a page at a time (every event reachable),
    narrowed by kind, person and words (``query``: the request's GET). Each page is one query
    on the (project, id) index; the filter's choices are read from the project's own events."""
    query = query if query is not None else {}
    filters = history_filters(query)
    matching = event_selectors.project_events(project, **filters)
    page = Paginator(matching, EVENTS_SHOWN).get_page(query.get("page"))
    events = list(page.object_list)
    for event in events:
        event.kind_label = event_kind_label(event.kind)
        event.actor_text = event_actor_text(event)
        event.summary_text, event.as_recorded = event_summary(event)
    filtered = any(filters.values())
    chosen = {key: value for key, value in filters.items() if value}
    return {
        "project": project,
        "rb": workflow.rulebook_of(project),
        "events": events,
        "page": page,
        "events_total": (
            Event.objects.filter(project=project).count() if filtered else page.paginator.count
        ),
        "events_matching": page.paginator.count,
        "filtered": filtered,
        "filters": filters,
        "filter_query": urlencode(chosen),
        "kinds": [
            (kind, event_kind_label(kind))
            for kind, _ in event_selectors.project_event_kinds(project)
        ],
        "people": [
            (value, event_actor_name(value, text))
            for value, text in event_selectors.project_event_people(project)
        ],
    }


def colleagues(user: User):
    """Working colleagues of the user's organization (those a task may be handed to)."""
    if user.organization_id is None:
        return User.objects.none()
    return (
        User.objects.filter(organization_id=user.organization_id, is_active=True)
        .exclude(pk=user.pk)
        .order_by("username")
    )
