"""The rulebook schema: what a regulation looks like as data. Every rule carries ``cite``.

The YAML files in ``rulebooks/`` are validated against these models; :mod:`govit.policy.loader`
then checks every citation against the regulation's text and compiles the conditions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from govit.policy.articles import CitationError, parse_cite, split_cite
from govit.policy.vocab import Actor, ChangeProcedure, Level, Severity, StepKind, Track


def _check_cite(value: str) -> str:
    try:
        for part in split_cite(value):
            parse_cite(part)
    except CitationError as exc:
        raise ValueError(str(exc)) from None
    return value


Cite = Annotated[str, AfterValidator(_check_cite)]
Condition = dict[str, Any] | None
Code = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MonthDay(Model):
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    @model_validator(mode="after")
    def _real_day(self) -> MonthDay:
        dt.date(2024, self.month, self.day)  # a leap year admits every real month-day
        return self

    def in_year(self, year: int) -> dt.date:
        return dt.date(year, self.month, self.day)

    def __str__(self) -> str:
        return f"{self.month}月{self.day}日"


# --- metadata --------------------------------------------------------------------------------


class Source(Model):
    file: str
    title: str
    begins_at: str | None = None
    ends_before: str | None = None


class Parent(Model):
    name: str
    cite: Cite


class Jurisdiction(Model):
    name: str
    level: Level
    scope: str | None = None  # e.g. 市本级, 县级市
    parent: Parent | None = None


class Dated(Model):
    date: dt.date
    cite: Cite


class Validity(Model):
    years: int = Field(gt=0)
    cite: Cite
    # a validity the text does not state, recorded by the jurisdiction's administrator with its
    # basis outside the text (湘西 2013: 湖南省规范性文件有效期制度); ``cite`` is then the article
    # the term runs from (its 施行 article)
    source: str | None = None


class Draft(Model):
    """A text that is not in force (a 征求意见稿)."""

    note: str
    cite: Cite


class ActorRole(Model):
    name: str  # the local name, e.g. 市行政审批服务局
    duties: str | None = None
    cite: Cite


# --- what applies to a project ---------------------------------------------------------------


class Threshold(Model):
    name: str
    fact: Literal["total_investment"] = "total_investment"
    amount: Decimal = Field(gt=0)
    cite: Cite


class TrackDefault(Model):
    track: Track
    cite: Cite


class TrackRule(Model):
    when: Condition
    track: Track
    cite: Cite
    note: str | None = None


class Tracks(Model):
    default: TrackDefault
    rules: list[TrackRule] = []


class LateDeclaration(Model):
    severity: Severity
    message: str
    cite: Cite


class Supplement(Model):
    """The 增补计划 route for urgent projects outside the annual plan."""

    message: str
    cite: Cite


class Declaration(Model):
    when: Condition = None  # which projects declare into the annual plan
    opens: MonthDay | None = None
    deadline: MonthDay  # in the year before the plan year
    cite: Cite
    late: LateDeclaration
    supplement: Supplement | None = None


class CoActor(Model):
    actor: Actor
    when: Condition = None
    # takes part only where the project has one (连平第十七条: 监理 "根据实际需要"委托): a project
    # without a registered 监理 goes on without it instead of waiting for one
    optional: bool = False
    cite: Cite | None = None


# Where the text names no body for a rule (who organises the 档案验收, who blacklists a vendor, where
# surplus funds go), the rule says so: ``unstated`` maps the field the platform fills by default
# (actor, approver, recipient, imposed_by) to what the text leaves open. The body the platform uses
# is then the jurisdiction's assignment, shown as such — not as law (docs/rulebooks.md).
Unstated = dict[Literal["actor", "approver", "recipient", "imposed_by"], str]


class Document(Model):
    name: str
    by: Actor = "construction_unit"  # who supplies it (an opinion comes from the reviewer)
    when: Condition = None
    cite: Cite


class Check(Model):
    """Something a reviewer must confirm that no fact states (an attestation)."""

    code: Code
    text: str
    when: Condition = None
    severity: Severity = "block"
    severity_note: str | None = None  # why the severity departs from the wording's convention
    cite: Cite


class ExpertPanel(Model):
    """The step is held as a meeting (评审会、验收会) whose experts are drawn from the pool, where
    the text says so without making the experts a party that decides (岳阳第十七条: 验收会的专家
    原则上从专家库中抽取). The platform then offers the draw on the step; ``required``: the step
    cannot pass without a concluded meeting that approves (as with ``experts`` among co-actors)."""

    text: str
    required: bool = False
    cite: Cite


class Window(Model):
    after: Literal["operation_started_on", "completed_on"]
    from_months: int = Field(ge=0)
    to_months: int = Field(gt=0)
    cite: Cite


class Step(Model):
    kind: StepKind
    name: str
    actor: Actor
    co_actors: list[CoActor] = []
    # 会签 / 或签 among actor and co_actors; "lead": the co-actors give their opinions and the
    # actor consolidates and decides last (黑龙江第十条: 省营商环境局组织联合审核); "sequence": the
    # co-actors one after another in the listed order, then the actor (第十九条: 报省政府审定)
    sign: Literal["all", "any", "lead", "sequence"] = "all"
    approver: Actor | None = None  # who finally approves what the actor prepared
    # 抄送: bodies that receive the step's result and are told of it, with no task and no say
    # (连平第二十五条: 验收报告抄送县政务服务数据管理局、县密码管理局; 黑龙江第三十三条: 抄送省财政厅、省发改委)
    copied: list[CoActor] = []
    working_days: int | None = Field(default=None, gt=0)
    deadline: MonthDay | None = None  # a fixed date in the year before the plan year
    when: Condition = None
    cite: Cite
    documents: list[Document] = []
    checks: list[Check] = []
    experts: ExpertPanel | None = None  # a meeting of experts drawn from the pool (验收会)
    every: Literal["year"] | None = None
    window: Window | None = None
    # how the step begins in the workflow: the construction unit does it itself ("self"), the unit
    # submits materials to the actor ("on_submission"), or the previous step's actor passes it on
    # ("after_previous"). Unset: "self" when the actor is the construction unit, else on_submission.
    starts: Literal["self", "on_submission", "after_previous"] | None = None
    filing: bool = False  # the actor acknowledges receipt (备案) instead of approving
    unstated: Unstated = {}
    note: str | None = None

    @property
    def start_mode(self) -> str:
        if self.starts is not None:
            return self.starts
        return "self" if self.actor == "construction_unit" else "on_submission"


class Gate(Model):
    code: Code
    # no_new_projects: the unit gets no new project; blocks_steps: these steps may not proceed;
    # out_of_scope: this regulation does not govern the project at all
    effect: Literal["no_new_projects", "blocks_steps", "out_of_scope"]
    blocks: list[StepKind] = []
    when: Condition = None
    # a project state only the platform knows (decide() cannot test these; the workflow does)
    requires: (
        Literal[
            "in_annual_plan",
            "declared_on_time",
            "prior_year_projects_accepted",
            "evaluation_findings_rectified",
            "prior_evaluations_satisfactory",
            "data_sharing_supported",
            "listed_in_system_catalog",
        ]
        | None
    ) = None
    severity: Severity
    severity_note: str | None = None  # why the severity departs from the convention
    message: str
    cite: Cite

    @model_validator(mode="after")
    def _one_test(self) -> Gate:
        if (self.when is None) == (self.requires is None):
            raise ValueError("关口须且只能用 when（按事实）或 requires（按项目状态）之一")
        if self.effect == "blocks_steps" and not self.blocks:
            raise ValueError("effect 为 blocks_steps 时须列出 blocks")
        return self


class ApplicationDue(Model):
    after: Literal["completed_on"]
    months: int = Field(gt=0)
    cite: Cite
    extension_cite: Cite | None = None


class Rectification(Model):
    withhold_remaining_payments: bool
    cite: Cite


class Acceptance(Model):
    """Acceptance before use; the paths themselves are the final_acceptance steps."""

    application_due: ApplicationDue | None = None
    rectification: Rectification | None = None
    cite: Cite  # the article that makes acceptance a condition of use


class TotalWithin(Model):
    type: Literal["total_within"]
    of: Literal["contract_amount", "approved_budget"]
    cite: Cite


class ShareOf(Model):
    type: Literal["share_of"]
    of: Literal["contract_amount", "approved_budget"]
    max_percent: Decimal = Field(gt=0, le=100)
    cite: Cite


class MaxCount(Model):
    type: Literal["max_count"]
    count: int = Field(ge=1)
    cite: Cite


class GoalUnchanged(Model):
    type: Literal["goal_unchanged"]
    cite: Cite


class ReasonIn(Model):
    type: Literal["reason_in"]
    reasons: dict[
        Literal["policy_requirement", "technical_optimization", "business_development"], Cite
    ]


class NoneAllowed(Model):
    type: Literal["none_allowed"]
    message: str
    cite: Cite


ChangeLimit = Annotated[
    TotalWithin | ShareOf | MaxCount | GoalUnchanged | ReasonIn | NoneAllowed,
    Field(discriminator="type"),
]


class ChangeOutside(Model):
    procedure: ChangeProcedure
    cite: Cite


class Change(Model):
    procedure: ChangeProcedure  # within the limits
    approver: Actor | None = None  # who approves (or, for a filing, receives) the change
    unstated: Unstated = {}
    co_approvers: list[CoActor] = []  # who must also agree (连平: 变更部分的预算由县财政局审核)
    cite: Cite
    limits: list[ChangeLimit] = []
    outside: ChangeOutside | None = None
    documents: list[Document] = []
    note: str | None = None

    @model_validator(mode="after")
    def _outside_when_limited(self) -> Change:
        if self.limits and self.outside is None:
            raise ValueError("规定了变更限额时须说明超出限额的程序（outside）")
        return self


class OmPeriod(Model):
    min_years: Decimal = Field(gt=0)
    severity: Severity
    cite: Cite


class Contract(Model):
    om_period: OmPeriod | None = None
    clauses: list[Check] = []


class Obligation(Model):
    """A duty that is not a step of the procedure: periodic reports, reports on events."""

    code: Code
    name: str
    actor: Actor
    recipient: Actor | None = None
    unstated: Unstated = {}
    during: Literal[
        "declaration", "approval", "procurement", "construction", "acceptance", "operation"
    ]
    every: Literal["year"] | None = None
    due: MonthDay | None = None  # in each year, for a yearly duty
    trigger: str | None = None  # the event that calls for it
    when: Condition = None
    severity: Severity = "warn"
    cite: Cite


Measure = Literal[
    "rectify",
    "suspend",
    "terminate",
    "stop_funds",
    "recover_funds",
    "withhold_payment",
    "defer_investment",
    "public_notice",
    "accountability",
    "credit_record",
    "blacklist",
    "compensation",
    "refer_prosecution",
]


class Penalty(Model):
    code: Code
    # who is held to account: the project (its unit), a vendor, the officials responsible, or —
    # as 连平第三十条 says — "单位或者个人" that broke the rules
    target: Literal["project", "vendor", "official", "unit_or_person"]
    triggers: list[str]
    measures: list[Measure]
    imposed_by: list[Actor]
    unstated: Unstated = {}
    cite: Cite


class Term(Model):
    """One category the regulation defines (a share type, an opening method …)."""

    code: str = Field(pattern=r"^[a-z][a-z_]*$")
    name: str
    access: str | None = None
    cite: Cite


class Provision(Model):
    """A rule stated in words with the actor it names (data-sharing procedure, for instance)."""

    text: str
    actor: Actor | None = None
    cite: Cite


class DataSharing(Model):
    share_types: list[Term]
    provide_methods: list[Term] = []
    use_types: list[Term] = []
    refusal_reason: Provision
    dispute: Provision
    exception_request: Provision
    correction: Provision | None = None
    open_types: list[Term] = []
    open_exclusions: list[Term] = []
    open_exclusion_exception: Provision | None = None
    open_methods: list[Term] = []
    appeal: Provision | None = None
    duties: list[Check] = []


class Acting(Model):
    """A body that does another's part of the procedure for some projects: 连平第四条第（一）项,
    公共类项目的方案编制、预算编报、采购实施、组织验收 are done by 县政务服务数据管理局 itself, which is
    then the project's unit. ``decide`` names it on each step of that part (``performed_by``)."""

    when: Condition
    actor: Actor  # whose part
    by: Actor  # who does it
    note: str
    cite: Cite


