"""Projects, their steps (materialised from decide() at declaration), tasks and opinions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from govit.core import clock
from govit.policy.vocab import ACTOR_LABELS, STEP_LABELS


class FundingSource(models.TextChoices):
    LOCAL_FISCAL = "local_fiscal", "本级财政"
    SUPERIOR_ALLOCATED = "superior_allocated", "上级统筹安排拨付"
    SELF_RAISED = "self_raised", "单位自筹"


class ConstructionType(models.TextChoices):
    NEW = "new", "新建"
    EXPANSION = "expansion", "扩建"
    RENOVATION = "renovation", "改建（升级改造）"
    EQUIPMENT_PURCHASE = "equipment_purchase", "单纯设备购置"
    EMERGENCY = "emergency", "紧急建设"


class ProjectClass(models.TextChoices):
    """连平第四条: 公共类 projects are done by 县政务服务数据管理局 itself (第（一）项), 专业类 by the
    unit whose business they serve (第（二）项). Which bodies may be the unit of which class is the
    rulebook's ``acting`` (workflow.check_unit_fits_class)."""

    PROFESSIONAL = "professional", "专业类"
    PUBLIC = "public", "公共类"


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ACTIVE = "active", "办理中"
    REJECTED = "rejected", "不予通过"
    SUSPENDED = "suspended", "暂停"
    TERMINATED = "terminated", "终止"
    COMPLETED = "completed", "已完成"


# the code is the value (a step's kind, a task's actor hold it), the Chinese name its label
STEP_KIND_CHOICES = [(kind, zh) for kind, (zh, _en) in STEP_LABELS.items()]
ACTOR_CHOICES = [(actor, zh) for actor, (zh, _en) in ACTOR_LABELS.items()]


