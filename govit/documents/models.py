"""Documents and their versions. Versions are never replaced: a new upload is a new version."""

from __future__ import annotations

from django.conf import settings
from django.db import models


def _upload_path(instance: DocumentVersion, filename: str) -> str:
    document = instance.document
    return f"projects/{document.project_id}/{document.pk}/v{instance.number}-{instance.sm3[:16]}"


class Document(models.Model):
    """One required (or extra) document of a project, e.g. 建设方案 for scheme_review."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="documents"
    )
    step_kind = models.CharField("所属环节", max_length=40, blank=True)
    name = models.CharField("材料名称", max_length=200)
    # the rulebook material it answers ("scheme_review.1": the step's first required material);
    # empty for an extra document, and for uploads made before materials had keys (matched by name)
    material = models.CharField("对应须提交材料", max_length=60, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "材料"
        ordering = ["project_id", "step_kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "step_kind", "name"], name="document_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def latest(self) -> DocumentVersion | None:
        return self.versions.order_by("-number").first()


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    file = models.FileField("文件", upload_to=_upload_path, max_length=300)
    filename = models.CharField("原文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    content_type = models.CharField("类型", max_length=100)
    sm3 = models.CharField("SM3 摘要", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "材料版本"
        ordering = ["document_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document.name} v{self.number}"
