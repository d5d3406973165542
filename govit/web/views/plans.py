"""年度计划看板: the declared projects of the user's jurisdiction and year, column by column —
申报 → 联合审核 → 列入计划 → 批准 — beside the plans (annual and 增补) with their 会签; the actions
the user's role may take on a plan (create, add or remove a project, submit, countersign, approve,
return) through ``planning.services``, refusals shown with their article; the plan as xlsx."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import RowNumber
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govit.access.policy import jurisdiction_id, org_kind, visible_projects, works
from govit.core.errors import DomainError
from govit.exchange.common import XLSX_TYPE
from govit.exchange.plan_sheet import annual_plan_xlsx, plan_filename
from govit.jurisdictions.models import Jurisdiction
from govit.planning import services
from govit.planning.models import (
    AnnualPlan,
    PlanEntry,
    PlanKind,
    PlanSignoff,
    PlanStatus,
    SignoffStatus,
)
from govit.planning.selectors import approver_kind, plan_step
from govit.policy.vocab import STEP_LABELS
from govit.projects.models import Project, ProjectStatus, ProjectStep, StepStatus
from govit.web.context import audience
from govit.web.refusals import refusal_text
from govit.web.selectors import next_year
from govit.web.templatetags.govit import wan

LANES = (
    ("declarations", gettext_lazy("申报"), "declaration"),
    ("joint_review", gettext_lazy("联合审核（联审）"), "joint_review"),
    ("plan", gettext_lazy("列入计划"), "annual_plan"),
    ("approved", gettext_lazy("批准"), "annual_plan"),
)
LANE_KEYS = {key for key, _label, _kind in LANES}


# --- who and where ---------------------------------------------------------------------------------


def _require_board(request: HttpRequest) -> None:
    """The board is for the authorities (and auditors) of a jurisdiction, as the navigation says."""
    if "authority" not in audience(request.user):
        raise PermissionDenied(_("年度计划看板供主管部门、会签和审定部门及审计人员使用"))


def _jurisdictions(user: Any) -> list[Jurisdiction]:
    """The jurisdictions whose board the user may open: their own; every one with a rulebook for
    a superuser."""
    if user.is_superuser:
        return list(
            Jurisdiction.objects.filter(rulebook__isnull=False)
            .select_related("rulebook")
            .order_by("code")
        )
    jid = jurisdiction_id(user)
    if jid is None:
        return []
    return list(Jurisdiction.objects.filter(pk=jid).select_related("rulebook"))


def _selected(request: HttpRequest) -> tuple[list[Jurisdiction], Jurisdiction]:
    choices = _jurisdictions(request.user)
    if not choices:
        raise PermissionDenied(_("您的账号不属于任何辖区"))
    wanted = request.GET.get("jurisdiction") or request.POST.get("jurisdiction")
    chosen = next((j for j in choices if str(j.pk) == wanted), choices[0])
    return choices, chosen


def _plan(request: HttpRequest, pk: int) -> AnnualPlan:
    """A plan of a jurisdiction the user may open; any other is 'not found'."""
    ids = [j.pk for j in _jurisdictions(request.user)]
    plan = (
        AnnualPlan.objects.filter(pk=pk, jurisdiction_id__in=ids)
        .select_related(
            "jurisdiction__rulebook", "created_by__organization", "approved_by__organization"
        )
        .prefetch_related(
            Prefetch("signoffs", queryset=PlanSignoff.objects.select_related("organization"))
        )
        .first()
    )
    if plan is None:
        raise Http404(_("计划不存在或无权查看"))
    return plan


def _roles(user: Any, step: Any) -> dict[str, bool]:
    """What the user's organization does to a plan, by the rulebook's annual_plan step."""
    kind = org_kind(user) if works(user) else None
    return {
        "compiler": kind == step.actor,
        "cosigner": kind in {co.actor for co in step.co_actors},
        "approver": kind == approver_kind(step),
    }


def _year(request: HttpRequest, default: int) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or default)
    except ValueError:
        year = default
    return year if 2000 <= year <= 2100 else default


# --- the board ---------------------------------------------------------------------------------------

CARDS_SHOWN = 20  # cards a lane shows at a time (a screen's worth); "显示更多" brings the next ones
ENTRIES_SHOWN = 30  # lines of a plan shown at a time; the xlsx export has them all


def _number(value: str | None) -> int:
    try:
        return max(int(value or 1), 1)
    except ValueError:
        return 1


def _more(request: HttpRequest) -> tuple[str, Any, int] | None:
    """Which list the request pages on: ("lane", key, page) or ("plan", pk, page), else None."""
    page = _number(request.GET.get("page"))
    lane = request.GET.get("lane")
    if lane in LANE_KEYS:
        return ("lane", lane, page)
    plan = request.GET.get("plan", "")
    if plan.isdigit():
        return ("plan", int(plan), page)
    return None


def board(request: HttpRequest) -> HttpResponse:
    _require_board(request)
    choices, jurisdiction = _selected(request)
    user = request.user
    mine = visible_projects(user).filter(jurisdiction=jurisdiction)
    year = _year(request, next_year())
    more = _more(request)
    context: dict[str, Any] = {
        "jurisdictions": choices,
        "jurisdiction": jurisdiction,
        "year": year,
        "query": urlencode({"jurisdiction": jurisdiction.pk, "year": year}),
    }
    try:
        rb, step = plan_step(jurisdiction)
    except DomainError as error:
        rb = step = None
        context["unavailable"] = error
    if more is not None and request.headers.get("HX-Request") == "true":
        # htmx asks for the next cards of one lane (or lines of one plan) only
        if rb is None:
            raise Http404(_("没有更多"))
        context.update(_more_part(user, jurisdiction, year, rb, step, mine, more))
        template = "web/plans/_cards.html" if more[0] == "lane" else "web/plans/_entries.html"
        return render(request, template, context)
    # the years to choose from: those with a plan or a declared project, and next year
    years = set(
        AnnualPlan.objects.filter(jurisdiction=jurisdiction)
        .order_by()
        .values_list("year", flat=True)
        .union(
            mine.exclude(status=ProjectStatus.DRAFT).order_by().values_list("plan_year", flat=True)
        )
    )
    context["years"] = sorted(years | {next_year(), year}, reverse=True)
    if rb is not None:
        context.update(_board(user, jurisdiction, year, rb, step, mine, more))
    return render(request, "web/plans/board.html", context)


def _year_projects(mine, year: int):
    return mine.filter(plan_year=year).exclude(status=ProjectStatus.DRAFT)


def _plans(jurisdiction: Jurisdiction, year: int) -> list[AnnualPlan]:
    """The year's plans, each with how many projects it lists and their sum."""
    return list(
        AnnualPlan.objects.filter(jurisdiction=jurisdiction, year=year)
        .select_related("created_by__organization", "approved_by__organization")
        .annotate(entry_count=Count("entries"), entry_total=Sum("entries__amount"))
        .order_by("kind", "number")
    )


