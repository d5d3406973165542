"""Events: append-only, chained per stream by SM3 so that any rewrite is detectable."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class AppendOnly(Exception):
    pass


REWRITE = "事件记录只能追加，不能修改"
REMOVE = "事件记录只能追加，不能删除"


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise AppendOnly(REWRITE)

    def bulk_update(self, objs, fields, batch_size=None):  # type: ignore[override]
        # refused before Django opens its own atomic block, which a refusal inside would poison
        raise AppendOnly(REWRITE)

    def bulk_create(self, objs, *args, **kwargs):  # type: ignore[override]
        # an upsert overwrites the row it collides with; ignoring conflicts drops an event silently
        if kwargs.get("update_conflicts") or kwargs.get("ignore_conflicts"):
            raise AppendOnly(REWRITE)
        return super().bulk_create(objs, *args, **kwargs)

    def delete(self):  # type: ignore[override]
        raise AppendOnly(REMOVE)


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
    # an automatic transition (actor None, "系统") names the act that caused it
    cause = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="起因",
    )
    prev_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = "事件"
        ordering = ["id"]
        # Django's own paths (related access, refresh) use the base manager: it refuses rewrites too
        base_manager_name = "objects"
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

    def save(self, **kwargs):
        if (
            not self._state.adding
            or kwargs.get("force_update")
            or kwargs.get("update_fields") is not None
        ):
            raise AppendOnly(REWRITE)
        # An object whose id is set is saved by Django with an UPDATE first: a new event carrying
        # an existing event's id would overwrite that row. An event is only ever inserted.
        if self.pk is not None and Event.objects.filter(pk=self.pk).exists():
            raise AppendOnly(REWRITE)
        kwargs["force_insert"] = True
        super().save(**kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly(REMOVE)
