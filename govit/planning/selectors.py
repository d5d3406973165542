"""Reads about annual plans: the rulebook's planning step, a year's plans with their lines, and
the plan board's lanes — kept in the cache under a version that every write moving a card
changes (``board_changed``), so a reader never sees a board older than the last write."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import RowNumber

from govit.core import stamps
from govit.core.errors import RuleRefused
from govit.jurisdictions.models import Jurisdiction
from govit.planning.models import AnnualPlan, PlanEntry, PlanStatus
from govit.projects.models import Project, ProjectStatus, ProjectStep, StepStatus


def plan_step(jurisdiction: Jurisdiction):
    """The rulebook's annual_plan step for this jurisdiction (its compiler, deadline, article)."""
    if jurisdiction.rulebook is None:
        raise RuleRefused(f"“{jurisdiction.name}”尚未启用规则手册", code="NO_RULEBOOK")
    rb = jurisdiction.rulebook.load()
    for step in rb.model.steps:
        if step.kind == "annual_plan":
            return rb, step
    raise RuleRefused(f"《{rb.title}》没有年度计划环节", code="NO_ANNUAL_PLAN")


def approver_kind(step) -> str:
    """Who approves the plan: the approver the rulebook names (本级人民政府), else the compiler."""
    return step.approver or step.actor


def until_plan(rb: Any) -> tuple[str, ...]:
    """The step kinds of the rulebook up to and including the annual plan."""
    kinds = [s.kind for s in rb.model.steps]
    return tuple(kinds[: kinds.index("annual_plan") + 1]) if "annual_plan" in kinds else ()


# --- a year's plans ----------------------------------------------------------------------------------


def year_plans(jurisdiction: Jurisdiction, year: int) -> list[AnnualPlan]:
    """The year's plans, each with how many projects it lists and their sum, and who compiled,
    approved and last returned it (``compiled_by``, ``approved_by_name``, ``returned_by_name``:
    the organization, else the person).
    ``entry_ids`` (the sum of its lines' ids) changes with every line added or removed, since a
    new line's id is larger than any before it: with the status it tells whether the plans moved
    a card. (The names as columns: whole users grouped by would cost more than the page's
    cards.)"""
    plans = list(
        AnnualPlan.objects.filter(jurisdiction=jurisdiction, year=year)
        .annotate(
            entry_count=Count("entries"),
            entry_total=Sum("entries__amount"),
            entry_ids=Sum("entries__id"),
            **{
                f"{who}_{name}": F(f"{who}__{path}")
                for who in ("created_by", "approved_by", "returned_by")
                for name, path in (
                    ("org", "organization__name"),
                    ("real_name", "real_name"),
                    ("username", "username"),
                )
            },
        )
        .order_by("kind", "number")
    )
    for plan in plans:
        plan.compiled_by = (
            plan.created_by_org or plan.created_by_real_name or plan.created_by_username
        )
        plan.approved_by_name = (
            plan.approved_by_org or plan.approved_by_real_name or plan.approved_by_username
        )
        plan.returned_by_name = (
            plan.returned_by_org or plan.returned_by_real_name or plan.returned_by_username
        )
    return plans


def plan_years(jurisdiction: Jurisdiction) -> set[int]:
    return set(
        AnnualPlan.objects.filter(jurisdiction=jurisdiction)
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    )


LINE_FIELDS = ("id", "plan_id", "project_id", "amount", "note")