def _until_plan(rb: Any) -> list[str]:
    """The step kinds of the rulebook up to and including the annual plan."""
    kinds = [s.kind for s in rb.model.steps]
    return kinds[: kinds.index("annual_plan") + 1] if "annual_plan" in kinds else []


def _with_lanes(projects, plans: list[AnnualPlan], until_plan: list[str]):
    """The projects with their lane and the plan that holds them, worked out in SQL.

    A project is in the 批准 lane when an approved plan lists it or its annual_plan step has
    passed; else in 列入计划 when a plan of the year lists it; else in 联审 when that is its
    stage; else in 申报. The plan shown on its card is the first approved plan listing it, else
    the last plan (by kind and batch) listing it.

    The step is read only for projects whose stage is past the annual plan: a project's stage is
    its first step not yet done (``workflow.advance``), so while it is at the plan or before it
    the plan step has not passed. (Reading the step of every project of a year — one row each
    in a large table — is what made this page slow.)"""
    approved = [p.pk for p in plans if p.status == PlanStatus.APPROVED]
    held_order = approved + [p.pk for p in reversed(plans) if p.status != PlanStatus.APPROVED]

    def listed(ids: list[int]) -> Q:
        # not correlated: the database reads each plan's lines once and looks projects up
        return Q(pk__in=PlanEntry.objects.filter(plan_id__in=ids).values("project_id"))

    # not correlated either: the passed plan steps of the projects past the plan stage only
    beyond = projects.exclude(stage__in=until_plan).values("pk")
    step_passed = Q(
        pk__in=ProjectStep.objects.filter(
            project__in=beyond, kind="annual_plan", status=StepStatus.PASSED
        ).values("project_id")
    )
    if held_order:
        held: Any = Case(
            *[When(listed([pk]), then=Value(pk)) for pk in held_order],
            default=Value(None),
            output_field=IntegerField(),
        )
    else:
        held = Value(None, output_field=IntegerField())
    # CASE takes its branches in order, so the step is only read where the first ones fail
    whens = [When(listed(approved), then=Value("approved"))] if approved else []
    if held_order:
        whens.append(When(listed(held_order), then=Value("plan")))
    whens.append(When(stage="joint_review", then=Value("joint_review")))
    if until_plan:
        whens.append(When(stage__in=until_plan, then=Value("declarations")))
    whens.append(When(step_passed, then=Value("approved")))
    lane = Case(*whens, default=Value("declarations"), output_field=CharField())
    # waiting to be listed: active, at the plan step, in no plan (the step's state is checked
    # on the few rows read)
    waiting = Q(status=ProjectStatus.ACTIVE, stage="annual_plan")
    if held_order:
        waiting &= Q(held_plan__isnull=True)
    return projects.annotate(held_plan=held, lane=lane), waiting


