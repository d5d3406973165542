"""The facts a caller states about a project, validated strictly, with Chinese messages naming the
field. The table of fields is fixed by the ``decide`` contract (docs/decide.md)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
)

from govit.policy.vocab import CHANGE_FACT_LABELS, STEP_KINDS, StepKind

FundingSource = Literal["local_fiscal", "superior_allocated", "self_raised"]
ConstructionType = Literal["new", "expansion", "renovation", "equipment_purchase", "emergency"]
ProjectClass = Literal["public", "professional"]
ChangeReason = Literal[
    "policy_requirement", "technical_optimization", "business_development", "other"
]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value: Any) -> Any:
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise ValueError("date_format")


# A calendar date written YYYY-MM-DD (no timestamps, no times).
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]

# A JSON number (never a bool or a string), kept exact as Decimal.
Money = Annotated[Decimal, Field(ge=0, le=Decimal("1e13"), allow_inf_nan=False, strict=False)]
Count = Annotated[StrictInt, Field(ge=0)]


class ProposedChange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: Money
    new_total: Money | None = None
    goal_changed: StrictBool = False
    reason: ChangeReason | None = None


class Facts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    total_investment: Money
    funding_source: FundingSource | None = None
    classified: StrictBool | None = None
    involves_crypto: StrictBool | None = None
    construction_type: ConstructionType | None = None
    simple_scope: StrictBool | None = None
    merge_feasibility_and_design: StrictBool | None = None  # the unit's request (黑龙江第十七条)
    # the system built supports sharing and opening its data (the gates that require it:
    # 临湘数据资源办法第十一条第三款, 黑龙江第三十四条, 连平第九条)
    data_sharing_supported: StrictBool | None = None
    approval_required: StrictBool | None = None  # 依法须立项审批 (岳阳第十八条第一款)
    intranet: StrictBool | None = None  # 依托电子政务内网建设 (黑龙江第四条、第十八条第一款)
    project_class: ProjectClass | None = None  # 公共类 / 专业类 (连平第四条第（一）、（二）项)
    plan_year: Annotated[StrictInt, Field(ge=2000, le=2100)] | None = None
    declared_on: IsoDate | None = None
    unfinished_prior_year_projects: Count | None = None
    contract_amount: Money | None = None
    approved_budget: Money | None = None
    om_period_years: Annotated[Decimal, Field(ge=0, allow_inf_nan=False)] | None = None
    prior_changes: Count | None = None
    proposed_change: ProposedChange | None = None
    completed_on: IsoDate | None = None
    operation_started_on: IsoDate | None = None
    step_started_on: dict[StepKind, IsoDate] | None = None


@dataclass(frozen=True)
class FactSpec:
    label: str
    default: Any = None  # the value a rule assumes when the fact is not given
    default_label: str = ""
    values: dict[str, str] | None = None


FACTS: dict[str, FactSpec] = {
    "total_investment": FactSpec("项目总投资/预算金额"),
    "funding_source": FactSpec(
        "资金来源",
        "local_fiscal",
        "本级财政资金",
        {
            "local_fiscal": "本级财政",
            "superior_allocated": "上级统筹安排拨付",
            "self_raised": "单位自筹",
        },
    ),
    "classified": FactSpec("涉密", False, "否"),
    "involves_crypto": FactSpec("涉及密码应用", False, "否"),
    "construction_type": FactSpec(
        "建设性质",
        "new",
        "新建",
        {
            "new": "新建",
            "expansion": "扩建",
            "renovation": "改建（升级改造）",
            "equipment_purchase": "单纯设备购置",
            "emergency": "紧急建设",
        },
    ),
    "simple_scope": FactSpec("建设内容单一、投资规模小、技术方案简单", False, "否"),
    "merge_feasibility_and_design": FactSpec("申请可行性研究报告与初步设计合并审批", False, "否"),
    "data_sharing_supported": FactSpec("支持数据共享和开放", True, "是"),
    "approval_required": FactSpec("依法须立项审批", True, "是"),
    "intranet": FactSpec("依托电子政务内网建设", False, "否"),
    "project_class": FactSpec(
        "项目类别", "professional", "专业类", {"public": "公共类", "professional": "专业类"}
    ),
    "plan_year": FactSpec("申报计划年度"),
    "declared_on": FactSpec("申报日期"),
    "unfinished_prior_year_projects": FactSpec("上年度计划未完成项目数", 0, "0个"),
    "contract_amount": FactSpec("合同金额"),
    "approved_budget": FactSpec("批复概算总投资"),
    "om_period_years": FactSpec("合同约定运维期（年）"),
    "prior_changes": FactSpec("已发生变更次数", 0, "0次"),
    "proposed_change": FactSpec("拟变更事项"),
    "completed_on": FactSpec("建成（完工）日期"),
    "operation_started_on": FactSpec("投入运行日期"),
    "step_started_on": FactSpec("各环节材料受理日期"),
}

# Facts a rulebook condition may test; each has a stated default. ``track`` is derived.
CONDITION_FACTS = {name for name, spec in FACTS.items() if spec.default is not None} | {
    "total_investment"
}


class FactsError(ValueError):
    """Facts that cannot be used; ``problems`` lists one Chinese message per field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems))


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    head = parts[0]
    label = FACTS[head].label if head in FACTS else None
    path = ".".join(parts)
    if len(parts) > 1 and parts[-1] in CHANGE_FACT_LABELS and head == "proposed_change":
        label = CHANGE_FACT_LABELS[parts[-1]]
    return f"“{path}”（{label}）" if label else f"“{path}”"