def plan_lines(
    plans: list[AnnualPlan], shown: int, paged: tuple[int, int] | None, visible: Any
) -> None:
    """Each plan's shown lines — the first ``shown``, or for ``paged`` = (plan id, page) that
    page of that plan — read in one query as dicts: ``plan.shown`` and ``plan.offset``. A line's
    ``visible`` says whether the reader may open its project (``visible(project_id)``)."""
    listing = [p for p in plans if p.entry_count]
    for plan in plans:
        plan.shown, plan.offset = [], 0
    if not listing:
        return
    windows = {p.pk: (0, shown) for p in listing}
    if paged is not None and paged[0] in windows:
        pk, page = paged
        windows[pk] = ((page - 1) * shown, page * shown)
    lines = PlanEntry.objects.values(
        *LINE_FIELDS, project_name=F("project__name"), unit_name=F("project__unit__name")
    )
    if connection.features.supports_slicing_ordering_in_compound:
        # each plan's page by its own LIMIT (the index on plan finds it), the pages in one query
        parts = [
            lines.filter(plan_id=pk).order_by("id")[start:stop]
            for pk, (start, stop) in windows.items()
        ]
        rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    else:
        ranked = Window(RowNumber(), partition_by=[F("plan_id")], order_by=[F("id").asc()])
        condition = Q()
        for pk, (start, stop) in windows.items():
            condition |= Q(plan_id=pk, rank__gt=start, rank__lte=stop)
        rows = lines.filter(plan__in=listing).annotate(rank=ranked).filter(condition)
    by_plan = {p.pk: p for p in listing}
    for line in sorted(rows, key=lambda line: (line["plan_id"], line["id"])):
        line["visible"] = visible(line["project_id"])
        by_plan[line["plan_id"]].shown.append(line)
    for pk, (start, _stop) in windows.items():
        by_plan[pk].offset = start


# --- the board's lanes -------------------------------------------------------------------------------

LANE_KEYS = ("declarations", "joint_review", "plan", "approved")
# A board kept under its stamp is dropped after an hour even if nothing changed, which bounds the
# harm of a write that could not reach the cache (the page never relies on it).
BOARD_SECONDS = 3600


def _lanes_scope(jurisdiction_id: int, year: int) -> str:
    return f"plans:board:{jurisdiction_id}:{year}"


def _years_scope(jurisdiction_id: int) -> str:
    return f"plans:board:{jurisdiction_id}"


def _board_key(jurisdiction_id: int, year: int) -> str:
    return f"plans:board:{jurisdiction_id}:{year}"


def _years_key(jurisdiction_id: int) -> str:
    return f"plans:board:years:{jurisdiction_id}"


def board_changed(project: Project, *, declared: bool = False) -> None:
    """The project changed its stage, or was ``declared``: the boards kept for its plan year
    (and, for a declaration, the years its jurisdiction's board offers) are stale
    (``govit.core.stamps.renew``: a new stamp now and again at the commit). Plans and their lines
    need no call: the key of a board holds each plan's status and lines, read on every request."""
    scopes = [_lanes_scope(project.jurisdiction_id, project.plan_year)]
    if declared:
        scopes.append(_years_scope(project.jurisdiction_id))
    stamps.renew(scopes)


def not_in_annual_plan(project: Project) -> list[str]:
    """The gate requirement ``in_annual_plan``: the project unless an approved plan lists it."""
    return [] if project.plan_entries.filter(plan__status="approved").exists() else [project.name]


@dataclass
class Lane:
    key: str
    ids: array  # the lane's projects by code
    cents: array  # their total investment in 分, in the same order
    total: Decimal = Decimal(0)

    @property
    def count(self) -> int:
        return len(self.ids)


@dataclass
class Board:
    """The lanes of one jurisdiction's year as one reader sees them."""

    lanes: dict[str, Lane]
    held: dict[int, int]  # project → the plan its card names
    years: set[int]  # the plan years of the reader's declared projects
    cached: bool = False
    visible: set[int] | None = field(default=None, repr=False)  # None: every project listed

    def may_open(self, listed: int) -> bool:
        """Whether the reader may open a project a plan of the year lists. Reading every project,
        they may open those of the year; and every project a plan lists is in ``held``."""
        return listed in self.held if self.visible is None else listed in self.visible


def _fingerprint(plans: list[AnnualPlan], kinds: tuple[str, ...]) -> tuple:
    return (
        kinds,
        tuple((p.pk, p.status, p.entry_count, p.entry_ids) for p in plans),
    )


