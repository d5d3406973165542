"""Jurisdictions and the rulebook versions they are bound to."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from govit.policy.loader import LoadedRulebook, rulebook_from_text


class Level(models.TextChoices):
    PROVINCE = "province", "省级"
    PREFECTURE = "prefecture", "地（州）级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"


class RulebookVersion(models.Model):
    """One version of a rulebook, stored whole: a project pinned to it keeps these rules even
    after the file in rulebooks/ changes."""

    rulebook_id = models.CharField("规则手册编号", max_length=40)
    version = models.PositiveIntegerField("版本")
    title = models.CharField("办法名称", max_length=200)
    digest = models.CharField("SM3 摘要", max_length=64, unique=True)
    yaml_text = models.TextField("规则手册内容")
    registered_at = models.DateTimeField("登记时间", auto_now_add=True)
    # a validity the text does not state, recorded by the jurisdiction's administrator with its
    # basis (access.services.rulebook_validity_set; each setting is an event with before/after)
    validity_years = models.PositiveSmallIntegerField(
        "有效期（年，管理员录入）", null=True, blank=True
    )
    validity_source = models.TextField("有效期依据", blank=True)
    validity_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="有效期录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    validity_set_at = models.DateTimeField("有效期录入时间", null=True, blank=True)

    class Meta:
        verbose_name = "规则手册版本"
        constraints = [
            models.UniqueConstraint(
                fields=["rulebook_id", "version"], name="rulebook_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.rulebook_id} 第{self.version}版）"

    def load(self) -> LoadedRulebook:
        rb = rulebook_from_text(self.yaml_text, f"{self.rulebook_id}.yaml@v{self.version}")
        if self.validity_years:
            return rb.with_validity(self.validity_years, self.validity_source)
        return rb


class Jurisdiction(models.Model):
    code = models.CharField("行政区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级辖区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    rulebook = models.ForeignKey(
        RulebookVersion,
        verbose_name="现行规则手册版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jurisdictions",
        help_text="新申报的项目固定在此版本；为空表示本辖区不受理项目（仅作上级层级）",
    )

    class Meta:
        verbose_name = "辖区"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RulebookConfirmation(models.Model):
    """The jurisdiction administrator's recorded decision to proceed under a rulebook version
    that is not in force (a 征求意见稿, or one whose 有效期 has ended)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="confirmations"
    )
    rulebook = models.ForeignKey(
        RulebookVersion, on_delete=models.PROTECT, related_name="confirmations"
    )
    status = models.CharField("确认时的状态", max_length=20)
    reason = models.TextField("理由")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间")

    class Meta:
        verbose_name = "规则手册适用确认"
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "rulebook", "status"], name="one_confirmation_per_status"
            )
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction}：{self.rulebook}（{self.status}）"
