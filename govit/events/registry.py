"""The registered event kinds. Recording an unregistered kind is an error, not a new kind."""

from __future__ import annotations

EVENT_KINDS: dict[str, str] = {
    # jurisdictions and rulebooks
    "jurisdiction.created": "登记辖区",
    "jurisdiction.set_up": "设立辖区（部门和管理员）",
    "rulebook.registered": "登记规则手册版本",
    "rulebook.bound": "辖区启用规则手册版本",
    "rulebook.confirmed": "管理员确认按非现行规则手册办理",
    "rulebook.validity_set": "管理员录入规则手册有效期",
    "assignment.set": "管理员指定办法未规定的办理机关",
    # organizations and people
    "organization.created": "登记单位",
    "user.created": "创建用户",
    "user.roles_changed": "变更用户角色",
    "user.deactivated": "停用用户",
    "user.activated": "启用用户",
    "calendar.year_added": "录入年度法定节假日安排",
    "notification.sent": "系统提醒",
    "recheck.finding": "每日复核发现问题",
    "token.created": "签发 API 令牌",
    "expert.registered": "专家入库",
    "expert.availability_changed": "专家可用状态变更",
    "expert.updated": "修改专家信息",
    # projects and their steps
    "project.created": "创建项目草稿",
    "project.updated": "修改项目信息",
    "project.declared": "项目申报",
    "project.party_added": "登记项目参与单位",
    "project.party_removed": "取消联合单位",
    "project.rejected": "项目不予通过",
    "step.opened": "环节开始办理",
    "step.submitted": "报送材料",
    "step.resubmitted": "退回后重新报送",
    "step.supplemented": "审核期间陈述和补正",
    "step.copied": "抄送",
    "step.returned": "退回修改",
    "step.passed": "环节办结",
    "step.rejected": "环节不予通过",
    "step.replanned": "按事实变化调整后续环节",
    "task.opened": "生成待办",
    "task.approved": "通过",
    "task.returned": "退回修改",
    "task.rejected": "不予通过",
    "task.acknowledged": "确认收到备案",
    "task.completed": "办结",
    "task.cancelled": "待办撤销",
    "task.reassigned": "转办",
    "task.urged": "催办",
    "delegation.created": "委托",
    "delegation.revoked": "撤销委托",
    "project.budget_approved": "批复概算",
    "project.terminated": "项目终止",
    # procurement, contracts, payments, changes
    "procurement.recorded": "登记采购结果",
    "contract.registered": "登记合同",
    "payment.planned": "计划支付",
    "payment.paid": "支付",
    "payment.withheld": "暂停支付",
    "payment.released": "恢复支付",
    "procurement.voided": "作废采购记录",
    "procurement.corrected": "更正采购记录",
    "contract.voided": "作废合同",
    "contract.corrected": "更正合同",
    "payment.voided": "作废支付记录",
    "payment.corrected": "更正支付记录",
    "change.requested": "申请变更",
    "change.decided": "变更审批",
    # construction, acceptance, operation
    "progress.reported": "进度报告",
    "incident.reported": "重大问题报告",
    "progress.voided": "进度报告作废",
    "progress.corrected": "进度报告更正",
    "incident.voided": "重大问题报告作废",
    "incident.corrected": "重大问题报告更正",
    "trial_run.recorded": "试运行登记",
    "trial_run.voided": "试运行登记作废",
    "rectification.opened": "验收不合格限期整改",
    "rectification.closed": "整改完成",
    "extension.requested": "申请延期验收",
    "extension.decided": "延期验收审批",
    "asset.recorded": "资产入账",
    "obligation.created": "形成义务",
    "obligation.fulfilled": "履行义务",
    "evaluation.recorded": "评价结果",
    "evaluation.rectified": "评价问题整改到位",
    # supervision
    "penalty.imposed": "处理措施",
    "penalty.lifted": "解除处理措施",
    "credit.recorded": "记入信用档案",
    "credit.revoked": "撤销信用记录",
    # documents
    "document.uploaded": "上传材料",
    # planning
    "plan.created": "创建年度计划",
    "plan.entry_added": "项目列入计划",
    "plan.entry_removed": "项目移出计划",
    "plan.submitted": "计划报送会签或审定",
    "plan.countersigned": "计划会签",
    "plan.approved": "计划批准",
    "plan.returned": "计划退回",
    # expert reviews
    "meeting.created": "发起评审会",
    "draw.made": "抽取专家",
    "draw.replaced": "补抽专家",
    "opinion.recorded": "专家意见",
    "meeting.concluded": "评审会结论",
    "meeting.cancelled": "取消评审会",
}


class UnknownEventKind(LookupError):
    pass


def label(kind: str) -> str:
    try:
        return EVENT_KINDS[kind]
    except KeyError:
        raise UnknownEventKind(f"未登记的事件类型：{kind}") from None