CARD_FIELDS = (
    "id",
    "name",
    "code",
    "total_investment",
    "status",
    "stage",
    "declared_late",
    "unit__name",
)


def _lane_rows(projects, plans: list[AnnualPlan], until_plan: list[str], condition) -> list[Any]:
    """The projects a lane query asks for, each with its lane, its rank in the lane (by code)
    and the lane's count and sum.

    The lanes are worked out and ranked over every project of the year in one narrow query
    (ids and amounts only); the projects shown — a few hundred at most — are then read with
    their unit and the state of their annual_plan step."""
    by_lane = [F("lane")]
    qs, waiting = _with_lanes(projects, plans, until_plan)
    ranked = list(
        qs.annotate(
            lane_rank=Window(
                RowNumber(), partition_by=by_lane, order_by=[F("code").asc(), F("id").asc()]
            ),
            lane_count=Window(Count("id"), partition_by=by_lane),
            lane_total=Window(Sum("total_investment"), partition_by=by_lane),
            is_waiting=ExpressionWrapper(waiting, output_field=BooleanField()),
        )
        .filter(condition(Q(is_waiting=True)))
        .order_by()
        .values_list("pk", "lane", "lane_rank", "lane_count", "lane_total", "held_plan")
    )
    if not ranked:
        return []
    plan_step_status = ProjectStep.objects.filter(project=OuterRef("pk"), kind="annual_plan")
    projects_by_id = {
        p.pk: p
        for p in Project.objects.filter(pk__in=[r[0] for r in ranked])
        .select_related("unit")
        .only(*CARD_FIELDS)
        .annotate(plan_step_status=Subquery(plan_step_status.values("status")[:1]))
        .order_by()
    }
    rows = []
    for pk, lane, rank, count, total, held in sorted(ranked, key=lambda r: r[2]):
        row = projects_by_id[pk]
        row.lane, row.lane_rank, row.lane_count, row.lane_total = lane, rank, count, total
        row.held_plan = held
        rows.append(row)
    return rows


MARKER = 987654321


def _detail_pattern() -> str:
    """The project page's address with a marker for the id: reversed once a page, not a card."""
    return reverse("project-detail", args=[MARKER])


def _addable_options(projects: list[Any]) -> str:
    """The add form's choices, built once (one option per project waiting for a plan)."""
    wan_label, late = _("万元"), _("逾期申报")
    return format_html_join(
        "",
        '<option value="{}">{}（{}，{}{}{}）</option>',
        (
            (
                p.pk,
                p.name,
                p.unit.name,
                wan(p.total_investment),
                wan_label,
                "，" + late if p.declared_late else "",
            )
            for p in projects
        ),
    )


