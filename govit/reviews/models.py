"""Experts, meetings, draws (seed + pool snapshot, verifiable) and opinions."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Expert(models.Model):
    """An expert in a jurisdiction's pool (专家库)."""

    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="experts"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expert",
    )
    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职称", max_length=50, blank=True)
    specialties = models.JSONField("专业领域", default=list)
    employer = models.ForeignKey(
        "organizations.Organization",
        verbose_name="工作单位（已登记）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="experts",
    )
    employer_name = models.CharField("工作单位", max_length=200)
    available = models.BooleanField("可抽取", default=True)
    unavailable_reason = models.CharField("不可抽取原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "评审专家"
        ordering = ["jurisdiction_id", "id"]

    def __str__(self) -> str:
        return self.name


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "待抽取专家"
    DRAWN = "drawn", "已抽取专家"
    CONCLUDED = "concluded", "已形成结论"
    CANCELLED = "cancelled", "已取消"


class ReviewMeeting(models.Model):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="meetings"
    )
    step = models.ForeignKey(
        "projects.ProjectStep", on_delete=models.PROTECT, related_name="meetings"
    )
    organizer = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("会议名称", max_length=200)
    specialty = models.CharField("专业领域", max_length=50)
    size = models.PositiveSmallIntegerField("抽取人数")
    scheduled_for = models.DateTimeField("会议时间", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    conclusion = models.CharField("结论", max_length=12, blank=True)
    conclusion_text = models.TextField("结论意见", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    # a meeting that cannot take place is cancelled with its reason, never deleted: the step may
    # then convene a new one
    cancelled_reason = models.CharField("取消原因", max_length=300, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)

    class Meta:
        verbose_name = "评审会"
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title


class ExpertDraw(models.Model):
    """A random draw that anyone can verify afterwards from the seed and the pool snapshot."""

    meeting = models.OneToOneField(ReviewMeeting, on_delete=models.PROTECT, related_name="draw")
    algorithm = models.CharField("算法", max_length=40)
    seed = models.CharField("随机种子", max_length=64)
    pool = models.JSONField("可抽取专家快照")  # [{id, name, specialties, employer}] sorted by id
    pool_digest = models.CharField("快照 SM3", max_length=64)
    exclusions = models.JSONField("排除名单及原因")  # [{id, name, reason}]
    ranking = models.JSONField("抽取顺序")  # every eligible id in draw order
    drawn = models.JSONField("抽中专家")  # ids, the first N of ranking
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField()

    class Meta:
        verbose_name = "专家抽取"

    def __str__(self) -> str:
        return f"{self.meeting} 抽取"


class DrawReplacement(models.Model):
    draw = models.ForeignKey(ExpertDraw, on_delete=models.PROTECT, related_name="replacements")
    replaced = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+")
    replacement = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("补抽原因", max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = "补抽记录"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.replaced} → {self.replacement}"


class ExpertOpinion(models.Model):
    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.PROTECT, related_name="opinions")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="opinions")
    text = models.TextField("评审意见")
    score = models.DecimalField("评分", max_digits=5, decimal_places=2)
    conclusion = models.CharField("建议", max_length=12)  # approve / return / reject
    submitted_at = models.DateTimeField()

    class Meta:
        verbose_name = "专家意见"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "expert"], name="one_opinion_per_expert")
        ]

    def __str__(self) -> str:
        return f"{self.expert}：{self.conclusion}"


class Seat(models.Model):
    """An expert's seat on a meeting's panel; a replaced expert's seat is vacated, never deleted."""

    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.PROTECT, related_name="seats")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="seats")
    position = models.PositiveSmallIntegerField("席位")
    seated_at = models.DateTimeField()
    vacated_at = models.DateTimeField(null=True, blank=True)
    vacated_reason = models.CharField("补抽原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "评审席位"
        ordering = ["meeting_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.meeting} 第{self.position}席 {self.expert}"
