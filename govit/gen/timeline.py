"""What happened to one generated project: its facts, the steps its rulebook gives it (the same
``classify`` the declaration uses), how far it got, and the dates — worked backwards from today so
that open steps are really open now and some are really overdue.

Pure given the seed: the same (seed, project number) always gives the same project, which lets the
generator count every project's events in one pass and write them in a second."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from govit.core.clock import CHINA
from govit.gen import names
from govit.gen.setup import PLACES, Org, Place
from govit.policy.classify import classify
from govit.policy.decide import decide
from govit.policy.facts import Facts
from govit.projects.models import ProjectStatus, StepStatus
from govit.projects.workflow import due_date

# a province's projects by jurisdiction: the province itself, a prefecture, a city and two counties
PLACE_WEIGHTS = {"heilongjiang": 34, "yueyang": 22, "xiangxi": 18, "lianping": 13, "linxiang": 13}
CONSTRUCTION_TYPES = ["new"] * 6 + ["expansion", "renovation", "renovation", "equipment_purchase"]
FUNDING = (["local_fiscal"] * 8) + ["superior_allocated", "self_raised"]

# A completed project has some 75 events, one just declared about 10. The issue asks for 20 events
# a project on average (1,000,000 for 50,000), so most projects are early in their life: the
# current step's position is uniform**STAGE_SKEW along the procedure (≈80% in its first fifth,
# still some hundreds at post-evaluation in 50,000); 8% drafts, 3% rejected, 3% completed.
STAGE_SKEW = 7.0

# calendar days a step takes when the rulebook sets no time limit
DURATIONS = {
    "construction": (120, 420),
    "trial_operation": (90, 180),
    "om_report": (300, 365),
    "self_evaluation": (60, 180),
    "post_evaluation": (60, 200),
    "procurement": (20, 75),
    "annual_plan": (30, 160),
    "settlement_audit": (20, 90),
}
ELAPSED = {  # how long the current step has been open, at most (days)
    "construction": 400,
    "annual_plan": 200,
    "trial_operation": 180,
    "om_report": 330,
    "self_evaluation": 150,
    "post_evaluation": 150,
    "procurement": 70,
}


@dataclass(slots=True)
class StepState:
    seq: int
    rule: Any  # policy.schema.Step
    template: dict[str, Any]
    status: str = StepStatus.PENDING
    round: int = 0
    opened: dt.date | None = None  # the day it became the current step
    started_on: dt.date | None = None  # the day the clock started (submission, or opening)
    due_on: dt.date | None = None
    due_note: str = ""
    closed_on: dt.date | None = None  # passed / rejected / returned on
    returned_first: bool = False  # in its second round after a return

    @property
    def kind(self) -> str:
        return self.rule.kind


@dataclass
class Plan:
    number: int  # 0-based position among the generated projects
    place: Place
    unit: Org
    name: str
    amount: Decimal
    facts: dict[str, Any]
    status: str
    created: dt.date
    declared_on: dt.date | None = None
    plan_year: int = 0
    track: str | None = None
    steps: list[StepState] = field(default_factory=list)
    current: int | None = None  # index of the current (or rejected) step
    batch: tuple[int, str, int] | None = None  # (year, kind, number) of the plan that lists it
    drafted_into_plan: bool = False  # listed in the plan being compiled now
    declared_late: bool = False
    warnings: list[dict[str, Any]] = field(default_factory=list)  # decide()'s, at declaration
    rng: random.Random = field(default_factory=random.Random)

    @property
    def declared(self) -> bool:
        return self.status != ProjectStatus.DRAFT

    @property
    def stage(self) -> str:
        if self.status in (ProjectStatus.DRAFT, ProjectStatus.COMPLETED):
            return ""
        return self.steps[self.current].kind if self.current is not None else ""

    def step(self, kind: str) -> StepState | None:
        return next((s for s in self.steps if s.kind == kind), None)


def next_plan_year(today: dt.date) -> int:
    """The year whose annual plan is being compiled now (approved each 20 December)."""
    return today.year + 1 if (today.month, today.day) < (12, 20) else today.year + 2


def declaration_facts(plan: Plan) -> dict[str, Any]:
    """The facts ``project_declare`` classifies with (nothing of the unit's record is held
    against a generated project: no unfinished prior-year projects)."""
    facts = dict(plan.facts)
    facts["plan_year"] = plan.plan_year
    facts["unfinished_prior_year_projects"] = 0
    facts["approved_budget"] = plan.amount
    if plan.declared_on is not None:
        facts["declared_on"] = plan.declared_on
    return facts


def pick_place(rng: random.Random, places: dict[str, Place]) -> Place:
    keys = [k for k in PLACES if k in places]
    return places[rng.choices(keys, [PLACE_WEIGHTS[k] for k in keys])[0]]


def plan_project(number: int, seed: int, places: dict[str, Place], today: dt.date) -> Plan:
    rng = random.Random(seed * 1_000_003 + number)
    place = pick_place(rng, places)
    # a few units run most projects
    unit = place.units[int(len(place.units) * rng.random() ** 1.7)]
    amount = Decimal(max(20_000, round(rng.lognormvariate(13.5, 1.1), -3)))
    ctype = rng.choice(CONSTRUCTION_TYPES)
    facts = {
        "total_investment": amount,
        "funding_source": rng.choice(FUNDING),
        "classified": rng.random() < 0.04,
        "involves_crypto": rng.random() < 0.4,
        "construction_type": ctype,
        "simple_scope": rng.random() < 0.2,
    }
    system = names.SYSTEMS[rng.randrange(len(names.SYSTEMS))]
    unit_short = unit.name.removeprefix(place.jurisdiction.name)
    name = f"{place.jurisdiction.name}{unit_short}{system}{names.CONSTRUCTION_WORDS[ctype]}项目"
    r = rng.random()
    status = (
        ProjectStatus.DRAFT
        if r < 0.08
        else ProjectStatus.REJECTED
        if r < 0.11
        else ProjectStatus.COMPLETED
        if r < 0.14
        else ProjectStatus.ACTIVE
    )
    plan = Plan(number, place, unit, name[:200], amount, facts, status, today, rng=rng)
    if status == ProjectStatus.DRAFT:
        plan.created = today - dt.timedelta(days=rng.randint(0, 120))
        plan.plan_year = next_plan_year(today)
        return plan
    cls = classify(place.rb, {**declaration_facts(plan), "plan_year": next_plan_year(today)})
    if any(g.effect == "out_of_scope" and g.severity == "block" for g in cls.gates):
        # 连平第五条: a classified project is not declared under this rulebook at all
        facts["classified"] = False
        cls = classify(place.rb, {**declaration_facts(plan), "plan_year": next_plan_year(today)})
        if any(g.effect == "out_of_scope" and g.severity == "block" for g in cls.gates):
            plan.status = ProjectStatus.DRAFT
            plan.created = today - dt.timedelta(days=rng.randint(0, 120))
            plan.plan_year = next_plan_year(today)
            return plan
    plan.track = cls.track
    plan.steps = [
        StepState(seq, step, template) for seq, (step, template) in enumerate(cls.steps, start=1)
    ]
    _choose_position(plan)
    _date(plan, today)
    _judge_declaration(plan)
    return plan


def _judge_declaration(plan: Plan) -> None:
    """What ``project_declare`` asks decide() on the day: a declaration after the deadline is
    refused where the rulebook says so (连平第六条第二款) — such a project was declared by the
    deadline instead — and elsewhere goes ahead marked late, with the rulebook's warning."""
    rb = plan.place.rb
    answer = decide(rb, Facts(**declaration_facts(plan)), plan.declared_on)
    declaration = answer["declaration"]
    spec = rb.model.declaration
    if declaration and declaration["on_time"] is False and spec and spec.late:
        if spec.late.severity == "block":
            day = _working_day(dt.date.fromisoformat(declaration["deadline"]))
            first = plan.steps[0]
            first.opened = min(first.opened or day, day)
            if first.started_on is not None:
                first.started_on = min(first.started_on, day)
                first.due_on, first.due_note = due_date(first.started_on, first.rule.working_days)
            plan.declared_on = min(plan.declared_on, day)
            plan.created = min(plan.created, plan.declared_on)
            answer = decide(rb, Facts(**declaration_facts(plan)), plan.declared_on)
        else:
            plan.declared_late = True
    plan.warnings = [
        {k: f[k] for k in ("code", "severity", "message", "cite")}
        for f in answer["findings"]
        if f["severity"] == "warn"
    ]


