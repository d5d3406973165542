"""Annual plans and their entries."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PlanKind(models.TextChoices):
    ANNUAL = "annual", "年度计划"
    SUPPLEMENT = "supplement", "增补计划"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "编制中"
    COUNTERSIGNING = "countersigning", "会签中"
    SUBMITTED = "submitted", "报送审定"
    APPROVED = "approved", "已批准"


class AnnualPlan(models.Model):
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="plans"
    )
    year = models.PositiveIntegerField("计划年度")
    kind = models.CharField("类别", max_length=12, choices=PlanKind.choices)
    number = models.PositiveSmallIntegerField("批次", default=1)
    title = models.CharField("名称", max_length=200)
    status = models.CharField(
        "状态", max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    due_on = models.DateField("编制期限", null=True, blank=True)
    due_cite = models.CharField("期限依据", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    # who sent it on (编制并报送): not the one who approves it (planning.services.plan_approve)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # the approver's last 退回修改 (each one is also an event); the plan is back in 编制中
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_opinion = models.TextField("退回意见", blank=True)
    round = models.PositiveSmallIntegerField("会签轮次", default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "年度计划"
        ordering = ["-year", "kind", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "year", "kind", "number"], name="plan_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class PlanEntry(models.Model):
    plan = models.ForeignKey(AnnualPlan, on_delete=models.PROTECT, related_name="entries")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="plan_entries"
    )
    amount = models.DecimalField("列入金额（元）", max_digits=16, decimal_places=2)
    note = models.CharField("说明", max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        verbose_name = "计划项目"
        ordering = ["plan_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "project"], name="plan_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.project}"


class SignoffStatus(models.TextChoices):
    OPEN = "open", "待会签"
    APPROVED = "approved", "同意"
    RETURNED = "returned", "退回修改"
    CANCELLED = "cancelled", "已撤销"


class PlanSignoff(models.Model):
    """会签: a department the rulebook names as co-compiler (财政、发改…) signs the plan."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.PROTECT, related_name="signoffs")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveSmallIntegerField("轮次")
    status = models.CharField(
        "状态", max_length=12, choices=SignoffStatus.choices, default=SignoffStatus.OPEN
    )
    opinion = models.TextField("意见", blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "计划会签"
        ordering = ["plan_id", "round", "id"]

    def __str__(self) -> str:
        return f"{self.plan} · {self.organization}（{self.get_status_display()}）"
