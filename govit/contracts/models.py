"""Procurement records, contracts, payments (planned / paid / withheld) and change requests."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from govit.events import trail


class CheckedEntry(trail.Correctable):
    """A record entered by mistake is voided or corrected (``govit.events.trail``: the old row
    is kept, marked and linked to its correction). ``findings`` are the checks' warnings shown
    before saving, ``acknowledgement`` who acknowledged which of them, when."""

    findings = models.JSONField("登记时的审查意见", default=list)
    acknowledgement = models.JSONField("审查意见的知悉确认", default=dict, blank=True)

    class Meta:
        abstract = True


class ProcurementMethod(models.TextChoices):
    OPEN_TENDER = "open_tender", "公开招标"
    INVITED_TENDER = "invited_tender", "邀请招标"
    COMPETITIVE_NEGOTIATION = "competitive_negotiation", "竞争性谈判"
    COMPETITIVE_CONSULTATION = "competitive_consultation", "竞争性磋商"
    SINGLE_SOURCE = "single_source", "单一来源采购"
    INQUIRY = "inquiry", "询价"
    FRAMEWORK = "framework", "框架协议采购"
    DECENTRALIZED = "decentralized", "分散采购（限额以下）"


class Procurement(CheckedEntry):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="procurements"
    )
    method = models.CharField("采购方式", max_length=32, choices=ProcurementMethod.choices)
    agent = models.ForeignKey(
        "organizations.Organization",
        verbose_name="采购代理机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    announced_on = models.DateField("公告日期", null=True, blank=True)
    awarded_on = models.DateField("成交/中标日期")
    winner = models.ForeignKey(
        "organizations.Organization",
        verbose_name="成交供应商",
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField("说明", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = "采购记录"
        ordering = ["project_id", "id"]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_method_display()}"


class ContractKind(models.TextChoices):
    MAIN = "main", "建设合同"
    SUPERVISION = "supervision", "监理合同"
    OTHER = "other", "其他服务合同"


class Contract(CheckedEntry):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="contracts"
    )
    kind = models.CharField("类别", max_length=16, choices=ContractKind.choices)
    vendor = models.ForeignKey(
        "organizations.Organization",
        verbose_name="供应商",
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    # who signed it on the buyer's side where that is not the project's unit: a 联合单位 of a
    # 公共类 project (连平第十五条: 采购结果确定后，分别签订合同); empty: the unit itself
    signatory = models.ForeignKey(
        "organizations.Organization",
        verbose_name="签订单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts_signed",
    )
    number = models.CharField("合同编号", max_length=60)
    amount = models.DecimalField("合同金额（元）", max_digits=16, decimal_places=2)
    signed_on = models.DateField("签订日期")
    om_period_years = models.DecimalField(
        "约定运维期（年）", max_digits=4, decimal_places=1, null=True, blank=True
    )
    ip_ownership = models.BooleanField("约定知识产权和源代码归建设单位所有", default=False)
    termination_mechanism = models.BooleanField("约定项目终止机制", default=False)
    equipment_matches_scheme = models.BooleanField(
        "设备技术指标与评审通过的方案一致", default=False
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField()

    class Meta:
        verbose_name = "合同"
        ordering = ["project_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"],
                condition=Q(voided_at__isnull=True),
                name="contract_number_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.vendor}"


class PaymentStatus(models.TextChoices):
    PLANNED = "planned", "计划支付"
    PAID = "paid", "已支付"
    WITHHELD = "withheld", "暂停支付"


class Payment(CheckedEntry):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payments")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="payments"
    )
    number = models.PositiveSmallIntegerField("期次")
    amount = models.DecimalField("金额（元）", max_digits=16, decimal_places=2)
    due_on = models.DateField("计划支付日期")
    status = models.CharField(
        "状态", max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PLANNED
    )
    paid_on = models.DateField("支付日期", null=True, blank=True)
    withheld_reason = models.CharField("暂停支付原因", max_length=300, blank=True)
    withheld_cite = models.CharField("暂停支付依据", max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = "支付"
        ordering = ["contract_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"],
                condition=Q(voided_at__isnull=True),
                name="payment_number_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract} 第{self.number}期"


class ChangeStatus(models.TextChoices):
    FILED = "filed", "已备案"
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REFUSED = "refused", "不予同意"


class ChangeReason(models.TextChoices):
    POLICY_REQUIREMENT = "policy_requirement", "政策要求"
    TECHNICAL_OPTIMIZATION = "technical_optimization", "技术优化"
    BUSINESS_DEVELOPMENT = "business_development", "业务发展"
    OTHER = "other", "其他"


class ChangeRequest(models.Model):
    """A 变更: the 变更单's items, the limits the rulebook applies, and the decision."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="changes"
    )
    number = models.PositiveSmallIntegerField("变更序号")
    reason = models.CharField("变更原因类别", max_length=32, choices=ChangeReason.choices)
    basis = models.TextField("变更依据")
    description = models.TextField("变更内容")
    goal_changed = models.BooleanField("建设目标改变", default=False)
    amount = models.DecimalField("变更部分金额（元）", max_digits=16, decimal_places=2)
    new_total = models.DecimalField("变更后合同总金额（元）", max_digits=16, decimal_places=2)
    within_limits = models.BooleanField("在变更限额内", null=True)
    procedure = models.CharField("程序", max_length=12)  # filing / approval
    evaluation = models.JSONField("限额审查", default=list)
    findings = models.JSONField("申请时的审查意见", default=list)
    acknowledgement = models.JSONField("审查意见的知悉确认", default=dict, blank=True)
    cite = models.CharField("依据条款", max_length=100)
    status = models.CharField("状态", max_length=10, choices=ChangeStatus.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "变更"
        ordering = ["project_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="change_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project} 变更{self.number}"


class ChangeItem(models.Model):
    """One line of the 项目变更清单 (连平附表3): original versus new."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.PROTECT, related_name="items")
    category = models.CharField(
        "类别", max_length=12
    )  # hardware（含系统软件）/ software（应用软件）
    sub_project = models.CharField("分项目名称", max_length=100, blank=True)
    original_model = models.CharField("原品牌/型号或功能模块", max_length=200, blank=True)
    original_spec = models.CharField("原参数或功能", max_length=500, blank=True)
    original_quantity = models.DecimalField("原数量", max_digits=12, decimal_places=2, default=0)
    original_unit_price = models.DecimalField("原单价", max_digits=16, decimal_places=2, default=0)
    new_model = models.CharField("现品牌/型号或功能模块", max_length=200, blank=True)
    new_spec = models.CharField("现参数或功能", max_length=500, blank=True)
    new_quantity = models.DecimalField("现数量", max_digits=12, decimal_places=2, default=0)
    new_unit_price = models.DecimalField("现单价", max_digits=16, decimal_places=2, default=0)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "变更清单项"
        ordering = ["change_id", "id"]

    def __str__(self) -> str:
        return f"{self.original_model} → {self.new_model}"

    @property
    def original_subtotal(self) -> Decimal:
        return (self.original_quantity * self.original_unit_price).quantize(Decimal("0.01"))

    @property
    def new_subtotal(self) -> Decimal:
        return (self.new_quantity * self.new_unit_price).quantize(Decimal("0.01"))


class ChangeApproval(models.Model):
    """The decision of the approver and of each co-approver on a change."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.PROTECT, related_name="approvals")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    lead = models.BooleanField(default=True)
    status = models.CharField("状态", max_length=10, default="open")  # open / approved / refused
    opinion = models.TextField("意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "变更审批"
        ordering = ["change_id", "id"]

    def __str__(self) -> str:
        return f"{self.change} · {self.organization}"