def _first_can_wait(step: StepState) -> bool:
    """The declaration step stays open after 申报 when someone else must act on it."""
    return step.rule.start_mode == "on_submission" or bool(step.template["co_actors"])


def _choose_position(plan: Plan) -> None:
    rng, steps = plan.rng, plan.steps
    if plan.status == ProjectStatus.COMPLETED:
        plan.current = None
        for s in steps:
            s.status = StepStatus.PASSED
        return
    if plan.status == ProjectStatus.REJECTED:
        reviews = [
            i
            for i, s in enumerate(steps)
            if i > 0
            and s.rule.actor not in ("construction_unit", "experts")
            and s.kind != "annual_plan"
            and not s.rule.filing
            and i < _index(steps, "procurement", len(steps))
        ]
        if reviews:
            plan.current = rng.choice(reviews)
        else:
            plan.status = ProjectStatus.ACTIVE
    if plan.status == ProjectStatus.ACTIVE:
        low = 0 if _first_can_wait(steps[0]) else 1
        # every stage has projects, the early ones most (see STAGE_SKEW)
        span = len(steps) - low
        plan.current = low + int(span * rng.random() ** STAGE_SKEW) if span > 0 else None
        if plan.current is None:
            plan.status = ProjectStatus.COMPLETED
            return _choose_position(plan)
    k = plan.current
    for s in steps[:k]:
        s.status = StepStatus.PASSED
    cur = steps[k]
    if plan.status == ProjectStatus.REJECTED:
        cur.status, cur.round = StepStatus.REJECTED, 1
        return
    mode = cur.rule.start_mode
    if k > 0 and cur.kind != "annual_plan" and mode == "on_submission":
        r = rng.random()
        if r < 0.25:
            cur.status = StepStatus.READY
        elif r < 0.35:
            cur.status, cur.round = StepStatus.RETURNED, 1
        else:
            cur.status, cur.round = StepStatus.IN_REVIEW, 1
            if r > 0.92:
                cur.round, cur.returned_first = 2, True
    else:
        cur.status, cur.round = StepStatus.IN_REVIEW, 1


