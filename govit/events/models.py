"""Events: append-only, chained per stream by SM3 so that any rewrite is detectable."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class AppendOnly(Exception):
    pass


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise AppendOnly("事件记录只能追加，不能修改")

    def delete(self):  # type: ignore[override]
        raise AppendOnly("事件记录只能追加，不能删除")


class Event(models.Model):
    stream = models.CharField("事件流", max_length=48)  # "project:12", "jurisdiction:3"
    seq = models.PositiveIntegerField("序号")
    at = models.DateTimeField("时间")
    correlation_id = models.UUIDField("操作标识", default=uuid.uuid4)
    kind = models.CharField("类型", max_length=40)
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("操作人", max_length=100, blank=True)
    actor_org = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_org_name = models.CharField("操作单位", max_length=200, blank=True)
    actor_roles = models.CharField("操作人角色", max_length=100, blank=True)
    summary = models.TextField("内容")
    cite = models.CharField("依据条款", max_length=200, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    data = models.JSONField("详情", default=dict, blank=True)
    prev_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = "事件"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="event_stream_seq_unique")
        ]
        indexes = [
            models.Index(fields=["project", "id"]),
            models.Index(fields=["jurisdiction", "at"]),
            models.Index(fields=["kind", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.summary}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("事件记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("事件记录只能追加，不能删除")