def _card(project: Any, plans_by_id: dict[int, AnnualPlan], detail: str) -> dict[str, Any]:
    plan = plans_by_id.get(project.held_plan)
    status = project.plan_step_status
    return {
        "project": project,
        "url": detail.replace(str(MARKER), str(project.pk)),
        "plan": plan,
        "stage": STEP_LABELS[project.stage][0] if project.stage in STEP_LABELS else "",
        "waiting": project.status == ProjectStatus.ACTIVE
        and status == StepStatus.IN_REVIEW
        and plan is None,
        "no_plan_step": status is None,
    }


def _window(page: int, size: int) -> tuple[int, int]:
    """The ranks (1-based, inclusive) of a page."""
    return (page - 1) * size + 1, page * size


def _lane_column(
    key: str, rows: list[Any], plans_by_id: dict[int, AnnualPlan], page: int, detail: str
) -> dict[str, Any]:
    first, last = _window(page, CARDS_SHOWN)
    mine = [r for r in rows if r.lane == key]
    count = mine[0].lane_count if mine else 0
    total = mine[0].lane_total if mine else Decimal(0)
    cards = [_card(r, plans_by_id, detail) for r in mine if first <= r.lane_rank <= last]
    return {
        "key": key,
        "count": count,
        "total": total or Decimal(0),
        "cards": cards,
        "page": page,
        "pages": max((count + CARDS_SHOWN - 1) // CARDS_SHOWN, 1),
        "offset": first - 1,
        "left": max(count - last, 0),
        "next": page + 1,
    }


def _entries(plans: list[AnnualPlan], year_projects, paged: tuple[int, int] | None) -> None:
    """Each plan's shown lines (the first ENTRIES_SHOWN, or the page asked for) in one query,
    each line marked whether the user may open its project."""
    listing = [p for p in plans if p.entry_count]
    for plan in plans:
        plan.shown, plan.offset = [], 0
    if not listing:
        return
    first, last = 1, ENTRIES_SHOWN
    condition = Q(rank__lte=ENTRIES_SHOWN)
    if paged is not None:
        pk, page = paged
        first, last = _window(page, ENTRIES_SHOWN)
        condition = (Q(rank__lte=ENTRIES_SHOWN) & ~Q(plan_id=pk)) | Q(
            plan_id=pk, rank__gte=first, rank__lte=last
        )
    rows = (
        PlanEntry.objects.filter(plan__in=listing)
        .select_related("project__unit")
        .only("id", "plan_id", "amount", "note", "project__name", "project__unit__name")
        .annotate(
            visible=ExpressionWrapper(
                Q(project_id__in=year_projects.values("pk")), output_field=BooleanField()
            ),
            rank=Window(RowNumber(), partition_by=[F("plan_id")], order_by=[F("id").asc()]),
        )
        .filter(condition)
        .order_by("plan_id", "id")
    )
    by_plan = {p.pk: p for p in listing}
    for entry in rows:
        by_plan[entry.plan_id].shown.append(entry)
    if paged is not None and paged[0] in by_plan:
        by_plan[paged[0]].offset = first - 1


def _entry_paging(plan: AnnualPlan) -> dict[str, Any]:
    page = plan.offset // ENTRIES_SHOWN + 1
    return {
        "entries": plan.shown,
        "count": plan.entry_count,
        "offset": plan.offset,
        "page": page,
        "pages": max((plan.entry_count + ENTRIES_SHOWN - 1) // ENTRIES_SHOWN, 1),
        "left": max(plan.entry_count - plan.offset - len(plan.shown), 0),
        "next": page + 1,
    }


def _plan_row(plan: AnnualPlan, user: Any, roles: dict[str, bool]) -> dict[str, Any]:
    current = [s for s in plan.signoffs.all() if s.round == plan.round] if plan.round else []
    mine_open = any(
        s.organization_id == user.organization_id and s.status == SignoffStatus.OPEN
        for s in current
    )
    return {
        "plan": plan,
        **_entry_paging(plan),
        "total": plan.entry_total or Decimal(0),
        "signoffs": list(plan.signoffs.all()) if plan.round else [],
        "can_compile": roles["compiler"] and plan.status == PlanStatus.DRAFT,
        "can_countersign": roles["cosigner"]
        and plan.status == PlanStatus.COUNTERSIGNING
        and mine_open,
        "can_approve": roles["approver"] and plan.status == PlanStatus.SUBMITTED,
    }


def _board(
    user: Any,
    jurisdiction: Jurisdiction,
    year: int,
    rb: Any,
    step: Any,
    mine,
    more: tuple[str, Any, int] | None,
) -> dict[str, Any]:
    roles = _roles(user, step)
    plans = _plans(jurisdiction, year)
    signed = [p for p in plans if p.round]
    if signed:
        prefetch_related_objects(
            signed,
            Prefetch(
                "signoffs",
                queryset=PlanSignoff.objects.select_related("organization", "signed_by").order_by(
                    "round", "id"
                ),
            ),
        )
    plans_by_id = {p.pk: p for p in plans}
    year_projects = _year_projects(mine, year)
    # the compiler's add form lists every project waiting for a plan: read with the cards
    compiling = roles["compiler"] and any(p.status == PlanStatus.DRAFT for p in plans)
    paged_lane = more[1] if more is not None and more[0] == "lane" else None
    lane_page = more[2] if paged_lane is not None else 1
    first, last = _window(lane_page, CARDS_SHOWN)

    def condition(waiting: Q) -> Q:
        shown = Q(lane_rank__lte=CARDS_SHOWN)
        if paged_lane is not None:
            # the lane paged on shows that page; its first card still carries its totals
            shown = (shown & ~Q(lane=paged_lane)) | Q(
                lane=paged_lane, lane_rank__gte=first, lane_rank__lte=last
            )
            shown |= Q(lane=paged_lane, lane_rank=1)
        return shown | waiting if compiling else shown

    rows = _lane_rows(year_projects, plans, _until_plan(rb), condition)
    addable = []
    if compiling:
        addable = [r for r in rows if _card(r, plans_by_id, "")["waiting"]]
    detail = _detail_pattern()
    kinds = {s.kind for s in rb.model.steps}
    first_step = {}
    for s in rb.model.steps:
        first_step.setdefault(s.kind, s)
    columns = []
    for key, label, kind in LANES:
        page = lane_page if key == paged_lane else 1
        column = _lane_column(key, rows, plans_by_id, page, detail)
        column.update(
            label=label,
            cite=first_step[kind].cite if kind in first_step else "",
            absent=kind not in kinds,
        )
        columns.append(column)
    _entries(
        plans, year_projects, (more[1], more[2]) if more is not None and more[0] == "plan" else None
    )
    return {
        "rb": rb,
        "step": step,
        "compiler": rb.actor_name(step.actor),
        "co_compilers": _by_cite(rb, step),
        "approver": rb.actor_name(approver_kind(step)),
        "supplement": rb.model.declaration.supplement if rb.model.declaration else None,
        "columns": columns,
        "plans": [_plan_row(plan, user, roles) for plan in plans],
        "addable": addable,
        "addable_options": _addable_options(addable),
        "roles": roles,
        "has_annual": any(p.kind == PlanKind.ANNUAL for p in plans),
        "project_count": sum(c["count"] for c in columns),
        "paged": more,
    }


def _more_part(
    user: Any,
    jurisdiction: Jurisdiction,
    year: int,
    rb: Any,
    step: Any,
    mine,
    more: tuple[str, Any, int],
) -> dict[str, Any]:
    """The next cards of one lane, or the next lines of one plan, for htmx to append."""
    what, key, page = more
    year_projects = _year_projects(mine, year)
    if what == "lane":
        plans = _plans(jurisdiction, year)
        first, last = _window(page, CARDS_SHOWN)
        rows = _lane_rows(
            year_projects,
            plans,
            _until_plan(rb),
            lambda _waiting: Q(lane=key) & (Q(lane_rank__gte=first, lane_rank__lte=last)),
        )
        column = _lane_column(key, rows, {p.pk: p for p in plans}, page, _detail_pattern())
        if not rows:  # past the end
            column.update(left=0)
        return {"col": column, "partial": True}
    plan = next((p for p in _plans(jurisdiction, year) if p.pk == key), None)
    if plan is None:
        raise Http404(_("计划不存在或无权查看"))
    _entries([plan], year_projects, (plan.pk, page))
    row = {
        "plan": plan,
        **_entry_paging(plan),
        "can_compile": _roles(user, step)["compiler"] and plan.status == PlanStatus.DRAFT,
    }
    return {"row": row, "partial": True}


def _by_cite(rb: Any, step: Any) -> list[tuple[str, str]]:
    """The co-compilers as (names, article), those under one article on one line."""
    grouped: dict[str, list[str]] = {}
    for co in step.co_actors:
        grouped.setdefault(co.cite or step.cite, []).append(rb.actor_name(co.actor))
    return [("、".join(names), cite) for cite, names in grouped.items()]


# --- actions -----------------------------------------------------------------------------------------


def _back(jurisdiction_pk: int, year: int, anchor: str = "") -> HttpResponse:
    query = urlencode({"jurisdiction": jurisdiction_pk, "year": year})
    return redirect(f"{reverse('plan-board')}?{query}{'#' + anchor if anchor else ''}")


def _refused(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, refusal_text(error))


@require_POST
def plan_create(request: HttpRequest) -> HttpResponse:
    _require_board(request)
    _choices, jurisdiction = _selected(request)
    year = _year(request, next_year())
    kind = request.POST.get("kind", PlanKind.ANNUAL)
    try:
        plan = services.plan_create(
            actor=request.user, jurisdiction=jurisdiction, year=year, kind=kind
        )
    except DomainError as error:
        _refused(request, error)
        return _back(jurisdiction.pk, year)
    messages.success(request, _("已创建“%(title)s”。") % {"title": plan.title})
    return _back(jurisdiction.pk, year, f"plan-{plan.pk}")


@require_POST
def plan_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _require_board(request)
    plan = _plan(request, pk)
    user, data = request.user, request.POST
    opinion = data.get("opinion", "").strip()
    try:
        if action in ("add", "remove"):
            try:
                project_pk = int(data.get("project", ""))
            except ValueError:
                raise Http404(_("项目不存在或无权查看")) from None
            project = visible_projects(user).filter(pk=project_pk).first()
            if project is None:
                raise Http404(_("项目不存在或无权查看"))
            if action == "add":
                services.plan_add_project(
                    actor=user, plan=plan, project=project, note=data.get("note", "").strip()
                )
                done = _("已将“%(name)s”列入计划。") % {"name": project.name}
            else:
                services.plan_remove_project(actor=user, plan=plan, project=project, note=opinion)
                done = _("已将“%(name)s”移出计划。") % {"name": project.name}
        elif action == "submit":
            plan = services.plan_submit(actor=user, plan=plan)
            done = (
                _("已送会签。") if plan.status == PlanStatus.COUNTERSIGNING else _("已报送审定。")
            )
        elif action == "countersign":
            services.plan_countersign(
                actor=user, plan=plan, decision=data.get("decision", ""), opinion=opinion
            )
            done = _("已会签。")
        elif action == "approve":
            services.plan_approve(actor=user, plan=plan, opinion=opinion)
            done = _("已批准计划，所列项目的年度计划环节已办结。")
        elif action == "return":
            services.plan_return(actor=user, plan=plan, opinion=opinion)
            done = _("已退回修改。")
        else:
            raise Http404(_("没有这项操作"))
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, done)
    return _back(plan.jurisdiction_id, plan.year, f"plan-{plan.pk}")


def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan as xlsx: all its lines, as approved or as it stands."""
    _require_board(request)
    plan = _plan(request, pk)
    response = HttpResponse(annual_plan_xlsx(plan), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, plan_filename(plan))
    return response


urlpatterns = [
    path("plans/", board, name="plan-board"),
    path("plans/new/", plan_create, name="plan-create"),
    path("plans/<int:pk>/export/", plan_export, name="plan-export"),
    path("plans/<int:pk>/<slug:action>/", plan_act, name="plan-act"),
]