def _index(steps: list[StepState], kind: str, default: int) -> int:
    return next((i for i, s in enumerate(steps) if s.kind == kind), default)


def _duration(rng: random.Random, step: StepState) -> int:
    if step.kind in DURATIONS:
        low, high = DURATIONS[step.kind]
        return rng.randint(low, high)
    days = step.rule.working_days
    if days:
        # mostly within the time limit (≈ 1.4 calendar days a working day), now and then late
        limit = int(days * 1.4) + 1
        return rng.randint(1, limit) if rng.random() < 0.85 else rng.randint(limit, limit * 2)
    return rng.randint(3, 30)


def _gap(rng: random.Random, step: StepState, index: int) -> int:
    """Days the unit takes to prepare and submit a step that waits for its submission."""
    if index == 0 or step.kind == "annual_plan" or step.rule.start_mode != "on_submission":
        return 0
    return rng.randint(1, 25)


def _date(plan: Plan, today: dt.date) -> None:
    """Dates backwards from today, as offsets in days, scaled to fit after the place's floor."""
    rng, steps, k = plan.rng, plan.steps, plan.current
    n = len(steps)
    opened = [0.0] * n  # offsets (days before today)
    started = [0.0] * n
    closed = [0.0] * n
    last = k if k is not None else n  # steps[last] is the current one (or none: completed)
    if k is None:
        anchor = rng.uniform(3, 500)  # the last step closed this long ago
    else:
        cur = steps[k]
        limit = ELAPSED.get(cur.kind, 200)
        if cur.kind in ELAPSED:
            elapsed = rng.uniform(0, limit)
        elif cur.rule.working_days:
            # most steps are handled in time: about one in five open past its limit
            # (exp(-1/0.6) of the steps' limits, ≈ 1.4 calendar days a working day)
            elapsed = min(limit, rng.expovariate(1 / (cur.rule.working_days * 1.4 * 0.6)))
        else:
            elapsed = min(limit, rng.expovariate(1 / 14))
        if cur.status == StepStatus.READY:
            opened[k] = elapsed
        elif cur.status == StepStatus.REJECTED:
            closed[k] = rng.uniform(5, 400)
            started[k] = closed[k] + _duration(rng, cur)
            opened[k] = started[k] + _gap(rng, cur, k)
        else:
            started[k] = elapsed
            if cur.status == StepStatus.RETURNED:
                closed[k] = max(0.0, started[k] - rng.uniform(1, (cur.rule.working_days or 10)))
            opened[k] = started[k] + _gap(rng, cur, k)
            if cur.returned_first:
                opened[k] += rng.uniform(5, 40)
        anchor = opened[k]
    for i in range(last - 1, -1, -1):
        closed[i] = anchor
        passed_at_declaration = i == 0 and not _first_can_wait(steps[0])
        started[i] = closed[i] + (0 if passed_at_declaration else _duration(rng, steps[i]))
        opened[i] = started[i] + _gap(rng, steps[i], i)
        anchor = opened[i]
    created = anchor + rng.uniform(3, 60)
    room = (today - plan.place.floor).days
    factor = min(1.0, room / created) if created > 0 else 1.0

    def day(offset: float) -> dt.date:
        return _working_day(today - dt.timedelta(days=int(offset * factor)))

    plan.created = day(created)
    for i, s in enumerate(steps):
        if i > last:
            break
        if i == last and s.status == StepStatus.READY:
            s.opened = day(opened[i])
            continue
        s.opened, s.started_on = day(opened[i]), day(started[i])
        if i < last or s.status in (StepStatus.RETURNED, StepStatus.REJECTED):
            s.closed_on = day(closed[i])
    _snap_annual_plan(plan)
    _keep_order(plan)
    first = steps[0]
    plan.declared_on = first.started_on or first.opened
    plan.created = min(plan.created, plan.declared_on)
    for s in steps:
        if s.started_on is not None and s.status in (
            StepStatus.PASSED,
            StepStatus.IN_REVIEW,
            StepStatus.RETURNED,
            StepStatus.REJECTED,
        ):
            s.due_on, s.due_note = due_date(s.started_on, s.rule.working_days)
        if s.round == 0 and s.started_on is not None:
            s.round = 1
    if plan.batch is None:
        plan.plan_year = next_plan_year(today)
        ap = plan.step("annual_plan")
        plan.drafted_into_plan = (
            ap is not None and ap.status == StepStatus.IN_REVIEW and rng.random() < 0.7
        )
    else:
        plan.plan_year = plan.batch[0]