class Interpretation(Model):
    """A reading the platform applies where the text leaves a choice: what the text says, which
    reading was taken (and why), for which projects. ``decide`` lists the ones that touched the
    project, so an official sees what was assumed, not only what was found."""

    text: str  # the words of the article that leave the choice
    reading: str  # the reading applied, with its reason
    when: Condition = None
    cite: Cite


class Rulebook(Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: int = Field(ge=1)
    title: str
    short_name: str
    source: Source
    jurisdiction: Jurisdiction
    issuing_office: str
    document_number: str | None = None
    issued_on: dt.date | None = None
    effective_from: Dated | None = None
    validity: Validity | None = None
    draft: Draft | None = None
    companions: list[str] = []  # other rulebooks of the same jurisdiction that also apply

    actors: dict[Actor, ActorRole]
    thresholds: dict[str, Threshold] = {}
    tracks: Tracks | None = None
    declaration: Declaration | None = None
    gates: list[Gate] = []
    steps: list[Step]
    acceptance: Acceptance | None = None
    change: Change | None = None
    contract: Contract | None = None
    obligations: list[Obligation] = []
    penalties: list[Penalty] = []
    data_sharing: DataSharing | None = None
    acting: list[Acting] = []
    interpretations: list[Interpretation] = []
    not_encoded: dict[str, str] = {}

    @model_validator(mode="after")
    def _first_step_starts_itself(self) -> Rulebook:
        if self.steps and self.steps[0].starts == "after_previous":
            raise ValueError("第一个环节不能“上一环节办结后转入”（starts: after_previous）")
        return self

    @model_validator(mode="after")
    def _acting_named(self) -> Rulebook:
        for rule in self.acting:
            for actor in (rule.actor, rule.by):
                if actor not in self.actors:
                    raise ValueError(f"acting（{rule.cite}）所列“{actor}”不在 actors 中")
        return self

    @model_validator(mode="after")
    def _dates(self) -> Rulebook:
        if self.draft is None and self.effective_from is None:
            raise ValueError("非征求意见稿须写明施行日期（effective_from）")
        if self.draft is not None and self.effective_from is not None:
            raise ValueError("征求意见稿没有施行日期")
        return self
