"""合规自检: a construction unit states its project's facts and sees what ``decide`` answers, as a
procedure map — the steps in order with who acts, the working-day limit and the due date, the
documents, the gates and the findings, every line with its article.

The form is generated from the engine's own table of facts (``govit.policy.facts``: the pydantic
model for names and types, ``FACTS`` for the Chinese labels and values), so a fact added to the
engine appears here without touching this page. Nothing is written: the page only asks."""

from __future__ import annotations

import datetime as dt
import re
import types
from dataclasses import dataclass
from decimal import Decimal
from inspect import isclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

import annotated_types
from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from govit.access.policy import jurisdiction_id
from govit.core import clock
from govit.jurisdictions.models import Jurisdiction
from govit.policy import render as rulebook_render
from govit.policy.decide import RulebookConflict, decide
from govit.policy.facts import (
    CONDITION_FACTS,
    FACTS,
    Facts,
    FactsError,
    Money,
    parse_facts,
)
from govit.policy.loader import LoadedRulebook, UnknownRulebook, all_rulebooks, get_rulebook
from govit.policy.vocab import (
    CHANGE_FACT_LABELS,
    CHANGE_REASON_LABELS,
    PROCEDURE_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    TRACK_LABELS,
    step_label,
)
from govit.web.views.rulebooks import Citer

WAN = Decimal(10000)  # amounts are entered in 万元, as the regulations state them; facts are in 元

# Labels of values the engine's table does not name (the reasons a change may have).
VALUE_LABELS: dict[tuple[str, ...], dict[str, str]] = {
    ("proposed_change", "reason"): CHANGE_REASON_LABELS
}


_KEYED_NAME = re.compile(r"“[a-z_.]+”（([^）]+)）")  # “proposed_change.amount”（变更部分金额）

# --- the facts, as form fields ---------------------------------------------------------------


