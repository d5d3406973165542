"""The dashboard's figures: investment and projects by stage, construction unit and plan year,
overdue open tasks by organization, and how many working days each kind of step took against its
limit — all scoped to the projects the user may see (``projects.visibility.visible_projects``).

The sums and counts are computed by the database: one aggregate query for the three money charts
(grouped by status, stage, plan year and unit, then folded), one each for the overdue tasks and the
step durations; the page keeps them in the cache for a quarter of an hour. Only the working-day
averages need Python, because working days come from the official calendar: one query returns the
closed steps grouped by (kind, start, close, limit), so the rows are bounded by distinct dates, not
by projects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from govit.access.policy import is_auditor, jurisdiction_id
from govit.core import clock
from govit.organizations.models import User
from govit.policy.calendar import CalendarYearMissing, default_calendar
from govit.policy.vocab import STEP_KINDS, STEP_LABELS
from govit.projects.models import Project, ProjectStatus, ProjectStep, StepStatus, Task, TaskStatus
from govit.projects.visibility import visible_projects

WAN = Decimal(10000)
CENT = Decimal("0.01")
TENTH = Decimal("0.1")

# Projects no longer in a stage of their procedure are shown by how they ended.
ENDED = (ProjectStatus.COMPLETED, ProjectStatus.REJECTED, ProjectStatus.TERMINATED)


def wan(yuan: Decimal | int | None) -> Decimal:
    """元 → 万元, to the cent of a 万元 as the regulations' tables write amounts."""
    return (Decimal(yuan or 0) / WAN).quantize(CENT, rounding=ROUND_HALF_UP)


def step_name(kind: str) -> str:
    labels = STEP_LABELS.get(kind)
    if labels is None:
        return kind
    return labels[1] if (get_language() or "").startswith("en") else labels[0]


def dashboard_projects(user: User) -> QuerySet[Project]:
    """The projects the figures count: those the user may see, without drafts (a draft has not
    been declared, so it is not yet an investment anyone plans for)."""
    return visible_projects(user).exclude(status=ProjectStatus.DRAFT)


@dataclass
class Row:
    """One bar of a chart and one row of its table."""

    key: str
    label: str
    projects: int = 0
    investment: Decimal = Decimal(0)  # 元

    @property
    def investment_wan(self) -> Decimal:
        return wan(self.investment)


def money_groups(projects: QuerySet[Project]) -> list[dict[str, Any]]:
    """Projects and investment by (status, stage, plan year, unit): one aggregate query, which the
    three money charts fold (a jurisdiction gives some hundreds of groups, not its projects)."""
    return list(
        projects.order_by()
        .values("status", "stage", "plan_year", "unit_id", "unit__name")
        .annotate(n=Count("id"), total=Sum("total_investment"))
    )


def _folded(groups: list[dict[str, Any]], key: Any, label: Any) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for g in groups:
        k = key(g)
        row = rows.get(k)
        if row is None:
            row = rows[k] = Row(key=k, label=str(label(g)))
        row.projects += g["n"]
        row.investment += g["total"] or 0
    return rows


def investment_by_stage(groups: list[dict[str, Any]]) -> list[Row]:
    """Projects and investment by their current stage; ended projects by how they ended."""

    def ended(g: dict[str, Any]) -> bool:
        return g["status"] in ENDED

    rows = _folded(
        groups,
        lambda g: g["status"] if ended(g) else g["stage"],
        lambda g: ProjectStatus(g["status"]).label if ended(g) else step_name(g["stage"]),
    )
    order = {kind: i for i, kind in enumerate((*STEP_KINDS, *ENDED))}
    return sorted(rows.values(), key=lambda r: order.get(r.key, len(order)))


def investment_by_unit(groups: list[dict[str, Any]]) -> list[Row]:
    rows = _folded(groups, lambda g: str(g["unit_id"]), lambda g: g["unit__name"])
    return sorted(rows.values(), key=lambda r: (-r.investment, r.label))


def investment_by_year(groups: list[dict[str, Any]]) -> list[Row]:
    rows = _folded(
        groups, lambda g: str(g["plan_year"]), lambda g: _("%(year)s年") % {"year": g["plan_year"]}
    )
    return sorted(rows.values(), key=lambda r: int(r.key))


@dataclass
class OverdueRow:
    organization_id: int
    name: str
    tasks: int


def overdue_by_organization(
    projects: QuerySet[Project], today: dt.date | None = None
) -> list[OverdueRow]:
    """Open tasks past their due date, by the organization that must act."""
    today = today or clock.today()
    grouped = (
        Task.objects.filter(
            project__in=projects.values("pk"), status=TaskStatus.OPEN, due_on__lt=today
        )
        .order_by()
        .values("organization_id", "organization__name")
        .annotate(n=Count("id"))
        .order_by("-n", "organization__name")
    )
    return [
        OverdueRow(organization_id=g["organization_id"], name=g["organization__name"], tasks=g["n"])
        for g in grouped
    ]