def _show(value: Any) -> str:
    """A value as the user wrote it in JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, Decimal | int | float):
        return str(value)
    return type(value).__name__


def _translate(error: dict[str, Any]) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    field = _field_name(loc)
    value = _show(error.get("input"))
    if kind == "extra_forbidden":
        return f"未知的字段{field}"
    if kind == "missing":
        return f"缺少必填字段{field}"
    if kind in {"decimal_type", "decimal_parsing", "float_type", "float_parsing"}:
        return f"{field}应为数字（单位：元），收到：{value}"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"{field}应为整数，收到：{value}"
    if kind in {"bool_type", "bool_parsing"}:
        return f"{field}应为 true 或 false，收到：{value}"
    if kind in {"greater_than_equal", "greater_than"}:
        return f"{field}不能为负数（或小于允许的最小值），收到：{value}"
    if kind in {"less_than_equal", "less_than"}:
        return f"{field}超出允许范围，收到：{value}"
    if kind in {"finite_number"}:
        return f"{field}应为有限的数字，收到：{value}"
    if kind == "literal_error":
        if loc[0] == "step_started_on" and len(loc) > 1:
            return f"step_started_on 中的“{loc[1]}”不是环节类型；可用：{', '.join(STEP_KINDS)}"
        expected = error.get("ctx", {}).get("expected", "")
        return f"{field}的取值不正确：{value}；可用：{expected}"
    if kind.startswith("date") or kind in {"datetime_type", "datetime_parsing", "value_error"}:
        return f"{field}不是有效日期（格式 YYYY-MM-DD）：{value}"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return f"{field}应为对象（JSON object），收到：{value}"
    return f"{field}无效：{value}"


def parse_facts(data: Any) -> Facts:
    """Validate a JSON-like object into :class:`Facts`, or raise :class:`FactsError` listing
    every problem in Chinese, each naming its field."""
    if not isinstance(data, dict):
        raise FactsError(['事实应为一个 JSON 对象，例如 {"total_investment": 1500000}'])
    problems: list[str] = []
    cleaned = _only_json_numbers(data, problems)
    try:
        facts = Facts.model_validate(cleaned)
    except ValidationError as exc:
        problems.extend(_translate(e) for e in exc.errors())
        facts = None
    if problems:
        raise FactsError(list(dict.fromkeys(problems)))
    assert facts is not None
    return facts


_MONEY_FIELDS = ("total_investment", "contract_amount", "approved_budget", "om_period_years")


def _only_json_numbers(data: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """Money must be a JSON number: a bool or a quoted "100" (which Decimal would accept) is
    reported here and replaced by 0 so that validation can still report the other fields."""
    out = dict(data)
    for name in _MONEY_FIELDS:
        if name in out and not _is_number(out[name]):
            problems.append(f"{_field_name((name,))}应为数字（单位：元），收到：{_show(out[name])}")
            out[name] = 0
    change = out.get("proposed_change")
    if isinstance(change, dict):
        change = dict(change)
        for name in ("amount", "new_total"):
            if name in change and not _is_number(change[name]):
                label = _field_name(("proposed_change", name))
                problems.append(f"{label}应为数字（单位：元），收到：{_show(change[name])}")
                change[name] = 0
        out["proposed_change"] = change
    return out


def _is_number(value: Any) -> bool:
    if value is None:
        return True  # "not given"; the model says whether that is allowed
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)
