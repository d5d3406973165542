"""Penalties (with the rulebook's article) and vendor credit records / blacklist."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models


class Penalty(models.Model):
    """A measure the rulebook names (暂停、终止、停拨、收回、通报…), recorded with its article."""

    project = models.ForeignKey(
        "projects.Project",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="penalties",
    )
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField("规则编号", max_length=40)
    measures = models.JSONField("措施")
    reason = models.TextField("事实与理由")
    amount = models.DecimalField(
        "收回金额（元）", max_digits=16, decimal_places=2, null=True, blank=True
    )
    cite = models.CharField("依据条款", max_length=100)
    imposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imposed_org = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    imposed_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_reason = models.TextField("解除理由", blank=True)

    class Meta:
        verbose_name = "处理措施"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.project or ''} {self.code}"

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class CreditKind(models.TextChoices):
    CREDIT_RECORD = "credit_record", "记入信用档案"
    BLACKLIST = "blacklist", "列入黑名单"


class CreditRecord(models.Model):
    vendor = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="credit_records"
    )
    kind = models.CharField("类别", max_length=16, choices=CreditKind.choices)
    reason = models.TextField("不良行为")
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cite = models.CharField("依据条款", max_length=100)
    published = models.BooleanField("予以公布", default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    until = models.DateField("有效期至", null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "信用记录"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.vendor} {self.get_kind_display()}"

    def in_force_on(self, day: dt.date) -> bool:
        """Not revoked and within its period (selectors.in_force asks the same of a query)."""
        return self.revoked_at is None and (self.until is None or self.until >= day)
