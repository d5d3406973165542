"""年度计划看板: the declared projects of the user's jurisdiction and year, column by column —
申报 → 联合审核 → 列入计划 → 批准 — beside the plans (annual and 增补) with their 会签; the actions
the user's role may take on a plan (create, add or remove a project, submit, countersign, approve,
return) through ``planning.services``, refusals shown with their article; the plan as xlsx."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govit.access.policy import jurisdiction_id, org_kind, works
from govit.core.errors import DomainError
from govit.exchange.common import XLSX_TYPE
from govit.exchange.plan_sheet import annual_plan_xlsx, plan_filename
from govit.jurisdictions.models import Jurisdiction
from govit.planning import services
from govit.planning.models import AnnualPlan, PlanKind, PlanSignoff, PlanStatus, SignoffStatus
from govit.planning.selectors import (
    LANE_KEYS,
    any_listable,
    approver_kind,
    board_cards,
    listable,
    plan_board,
    plan_lines,
    plan_step,
    plan_years,
    until_plan,
    year_plans,
)
from govit.policy.vocab import STEP_LABELS
from govit.projects.models import ProjectStatus, StepStatus
from govit.projects.visibility import visible_projects
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
    # the add form's choices (hundreds of projects) are a part loaded when reached, or with the
    # page when asked for (?options=<plan>: the form's link without JavaScript)
    options = request.GET.get("options", "")
    options_for = int(options) if options.isdigit() else None
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
    htmx = request.headers.get("HX-Request") == "true"
    if options_for is not None and htmx:
        if rb is None:
            raise Http404(_("没有更多"))
        return render(
            request,
            "web/plans/_options.html",
            {"options": _options(user, jurisdiction, year, step, mine, options_for)},
        )
    partial = more is not None and htmx
    if partial and rb is None:
        raise Http404(_("没有更多"))
    years = set() if partial else plan_years(jurisdiction)
    if rb is not None:
        context.update(
            _board(
                user,
                jurisdiction,
                year,
                rb,
                step,
                mine,
                more,
                partial,
                context["query"],
                get_token(request),
                options_for is not None,
            )
        )
        years |= context.pop("project_years")
    elif not partial:
        years |= set(
            mine.exclude(status=ProjectStatus.DRAFT)
            .order_by()
            .values_list("plan_year", flat=True)
            .distinct()
        )
    if partial:
        # htmx asks for the next cards of one lane (or lines of one plan) only
        template = "web/plans/_cards.html" if more[0] == "lane" else "web/plans/_entries.html"
        return render(request, template, context)
    # the years to choose from: those with a plan or a declared project, and next year
    context["years"] = sorted(years | {next_year(), year}, reverse=True)
    return render(request, "web/plans/board.html", context)


MARKER = 987654321
PROJECT_STATUS = dict(ProjectStatus.choices)


def _detail_pattern() -> str:
    """The project page's address with a marker for the id: reversed once a page, not a card."""
    return reverse("project-detail", args=[MARKER])


def _addable_options(projects: list[dict[str, Any]]) -> SafeString:
    """The add form's choices, built once (one option per project waiting for a plan; there may
    be hundreds, so escaped here rather than by a template node or ``format_html`` each)."""
    wan_label, late = escape(_("万元")), "，" + escape(_("逾期申报"))
    return mark_safe(
        "".join(
            f'<option value="{p["id"]}">{escape(p["name"])}（{escape(p["unit_name"])}，'
            f"{wan(p['total_investment'])}{wan_label}{late if p['declared_late'] else ''}）</option>"
            for p in projects
        )
    )


# A lane's card. A page shows up to a hundred: built here from the row's dict (every value
# escaped) rather than by some twenty template nodes a card — the template took a third of the
# page's time. Same markup as a template would give: tests and the browser suite read it.
CARD = """
      <li class="pcard" id="project-{id}">
        <a href="{url}" class="pname">{name}</a>
        <span class="muted">{code}</span>
        <dl class="facts">
          <dt>{l_unit}</dt><dd>{unit}</dd>
          <dt>{l_amount}</dt><dd>{amount} {l_wan}</dd>
          <dt>{l_status}</dt><dd>{status}</dd>{plan}
        </dl>{badges}
      </li>"""