class Project(models.Model):
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="projects"
    )
    unit = models.ForeignKey(
        "organizations.Organization",
        verbose_name="建设单位",
        on_delete=models.PROTECT,
        related_name="projects",
    )
    rulebook = models.ForeignKey(
        "jurisdictions.RulebookVersion",
        verbose_name="适用规则手册版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    code = models.CharField("项目编码", max_length=40, unique=True, null=True, blank=True)
    national_code = models.CharField("投资项目在线审批监管平台代码", max_length=40, blank=True)
    name = models.CharField("项目名称", max_length=200)
    summary = models.TextField("建设内容", blank=True)
    plan_year = models.PositiveIntegerField("计划年度")
    total_investment = models.DecimalField("总投资（元）", max_digits=16, decimal_places=2)
    funding_source = models.CharField("资金来源", max_length=24, choices=FundingSource.choices)
    classified = models.BooleanField("涉密", default=False)
    involves_crypto = models.BooleanField("涉及密码应用", default=False)
    construction_type = models.CharField(
        "建设性质", max_length=24, choices=ConstructionType.choices
    )
    simple_scope = models.BooleanField("建设内容单一、投资规模小、技术方案简单", default=False)
    # the unit's request to merge 可研 and 初步设计 where the rulebook allows it (黑龙江第十七条: 可)
    merge_feasibility_and_design = models.BooleanField(
        "申请可行性研究报告与初步设计合并审批", default=False, db_default=False
    )
    data_sharing_supported = models.BooleanField("支持数据共享和开放", default=True)
    # 岳阳第十八条第一款 "依法应立项审批的": the unit says when its project needs no 立项审批
    approval_required = models.BooleanField("依法须立项审批", default=True, db_default=True)
    # 黑龙江第四条、第十八条第一款: a project built on the 电子政务内网 is reviewed by the 省内网办
    intranet = models.BooleanField("依托电子政务内网建设", default=False, db_default=False)
    project_class = models.CharField(
        "项目类别",
        max_length=16,
        choices=ProjectClass.choices,
        default=ProjectClass.PROFESSIONAL,
        db_default=ProjectClass.PROFESSIONAL,
    )
    listed_in_system_catalog = models.BooleanField("已纳入政务信息系统目录", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT
    )
    stage = models.CharField("当前环节", max_length=40, choices=STEP_KIND_CHOICES, blank=True)
    declared_on = models.DateField("申报日期", null=True, blank=True)
    approved_budget = models.DecimalField(
        "批复概算（元）", max_digits=16, decimal_places=2, null=True, blank=True
    )
    completed_on = models.DateField("建成日期", null=True, blank=True)
    accepted_on = models.DateField("竣工验收日期", null=True, blank=True)
    operation_started_on = models.DateField("投入运行日期", null=True, blank=True)
    declared_late = models.BooleanField("逾期申报", default=False)
    confirmation = models.ForeignKey(
        "jurisdictions.RulebookConfirmation",
        verbose_name="按非现行规则手册办理的确认",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "项目"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["jurisdiction", "status", "stage"]),
            models.Index(fields=["unit", "plan_year"]),
            models.Index(fields=["jurisdiction", "plan_year"]),  # the annual plan board
            # a jurisdiction's declared projects, counted and paged by id (lists, API)
            models.Index(fields=["jurisdiction", "status", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.code or '（草稿）'} {self.name}"


class StepStatus(models.TextChoices):
    PENDING = "pending", "未开始"
    READY = "ready", "待报送"
    IN_REVIEW = "in_review", "办理中"
    RETURNED = "returned", "退回修改"
    PASSED = "passed", "已办结"
    REJECTED = "rejected", "不予通过"
    CANCELLED = "cancelled", "不再适用"


DONE_STEP_STATUSES = (StepStatus.PASSED, StepStatus.CANCELLED)


class ProjectStep(models.Model):
    """One step of the project's procedure, as decide() listed it from the pinned rulebook."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="steps")
    seq = models.PositiveSmallIntegerField("顺序")
    kind = models.CharField("环节", max_length=40, choices=STEP_KIND_CHOICES)
    name = models.CharField("名称", max_length=200)
    actor = models.CharField("办理者", max_length=32, choices=ACTOR_CHOICES)
    co_actors = models.JSONField("会签单位", default=list)
    # all 会签 / any 或签 / lead 牵头汇总 / sequence 依次办理 (policy.vocab.SIGN_LABELS)
    sign = models.CharField("签批方式", max_length=8, default="all")
    copied = models.JSONField("抄送单位", default=list, blank=True)  # told when it passes, no task
    working_days = models.PositiveSmallIntegerField("时限（工作日）", null=True, blank=True)
    start_mode = models.CharField("开始方式", max_length=16)
    filing = models.BooleanField("备案", default=False)
    cite = models.CharField("依据条款", max_length=200)
    documents = models.JSONField("须提交材料", default=list)
    checks = models.JSONField("核查事项", default=list)
    every = models.CharField(max_length=8, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=StepStatus.choices, default=StepStatus.PENDING
    )
    round = models.PositiveSmallIntegerField("报送轮次", default=0)
    started_on = models.DateField("受理日期", null=True, blank=True)
    due_on = models.DateField("到期日", null=True, blank=True)
    due_note = models.CharField("到期日说明", max_length=200, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "项目环节"
        ordering = ["project_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["project", "seq"], name="step_seq_unique"),
            models.UniqueConstraint(fields=["project", "kind"], name="step_kind_unique"),
        ]
        indexes = [
            # the steps waiting for an expert panel (govit.web.views.experts.experts_needed): a
            # few dozen of a province's 600,000
            models.Index(
                fields=["project"],
                condition=Q(status="in_review")
                & (Q(kind="expert_review") | Q(co_actors__icontains='"experts"')),
                name="step_needs_experts",
            ),
            # the projects whose procedure names an authority (projects.visibility.visible_projects)
            models.Index(fields=["actor", "project"], name="step_actor_project"),
            # the declared projects waiting to be listed in a plan, counted in the compiler's
            # header on every page (web.duties._unlisted): hundreds of a province's 600,000 steps
            models.Index(
                fields=["actor", "project"],
                include=["id", "cite"],  # read from the index alone
                condition=Q(kind="annual_plan", status="in_review"),
                name="step_plan_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.name}"

    @property
    def all_actors(self) -> list[str]:
        return [self.actor, *self.co_actors]


class TaskStatus(models.TextChoices):
    OPEN = "open", "待办"
    APPROVED = "approved", "通过"
    RETURNED = "returned", "退回修改"
    REJECTED = "rejected", "不予通过"
    ACKNOWLEDGED = "acknowledged", "已确认收到"
    COMPLETED = "completed", "已办结"
    CANCELLED = "cancelled", "已撤销"


class Task(models.Model):
    """What one organization must do on one step, in one submission round."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="tasks")
    step = models.ForeignKey(ProjectStep, on_delete=models.PROTECT, related_name="tasks")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="tasks"
    )
    actor = models.CharField("办理者类别", max_length=32, choices=ACTOR_CHOICES)
    lead = models.BooleanField("主办", default=True)
    round = models.PositiveSmallIntegerField("报送轮次", default=1)
    status = models.CharField(
        "状态", max_length=14, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField("生成时间")
    due_on = models.DateField("到期日", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    urge_count = models.PositiveSmallIntegerField("催办次数", default=0)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "待办"
        ordering = ["due_on", "id"]
        indexes = [
            # an office's open tasks by due date, joined to the projects it may see (workbench,
            # GET /tasks): the project and the due date in the index, so they are counted from it
            models.Index(
                fields=["organization", "status", "due_on"],
                include=["project"],
                name="task_office_open_due",
            ),
            models.Index(fields=["step", "round"]),
        ]

    def __str__(self) -> str:
        return f"{self.step.name} · {self.organization}"

    def delegation_to(self, delegate_id: int, on: dt.date | None = None) -> Delegation | None:
        """The 委托 in force on ``on`` (today by default) by which that user acts for this task's
        assignee, or None. A method of the task so that the permission policy, below the
        workflow, asks the object it is given rather than importing the workflow's reads."""
        if self.assignee_id is None:
            return None
        on = on or clock.today()
        return (
            Delegation.objects.select_related("delegator")
            .filter(
                delegator_id=self.assignee_id,
                delegate_id=delegate_id,
                starts_on__lte=on,
                ends_on__gte=on,
                revoked_at__isnull=True,
            )
            .first()
        )


class Action(models.TextChoices):
    SUBMIT = "submit", "报送"
    APPROVE = "approve", "通过"
    RETURN = "return", "退回修改"
    REJECT = "reject", "不予通过"
    ACKNOWLEDGE = "acknowledge", "确认收到"
    COMPLETE = "complete", "办结"
    REASSIGN = "reassign", "转办"
    URGE = "urge", "催办"
    SUPPLEMENT = "supplement", "陈述和补正"  # the unit, while the step is under review


class Opinion(models.Model):
    """What someone did on a step or task and why: the opinion text and the documents attached."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="opinions")
    step = models.ForeignKey(ProjectStep, on_delete=models.PROTECT, related_name="opinions")
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.PROTECT, related_name="opinions"
    )
    action = models.CharField("操作", max_length=12, choices=Action.choices)
    text = models.TextField("意见", blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_checks = models.JSONField("确认的核查事项", default=list)
    # the amount the act decides: 批复概算 of an approval, 核定金额 of a funds review
    amount = models.DecimalField(
        "核定金额（元）", max_digits=16, decimal_places=2, null=True, blank=True
    )
    documents = models.ManyToManyField(
        "documents.DocumentVersion", blank=True, related_name="opinions"
    )
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "办理意见"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.step} · {self.get_action_display()}"


class Delegation(models.Model):
    """委托: a user lets a colleague act on their organization's tasks for a period."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_received"
    )
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    reason = models.CharField("事由", max_length=200)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "委托"

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate}（{self.starts_on}—{self.ends_on}）"


class PartyRole(models.TextChoices):
    CONTRACTOR = "contractor", "承建单位"
    SUPERVISOR = "supervisor", "监理单位"
    CONSULTANT = "consultant", "咨询机构"
    AGENT = "agent", "采购代理机构"
    EVALUATOR = "evaluator", "测评机构"
    # a unit whose needs a 公共类 project serves and that signs its own contract (连平第十五条)
    JOINT_UNIT = "joint_unit", "联合单位"


class ProjectParty(models.Model):
    """A vendor on a project (it may see the project, and its staff may not review it), or a unit
    joined to a 公共类 project (连平第十五条: it states its needs and signs its own contract)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="parties")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="parties"
    )
    role = models.CharField("角色", max_length=16, choices=PartyRole.choices)
    added_at = models.DateTimeField()

    class Meta:
        verbose_name = "项目参与单位"
        constraints = [
            models.UniqueConstraint(fields=["project", "organization", "role"], name="party_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_role_display()} {self.organization}"
