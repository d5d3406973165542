"""API schemas: what goes in and out of /api/v1. Money is a decimal string (exact), dates ISO."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from govit.events.selectors import actor_text, kind_label
from govit.events.trail import REASON_LENGTH


class Error(Schema):
    code: str = Field(..., description="错误代码，如 RULE_REFUSED、NOT_FOUND")
    message: str = Field(..., description="中文说明")
    cite: str | None = Field(None, description="所依据的条款，如 第十二条")
    details: list[Any] | None = None


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}

# An id of a stored object: the range of a BigAutoField. A larger number names nothing, and SQLite
# cannot even bind it as a query parameter (OverflowError, a 500), so it is an input error (422).
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# why a record is voided or corrected (``govit.events.trail``)
TrailReason = Annotated[str, Field(min_length=1, max_length=REASON_LENGTH)]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


# --- people --------------------------------------------------------------------------------


class TokenIn(In):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=200)
    name: str = Field("", max_length=100, description="令牌用途")


class TokenOut(Schema):
    token: str = Field(..., description="只显示一次；请求时放在 Authorization: Bearer … 中")
    prefix: str


class OrgRef(Schema):
    id: int
    name: str
    kind: str


class JurisdictionRef(Schema):
    id: int
    code: str
    name: str


class MeOut(Schema):
    id: int
    username: str
    real_name: str
    organization: OrgRef | None
    jurisdiction: JurisdictionRef | None
    roles: list[str]
    expert_id: int | None


class RulebookRef(Schema):
    id: str
    version: int
    title: str
    status: str


class JurisdictionOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    rulebook: RulebookRef | None


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    jurisdiction_id: int


class ConfirmationIn(In):
    reason: str = Field(..., min_length=1, max_length=1000)


class ConfirmationOut(Schema):
    id: int
    jurisdiction_id: int
    rulebook_version: int
    status: str
    reason: str
    confirmed_by: str
    confirmed_at: dt.datetime


class DelegationIn(In):
    delegate_id: Id
    starts_on: dt.date
    ends_on: dt.date
    reason: str = Field(..., min_length=1, max_length=200)


class DelegationOut(Schema):
    id: int
    delegator: str
    delegate: str
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    revoked_at: dt.datetime | None = None


class DelegationRevokeIn(In):
    reason: str = Field(..., min_length=1, max_length=500)


# --- rulebooks ------------------------------------------------------------------------------


class RulebookOut(Schema):
    id: str
    title: str
    jurisdiction: str
    level: str
    status: str
    effective_from: dt.date | None
    effective_until: dt.date | None
    version: int
    articles: int


class ArticleOut(Schema):
    label: str
    chapter: str | None
    text: str
    rules: list[str]
    not_encoded: str | None


class FactsIn(Schema):
    """The facts of docs/decide.md. Checked by the rulebook engine itself, which names any field
    that is wrong in Chinese; only total_investment is required."""

    model_config = ConfigDict(extra="allow")

    total_investment: Any = Field(None, description="项目总投资/预算金额（元，必填）")
    funding_source: Any = Field(None, description="local_fiscal / superior_allocated / self_raised")
    classified: Any = Field(None, description="涉密")
    involves_crypto: Any = Field(None, description="涉及密码应用")
    construction_type: Any = Field(
        None, description="new / expansion / renovation / equipment_purchase / emergency"
    )
    simple_scope: Any = Field(None, description="建设内容单一、投资规模小、技术方案简单")
    merge_feasibility_and_design: Any = Field(
        None, description="申请可行性研究报告与初步设计合并审批（黑龙江第十七条）"
    )
    data_sharing_supported: Any = Field(
        None, description="支持数据共享和开放（缺省为是；临湘数据资源办法第十一条第三款等）"
    )
    approval_required: Any = Field(
        None, description="依法须立项审批（缺省为是；岳阳第十八条第一款）"
    )
    intranet: Any = Field(
        None, description="依托电子政务内网建设（缺省为否；黑龙江第十八条第一款）"
    )
    project_class: Any = Field(
        None,
        description="public 公共类 / professional 专业类（缺省为专业类；连平第四条第（一）、（二）项）",
    )
    plan_year: Any = Field(None, description="计划年度")
    declared_on: Any = Field(None, description="申报日期 YYYY-MM-DD")
    unfinished_prior_year_projects: Any = Field(None, description="上年度计划未完成项目数")
    contract_amount: Any = Field(None, description="合同金额（元）")
    approved_budget: Any = Field(None, description="批复概算总投资（元）")
    om_period_years: Any = Field(None, description="合同约定运维期（年）")
    prior_changes: Any = Field(None, description="已发生变更次数")
    proposed_change: Any = Field(None, description="{amount, new_total, goal_changed, reason}")
    completed_on: Any = Field(None, description="建成日期")
    operation_started_on: Any = Field(None, description="投入运行日期")
    step_started_on: Any = Field(None, description="环节类型 → 受理日期")


class RuleOut(Schema):
    path: str
    cite: str
    summary: str


# --- projects -------------------------------------------------------------------------------

FundingSource = Literal["local_fiscal", "superior_allocated", "self_raised"]
ConstructionType = Literal["new", "expansion", "renovation", "equipment_purchase", "emergency"]


class ProjectIn(In):
    name: str = Field(..., min_length=1, max_length=200)
    plan_year: int = Field(..., ge=2000, le=2100)
    total_investment: Decimal = Field(
        ..., gt=0, lt=Decimal("1e13"), max_digits=15, decimal_places=2
    )
    summary: str = Field("", max_length=5000)
    funding_source: FundingSource = "local_fiscal"
    classified: bool = False
    involves_crypto: bool = False
    construction_type: ConstructionType = "new"
    simple_scope: bool = False
    merge_feasibility_and_design: bool = False
    approval_required: bool = True
    intranet: bool = False
    project_class: Literal["public", "professional"] | None = Field(
        None,
        description="项目类别：公共类 / 专业类（连平第四条）；不填时按申报单位：建设单位为专业类，"
        "代行建设单位职责的机关为公共类",
    )
    national_code: str = Field("", max_length=40)
    data_sharing_supported: bool = True
    listed_in_system_catalog: bool | None = None


class ProjectPatch(In):
    name: str | None = Field(None, min_length=1, max_length=200)
    plan_year: int | None = Field(None, ge=2000, le=2100)
    total_investment: Decimal | None = Field(
        None, gt=0, lt=Decimal("1e13"), max_digits=15, decimal_places=2
    )
    summary: str | None = Field(None, max_length=5000)
    funding_source: FundingSource | None = None
    classified: bool | None = None
    involves_crypto: bool | None = None
    construction_type: ConstructionType | None = None
    simple_scope: bool | None = None
    merge_feasibility_and_design: bool | None = None
    approval_required: bool | None = None
    intranet: bool | None = None
    project_class: Literal["public", "professional"] | None = None
    national_code: str | None = Field(None, max_length=40)
    data_sharing_supported: bool | None = None
    listed_in_system_catalog: bool | None = None


class ProjectOut(Schema):
    id: int
    code: str | None
    name: str
    unit: OrgRef
    jurisdiction_id: int
    plan_year: int
    total_investment: Decimal
    funding_source: str
    classified: bool
    involves_crypto: bool
    construction_type: str
    status: str
    stage: str
    declared_on: dt.date | None
    declared_late: bool
    rulebook: str | None = Field(None, description="固定适用的规则手册版本，如 yueyang@v1")


class TaskOut(Schema):
    id: int
    project_id: int
    project_code: str | None
    project_name: str
    step_kind: str
    step_name: str
    organization: OrgRef
    actor: str
    lead: bool
    round: int
    status: str
    assignee: str | None
    opened_at: dt.datetime
    due_on: dt.date | None
    days_left: int | None = Field(None, description="距到期日的工作日数，逾期为负")
    closed_at: dt.datetime | None
    urge_count: int
    version: int
    filing: bool
    cite: str


class StepOut(Schema):
    id: int
    seq: int
    kind: str
    name: str
    actor: str
    co_actors: list[str]
    sign: str
    working_days: int | None
    start_mode: str
    filing: bool
    cite: str
    status: str
    round: int
    started_on: dt.date | None
    due_on: dt.date | None
    due_note: str
    documents: list[dict[str, Any]]
    checks: list[dict[str, Any]]
    tasks: list[TaskOut]


class Finding(Schema):
    code: str
    severity: Literal["block", "warn", "info"]
    message: str
    cite: str


class ProjectDetail(ProjectOut):
    summary: str
    national_code: str
    simple_scope: bool
    merge_feasibility_and_design: bool
    approval_required: bool
    intranet: bool
    project_class: str
    joint_units: list[OrgRef] = Field(
        default_factory=list, description="联合单位（公共类项目，连平第十五条）"
    )
    declaration_warnings: list[Finding] = Field(
        default_factory=list,
        description="申报时规则手册给出的警告（逾期申报、本单位以往评价等），供审核参考",
    )
    steps: list[StepOut]


class SubmitIn(In):
    note: str = Field("", max_length=5000)
    document_ids: list[Id] = Field(default_factory=list, max_length=100)


class EventOut(Schema):
    id: int
    seq: int
    at: dt.datetime
    kind: str
    kind_label: str
    summary: str
    cite: str
    actor_name: str
    actor_org_name: str
    # who did it in words: "系统（因张三（某局）的“通过”而自动开始）" for what the system did on its own
    actor_text: str
    # the act that set an automatic event going (None for a person's own act)
    cause_id: int | None
    before: Any
    after: Any
    digest: str

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return kind_label(obj.kind)

    @staticmethod
    def resolve_actor_text(obj: Any) -> str:
        return actor_text(obj)


class OpinionOut(Schema):
    id: int
    step_kind: str
    action: str
    text: str
    amount: Decimal | None = Field(None, description="批复概算或核定金额（元）")
    user: str
    organization: str | None
    at: dt.datetime
    documents: list[int]


class PartyIn(In):
    organization_id: Id
    role: Literal["contractor", "supervisor", "consultant", "agent", "evaluator"]


class PartyOut(Schema):
    id: int
    organization: OrgRef
    role: str


# --- tasks ----------------------------------------------------------------------------------


class TaskActionIn(In):
    action: Literal["approve", "return", "reject", "acknowledge", "complete"] = Field(
        ..., description="通过 / 退回修改 / 不予通过 / 确认收到（备案）/ 办结（建设单位自办环节）"
    )
    approved_budget: Decimal | None = Field(
        None,
        gt=0,
        lt=Decimal("1e13"),
        max_digits=15,
        decimal_places=2,
        description="批复概算（立项、可研或初设批复通过时）",
    )
    rectify_by: dt.date | None = Field(None, description="整改期限（竣工验收不合格退回时必填）")
    opinion: str = Field("", max_length=5000)
    expected_version: int | None = Field(
        None, ge=1, description="乐观锁：待办的版本号；不符时返回 409"
    )
    confirmed_checks: list[str] = Field(default_factory=list, max_length=50)
    document_ids: list[Id] = Field(default_factory=list, max_length=100)


class ReassignIn(In):
    to_user_id: Id
    note: str = Field("", max_length=1000)


class UrgeIn(In):
    text: str = Field("", max_length=1000)


# --- documents ------------------------------------------------------------------------------


class VersionOut(Schema):
    id: int
    number: int
    filename: str
    size: int
    content_type: str
    sm3: str
    uploaded_by: str
    uploaded_at: dt.datetime


class DocumentOut(Schema):
    id: int
    step_kind: str
    name: str
    material: str  # the key of the required material it answers ("scheme_review.1"), or ""
    versions: list[VersionOut]


# --- planning -------------------------------------------------------------------------------


class PlanIn(In):
    year: int = Field(..., ge=2000, le=2100)
    kind: Literal["annual", "supplement"] = "annual"


class PlanEntryIn(In):
    project_id: Id
    note: str = Field("", max_length=200)


class OpinionIn(In):
    opinion: str = Field("", max_length=5000)


class CountersignIn(In):
    decision: Literal["approve", "return"]
    opinion: str = Field("", max_length=5000)


class SignoffOut(Schema):
    organization: str
    round: int
    status: str
    opinion: str
    signed_at: dt.datetime | None


class PlanEntryOut(Schema):
    project_id: int
    project_code: str | None
    project_name: str
    unit: str
    amount: Decimal
    note: str


class PlanOut(Schema):
    id: int
    jurisdiction_id: int
    year: int
    kind: str
    number: int
    title: str
    status: str
    due_on: dt.date | None
    due_cite: str
    round: int = Field(description="会签轮次：每次退回修改后重新报送即进入新一轮")
    returned_at: dt.datetime | None = Field(description="审定机关最近一次退回修改的时间")
    returned_by: str | None = Field(description="退回人（姓名及单位）")
    return_opinion: str = Field(description="退回意见（空：未退回）")
    entries: list[PlanEntryOut]
    signoffs: list[SignoffOut]


# --- reviews --------------------------------------------------------------------------------


class ExpertEntryIn(In):
    name: str = Field(..., min_length=1, max_length=50)
    specialties: list[str] = Field(..., min_length=1, max_length=20)
    employer_name: str = Field("", max_length=200)
    employer_id: Id | None = None
    title: str = Field("", max_length=50)


class ExpertIn(ExpertEntryIn):
    # an account for the expert (to read their meetings and give opinions): administrators only
    username: str = Field("", max_length=150)
    password: str = Field("", max_length=128)


class ExpertCorrectionIn(ExpertEntryIn):
    reason: str = Field(..., min_length=1, max_length=500)


class ExpertOut(Schema):
    id: int
    name: str
    title: str
    specialties: list[str]
    employer_name: str
    available: bool
    unavailable_reason: str


class AvailabilityIn(In):
    available: bool
    reason: str = Field("", max_length=200)


class MeetingIn(In):
    specialty: str = Field(..., min_length=1, max_length=50)
    size: int = Field(..., ge=1, le=25)
    step_kind: str = Field("expert_review", max_length=40)
    title: str = Field("", max_length=200)
    scheduled_for: dt.datetime | None = None


class SeatOut(Schema):
    position: int
    expert_id: int
    name: str
    vacated: bool
    vacated_reason: str


class ExpertOpinionOut(Schema):
    expert_id: int
    name: str
    text: str
    score: Decimal
    conclusion: str
    submitted_at: dt.datetime


class MeetingOut(Schema):
    id: int
    project_id: int
    project_name: str
    step_kind: str
    title: str
    specialty: str
    size: int
    scheduled_for: dt.datetime | None
    status: str
    conclusion: str
    cancelled_reason: str = ""
    conclusion_text: str
    seats: list[SeatOut]
    exclusions: list[dict[str, Any]] | None
    opinions: list[ExpertOpinionOut] | None


class ReplaceIn(In):
    expert_id: Id
    reason: str = Field(..., min_length=1, max_length=200)


class ExpertOpinionIn(In):
    text: str = Field(..., min_length=1, max_length=5000)
    score: Decimal = Field(..., ge=0, le=100, max_digits=5, decimal_places=2)
    conclusion: Literal["approve", "return", "reject"]


class ConclusionIn(In):
    conclusion: Literal["approve", "return", "reject"]
    text: str = Field(..., min_length=1, max_length=5000)
    confirmed_checks: list[str] = Field(default_factory=list, max_length=50)


class VerificationOut(Schema):
    ok: bool
    problems: list[str]
    algorithm: str
    seed: str
    pool_digest: str
    pool: list[dict[str, Any]]
    ranking: list[int]
    drawn: list[int]
    replacements: list[dict[str, Any]]
    expected_panel: list[int]
    current_panel: list[int]


# --- the back half ---------------------------------------------------------------------------

ProcurementMethodName = Literal[
    "open_tender",
    "invited_tender",
    "competitive_negotiation",
    "competitive_consultation",
    "single_source",
    "inquiry",
    "framework",
    "decentralized",
]


class ProcurementIn(In):
    method: ProcurementMethodName
    winner_id: int
    agent_id: int | None = None
    announced_on: dt.date | None = None
    awarded_on: dt.date
    note: str = Field("", max_length=500)
    acknowledged: list[str] = Field(
        [], max_length=50, description="已确认知悉的审查意见（警告）的 code；未确认的警告拒绝登记"
    )


# A procurement, contract or payment: the warnings it was entered with, who acknowledged them,
# and its place on the correction trail (the corrected row names its correction).
class CheckedEntryOut(Schema):
    findings: list[dict[str, Any]]
    acknowledgement: dict[str, Any]
    state: str = Field(description="空：有效；已作废；已更正")
    voided_at: dt.datetime | None
    void_reason: str
    superseded_by_id: int | None


class ProcurementOut(CheckedEntryOut):
    id: int
    method: str
    winner: OrgRef
    agent: OrgRef | None
    announced_on: dt.date | None
    awarded_on: dt.date
    note: str


class ContractIn(In):
    kind: Literal["main", "supervision", "other"]
    vendor_id: int
    number: str = Field(..., min_length=1, max_length=60)
    amount: Decimal = Field(..., gt=0, lt=Decimal("1e13"), max_digits=15, decimal_places=2)
    signed_on: dt.date
    om_period_years: Decimal | None = Field(None, ge=0, le=50, max_digits=4, decimal_places=1)
    ip_ownership: bool = False
    termination_mechanism: bool = False
    equipment_matches_scheme: bool = False
    acknowledged: list[str] = Field(
        [], max_length=50, description="已确认知悉的审查意见（警告）的 code；未确认的警告拒绝登记"
    )
    signatory_id: int | None = Field(
        None, description="签订单位：联合单位分别签订合同的（连平第十五条）；不填为建设单位"
    )


class ContractOut(CheckedEntryOut):
    id: int
    kind: str
    vendor: OrgRef
    signatory: OrgRef | None = None
    number: str
    amount: Decimal
    signed_on: dt.date
    om_period_years: Decimal | None
    ip_ownership: bool
    termination_mechanism: bool
    equipment_matches_scheme: bool


class PaymentIn(In):
    amount: Decimal = Field(..., gt=0, lt=Decimal("1e13"), max_digits=15, decimal_places=2)
    due_on: dt.date
    acknowledged: list[str] = Field(
        [], max_length=50, description="已确认知悉的审查意见（警告）的 code；未确认的警告拒绝登记"
    )


class PayIn(In):
    paid_on: dt.date
    acknowledged: list[str] = Field(
        [], max_length=50, description="已确认知悉的审查意见（警告）的 code；未确认的警告拒绝登记"
    )


class PaymentOut(CheckedEntryOut):
    id: int
    contract_id: int
    contract_number: str
    number: int
    amount: Decimal
    due_on: dt.date
    status: str
    paid_on: dt.date | None
    withheld_reason: str
    withheld_cite: str


class PaymentSummary(Schema):
    contracts: Decimal
    planned: Decimal
    paid: Decimal
    withheld: Decimal
    budget: Decimal
    remaining_budget: Decimal
    over_budget: bool
    payments: list[PaymentOut]


class VoidIn(In):
    reason: TrailReason


class ProcurementCorrectionIn(ProcurementIn):
    reason: TrailReason


class ContractCorrectionIn(In):
    reason: TrailReason
    vendor_id: int
    number: str = Field(..., min_length=1, max_length=60)
    amount: Decimal = Field(..., gt=0, lt=Decimal("1e13"), max_digits=15, decimal_places=2)
    signed_on: dt.date
    om_period_years: Decimal | None = Field(None, ge=0, le=50, max_digits=4, decimal_places=1)
    ip_ownership: bool = False
    termination_mechanism: bool = False
    equipment_matches_scheme: bool = False
    acknowledged: list[str] = Field(
        [], max_length=50, description="已确认知悉的审查意见（警告）的 code；未确认的警告拒绝登记"
    )
    signatory_id: int | None = Field(
        None, description="签订单位：联合单位分别签订合同的（连平第十五条）；不填为建设单位"
    )


class PaymentCorrectionIn(PaymentIn):
    reason: TrailReason
    paid_on: dt.date | None = None


class FindingOut(Schema):
    code: str
    severity: str
    message: str
    cite: str
    field: str | None


class ChangeItemIn(In):
    category: Literal["hardware", "software"]
    sub_project: str = Field("", max_length=100)
    original_model: str = Field("", max_length=200)
    original_spec: str = Field("", max_length=500)
    original_quantity: Decimal = Field(
        Decimal(0), ge=0, lt=Decimal("1e9"), max_digits=11, decimal_places=2
    )
    original_unit_price: Decimal = Field(
        Decimal(0), ge=0, lt=Decimal("1e12"), max_digits=14, decimal_places=2
    )
    new_model: str = Field("", max_length=200)
    new_spec: str = Field("", max_length=500)
    new_quantity: Decimal = Field(
        Decimal(0), ge=0, lt=Decimal("1e9"), max_digits=11, decimal_places=2
    )
    new_unit_price: Decimal = Field(
        Decimal(0), ge=0, lt=Decimal("1e12"), max_digits=14, decimal_places=2
    )
    note: str = Field("", max_length=200)


class ChangeIn(In):
    reason: Literal["policy_requirement", "technical_optimization", "business_development", "other"]
    basis: str = Field(..., min_length=1, max_length=5000)
    description: str = Field(..., min_length=1, max_length=5000)
    goal_changed: bool = False
    items: list[ChangeItemIn] = Field(..., min_length=1, max_length=200)
    acknowledged: list[str] = Field(
        [], max_length=50, description="已确认知悉的审查意见（警告）的 code；未确认的警告拒绝登记"
    )


class ChangeDecisionIn(In):
    decision: Literal["approve", "refuse"]
    opinion: str = Field("", max_length=5000)


class ChangeOut(Schema):
    id: int
    number: int
    reason: str
    basis: str
    description: str
    goal_changed: bool
    amount: Decimal
    new_total: Decimal
    within_limits: bool | None
    procedure: str
    evaluation: list[dict[str, Any]]
    cite: str
    status: str
    items: list[dict[str, Any]]
    approvals: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    acknowledgement: dict[str, Any]


class ProgressIn(In):
    period: str = Field(..., min_length=1, max_length=40)
    percent: int = Field(..., ge=0, le=100)
    text: str = Field(..., min_length=1, max_length=5000)
    as_of: dt.date | None = None  # 截至日期; today when left out


class IncidentIn(In):
    kind: Literal["serious_delay", "major_loss"]
    text: str = Field(..., min_length=1, max_length=5000)


class ProgressCorrectionIn(ProgressIn):
    reason: TrailReason


class IncidentCorrectionIn(IncidentIn):
    reason: TrailReason


class TrialRunIn(In):
    started_on: dt.date
    ended_on: dt.date
    text: str = Field("", max_length=5000)


class ReportOut(Schema):
    id: int
    kind: str
    text: str
    cite: str
    at: dt.datetime
    state: str = "valid"  # valid / voided (已作废) / corrected (已更正)
    reason: str = ""  # why it was voided or corrected
    replaces: int | None = None  # the report this one corrects
    percent: int | None = None
    as_of: dt.date | None = None


class ExtensionIn(In):
    until: dt.date
    reason: str = Field(..., min_length=1, max_length=2000)


class DecisionIn(In):
    approve: bool
    opinion: str = Field("", max_length=5000)


class ExtensionOut(Schema):
    id: int
    until: dt.date
    reason: str
    status: str
    cite: str
    opinion: str


class TerminationIn(In):
    reason: str = Field(..., min_length=1, max_length=5000)
    statement_version_id: int


class TerminationOut(Schema):
    reason: str
    recipient: str
    cite: str
    at: dt.datetime


class AssetIn(In):
    name: str = Field(..., min_length=1, max_length=200)
    value: Decimal = Field(..., gt=0, lt=Decimal("1e13"), max_digits=15, decimal_places=2)
    entered_on: dt.date
    using_unit_id: int | None = None
    transferred_on: dt.date | None = None


class AssetOut(Schema):
    id: int
    name: str
    value: Decimal
    entered_on: dt.date
    using_unit: str | None
    transferred_on: dt.date | None


class ObligationOut(Schema):
    id: int
    code: str
    name: str
    period: int | None
    opens_on: dt.date | None
    due_on: dt.date | None
    amount: Decimal | None
    cite: str
    fulfilled_at: dt.datetime | None
    overdue: bool


class FulfilIn(In):
    note: str = Field("", max_length=300)
    document_id: int | None = None


class EvaluationIn(In):
    kind: Literal["self", "post"]
    score: Decimal = Field(..., ge=0, le=100, max_digits=5, decimal_places=2)
    grade: Literal["excellent", "good", "fair", "poor"]
    findings: str = Field("", max_length=5000)
    rectification_required: bool = False


class EvaluationOut(Schema):
    id: int
    kind: str
    score: Decimal
    grade: str
    findings: str
    rectification_required: bool
    rectified_at: dt.datetime | None
    evaluator: str
    cite: str


class NoteIn(In):
    note: str = Field(..., min_length=1, max_length=2000)


class PenaltyIn(In):
    code: str = Field(..., min_length=1, max_length=40, pattern=r"^[A-Z][A-Z0-9_]*$")
    measures: list[
        Literal[
            "rectify",
            "suspend",
            "terminate",
            "stop_funds",
            "recover_funds",
            "withhold_payment",
            "defer_investment",
            "public_notice",
            "accountability",
        ]
    ] = Field(..., min_length=1, max_length=10)
    reason: str = Field(..., min_length=1, max_length=5000)
    amount: Decimal | None = Field(None, gt=0, lt=Decimal("1e13"), max_digits=15, decimal_places=2)


class PenaltyOut(Schema):
    id: int
    project_id: int | None
    code: str
    measures: list[str]
    reason: str
    amount: Decimal | None
    cite: str
    imposed_org: str
    imposed_at: dt.datetime
    lifted_at: dt.datetime | None
    lift_reason: str


class CreditIn(In):
    kind: Literal["credit_record", "blacklist"]
    code: str = Field(..., min_length=1, max_length=40, pattern=r"^[A-Z][A-Z0-9_]*$")
    reason: str = Field(..., min_length=1, max_length=5000)
    project_id: int | None = None
    until: dt.date | None = None


class CreditOut(Schema):
    id: int
    vendor: OrgRef
    kind: str
    reason: str
    project_id: int | None
    cite: str
    recorded_at: dt.datetime
    until: dt.date | None
    revoked_at: dt.datetime | None