PLAN_FACT = '\n          <dt>{l_plan}</dt><dd><a href="#plan-{pk}">{kind}</a> · {status}</dd>'
BADGE = '\n        <span class="badge{warn}">{text}</span>'


class _Cards:
    """Cards as HTML, with the page's labels translated once."""

    def __init__(self, plans_by_id: dict[int, AnnualPlan]) -> None:
        self.detail = _detail_pattern()
        self.labels = {
            "l_unit": escape(_("建设单位")),
            "l_amount": escape(_("总投资")),
            "l_wan": escape(_("万元")),
            "l_status": escape(_("状态")),
        }
        self.late = BADGE.format(warn=" warn", text=escape(_("逾期申报")))
        self.waiting = BADGE.format(warn="", text=escape(_("待列入计划")))
        self.no_step = BADGE.format(warn="", text=escape(_("不经年度计划环节")))
        self.plans = {pk: self._plan(plan) for pk, plan in plans_by_id.items()}

    @staticmethod
    def _plan(plan: AnnualPlan) -> str:
        kind = escape(plan.get_kind_display())
        if plan.kind == PlanKind.SUPPLEMENT:
            kind += "（" + escape(_("第%(n)s批") % {"n": plan.number}) + "）"
        return PLAN_FACT.format(
            l_plan=escape(_("计划")),
            pk=plan.pk,
            kind=kind,
            status=escape(plan.get_status_display()),
        )

    def html(self, row: dict[str, Any], plan_id: int | None) -> str:
        stage = row["stage"]
        status = escape(PROJECT_STATUS.get(row["status"], row["status"]))
        if stage in STEP_LABELS:
            status += " · " + escape(STEP_LABELS[stage][0])
        plan = self.plans.get(plan_id) if plan_id is not None else None
        badges = self.late if row["declared_late"] else ""
        if row["status"] == ProjectStatus.ACTIVE and plan is None:
            badges += self.waiting if row["plan_step_status"] == StepStatus.IN_REVIEW else ""
        if row["plan_step_status"] is None:
            badges += self.no_step
        return CARD.format(
            id=row["id"],
            url=self.detail.replace(str(MARKER), str(row["id"])),
            name=escape(row["name"]),
            code=escape(row["code"] or ""),
            unit=escape(row["unit_name"]),
            amount=wan(row["total_investment"]),
            status=status,
            plan=plan or "",
            badges=badges,
            **self.labels,
        )


def _window(page: int, size: int) -> tuple[int, int]:
    """The ranks (1-based, inclusive) of a page."""
    return (page - 1) * size + 1, page * size