def _compute(
    jurisdiction_id: int, year: int, plans: list[AnnualPlan], kinds: tuple[str, ...]
) -> dict[str, Any]:
    """Every declared project of the year into its lane, in three narrow reads.

    A project is in the 批准 lane when an approved plan lists it or its annual_plan step has
    passed; else in 列入计划 when a plan of the year lists it; else in 联审 when that is its
    stage; else in 申报. The plan named on its card is the first approved plan listing it, else
    the last plan (by kind and batch) listing it. The step is read only for projects past the
    plan stage: a project's stage is its first step not yet done (``workflow.advance``), so
    while it is at the plan or before it the plan step has not passed."""
    approved = [p.pk for p in plans if p.status == PlanStatus.APPROVED]
    order = approved + [p.pk for p in reversed(plans) if p.status != PlanStatus.APPROVED]
    rank = {pk: i for i, pk in enumerate(order)}
    held: dict[int, int] = {}
    if plans:
        for project_id, plan_id in PlanEntry.objects.filter(plan__in=order).values_list(
            "project_id", "plan_id"
        ):
            now = held.get(project_id)
            if now is None or rank[plan_id] < rank[now]:
                held[project_id] = plan_id
    rows = list(
        Project.objects.filter(jurisdiction_id=jurisdiction_id, plan_year=year)
        .exclude(status=ProjectStatus.DRAFT)
        .order_by()
        .values_list("pk", "stage", "total_investment", "code")
    )
    # by code (then id), sorted here: the database sorted the year's ten thousand rows slower.
    # The codes of a year share their prefix and differ in digits only (projects.services.
    # _assign_code), so any collation orders them as Python does; a project without one last.
    rows.sort(key=lambda row: (row[3] is None, row[3] or "", row[0]))
    beyond = [pk for pk, stage, _amount, _code in rows if stage not in kinds and pk not in held]
    passed: set[int] = set()
    if beyond:
        passed = set(
            ProjectStep.objects.filter(
                project__jurisdiction_id=jurisdiction_id,
                project__plan_year=year,
                kind="annual_plan",
                status=StepStatus.PASSED,
            )
            .exclude(project__stage__in=kinds)
            .values_list("project_id", flat=True)
        )
    approved_set = set(approved)
    lanes = {key: (array("q"), array("q")) for key in LANE_KEYS}
    shown_held = {}
    for pk, stage, amount, _code in rows:
        plan = held.get(pk)
        if plan is not None:
            lane = "approved" if plan in approved_set else "plan"
            shown_held[pk] = plan
        elif stage == "joint_review":
            lane = "joint_review"
        elif stage in kinds:
            lane = "declarations"
        elif pk in passed:
            lane = "approved"
        else:
            lane = "declarations"
        ids, cents = lanes[lane]
        ids.append(pk)
        cents.append(int(amount.scaleb(2)))
    return {"lanes": lanes, "held": shown_held}


def _lanes(
    data: dict[str, Any], visible: set[int] | None
) -> tuple[dict[str, Lane], dict[int, int]]:
    lanes = {}
    for key, (ids, cents) in data["lanes"].items():
        if visible is not None:
            kept = [(pk, c) for pk, c in zip(ids, cents, strict=True) if pk in visible]
            ids, cents = array("q", (k[0] for k in kept)), array("q", (k[1] for k in kept))
        lanes[key] = Lane(key, ids, cents, Decimal(sum(cents)).scaleb(-2))
    held = data["held"]
    if visible is not None:
        held = {pk: plan for pk, plan in held.items() if pk in visible}
    return lanes, held


def _every_declared(jurisdiction: Jurisdiction, projects: QuerySet) -> bool:
    """Whether ``projects`` (the reader's projects of the jurisdiction, as the access policy
    built them) are every project of it, or every declared one: then the lanes kept in the cache
    are the reader's own. Decided by the query's conditions, not by repeating the policy's rules:
    any other shape (an authority that sees the projects naming it) reads its projects afresh."""
    query = projects.query
    if query.model is not Project or query.distinct or query.combinator or query.is_sliced:
        return False
    return query.where in (
        Project.objects.filter(jurisdiction=jurisdiction).query.where,
        Project.objects.filter(jurisdiction_id=jurisdiction.pk)
        .exclude(status=ProjectStatus.DRAFT)
        .filter(jurisdiction=jurisdiction)
        .query.where,
    )


