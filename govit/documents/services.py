"""Upload a document: size and type checked, SM3 digest computed, a new version every time."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_noop

from govit.access.policy import authorize
from govit.core import clock
from govit.core.digest import sm3_chunks
from govit.core.errors import Conflict, InvalidInput
from govit.documents.materials import step_material
from govit.documents.models import Document, DocumentVersion
from govit.events.phrases import said
from govit.events.services import record
from govit.organizations.models import User
from govit.policy.vocab import STEP_KINDS
from govit.projects.models import Project, ProjectStatus

# extension → (content type, the bytes the file must start with)
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF",)),
    "ofd": ("application/ofd", (b"PK\x03\x04",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    "wps": ("application/vnd.ms-works", (b"\xd0\xcf\x11\xe0",)),
    "zip": ("application/zip", (b"PK\x03\x04",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG",)),
}
DEFAULT_MAX_BYTES = 50 * 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "GOVIT_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))


def _size_text(size: int) -> str:
    """1 KB, 2.5 MB, 1 GB: at most two decimals, none when whole."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.2f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{size:,} 字节"


def _too_large(size: int, limit: int) -> InvalidInput:
    # a size that rounds to the limit is shown in bytes: "50 MB 超过上限 50 MB" explains nothing
    size_text, limit_text = _size_text(size), _size_text(limit)
    if size_text == limit_text:
        size_text, limit_text = f"{size:,} 字节", f"{limit:,} 字节（{limit_text}）"
    return InvalidInput(f"文件大小 {size_text}，超过上限 {limit_text}", code="FILE_TOO_LARGE")


def _read(upload: Any, limit: int) -> bytes:
    """The upload's bytes; an upload over the limit is refused before it is read into memory."""
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise _too_large(declared, limit)
    chunks = (
        iter(upload.chunks())
        if hasattr(upload, "chunks")
        else iter(lambda: upload.read(65536), b"")
    )
    data = bytearray()
    for chunk in chunks:
        data += chunk
        if len(data) > limit:
            # keep reading only to count: the message names the real size
            rest = sum(len(more) for more in chunks)
            raise _too_large(len(data) + rest, limit)
    return bytes(data)


def _base_name(filename: str) -> str:
    """The file's own name, without the directories some clients send (C:\\fakepath\\a.pdf)."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1].strip()


@transaction.atomic
def document_upload(
    *,
    actor: User,
    project: Project,
    name: str,
    upload: Any,
    step_kind: str = "",
    filename: str | None = None,
    material: str = "",
) -> DocumentVersion:
    """Add a version of a project document (e.g. 建设方案) uploaded by the construction unit.

    ``material`` is the key of the step's required material the upload answers ("scheme_review.1",
    see documents/materials.py): the document then takes the material's own name and step, and
    satisfies it whatever name was typed."""
    authorize(actor, "document.upload", project)
    if project.status in (
        ProjectStatus.REJECTED,
        ProjectStatus.TERMINATED,
        ProjectStatus.COMPLETED,
    ):
        raise Conflict(f"项目{project.get_status_display()}，不能再上传材料", code="PROJECT_CLOSED")
    if material:
        step, required = step_material(project, material)  # no step: a change's material
        material, name = material.strip(), required["name"]
        step_kind = step.kind if step is not None else ""
    if step_kind and step_kind not in STEP_KINDS:
        raise InvalidInput(f"所属环节不正确：{step_kind[:40]}", code="INVALID_STEP_KIND")
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("请填写材料名称（200字以内）", code="INVALID_NAME")
    filename = _base_name(filename or getattr(upload, "name", "") or "")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ALLOWED_TYPES:
        allowed = "、".join(sorted(ALLOWED_TYPES))
        raise InvalidInput(
            f"不支持的文件类型“{extension or '无扩展名'}”；可上传：{allowed}", code="FILE_TYPE"
        )
    data = _read(upload, max_upload_bytes())
    if not data:
        raise InvalidInput("文件为空", code="FILE_EMPTY")
    content_type, magics = ALLOWED_TYPES[extension]
    if not data.startswith(magics):
        raise InvalidInput(f"文件内容与扩展名“.{extension}”不符", code="FILE_CONTENT_MISMATCH")
    digest = sm3_chunks([data])
    now = clock.now()
    document, _ = Document.objects.select_for_update().get_or_create(
        project=project,
        step_kind=step_kind,
        name=name,
        defaults={"created_at": now, "material": material},
    )
    if material and document.material != material:
        document.material = material
        document.save(update_fields=["material"])
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion(
        document=document,
        number=number,
        filename=filename[:255],
        size=len(data),
        content_type=content_type,
        sm3=digest,
        uploaded_by=actor,
        uploaded_at=now,
    )
    version.file.save(filename, ContentFile(data), save=False)
    version.save()
    record(
        "document.uploaded",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("上传“%(name)s”第%(version)s版（%(file)s，%(size)s字节）"),
            name=name,
            version=number,
            file=filename,
            size=f"{len(data):,}",
        ),
        after={
            "document": document.pk,
            "version": number,
            "sm3": digest,
            "size": len(data),
            **({"material": material} if material else {}),
        },
    )
    return version