@dataclass(frozen=True)
class FactField:
    path: tuple[str, ...]  # ("proposed_change", "amount")
    kind: str  # money (万元) / decimal / int / bool / choice / date
    label: str
    required: bool
    default_label: str = ""  # what decide() assumes when the fact is not given
    choices: tuple[tuple[str, str], ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    @property
    def name(self) -> str:
        return "__".join(self.path)

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


def _optional(hint: Any) -> Any:
    if get_origin(hint) in (Union, types.UnionType):
        (hint,) = [arg for arg in get_args(hint) if arg is not type(None)]
    return hint


def _bounds(metadata: Any) -> tuple[Decimal | None, Decimal | None]:
    low = high = None
    for item in metadata:
        for bound in item.metadata if isinstance(item, FieldInfo) else [item]:
            if isinstance(bound, annotated_types.Ge | annotated_types.Gt):
                low = Decimal(str(getattr(bound, "ge", getattr(bound, "gt", 0))))
            elif isinstance(bound, annotated_types.Le | annotated_types.Lt):
                high = Decimal(str(getattr(bound, "le", getattr(bound, "lt", 0))))
    return low, high


def _default_label(path: tuple[str, ...], info: FieldInfo) -> str:
    spec = FACTS.get(path[0]) if len(path) == 1 else None
    if spec is not None:
        return spec.default_label
    if info.default is False:
        return "否"
    return ""


def fact_fields(model: type[BaseModel] = Facts, prefix: tuple[str, ...] = ()) -> list[FactField]:
    """One field per fact the engine accepts, in the engine's order, typed as the engine types it."""
    hints = get_type_hints(model, include_extras=True)
    out: list[FactField] = []
    for name, info in model.model_fields.items():
        fact_path = (*prefix, name)
        hint = _optional(hints[name])
        if get_origin(hint) is dict:
            continue  # step_started_on: the page's one start date stands for it
        if isclass(hint) and issubclass(hint, BaseModel):
            out.extend(fact_fields(hint, fact_path))
            continue
        spec = FACTS.get(name) if not prefix else None
        label = spec.label if spec else CHANGE_FACT_LABELS.get(name, name)
        base, metadata = hint, ()
        if get_origin(hint) is Annotated:
            base, *metadata = get_args(hint)
        low, high = _bounds(metadata)
        common = {
            "path": fact_path,
            "label": label,
            "required": info.is_required(),
            "default_label": _default_label(fact_path, info),
        }
        if hint is Money:
            out.append(
                FactField(
                    kind="money",
                    minimum=None if low is None else low / WAN,
                    maximum=None if high is None else high / WAN,
                    **common,
                )
            )
        elif get_origin(base) is Literal:
            names = (spec.values if spec and spec.values else None) or VALUE_LABELS.get(
                fact_path, {}
            )
            choices = tuple((value, names.get(value, value)) for value in get_args(base))
            out.append(FactField(kind="choice", choices=choices, **common))
        elif base is bool:
            out.append(FactField(kind="bool", **common))
        elif base is int:
            out.append(FactField(kind="int", minimum=low, maximum=high, **common))
        elif base is Decimal:
            out.append(FactField(kind="decimal", minimum=low, maximum=high, **common))
        elif base is dt.date:
            out.append(FactField(kind="date", **common))
        else:  # a new kind of fact: it needs a field here before the page can ask for it
            raise TypeError(f"合规自检页面不能生成事实“{'.'.join(fact_path)}”的输入框：{hint!r}")
    return out


FACT_FIELDS = fact_fields()
GROUPS = {"proposed_change": FACTS["proposed_change"].label}


def _unstated(field: FactField) -> str:
    if field.default_label:
        return _t("未说明（按“%(value)s”判断）") % {"value": field.default_label}
    return _t("未说明")


def _form_field(field: FactField) -> forms.Field:
    label = field.label
    required = field.required and len(field.path) == 1
    if field.kind == "money":
        return forms.DecimalField(
            label=_t("%(label)s（万元）") % {"label": label},
            required=required,
            min_value=field.minimum,
            max_value=field.maximum,
            decimal_places=6,
            widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        )
    if field.kind == "decimal":
        return forms.DecimalField(
            label=label,
            required=required,
            min_value=field.minimum,
            max_value=field.maximum,
            widget=forms.NumberInput(attrs={"step": "any"}),
        )
    if field.kind == "int":
        return forms.IntegerField(
            label=label,
            required=required,
            min_value=None if field.minimum is None else int(field.minimum),
            max_value=None if field.maximum is None else int(field.maximum),
            help_text=_unstated(field) if field.default_label else "",
        )
    if field.kind == "date":
        return forms.DateField(
            label=label,
            required=required,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
    if field.kind == "bool":
        choices = [("", _unstated(field)), ("true", _t("是")), ("false", _t("否"))]
        return forms.ChoiceField(label=label, required=False, choices=choices)
    choices = [("", _unstated(field)), *field.choices]
    return forms.ChoiceField(label=label, required=required, choices=choices)


def _rulebook_choices() -> list[tuple[str, str]]:
    return [
        (rb.id, f"{rb.model.jurisdiction.name}：{rb.title}")
        for rb in sorted(all_rulebooks(), key=lambda rb: rb.id)
    ]


class SelfCheckForm(forms.Form):
    rulebook = forms.ChoiceField(label=_("适用的办法（规则手册）"))
    start_on = forms.DateField(
        label=_("起算日期（材料受理日）"),
        required=False,
        help_text=_("各环节的到期日按该环节材料于此日受理、按工作日计算；不填为今天"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["rulebook"].choices = _rulebook_choices()
        for field in FACT_FIELDS:
            self.fields[field.name] = _form_field(field)

    def groups(self) -> list[dict[str, Any]]:
        """The facts by fieldset: those the rulebooks' conditions test (which steps apply) first
        and open; the dates and amounts of later stages; then each nested fact (拟变更事项)."""
        out: dict[str, dict[str, Any]] = {}
        for field in FACT_FIELDS:
            head = field.path[0]
            if len(field.path) > 1:
                key, legend = head, GROUPS.get(head, FACTS[head].label)
            elif head in CONDITION_FACTS:
                key, legend = "conditions", _t("决定适用环节的事实")
            else:
                key, legend = "later", _t("申报、合同、建设与运行（可选）")
            group = out.setdefault(key, {"key": key, "legend": legend, "fields": []})
            group["fields"].append(self[field.name])
        for group in out.values():
            group["open"] = group["key"] == "conditions" or any(
                f.errors or f.value() for f in group["fields"]
            )
        return list(out.values())

    def facts(self) -> dict[str, Any]:
        """The cleaned input as decide() facts: 万元 → 元, 是/否 → booleans, unstated left out."""
        facts: dict[str, Any] = {}
        for field in FACT_FIELDS:
            value = self.cleaned_data.get(field.name)
            if value is None or value == "":
                continue
            if field.kind == "money":
                value = value * WAN
            elif field.kind == "bool":
                value = value == "true"
            target = facts
            for key in field.path[:-1]:
                target = target.setdefault(key, {})
            target[field.path[-1]] = value
        return facts

    def add_fact_errors(self, problems: list[str]) -> None:
        """The engine's messages name the field by its key and its name (“proposed_change.amount”
        （变更部分金额）, for whoever sends the facts as JSON): each goes to its input, and the
        reader, who typed no key, reads the name alone."""
        by_path = sorted(FACT_FIELDS, key=lambda f: -len(f.dotted))
        for problem in problems:
            field = next((f for f in by_path if f"“{f.dotted}”" in problem), None)
            self.add_error(field.name if field else None, _KEYED_NAME.sub(r"“\1”", problem))


# --- the answer, as a map --------------------------------------------------------------------


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def procedure_map(rb: LoadedRulebook, answer: dict[str, Any], start_on: dt.date) -> dict[str, Any]:
    """decide()'s answer shaped for the page: labels instead of codes, dates as dates, and every
    citation with the article's text."""
    cite = Citer(rb)
    blocking: dict[str, list[dict[str, Any]]] = {}
    gates = []
    for gate in rb.model.gates:
        shown = {
            "code": gate.code,
            "message": gate.message,
            "test": rulebook_render.gate_test(gate, rb),
            "severity": gate.severity,
            "severity_label": SEVERITY_LABELS[gate.severity],
            "blocks": [step_label(kind) for kind in gate.blocks],
            "effect": gate.effect,
            "cite": cite(gate.cite),
        }
        gates.append(shown)
        for kind in gate.blocks:
            blocking.setdefault(kind, []).append(shown)
    steps = []
    for i, step in enumerate(answer["steps"], 1):
        checks = [
            {
                "text": check["text"],
                "severity": check["severity"],
                "severity_label": SEVERITY_LABELS[check["severity"]],
                "cite": cite(check["cite"]),
            }
            for check in step["checks"]
        ]
        steps.append(
            {
                "n": i,
                "kind": step["kind"],
                "kind_label": step_label(step["kind"]),
                "name": step["name"],
                "actor": rb.actor_name(step["actor"]),
                "co_actors": [rb.actor_name(a) for a in step["co_actors"]],
                "sign": step["sign"],
                "working_days": step["working_days"],
                "due": _date(step["due"]),
                "every": step["every"],
                "cite": cite(step["cite"]),
                "documents": [
                    {
                        "name": doc["name"],
                        "by": None
                        if doc.get("by", "construction_unit") == "construction_unit"
                        else rb.actor_name(doc["by"]),
                        "cite": cite(doc["cite"]),
                    }
                    for doc in step["documents"]
                ],
                "checks": checks,
                "gates": blocking.get(step["kind"], []),
                "blocks": any(c["severity"] == "block" for c in checks),
            }
        )
    findings = [
        {**f, "severity_label": SEVERITY_LABELS[f["severity"]], "cite": cite(f["cite"])}
        for f in answer["findings"]
    ]
    order = {"block": 0, "warn": 1, "info": 2}
    findings.sort(key=lambda f: order[f["severity"]])
    declaration = answer["declaration"]
    acceptance = answer["acceptance"]
    change = answer["change"]
    return {
        "rb": rb,
        "start_on": start_on,
        "status": answer["rulebook"]["status"],
        "status_label": STATUS_LABELS[answer["rulebook"]["status"]],
        "track": TRACK_LABELS.get(answer["track"] or "", ""),
        "expert_review_required": answer["expert_review_required"],
        "new_projects_eligible": answer["new_projects_eligible"],
        "om_period_ok": answer["om_period_ok"],
        "declaration": declaration
        and {
            "deadline": _date(declaration["deadline"]),
            "on_time": declaration["on_time"],
            "cite": cite(declaration["cite"]),
        },
        "acceptance": {
            "organizer": rb.actor_name(acceptance["organizer"]) if acceptance["organizer"] else "",
            "co_organizers": [rb.actor_name(a) for a in acceptance["co_organizers"]],
            "application_due": _date(acceptance["application_due"]),
            "cite": cite(acceptance["cite"]),
        },
        "change": change
        and {
            "within_limits": change["within_limits"],
            "procedure": PROCEDURE_LABELS.get(change["procedure"] or "", ""),
            "reasons": [{**r, "cite": cite(r["cite"])} for r in change["reasons"]],
            "cite": cite(change["cite"]),
        },
        "self_evaluation_window": answer["self_evaluation_window"]
        and {k: _date(v) for k, v in answer["self_evaluation_window"].items()},
        "steps": steps,
        "gates": gates,
        "findings": findings,
        "readings": [{**r, "cite": cite(r["cite"])} for r in answer["interpretations"]],
        "companions": answer["companions"],
        "blocking_findings": sum(1 for f in findings if f["severity"] == "block"),
    }


def _home_rulebook(request: HttpRequest) -> tuple[str, LoadedRulebook | None]:
    """The rulebook of the user's jurisdiction: the version a declaration would be pinned to."""
    jid = jurisdiction_id(request.user) if request.user.is_authenticated else None
    jurisdiction = (
        Jurisdiction.objects.select_related("rulebook").filter(pk=jid).first() if jid else None
    )
    if jurisdiction is None or jurisdiction.rulebook is None:
        return "", None
    return jurisdiction.rulebook.rulebook_id, jurisdiction.rulebook.load()


def _ask(form: SelfCheckForm, rb: LoadedRulebook, start_on: dt.date) -> dict[str, Any] | None:
    """decide() once for the steps that apply, then with each timed step received on the start
    date, so that the due dates are the engine's own."""
    facts = form.facts()
    on = clock.today()
    try:
        answer = decide(rb, parse_facts(facts), on)
        timed = {s["kind"]: start_on for s in answer["steps"] if s["working_days"]}
        if timed:
            answer = decide(rb, parse_facts({**facts, "step_started_on": timed}), on)
    except FactsError as error:
        form.add_fact_errors(error.problems)
        return None
    except RulebookConflict as error:  # the rulebook's fault, said as such, never a 500
        form.add_error(None, _t("规则手册有误，无法判断：%(error)s") % {"error": error})
        return None
    return procedure_map(rb, answer, start_on)


def selfcheck(request: HttpRequest) -> HttpResponse:
    home_id, home_rb = _home_rulebook(request)
    choices = _rulebook_choices()
    default_id = home_id if any(rid == home_id for rid, _label in choices) else choices[0][0]
    result = None
    if request.GET:
        data = request.GET.copy()
        if not data.get("rulebook"):
            data["rulebook"] = default_id
        form = SelfCheckForm(data)
        if form.is_valid():
            chosen = form.cleaned_data["rulebook"]
            try:
                rb = home_rb if chosen == home_id and home_rb else get_rulebook(chosen)
            except UnknownRulebook:
                form.add_error("rulebook", _t("没有这部规则手册"))
            else:
                start_on = form.cleaned_data["start_on"] or clock.today()
                result = _ask(form, rb, start_on)
    else:
        form = SelfCheckForm(initial={"rulebook": default_id, "start_on": clock.today()})
    context = {"form": form, "result": result, "today": clock.today()}
    template = (
        "web/selfcheck/_panel.html"
        if request.headers.get("HX-Request")
        else "web/selfcheck/page.html"
    )
    return render(request, template, context)


urlpatterns = [path("selfcheck/", selfcheck, name="selfcheck")]