def plan_board(
    jurisdiction: Jurisdiction,
    year: int,
    projects: QuerySet,
    plans: list[AnnualPlan],
    kinds: tuple[str, ...],
) -> Board:
    """The lanes of ``year`` for a reader whose projects of the jurisdiction are ``projects``,
    with ``plans`` the year's plans (``year_plans``, read before) and ``kinds`` the steps up to
    the plan. Exact at every request: the lanes of every declared project are kept in the cache
    under the year's version (``board_changed``) and the plans' lines and statuses; computed
    again when either moved. A reader who sees only some projects gets those of them."""
    jid = jurisdiction.pk
    lanes, years_scope = _lanes_scope(jid, year), _years_scope(jid)
    keys = [_board_key(jid, year), _years_key(jid), stamps.key(lanes), stamps.key(years_scope)]
    found = cache.get_many(keys)
    version = (stamps.settle([lanes], found) or {}).get(lanes)
    fingerprint = (version, _fingerprint(plans, kinds))
    kept = found.get(keys[0])
    cached = version is not None and kept is not None and kept["key"] == fingerprint
    if cached:
        data = kept
    else:
        data = _compute(jid, year, plans, kinds)
        if version is not None:
            cache.set(keys[0], {"key": fingerprint, **data}, BOARD_SECONDS)
    if _every_declared(jurisdiction, projects):
        visible = None
        years_version = (stamps.settle([years_scope], found) or {}).get(years_scope)
        kept_years = found.get(keys[1])
        if years_version is not None and kept_years and kept_years["key"] == years_version:
            years = kept_years["years"]
        else:
            years = _project_years(projects)
            if years_version is not None:
                cache.set(keys[1], {"key": years_version, "years": years}, BOARD_SECONDS)
    else:
        # the reader's projects are a costly query (access.policy): read once, for both
        visible, years = set(), set()
        for pk, plan_year in (
            projects.exclude(status=ProjectStatus.DRAFT).order_by().values_list("pk", "plan_year")
        ):
            years.add(plan_year)
            if plan_year == year:
                visible.add(pk)
    lanes, held = _lanes(data, visible)
    return Board(lanes, held, years, cached=cached, visible=visible)


def _project_years(projects: QuerySet) -> set[int]:
    return set(
        projects.exclude(status=ProjectStatus.DRAFT)
        .order_by()
        .values_list("plan_year", flat=True)
        .distinct()
    )


CARD_FIELDS = (
    "id",
    "name",
    "code",
    "total_investment",
    "status",
    "stage",
    "declared_late",
)


def board_cards(ids: list[int]) -> dict[int, dict[str, Any]]:
    """The projects of the cards shown, as dicts read fresh: their unit, their status and the
    state of their annual_plan step."""
    if not ids:
        return {}
    step = ProjectStep.objects.filter(project=OuterRef("pk"), kind="annual_plan").order_by()
    return {
        row["id"]: row
        for row in Project.objects.filter(pk__in=ids)
        .order_by()
        .values(
            *CARD_FIELDS,
            unit_name=F("unit__name"),
            plan_step_status=Subquery(step.values("status")[:1]),
        )
    }


def _waiting(projects: QuerySet, year: int, plans: list[AnnualPlan]) -> QuerySet:
    return projects.filter(
        plan_year=year, status=ProjectStatus.ACTIVE, stage="annual_plan"
    ).exclude(pk__in=PlanEntry.objects.filter(plan__in=plans).values("project_id"))


def any_listable(projects: QuerySet, year: int, plans: list[AnnualPlan]) -> bool:
    """Whether ``listable`` would list any project (the first one found is enough)."""
    in_review = ProjectStep.objects.filter(
        project=OuterRef("pk"), kind="annual_plan", status=StepStatus.IN_REVIEW
    )
    return _waiting(projects, year, plans).filter(Exists(in_review)).exists()


def listable(projects: QuerySet, year: int, plans: list[AnnualPlan]) -> list[dict[str, Any]]:
    """The reader's ``projects`` a compiler may list in a plan of ``year`` now, by code, read
    fresh for the add form: active, at the annual plan with that step in review, and in none of
    the year's ``plans``."""
    # the step's state by the (project, kind) index, one probe a project; as a filter (EXISTS)
    # the database would read every step of every project instead
    step = ProjectStep.objects.filter(project=OuterRef("pk"), kind="annual_plan").order_by()
    rows = (
        _waiting(projects, year, plans)
        .order_by("code", "id")
        .values(
            "id",
            "name",
            "total_investment",
            "declared_late",
            unit_name=F("unit__name"),
            plan_step_status=Subquery(step.values("status")[:1]),
        )
    )
    return [row for row in rows if row["plan_step_status"] == StepStatus.IN_REVIEW]
