"""document_upload: every upload a new numbered version with its uploader, time, size and SM3 digest;
a refused upload stores nothing and records nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govit.core import clock
from govit.core.digest import sm3
from govit.core.errors import Conflict, InvalidInput, PermissionDenied
from govit.documents.models import Document, DocumentVersion
from govit.documents.services import document_upload
from govit.events.models import Event
from govit.events.services import verify_stream
from govit.projects import services as projects
from govit.projects.models import ProjectStatus
from tests.workflow import flows
from tests.workflow.conftest import PDF, make_cast, tree  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

CHINA = clock.CHINA
ALLOWED = "doc、docx、jpeg、jpg、ofd、pdf、png、wps、xls、xlsx、zip"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 16


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def cast(tree):  # noqa: F811
    return make_cast(tree, "yueyang")


@pytest.fixture
def project(cast):
    return projects.project_create(
        actor=cast.user("unit"),
        name="岳阳市智慧教育平台",
        plan_year=2027,
        total_investment=2_500_000,
    )


def upload(user, project, data: bytes, filename: str, name: str = "项目建设方案"):
    return document_upload(
        actor=user, project=project, name=name, upload=io.BytesIO(data), filename=filename
    )


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def state(project, media) -> tuple:
    return (
        Document.objects.filter(project=project).count(),
        DocumentVersion.objects.filter(document__project=project).count(),
        Event.objects.count(),
        stored_files(media),
    )


def test_each_upload_of_a_name_is_a_new_version_with_its_uploader_time_size_and_sm3(
    cast, project, media
):
    clerk, leader = cast.user("unit"), cast.user("unit.leader")
    contents = [PDF, PDF + b"% revised\n", PDF + b"% revised again, longer\n" * 3]
    uploads = [
        (clerk, dt.datetime(2026, 10, 20, 9, 30, tzinfo=CHINA), "方案.pdf"),
        (leader, dt.datetime(2026, 10, 21, 14, 5, tzinfo=CHINA), "方案（修改稿）.pdf"),
        (clerk, dt.datetime(2026, 10, 22, 16, 45, 12, tzinfo=CHINA), "方案-终稿.PDF"),
    ]
    versions = []
    for data, (user, at, filename) in zip(contents, uploads, strict=True):
        with clock.frozen(at):
            versions.append(upload(user, project, data, filename))

    document = Document.objects.get(project=project)
    assert (document.name, document.step_kind) == ("项目建设方案", "")
    assert document.created_at == uploads[0][1]
    assert document.latest == versions[2]
    rows = list(document.versions.order_by("number"))
    assert [
        (v.number, v.uploaded_by, v.uploaded_at, v.size, v.filename, v.content_type, v.sm3)
        for v in rows
    ] == [
        (n + 1, user, at, len(data), filename, "application/pdf", sm3(data))
        for n, (data, (user, at, filename)) in enumerate(zip(contents, uploads, strict=True))
    ]
    # the stored bytes are the uploaded bytes, and the three versions are three files
    for version, data in zip(rows, contents, strict=True):
        with version.file.open("rb") as stored:
            assert stored.read() == data
    assert len(stored_files(media)) == 3

    events = list(Event.objects.filter(project=project, kind="document.uploaded").order_by("seq"))
    assert [(e.actor, e.at, e.after) for e in events] == [
        (user, at, {"document": document.pk, "version": n + 1, "sm3": sm3(data), "size": len(data)})
        for n, (data, (user, at, _)) in enumerate(zip(contents, uploads, strict=True))
    ]
    assert events[0].summary == f"上传“项目建设方案”第1版（方案.pdf，{len(PDF)}字节）"
    assert verify_stream(f"project:{project.pk}") == []


def test_a_different_name_or_step_is_a_different_document(cast, project):
    clerk = cast.user("unit")
    a = upload(clerk, project, PDF, "a.pdf", name="项目概要")
    b = upload(clerk, project, PDF, "b.pdf", name="投资估算")
    c = document_upload(
        actor=clerk,
        project=project,
        name="项目概要",
        step_kind="declaration",
        upload=io.BytesIO(PDF),
        filename="c.pdf",
    )
    assert [v.number for v in (a, b, c)] == [1, 1, 1]
    assert len({a.document_id, b.document_id, c.document_id}) == 3


def test_a_django_uploaded_file_keeps_its_own_name_and_type(cast, project):
    docx = b"PK\x03\x04" + b"\x14\x00" * 20
    version = document_upload(
        actor=cast.user("unit"),
        project=project,
        name="  项目建设方案  ",
        upload=SimpleUploadedFile("建设方案.docx", docx),
    )
    assert version.document.name == "项目建设方案"
    assert (version.filename, version.size, version.sm3) == ("建设方案.docx", len(docx), sm3(docx))
    assert version.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


@pytest.mark.parametrize("sent", ["C:\\fakepath\\建设方案.pdf", "../../etc/建设方案.pdf"])
def test_the_filename_kept_is_the_files_own_name_without_directories(cast, project, sent):
    version = upload(cast.user("unit"), project, PDF, sent)
    assert version.filename == "建设方案.pdf"


@pytest.mark.parametrize(
    ("data", "filename", "code", "message"),
    [
        (b"", "方案.pdf", "FILE_EMPTY", "文件为空"),
        (
            b"MZ\x90\x00",
            "setup.exe",
            "FILE_TYPE",
            f"不支持的文件类型“exe”；可上传：{ALLOWED}",
        ),
        (PDF, "README", "FILE_TYPE", f"不支持的文件类型“无扩展名”；可上传：{ALLOWED}"),
        (PNG, "方案.pdf", "FILE_CONTENT_MISMATCH", "文件内容与扩展名“.pdf”不符"),
        (PDF, "照片.png", "FILE_CONTENT_MISMATCH", "文件内容与扩展名“.png”不符"),
        (b"<html>%PDF</html>", "方案.docx", "FILE_CONTENT_MISMATCH", "文件内容与扩展名“.docx”不符"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_stored(
    cast, project, media, data, filename, code, message
):
    before = state(project, media)
    with pytest.raises(InvalidInput) as refused:
        upload(cast.user("unit"), project, data, filename)
    assert (refused.value.code, refused.value.message) == (code, message)
    assert state(project, media) == before


@pytest.mark.parametrize(
    ("limit", "size", "message"),
    [
        (1024, 1025, "文件大小 1,025 字节，超过上限 1,024 字节（1 KB）"),
        (1024, 4096, "文件大小 4 KB，超过上限 1 KB"),
        (50 * 1024 * 1024, 60 * 1024 * 1024, "文件大小 60 MB，超过上限 50 MB"),
        (
            50 * 1024 * 1024,
            50 * 1024 * 1024 + 1,
            "文件大小 52,428,801 字节，超过上限 52,428,800 字节（50 MB）",
        ),
    ],
)
def test_a_file_over_the_size_limit_is_refused_with_readable_sizes(
    cast, project, media, settings, limit, size, message
):
    settings.GOVIT_MAX_UPLOAD_BYTES = limit
    before = state(project, media)
    with pytest.raises(InvalidInput) as refused:
        upload(cast.user("unit"), project, PDF + b"\x00" * (size - len(PDF)), "大文件.pdf")
    assert (refused.value.code, refused.value.message) == ("FILE_TOO_LARGE", message)
    assert state(project, media) == before


def test_a_file_of_exactly_the_limit_is_accepted(cast, project, settings):
    settings.GOVIT_MAX_UPLOAD_BYTES = 1024
    data = PDF + b"\x00" * (1024 - len(PDF))
    version = upload(cast.user("unit"), project, data, "刚好.pdf")
    assert (version.number, version.size, version.sm3) == (1, 1024, sm3(data))


def test_an_oversized_upload_is_refused_before_it_is_read(cast, project, settings):
    """A browser upload says its size: a 2 GB file is refused without reading it into memory."""
    settings.GOVIT_MAX_UPLOAD_BYTES = 1024

    class Huge:
        name = "巨大.pdf"
        size = 2 * 1024**3

        def chunks(self):
            raise AssertionError("an oversized upload must not be read")

        def read(self):
            raise AssertionError("an oversized upload must not be read")

    with pytest.raises(InvalidInput) as refused:
        document_upload(
            actor=cast.user("unit"), project=project, name="项目建设方案", upload=Huge()
        )
    assert refused.value.code == "FILE_TOO_LARGE"
    assert refused.value.message == "文件大小 2 GB，超过上限 1 KB"


@pytest.mark.parametrize(
    "who", ["other_unit", "other_unit.leader", "audit", "competent_department", "consultant"]
)
def test_only_the_projects_own_unit_may_upload(cast, project, media, who):
    before = state(project, media)
    with pytest.raises(PermissionDenied) as refused:
        upload(cast.user(who), project, PDF, "方案.pdf")
    assert refused.value.code == "FORBIDDEN"
    assert refused.value.message == "只有本项目建设单位的经办人或负责人可以办理此事项"
    assert state(project, media) == before


def test_an_auditor_inside_the_unit_may_not_upload(cast, project, media):
    auditor = flows.colleague(cast, "unit", "yueyang.unit.auditor", roles=["auditor"])
    before = state(project, media)
    with pytest.raises(PermissionDenied):
        upload(auditor, project, PDF, "方案.pdf")
    assert state(project, media) == before


def test_a_rejected_project_takes_no_more_documents(cast, media):
    project = flows.yueyang_in_scheme_review(cast)
    task = flows.open_task(project, "scheme_review")
    projects.task_act(
        actor=cast.user("competent_department"),
        task_id=task.pk,
        action="reject",
        opinion="与已建系统重复建设",
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.REJECTED
    before = state(project, media)
    with pytest.raises(Conflict) as refused:
        upload(cast.user("unit"), project, PDF, "补充材料.pdf")
    assert (refused.value.code, refused.value.message) == (
        "PROJECT_CLOSED",
        "项目不予通过，不能再上传材料",
    )
    assert state(project, media) == before


@pytest.mark.parametrize("name", ["", "   ", "名" * 201])
def test_a_document_needs_a_name_of_at_most_200_characters(cast, project, media, name):
    before = state(project, media)
    with pytest.raises(InvalidInput) as refused:
        upload(cast.user("unit"), project, PDF, "方案.pdf", name=name)
    assert (refused.value.code, refused.value.message) == (
        "INVALID_NAME",
        "请填写材料名称（200字以内）",
    )
    assert state(project, media) == before