@dataclass
class DurationRow:
    kind: str
    label: str
    steps: int = 0  # closed steps whose working days could be counted
    days: int = 0  # their working days, summed
    limited: int = 0  # of them, steps with a limit
    limit_days: int = 0  # the limits, summed
    over_limit: int = 0  # steps that took longer than their limit
    uncounted: int = 0  # steps in a year the calendar does not cover
    limits: set[int] = field(default_factory=set)

    @property
    def average(self) -> Decimal | None:
        if not self.steps:
            return None
        return (Decimal(self.days) / self.steps).quantize(TENTH, rounding=ROUND_HALF_UP)

    @property
    def limit_range(self) -> str:
        """The limits this kind of step has ("5", or "5–10" across rulebooks), or ""."""
        if not self.limits:
            return ""
        low, high = min(self.limits), max(self.limits)
        return str(low) if low == high else f"{low}–{high}"

    @property
    def average_limit(self) -> Decimal | None:
        if not self.limited:
            return None
        return (Decimal(self.limit_days) / self.limited).quantize(TENTH, rounding=ROUND_HALF_UP)


def step_durations(projects: QuerySet[Project]) -> list[DurationRow]:
    """For each kind of step, the average official working days from its start (受理, the last
    round's) to its close (办结), against the average of its limits (the rulebooks' 工作日 limits
    can differ between jurisdictions)."""
    cal = default_calendar()
    grouped = (
        ProjectStep.objects.filter(
            project__in=projects.values("pk"),
            status=StepStatus.PASSED,
            started_on__isnull=False,
            closed_at__isnull=False,
        )
        .annotate(closed_on=TruncDate("closed_at", tzinfo=clock.CHINA))
        .order_by()
        .values("kind", "started_on", "closed_on", "working_days")
        .annotate(n=Count("id"))
    )
    rows: dict[str, DurationRow] = {}
    for g in grouped:
        row = rows.setdefault(g["kind"], DurationRow(kind=g["kind"], label=step_name(g["kind"])))
        try:
            took = cal.working_days_between(g["started_on"], g["closed_on"])
        except CalendarYearMissing:
            row.uncounted += g["n"]
            continue
        row.steps += g["n"]
        row.days += took * g["n"]
        if g["working_days"] is not None:
            row.limited += g["n"]
            row.limit_days += g["working_days"] * g["n"]
            row.limits.add(g["working_days"])
            if took > g["working_days"]:
                row.over_limit += g["n"]
    order = {kind: i for i, kind in enumerate(STEP_KINDS)}
    return sorted(rows.values(), key=lambda r: order.get(r.kind, len(order)))


def _money(rows: list[Row]) -> dict[str, Any]:
    return {
        "categories": [r.label for r in rows],
        "investment": [str(r.investment_wan) for r in rows],
        "projects": [r.projects for r in rows],
    }


CACHE_SECONDS = 15 * 60  # the figures change slowly; a page shows when they were computed


def cache_key(user: User, today: dt.date) -> str:
    """Whose figures these are. ``visible_projects`` depends on the user's organization (its
    kind and jurisdiction), the auditor role and superuser status, and on nothing else: so the
    key names all of them — two users share figures only when they see the same projects —
    with the day (overdue is counted against it) and the language of the labels."""
    if user.is_superuser:
        who = "all"
    else:
        who = f"j{jurisdiction_id(user)}.o{user.organization_id}.a{int(is_auditor(user))}"
    return f"govit:dashboard:v1:{who}:{today.isoformat()}:{get_language() or ''}"


def figures(user: User, today: dt.date) -> dict[str, Any]:
    """The dashboard's numbers, computed by the database (three aggregate queries)."""
    projects = dashboard_projects(user)
    groups = money_groups(projects)
    by_stage = investment_by_stage(groups)
    by_unit = investment_by_unit(groups)
    by_year = investment_by_year(groups)
    overdue = overdue_by_organization(projects, today)
    durations = step_durations(projects)
    total = sum((r.investment for r in by_stage), Decimal(0))
    charts = {
        "names": {
            "investment": _("投资额（万元）"),
            "projects": _("项目数（个）"),
            "overdue": _("逾期待办（项）"),
            "average": _("平均用时（工作日）"),
            "limit": _("时限（工作日）"),
        },
        "stage": _money(by_stage),
        "unit": _money(by_unit),
        "year": _money(by_year),
        "overdue": {"categories": [r.name for r in overdue], "tasks": [r.tasks for r in overdue]},
        "durations": {
            "categories": [r.label for r in durations],
            "average": [str(r.average) if r.average is not None else None for r in durations],
            "limit": [
                str(r.average_limit) if r.average_limit is not None else None for r in durations
            ],
        },
    }
    return {
        "computed_at": clock.now(),
        "project_count": sum(r.projects for r in by_stage),
        "investment_total": total,
        "investment_total_wan": wan(total),
        "overdue_total": sum(r.tasks for r in overdue),
        "by_stage": by_stage,
        "by_unit": by_unit,
        "by_year": by_year,
        "overdue": overdue,
        "durations": durations,
        "charts": charts,
    }


def dashboard(user: User) -> dict[str, Any]:
    """Everything the dashboard page shows, and the same numbers for its charts: from the cache
    (Redis or the database's cache table) when computed for the same projects today in the last
    CACHE_SECONDS, otherwise computed and kept."""
    today = clock.today()
    key = cache_key(user, today)
    found = cache.get(key)
    if found is None:
        found = figures(user, today)
        cache.set(key, found, CACHE_SECONDS)
    return {"today": today, "cache_minutes": CACHE_SECONDS // 60, **found}
