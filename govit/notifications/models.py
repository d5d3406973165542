"""Notifications: one row per recipient, never two for the same reason (``key``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    TASK_DUE_SOON = "task_due_soon", "待办即将到期"
    TASK_DUE_TODAY = "task_due_today", "待办今日到期"
    TASK_OVERDUE = "task_overdue", "待办已逾期"
    TASK_ESCALATED = "task_escalated", "逾期督办"
    OBLIGATION_OPEN = "obligation_open", "评价期已开始"
    OBLIGATION_DUE_SOON = "obligation_due_soon", "义务即将到期"
    OBLIGATION_OVERDUE = "obligation_overdue", "义务已逾期"
    ACCEPTANCE_DUE_SOON = "acceptance_due_soon", "竣工验收申请期限将至"
    ACCEPTANCE_OVERDUE = "acceptance_overdue", "竣工验收申请已逾期"
    RECTIFICATION_DUE_SOON = "rectification_due_soon", "整改期限将至"
    RECTIFICATION_OVERDUE = "rectification_overdue", "整改已逾期"
    PLAN_DUE_SOON = "plan_due_soon", "年度计划编制期限将至"
    PLAN_OVERDUE = "plan_overdue", "年度计划编制已逾期"
    OPINION_DUE_SOON = "opinion_due_soon", "评审意见即将到期"
    OPINION_OVERDUE = "opinion_overdue", "评审意见已逾期"
    RULEBOOK_EXPIRING = "rulebook_expiring", "规则手册即将到期"
    RULEBOOK_EXPIRED = "rulebook_expired", "规则手册已过有效期"
    FINDING_BLOCKING = "finding_blocking", "复核发现须处理的问题"
    CALENDAR_MISSING = "calendar_missing", "下一年度节假日安排未录入"
    STEP_RETURNED = "step_returned", "退回修改"
    STEP_COPIED = "step_copied", "抄送"


class EmailState(models.TextChoices):
    NONE = "none", "无邮箱"
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField("类别", max_length=32, choices=Kind.choices)
    # kind:object:window, e.g. "task_due_soon:task:12:2026-11-26": the reason, once per recipient
    key = models.CharField("去重键", max_length=200)
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    task = models.ForeignKey(
        "projects.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    # the title's and the body's wording (govit/events/phrases.py), read again in the reader's
    # language: {"title": [...], "body": [...]}; the Chinese above is what was sent
    words = models.JSONField("措辞", default=dict, blank=True)
    cite = models.CharField("依据条款", max_length=200, blank=True)
    rulebook_id = models.CharField("规则手册编号", max_length=40, blank=True)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    email_state = models.CharField(
        "邮件", max_length=8, choices=EmailState.choices, default=EmailState.NONE
    )
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息提醒"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_reason")
        ]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"]),
            models.Index(fields=["key"]),
            models.Index(
                fields=["email_state"],
                condition=models.Q(email_state="pending"),
                name="notification_email_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.title}"
