"""Conditions: when a rule applies, written as YAML mappings and compiled to Python closures.

A condition is a mapping whose clauses must all hold::

    {total_investment: {gte: 2000000}}          # a fact compared with a number
    {funding_source: self_raised}               # equals
    {construction_type: {in: [expansion, renovation]}}
    {at_least: expert_review}                   # the threshold's fact ≥ its amount ("200万元以上")
    {at_most: filing_track}                     # ≤ its amount ("50万元以下": 以下 includes it)
    {above: filing_track}                       # > its amount ("超过50万元")
    {below: department_acceptance}              # < its amount ("不满100万元")

The four threshold words follow how Chinese law reads boundaries (民法典第一千二百五十九条):
以上、以下、以内 include the number, 不满、超过、以外 do not. A rulebook picks the word its text
says; where the text's two bands would overlap at the number (``100万元以下`` beside
``100万元（含）以上``), the rulebook records which reading it applied (``interpretations``).
    {track: filing}                             # the track decided for this project
    {any: [..], all: [..], not: {..}}

Only facts with a stated default (or ``total_investment``, which is required) may be tested, so a
missing fact is never silently false: the evaluation records that it assumed the default, and
``decide`` reports it as a finding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from govit.policy.facts import CONDITION_FACTS, FACTS
from govit.policy.vocab import TRACK_LABELS


class ConditionError(ValueError):
    """A condition in a rulebook is malformed; the loader adds the file and path."""


@dataclass
class Context:
    """What a condition reads: the stated facts, derived values, and the defaults it assumed."""

    facts: Mapping[str, Any]
    derived: dict[str, Any] = field(default_factory=dict)
    assumed: dict[str, list[str]] = field(default_factory=dict)
    current_cite: str = ""

    def value(self, name: str) -> Any:
        if name in self.derived:
            return self.derived[name]
        value = self.facts.get(name)
        if value is None:
            value = FACTS[name].default
            cites = self.assumed.setdefault(name, [])
            if self.current_cite and self.current_cite not in cites:
                cites.append(self.current_cite)
        return value


Compiled = Callable[[Context], bool]

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
}
_OP_TEXT = {"lt": "<", "lte": "≤", "gt": ">", "gte": "≥"}
_NUMERIC = {"total_investment", "unfinished_prior_year_projects", "prior_changes"}
_BOOLEAN = {
    "classified",
    "involves_crypto",
    "simple_scope",
    "merge_feasibility_and_design",
    "approval_required",
    "intranet",
}
_DERIVED = {"track": set(TRACK_LABELS)}

# threshold word → (sign shown, comparison of the fact's value with the threshold's amount)
THRESHOLD_WORDS: dict[str, tuple[str, Callable[[Any, Any], bool]]] = {
    "at_least": ("≥", _COMPARE["gte"]),  # 以上
    "at_most": ("≤", _COMPARE["lte"]),  # 以下、以内
    "above": (">", _COMPARE["gt"]),  # 超过
    "below": ("<", _COMPARE["lt"]),  # 不满
}


@dataclass(frozen=True)
class ThresholdRef:
    fact: str
    amount: Decimal
    cite: str
    name: str


def always(_: Context) -> bool:
    return True


def compile_condition(raw: Any, thresholds: Mapping[str, ThresholdRef]) -> Compiled:
    if raw is None:
        return always
    if not isinstance(raw, dict) or not raw:
        raise ConditionError("条件应为非空映射，例如 {classified: true}")
    clauses = [_compile_clause(key, value, thresholds) for key, value in raw.items()]
    if len(clauses) == 1:
        return clauses[0]
    return lambda ctx: all(clause(ctx) for clause in clauses)


def _compile_clause(key: str, value: Any, thresholds: Mapping[str, ThresholdRef]) -> Compiled:
    if key in ("any", "all"):
        if not isinstance(value, list) or not value:
            raise ConditionError(f"“{key}”应为非空条件列表")
        parts = [compile_condition(v, thresholds) for v in value]
        if key == "any":
            return lambda ctx: any(p(ctx) for p in parts)
        return lambda ctx: all(p(ctx) for p in parts)
    if key == "not":
        inner = compile_condition(value, thresholds)
        return lambda ctx: not inner(ctx)
    if key in THRESHOLD_WORDS:
        if value not in thresholds:
            raise ConditionError(f"未定义的限额“{value}”；已定义：{', '.join(thresholds) or '无'}")
        ref = thresholds[value]
        compare = THRESHOLD_WORDS[key][1]
        return lambda ctx: compare(ctx.value(ref.fact), ref.amount)
    if key in _DERIVED:
        if value not in _DERIVED[key]:
            raise ConditionError(f"“{key}”的取值不正确：{value!r}")
        return lambda ctx: ctx.derived.get(key) == value
    if key not in FACTS:
        raise ConditionError(f"未知的事实“{key}”")
    if key not in CONDITION_FACTS:
        raise ConditionError(f"事实“{key}”没有默认值，不能用作适用条件")
    return _compile_fact(key, value)


def _compile_fact(name: str, value: Any) -> Compiled:
    spec = FACTS[name]
    if isinstance(value, dict):
        checks: list[Compiled] = []
        for op, operand in value.items():
            if op in ("in", "not_in"):
                if not isinstance(operand, list) or not operand:
                    raise ConditionError(f"“{name}.{op}”应为非空列表")
                for item in operand:
                    _check_value(name, item)
                allowed = frozenset(operand)
                if op == "in":
                    checks.append(lambda ctx, a=allowed: ctx.value(name) in a)
                else:
                    checks.append(lambda ctx, a=allowed: ctx.value(name) not in a)
            elif op in _COMPARE:
                if name not in _NUMERIC:
                    raise ConditionError(f"事实“{name}”不是数值，不能比较大小")
                if isinstance(operand, bool) or not isinstance(operand, int | float | Decimal):
                    raise ConditionError(f"“{name}.{op}”应为数字")
                number = Decimal(str(operand))
                compare = _COMPARE[op]
                checks.append(lambda ctx, c=compare, n=number: c(ctx.value(name), n))
            else:
                raise ConditionError(f"未知的比较“{op}”（可用：in, not_in, lt, lte, gt, gte）")
        return lambda ctx: all(check(ctx) for check in checks)
    _check_value(name, value)
    del spec
    return lambda ctx: ctx.value(name) == value


def _check_value(name: str, value: Any) -> None:
    spec = FACTS[name]
    if name in _BOOLEAN:
        if not isinstance(value, bool):
            raise ConditionError(f"事实“{name}”的取值应为 true 或 false")
    elif spec.values is not None:
        if value not in spec.values:
            raise ConditionError(
                f"事实“{name}”的取值不正确：{value!r}；可用：{', '.join(spec.values)}"
            )
    elif isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ConditionError(f"事实“{name}”的取值应为数字")


def numeric_cuts(raw: Any, thresholds: Mapping[str, ThresholdRef]) -> dict[str, set[Decimal]]:
    """The facts ``raw`` reads, each with the numbers it is compared with (empty for facts that
    are not numbers): two values in the same band between the cut points satisfy exactly the
    same conditions."""
    cuts: dict[str, set[Decimal]] = {}

    def visit(node: Any) -> None:
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if key in ("any", "all"):
                for item in value:
                    visit(item)
            elif key == "not":
                visit(value)
            elif key in THRESHOLD_WORDS:
                ref = thresholds[value]
                cuts.setdefault(ref.fact, set()).add(ref.amount)
            elif key in _NUMERIC and isinstance(value, dict):
                for op, operand in value.items():
                    if op in _COMPARE:
                        cuts.setdefault(key, set()).add(Decimal(str(operand)))
                    elif op in ("in", "not_in"):
                        cuts.setdefault(key, set()).update(Decimal(str(v)) for v in operand)
            elif key in _NUMERIC:
                cuts.setdefault(key, set()).add(Decimal(str(value)))
            elif key in FACTS:
                cuts.setdefault(key, set())

    visit(raw)
    return cuts


# --- readable Chinese ------------------------------------------------------------------------


def money(amount: Decimal | int | float) -> str:
    """An amount in 元 written in 万元, exact to the 分, as every page and message gives amounts:
    2000000 → ``200万元``; 1999999 → ``199.9999万元``; 1000000.01 → ``100.000001万元``."""
    wan = (Decimal(str(amount)) / 10000).normalize()
    whole, _, fraction = f"{wan:f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = f"{int(whole.lstrip('-') or 0):,}"
    return f"{sign}{whole}{'.' + fraction if fraction else ''}万元"


def describe(raw: Any, thresholds: Mapping[str, ThresholdRef]) -> str:
    """The condition in Chinese, e.g. ``项目总投资（预算金额）≥ 200万元``."""
    if raw is None:
        return "所有项目"
    parts = [_describe_clause(k, v, thresholds) for k, v in raw.items()]
    return "且".join(parts)


def _describe_clause(key: str, value: Any, thresholds: Mapping[str, ThresholdRef]) -> str:
    if key == "any":
        return "（" + "或".join(describe(v, thresholds) for v in value) + "）"
    if key == "all":
        return "（" + "且".join(describe(v, thresholds) for v in value) + "）"
    if key == "not":
        return "非（" + describe(value, thresholds) + "）"
    if key in THRESHOLD_WORDS:
        ref = thresholds[value]
        return f"{FACTS[ref.fact].label} {THRESHOLD_WORDS[key][0]} {money(ref.amount)}"
    if key == "track":
        return f"按{TRACK_LABELS[value]}管理"
    spec = FACTS[key]
    if isinstance(value, dict):
        out = []
        for op, operand in value.items():
            if op in ("in", "not_in"):
                names = "、".join(_value_text(key, v) for v in operand)
                out.append(f"{spec.label}{'为' if op == 'in' else '不为'}{names}")
            else:
                shown = money(operand) if key == "total_investment" else str(operand)
                out.append(f"{spec.label} {_OP_TEXT[op]} {shown}")
        return "且".join(out)
    return f"{spec.label}为{_value_text(key, value)}"


def _value_text(name: str, value: Any) -> str:
    spec = FACTS[name]
    if isinstance(value, bool):
        return "是" if value else "否"
    if spec.values:
        return spec.values.get(value, str(value))
    return str(value)