def _working_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def plan_batch_day(close: dt.date) -> tuple[dt.date, tuple[int, str, int]]:
    """Plans are approved on the 20th: each December the next year's annual plan, in March to
    November a 增补 plan (batch = month − 2). A project's annual_plan step passes that day."""
    day = close.replace(day=20) if close.day >= 20 else _month_before(close).replace(day=20)
    if day.month in (1, 2):
        day = dt.date(day.year - 1, 12, 20)
    if day.month == 12:
        return day, (day.year + 1, "annual", 1)
    return day, (day.year, "supplement", day.month - 2)


def _month_before(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _snap_annual_plan(plan: Plan) -> None:
    ap = plan.step("annual_plan")
    if ap is None or ap.status != StepStatus.PASSED:
        return
    ap.closed_on, plan.batch = plan_batch_day(ap.closed_on)


def _keep_order(plan: Plan) -> None:
    """After snapping, walk back so that no step closes after the next one opened."""
    later: dt.date | None = None
    for s in reversed(plan.steps):
        for name in ("closed_on", "started_on", "opened"):
            value = getattr(s, name)
            if value is None:
                continue
            if later is not None and value > later:
                value = later
                setattr(s, name, value)
            later = value
    plan.created = min(plan.created, later) if later else plan.created


def at(day: dt.date, rng: random.Random, *, hour: tuple[int, int] = (9, 17)) -> dt.datetime:
    """A moment in office hours of ``day``, China time."""
    minutes = rng.randint(hour[0] * 60, hour[1] * 60)
    return dt.datetime(
        day.year,
        day.month,
        day.day,
        minutes // 60,
        minutes % 60,
        rng.randint(0, 59),
        rng.randint(0, 999_999),
        tzinfo=CHINA,
    )
