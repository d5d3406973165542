"""年度计划看板: the declared projects of the user's jurisdiction and year, column by column —
申报 → 联合审核 → 列入计划 → 批准 — beside the plans (annual and 增补) with their 会签; the actions
the user's role may take on a plan (create, add or remove a project, submit, countersign, approve,
return) through ``planning.services``, refusals shown with their article; the plan as xlsx."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
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
from govit.projects.models import ProjectStatus, ProjectStep, StepStatus
from govit.web.context import audience
from govit.web.refusals import refusal_text
from govit.web.selectors import next_year

LANES = (
    ("declarations", gettext_lazy("申报"), "declaration"),
    ("joint_review", gettext_lazy("联合审核（联审）"), "joint_review"),
    ("plan", gettext_lazy("列入计划"), "annual_plan"),
    ("approved", gettext_lazy("批准"), "annual_plan"),
)


# --- who and where ---------------------------------------------------------------------------------


def _require_board(request: HttpRequest) -> None:
    """The board is for the authorities (and auditors) of a jurisdiction, as the navigation says."""
    if "authority" not in audience(request.user):
        raise PermissionDenied(_("年度计划看板供主管部门、会签和审定部门及审计人员使用"))


def _jurisdictions(user: Any) -> list[Jurisdiction]:
    """The jurisdictions whose board the user may open: their own; every one with a rulebook for
    a superuser."""
    if user.is_superuser:
        return list(Jurisdiction.objects.filter(rulebook__isnull=False).order_by("code"))
    jid = jurisdiction_id(user)
    return list(Jurisdiction.objects.filter(pk=jid)) if jid is not None else []


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


def board(request: HttpRequest) -> HttpResponse:
    _require_board(request)
    choices, jurisdiction = _selected(request)
    user = request.user
    mine = visible_projects(user).filter(jurisdiction=jurisdiction)
    years = sorted(
        set(
            AnnualPlan.objects.filter(jurisdiction=jurisdiction)
            .values_list("year", flat=True)
            .distinct()
        )
        | set(
            mine.exclude(status=ProjectStatus.DRAFT).values_list("plan_year", flat=True).distinct()
        )
        | {next_year()},
        reverse=True,
    )
    year = _year(request, next_year())
    if year not in years:
        years = sorted([*years, year], reverse=True)
    context: dict[str, Any] = {
        "jurisdictions": choices,
        "jurisdiction": jurisdiction,
        "years": years,
        "year": year,
        "query": urlencode({"jurisdiction": jurisdiction.pk, "year": year}),
    }
    try:
        rb, step = plan_step(jurisdiction)
    except DomainError as error:
        context["unavailable"] = error
        return render(request, "web/plans/board.html", context)
    context.update(_board(user, jurisdiction, year, rb, step, mine))
    return render(request, "web/plans/board.html", context)


def _board(
    user: Any, jurisdiction: Jurisdiction, year: int, rb: Any, step: Any, mine
) -> dict[str, Any]:
    projects = list(
        mine.filter(plan_year=year)
        .exclude(status=ProjectStatus.DRAFT)
        .select_related("unit")
        .order_by("code", "id")
    )
    visible = {p.pk for p in projects}
    plan_step_status = dict(
        ProjectStep.objects.filter(project_id__in=visible, kind="annual_plan").values_list(
            "project_id", "status"
        )
    )
    plans = list(
        AnnualPlan.objects.filter(jurisdiction=jurisdiction, year=year)
        .select_related("created_by__organization", "approved_by__organization")
        .prefetch_related(
            Prefetch(
                "entries", queryset=PlanEntry.objects.select_related("project__unit").order_by("id")
            ),
            Prefetch(
                "signoffs",
                queryset=PlanSignoff.objects.select_related("organization", "signed_by").order_by(
                    "round", "id"
                ),
            ),
        )
        .order_by("kind", "number")
    )
    in_plan: dict[int, AnnualPlan] = {}
    for plan in plans:
        for entry in plan.entries.all():
            held = in_plan.get(entry.project_id)
            if held is None or held.status != PlanStatus.APPROVED:
                in_plan[entry.project_id] = plan

    roles = _roles(user, step)
    lanes: dict[str, list[dict[str, Any]]] = {key: [] for key, _label, _kind in LANES}
    addable = []
    for project in projects:
        plan = in_plan.get(project.pk)
        status = plan_step_status.get(project.pk)
        if (plan is not None and plan.status == PlanStatus.APPROVED) or status == StepStatus.PASSED:
            lane = "approved"
        elif plan is not None:
            lane = "plan"
        elif project.stage == "joint_review":
            lane = "joint_review"
        else:
            lane = "declarations"
        waiting = (
            project.status == ProjectStatus.ACTIVE
            and status == StepStatus.IN_REVIEW
            and plan is None
        )
        if waiting:
            addable.append(project)
        lanes[lane].append(
            {
                "project": project,
                "plan": plan,
                "stage": STEP_LABELS[project.stage][0] if project.stage in STEP_LABELS else "",
                "waiting": waiting,
                "no_plan_step": status is None,
            }
        )
    kinds = {s.kind for s in rb.model.steps}
    first = {}
    for s in rb.model.steps:
        first.setdefault(s.kind, s)
    columns = []
    for key, label, kind in LANES:
        cards = lanes[key]
        columns.append(
            {
                "key": key,
                "label": label,
                "cards": cards,
                "total": sum((c["project"].total_investment for c in cards), Decimal(0)),
                "cite": first[kind].cite if kind in first else "",
                "absent": kind not in kinds,
            }
        )
    plan_rows = []
    for plan in plans:
        entries = list(plan.entries.all())
        current = [s for s in plan.signoffs.all() if s.round == plan.round]
        mine_open = any(
            s.organization_id == user.organization_id and s.status == SignoffStatus.OPEN
            for s in current
        )
        plan_rows.append(
            {
                "plan": plan,
                "entries": entries,
                "visible": visible,
                "total": sum((e.amount for e in entries), Decimal(0)),
                "signoffs": list(plan.signoffs.all()),
                "can_compile": roles["compiler"] and plan.status == PlanStatus.DRAFT,
                "can_countersign": roles["cosigner"]
                and plan.status == PlanStatus.COUNTERSIGNING
                and mine_open,
                "can_approve": roles["approver"] and plan.status == PlanStatus.SUBMITTED,
            }
        )
    return {
        "rb": rb,
        "step": step,
        "compiler": rb.actor_name(step.actor),
        "co_compilers": _by_cite(rb, step),
        "approver": rb.actor_name(approver_kind(step)),
        "supplement": rb.model.declaration.supplement if rb.model.declaration else None,
        "columns": columns,
        "plans": plan_rows,
        "addable": addable,
        "roles": roles,
        "has_annual": any(p.kind == PlanKind.ANNUAL for p in plans),
        "project_count": len(projects),
    }


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
