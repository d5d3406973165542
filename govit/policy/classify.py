"""Which rules of a rulebook apply to a project — its track, the gates it trips, its steps with
their documents, checks and co-actors, its yearly obligations — and which defaults were assumed.

This is the part of ``decide`` that depends only on the classifying facts (amount bands,
booleans, enums), so it is memoised per rulebook: two projects whose facts fall in the same band
of every threshold get the same classification. The nightly re-check of a province's projects
is mostly memo hits.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from govit.policy.conditions import Compiled, Context, numeric_cuts
from govit.policy.loader import LoadedRulebook, _walk
from govit.policy.schema import Gate, Interpretation, Obligation, Step

MEMO_LIMIT = 20_000


class RulebookConflict(RuntimeError):
    """Two rules that must exclude each other both apply: a fault in the rulebook, never guessed."""


class ReadOnlyDict(dict):
    """A JSON-serialisable dict that refuses changes: entries shared between answers."""

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("decide() 结果中的材料与核查条目为只读")

    __setitem__ = __delitem__ = _refuse  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]


@dataclass(frozen=True)
class Classification:
    track: str | None  # None also when an out_of_scope gate holds
    gates: tuple[Gate, ...]
    steps: tuple[tuple[Step, dict[str, Any]], ...]  # each applied step with its answer template
    declaration_applies: bool
    obligations: tuple[Obligation, ...]
    interpretations: tuple[Interpretation, ...]  # the readings that touch this project
    assumed: tuple[tuple[str, tuple[str, ...]], ...]  # fact → cites of the rules that assumed it

    @property
    def out_of_scope(self) -> bool:
        return any(gate.effect == "out_of_scope" for gate in self.gates)

    def step(self, kind: str) -> tuple[Step, dict[str, Any]] | None:
        for step, template in self.steps:
            if step.kind == kind:
                return step, template
        return None


@dataclass(frozen=True)
class _StepPlan:
    step: Step
    condition: Compiled | None
    entries: dict[str, tuple[tuple[Compiled | None, Any, str], ...]]


class _Plan:
    """Everything about a rulebook that classification needs, prepared once."""

    def __init__(self, rb: LoadedRulebook):
        m = rb.model
        self.rb = rb
        self.tracks = m.tracks
        self.track_rules = [(rb.condition(r), r) for r in m.tracks.rules] if m.tracks else []
        self.gates = [(rb.condition(g), g) for g in m.gates if g.when is not None]
        self.steps = [
            _StepPlan(
                step,
                rb.condition(step),
                {
                    "co_actors": tuple(
                        (rb.condition(c), c.actor, c.cite or step.cite) for c in step.co_actors
                    ),
                    "copied": tuple(
                        (rb.condition(c), c.actor, c.cite or step.cite) for c in step.copied
                    ),
                    "documents": tuple(
                        (rb.condition(d), ReadOnlyDict(name=d.name, by=d.by, cite=d.cite), d.cite)
                        for d in step.documents
                    ),
                    "checks": tuple(
                        (
                            rb.condition(c),
                            ReadOnlyDict(
                                code=c.code, severity=c.severity, text=c.text, cite=c.cite
                            ),
                            c.cite,
                        )
                        for c in step.checks
                    ),
                },
            )
            for step in m.steps
        ]
        self.declaration = (rb.condition(m.declaration), m.declaration) if m.declaration else None
        self.obligations = [(rb.condition(o), o) for o in m.obligations if o.every == "year"]
        self.interpretations = [(rb.condition(i), i) for i in m.interpretations]
        self.acting = [(rb.condition(a), a) for a in m.acting]
        cuts: dict[str, set[Decimal]] = {}
        for _, node in _walk(m, ()):
            when = getattr(node, "when", None)
            if when is not None:
                for fact, values in numeric_cuts(when, rb.thresholds).items():
                    cuts.setdefault(fact, set()).update(values)
        # only the facts some condition reads matter; numbers count by band, not by value
        self.cuts = {fact: sorted(values) for fact, values in cuts.items() if values}
        self.fact_names = sorted(cuts)
        self.memo: dict[tuple[Any, ...], Classification] = {}

    def key(self, given: Mapping[str, Any]) -> tuple[Any, ...]:
        key: list[Any] = []
        for name in self.fact_names:
            value = given.get(name)
            if value is None:
                key.append(None)
            elif name in self.cuts:
                cuts = self.cuts[name]
                key.append((bisect_left(cuts, value), bisect_right(cuts, value)))
            else:
                key.append(value)
        return tuple(key)


def unstated_reading(rb: LoadedRulebook, note: str, actor: str, cite: str) -> Interpretation:
    """What the platform does where the text names no body: the default it uses until the
    jurisdiction's administrator assigns one — said as the jurisdiction's choice, not as law."""
    return Interpretation(
        text=note,
        reading=f"办法未规定，属辖区自行确定的事项：由辖区管理员指定办理机关；指定前由{rb.actor_name(actor)}"
        "办理（辖区的安排，非办法规定）",
        cite=cite,
    )


def _plan(rb: LoadedRulebook) -> _Plan:
    plan = rb.plans.get("classify")
    if plan is None:
        plan = rb.plans["classify"] = _Plan(rb)
    return plan


def classify(rb: LoadedRulebook, given: Mapping[str, Any]) -> Classification:
    """Classify a project whose stated facts are ``given`` (None values omitted)."""
    plan = _plan(rb)
    key = plan.key(given)
    found = plan.memo.get(key)
    if found is None:
        found = _classify(plan, Context(given))
        if len(plan.memo) >= MEMO_LIMIT:
            plan.memo.clear()
        plan.memo[key] = found
    return found


def _classify(plan: _Plan, ctx: Context) -> Classification:
    def holds(condition: Compiled | None, cite: str) -> bool:
        if condition is None:
            return True
        ctx.current_cite = cite
        return condition(ctx)

    rulebook_id = plan.rb.id
    track = None
    if plan.tracks is not None:
        matched = [rule for cond, rule in plan.track_rules if holds(cond, rule.cite)]
        if len(matched) > 1:
            cites = ", ".join(r.cite for r in matched)
            raise RulebookConflict(f"{rulebook_id}: 多条管理方式规则同时适用：{cites}")
        track = matched[0].track if matched else plan.tracks.default.track
        ctx.derived["track"] = track

    gates = tuple(gate for cond, gate in plan.gates if holds(cond, gate.cite))
    outside = tuple(gate for gate in gates if gate.effect == "out_of_scope")
    if outside:
        # the regulation does not govern the project (连平第五条: 涉密项目按有关规定执行): none of
        # its steps, duties or readings apply, only the gate that says why
        assumed = tuple((name, tuple(cites)) for name, cites in ctx.assumed.items())
        return Classification(None, outside, (), False, (), (), assumed)

    # whose part another body does for this project (连平第四条第（一）项: 公共类项目)
    acting = {
        a.actor: ReadOnlyDict(actor=a.by, name=plan.rb.actor_name(a.by), note=a.note, cite=a.cite)
        for cond, a in plan.acting
        if holds(cond, a.cite)
    }
    applied: dict[str, Step] = {}
    steps: list[tuple[Step, dict[str, Any]]] = []
    for sp in plan.steps:
        step = sp.step
        if not holds(sp.condition, step.cite):
            continue
        if step.kind in applied:
            raise RulebookConflict(
                f"{rulebook_id}: 同一类环节“{step.kind}”有两条规则同时适用："
                f"{applied[step.kind].cite} 与 {step.cite}"
            )
        applied[step.kind] = step
        lists = {
            key: [value for cond, value, cite in items if holds(cond, cite)]
            for key, items in sp.entries.items()
        }
        template = {
            "kind": step.kind,
            "name": step.name,
            "actor": step.actor,
            "performed_by": acting.get(step.actor),
            "co_actors": lists["co_actors"],
            "copied": lists["copied"],
            "sign": step.sign if step.co_actors else None,
            # who acts when, where the text makes them act one after another (黑龙江第十九条)
            "order": (
                [*lists["co_actors"], step.actor]
                if step.sign == "sequence" and lists["co_actors"]
                else None
            ),
            "working_days": step.working_days,
            "due": None,
            "every": step.every,
            "cite": step.cite,
            "documents": lists["documents"],
            "checks": lists["checks"],
        }
        steps.append((step, template))

    declaration_applies = False
    if plan.declaration is not None:
        cond, spec = plan.declaration
        declaration_applies = holds(cond, spec.cite)

    obligations = tuple(duty for cond, duty in plan.obligations if holds(cond, duty.cite))
    readings = tuple(i for cond, i in plan.interpretations if holds(cond, i.cite)) + tuple(
        unstated_reading(plan.rb, step.unstated["actor"], step.actor, step.cite)
        for step, _ in steps
        if "actor" in step.unstated
    )
    assumed = tuple((name, tuple(cites)) for name, cites in ctx.assumed.items())
    return Classification(
        track, gates, tuple(steps), declaration_applies, obligations, readings, assumed
    )
