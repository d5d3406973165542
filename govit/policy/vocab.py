"""The fixed vocabulary every rulebook and every caller of ``decide`` shares: actors, step kinds,
severities, with their Chinese and English names. See docs/glossary.md."""

from __future__ import annotations

from typing import Literal, get_args

Actor = Literal[
    "construction_unit",
    "competent_department",
    "development_reform",
    "finance",
    "audit",
    "cyberspace",
    "crypto_administration",
    "secrecy",
    "public_security",
    "big_data_center",
    "offices_administration",
    "government",
    "leading_group_office",
    "experts",
    "supervisor",
    "contractor",
    "data_provider",
]

StepKind = Literal[
    "declaration",
    "joint_review",
    "annual_plan",
    "scheme_review",
    "expert_review",
    "crypto_review",
    "preliminary_review",
    "funds_review",
    "feasibility_approval",
    "preliminary_design_approval",
    "project_approval",
    "budget_review",
    "procurement",
    "contract_filing",
    "construction",
    "compliance_review",
    "preliminary_acceptance",
    "trial_operation",
    "final_acceptance",
    "acceptance_filing",
    "settlement_audit",
    "archive_acceptance",
    "om_report",
    "self_evaluation",
    "post_evaluation",
    "data_share_review",
]

Severity = Literal["block", "warn", "info"]
Track = Literal["approval", "filing"]
ChangeProcedure = Literal["filing", "approval", "escalate"]
Level = Literal["province", "prefecture", "city", "county"]
Status = Literal["in_force", "expired", "not_yet_effective", "draft"]

ACTORS: tuple[str, ...] = get_args(Actor)
STEP_KINDS: tuple[str, ...] = get_args(StepKind)

# the actors that are authorities of a jurisdiction (one organization of each kind per
# jurisdiction); the permission policy and the administration pages read them as well as the models
AUTHORITY_KINDS: tuple[str, ...] = (
    "competent_department",
    "development_reform",
    "finance",
    "audit",
    "cyberspace",
    "crypto_administration",
    "secrecy",
    "public_security",
    "big_data_center",
    "offices_administration",
    "government",
    "leading_group_office",
)

ACTOR_LABELS: dict[str, tuple[str, str]] = {
    "construction_unit": ("建设单位", "Construction unit"),
    "competent_department": ("政务信息化主管部门", "Competent department"),
    "development_reform": ("发展改革部门", "Development and reform commission"),
    "finance": ("财政部门", "Finance bureau"),
    "audit": ("审计部门", "Audit bureau"),
    "cyberspace": ("网信部门", "Cyberspace administration"),
    "crypto_administration": ("密码管理部门", "Cryptography administration"),
    "secrecy": ("保密行政管理部门", "Secrecy bureau"),
    "public_security": ("公安机关", "Public security"),
    "big_data_center": ("大数据中心", "Big-data center"),
    "offices_administration": ("机关事务管理部门", "Government offices administration"),
    "government": ("本级人民政府", "Government"),
    "leading_group_office": ("领导小组办公室", "Leading group office"),
    "experts": ("评审专家", "Experts"),
    "supervisor": ("监理单位", "Supervisor"),
    "contractor": ("承建单位", "Contractor"),
    "data_provider": ("数据提供部门", "Data provider"),
}

STEP_LABELS: dict[str, tuple[str, str]] = {
    "declaration": ("年度计划申报", "Annual declaration"),
    "joint_review": ("联合审核", "Joint review"),
    "annual_plan": ("年度计划编制与审定", "Annual plan"),
    "scheme_review": ("建设方案评审", "Scheme review"),
    "expert_review": ("专家评审", "Expert review"),
    "crypto_review": ("密码应用审核", "Cryptography review"),
    "preliminary_review": ("初步审核", "Preliminary review"),
    "funds_review": ("资金审核", "Funds review"),
    "feasibility_approval": ("可行性研究报告批复", "Feasibility approval"),
    "preliminary_design_approval": ("初步设计方案批复", "Preliminary design approval"),
    "project_approval": ("立项批复", "Project approval"),
    "budget_review": ("预算评审", "Budget review"),
    "procurement": ("项目采购", "Procurement"),
    "contract_filing": ("采购文件和合同备案", "Contract filing"),
    "construction": ("项目建设", "Construction"),
    "compliance_review": ("验收前符合性审查", "Pre-acceptance compliance review"),
    "preliminary_acceptance": ("初步验收", "Preliminary acceptance"),
    "trial_operation": ("试运行", "Trial operation"),
    "final_acceptance": ("竣工验收", "Final acceptance"),
    "acceptance_filing": ("验收备案", "Acceptance filing"),
    "settlement_audit": ("结算审计", "Settlement audit"),
    "archive_acceptance": ("档案验收", "Archive acceptance"),
    "om_report": ("年度运行维护情况报告", "Yearly O&M report"),
    "self_evaluation": ("项目自评价", "Self-evaluation"),
    "post_evaluation": ("运行后评价", "Post-evaluation"),
    "data_share_review": ("数据共享申请审核", "Data-sharing review"),
}

SEVERITY_LABELS = {"block": "阻断", "warn": "警告", "info": "提示"}
TRACK_LABELS = {"approval": "审批制", "filing": "备案制"}
# how the actor and the co-actors of a step act (schema.Step.sign)
SIGN_LABELS = {
    "all": "会签",  # each signs, in any order; the step passes when all have
    "any": "或签",  # any one's signature passes it
    "lead": "牵头汇总",  # the co-actors give their opinions, the actor consolidates and decides last
    "sequence": "依次办理",  # the co-actors in the listed order, then the actor (报……审定)
}
# the project states a gate can require (schema.Gate.requires), as a reader of the rulebook says them
REQUIREMENT_LABELS = {
    "in_annual_plan": "已纳入年度计划",
    "declared_on_time": "已按时申报",
    "prior_year_projects_accepted": "本单位上年度计划项目建成后已及时申请验收且验收合格",
    "evaluation_findings_rectified": "本单位项目绩效评估发现的问题已整改到位",
    "prior_evaluations_satisfactory": "本单位已有项目后评价无“差”等次",
    "data_sharing_supported": "已按要求共享数据资源",
    "listed_in_system_catalog": "已纳入政务信息系统目录",
}
PROCEDURE_LABELS = {
    "filing": "由建设单位调整后报备案",
    "approval": "报批并经同意后方可实施",
    "escalate": "按上级有关规定重新履行审批程序",
}
# the reasons a proposed change may give (facts.ChangeReason), as the regulations word them
CHANGE_REASON_LABELS = {
    "policy_requirement": "根据国家和省委、省政府部署确需改变建设内容",
    "technical_optimization": "确需对原技术方案进行完善优化",
    "business_development": "根据业务发展需要在已批复框架下调整",
    "other": "其他原因",
}
# the fields of the ``proposed_change`` fact (facts.ProposedChange)
CHANGE_FACT_LABELS = {
    "amount": "变更部分金额",
    "new_total": "变更后总金额",
    "goal_changed": "建设目标是否改变",
    "reason": "变更原因",
}
LEVEL_LABELS = {"province": "省级", "prefecture": "地（州）级", "city": "市级", "county": "县级"}
STATUS_LABELS = {
    "in_force": "现行有效",
    "expired": "已失效",
    "not_yet_effective": "尚未施行",
    "draft": "征求意见稿（未生效）",
}


def actor_label(actor: str) -> str:
    return ACTOR_LABELS[actor][0]


def step_label(kind: str) -> str:
    return STEP_LABELS[kind][0]