def _lane_column(
    lane: Any,
    page: int,
    rows: dict[int, dict[str, Any]],
    held: dict[int, int],
    cards: _Cards,
    query: str,
) -> dict[str, Any]:
    first, last = _window(page, CARDS_SHOWN)
    count = lane.count
    shown = [cards.html(rows[pk], held.get(pk)) for pk in lane.ids[first - 1 : last] if pk in rows]
    return {
        "key": lane.key,
        "count": count,
        "total": lane.total,
        "cards": mark_safe("".join(shown)),  # built by _Cards: every value escaped
        "page": page,
        "pages": max((count + CARDS_SHOWN - 1) // CARDS_SHOWN, 1),
        "offset": first - 1,
        "left": max(count - last, 0),
        "next": page + 1,
        "more_url": f"{reverse('plan-board')}?{query}&lane={lane.key}&page={page + 1}",
    }


# A plan's line, built here like the cards: a year's plans may show some hundreds of them.
LINE = """
      <tr><td>{number}</td>
        <td>{name}</td>
        <td>{unit}</td><td class="num">{amount}</td><td>{note}</td>{remove}
      </tr>"""
REMOVE = (
    '\n        <td><form method="post" action="{url}" class="inline">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
    '<input type="hidden" name="project" value="{{pk}}">'
    '<button type="submit" class="link">{label}</button></form></td>'
)


def _entry_paging(plan: AnnualPlan, detail: str, csrf: str | None) -> dict[str, Any]:
    """A plan's shown lines as HTML (with the form to remove each when ``csrf`` — the page's
    token — is given: the compiler's draft) and how to page on."""
    page = plan.offset // ENTRIES_SHOWN + 1
    remove = ""
    if csrf is not None:
        url = reverse("plan-act", args=[plan.pk, "remove"])
        remove = REMOVE.format(url=escape(url), csrf=escape(csrf), label=escape(_("移出")))
    lines = []
    for number, line in enumerate(plan.shown, start=plan.offset + 1):
        name = escape(line["project_name"])
        if line["visible"]:
            url = detail.replace(str(MARKER), str(line["project_id"]))
            name = f'<a href="{url}">{name}</a>'
        lines.append(
            LINE.format(
                number=number,
                name=name,
                unit=escape(line["unit_name"]),
                amount=wan(line["amount"]),
                note=escape(line["note"]),
                remove=remove.format(pk=line["project_id"]),
            )
        )
    return {
        "entries": plan.shown,
        "lines": mark_safe("".join(lines)),  # every value escaped above
        "count": plan.entry_count,
        "offset": plan.offset,
        "page": page,
        "pages": max((plan.entry_count + ENTRIES_SHOWN - 1) // ENTRIES_SHOWN, 1),
        "left": max(plan.entry_count - plan.offset - len(plan.shown), 0),
        "next": page + 1,
    }


def _returned(plan: AnnualPlan, signoffs: list[PlanSignoff]) -> dict[str, Any] | None:
    """Why a plan in 编制中 is there again: the last 退回修改, by the approver or by a
    co-compiler's 会签 — for the compiler to act on; none once it is sent on again."""
    if plan.status != PlanStatus.DRAFT:
        return None
    returns = [
        {"by": s.organization.name, "at": s.signed_at, "opinion": s.opinion}
        for s in signoffs
        if s.status == SignoffStatus.RETURNED
    ]
    if plan.returned_at:
        returns.append(
            {"by": plan.returned_by_name, "at": plan.returned_at, "opinion": plan.return_opinion}
        )
    return max(returns, key=lambda r: r["at"], default=None)


def _plan_row(
    plan: AnnualPlan, user: Any, roles: dict[str, bool], detail: str, csrf: str
) -> dict[str, Any]:
    current = [s for s in plan.signoffs.all() if s.round == plan.round] if plan.round else []
    mine_open = any(
        s.organization_id == user.organization_id and s.status == SignoffStatus.OPEN
        for s in current
    )
    can_compile = roles["compiler"] and plan.status == PlanStatus.DRAFT
    signoffs = list(plan.signoffs.all()) if plan.round else []
    return {
        "plan": plan,
        **_entry_paging(plan, detail, csrf if can_compile else None),
        "total": plan.entry_total or Decimal(0),
        "signoffs": signoffs,
        "returned": _returned(plan, signoffs),
        "can_compile": can_compile,
        "can_countersign": roles["cosigner"]
        and plan.status == PlanStatus.COUNTERSIGNING
        and mine_open,
        "can_approve": roles["approver"] and plan.status == PlanStatus.SUBMITTED,
        # 编制 and 批准 by two hands (planning.services.plan_approve): told before, not refused after
        "own_submission": plan.submitted_by_id == user.pk,
    }


def _board(
    user: Any,
    jurisdiction: Jurisdiction,
    year: int,
    rb: Any,
    step: Any,
    mine,
    more: tuple[str, Any, int] | None,
    partial: bool,
    query: str,
    csrf: str,
    with_options: bool,
) -> dict[str, Any]:
    """The board (or, ``partial``, the next cards of one lane or lines of one plan): the lanes
    from ``planning.selectors.plan_board``, the cards shown read fresh."""
    roles = _roles(user, step)
    plans = year_plans(jurisdiction, year)
    plans_by_id = {p.pk: p for p in plans}
    lanes = plan_board(jurisdiction, year, mine, plans, until_plan(rb))
    paged_plan = (more[1], more[2]) if more is not None and more[0] == "plan" else None
    if partial and paged_plan is not None:
        plan = plans_by_id.get(paged_plan[0])
        if plan is None:
            raise Http404(_("计划不存在或无权查看"))
        plan_lines([plan], ENTRIES_SHOWN, paged_plan, lanes.may_open)
        can_compile = roles["compiler"] and plan.status == PlanStatus.DRAFT
        row = {
            "plan": plan,
            **_entry_paging(plan, _detail_pattern(), csrf if can_compile else None),
            "can_compile": can_compile,
        }
        return {"row": row, "partial": True, "project_years": set()}
    paged_lane = more[1] if more is not None and more[0] == "lane" else None
    pages = {key: more[2] if key == paged_lane else 1 for key in LANE_KEYS}
    if partial:
        pages = {paged_lane: pages[paged_lane]}
    # the compiler's add form lists every project waiting for a plan (read fresh: listable)
    compiling = (
        not partial and roles["compiler"] and any(p.status == PlanStatus.DRAFT for p in plans)
    )
    shown = []
    for key, page in pages.items():
        first, last = _window(page, CARDS_SHOWN)
        shown.extend(lanes.lanes[key].ids[first - 1 : last])
    rows = board_cards(shown)
    cards = _Cards(plans_by_id)
    if partial:
        column = _lane_column(
            lanes.lanes[paged_lane], pages[paged_lane], rows, lanes.held, cards, query
        )
        return {"col": column, "partial": True, "project_years": set()}
    addable = compiling and any_listable(mine, year, plans)
    options = _addable_options(listable(mine, year, plans)) if addable and with_options else ""
    kinds = {s.kind for s in rb.model.steps}
    first_step = {}
    for s in rb.model.steps:
        first_step.setdefault(s.kind, s)
    columns = []
    for key, label, kind in LANES:
        if kind not in kinds and not len(lanes.lanes[key].ids):
            continue  # a stage this jurisdiction's rulebook does not have (联审: 黑龙江 only)
        column = _lane_column(lanes.lanes[key], pages[key], rows, lanes.held, cards, query)
        column.update(
            label=label,
            cite=first_step[kind].cite if kind in first_step else "",
            absent=kind not in kinds,
        )
        columns.append(column)
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
    plan_lines(plans, ENTRIES_SHOWN, paged_plan, lanes.may_open)
    return {
        "rb": rb,
        "step": step,
        "compiler": rb.actor_name(step.actor),
        "co_compilers": _by_cite(rb, step),
        "approver": rb.actor_name(approver_kind(step)),
        "supplement": rb.model.declaration.supplement if rb.model.declaration else None,
        "columns": columns,
        "plans": [_plan_row(plan, user, roles, cards.detail, csrf) for plan in plans],
        "addable": addable,
        "addable_options": options,
        "roles": roles,
        "has_annual": any(p.kind == PlanKind.ANNUAL for p in plans),
        "project_count": sum(c["count"] for c in columns),
        "paged": more,
        "project_years": lanes.years,
    }


def _options(
    user: Any, jurisdiction: Jurisdiction, year: int, step: Any, mine, pk: int
) -> SafeString:
    """The add form's choices of a draft plan, for its compiler."""
    plans = AnnualPlan.objects.filter(jurisdiction=jurisdiction, year=year)
    if (
        not _roles(user, step)["compiler"]
        or not plans.filter(pk=pk, status=PlanStatus.DRAFT).exists()
    ):
        raise Http404(_("计划不存在或无权查看"))
    return _addable_options(listable(mine, year, plans))


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
