"""Projects: list, create, edit a draft, declare, steps, submit, documents, events, decide, parties."""

from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Status, UploadedFile
from ninja.pagination import paginate

from govit.api import serialize
from govit.api.pagination import Mapped, Pages
from govit.api.routers.reviews import meeting_out
from govit.api.schemas import (
    ERRORS,
    DocumentOut,
    EventOut,
    Id,
    MeetingIn,
    MeetingOut,
    OpinionOut,
    PartyIn,
    PartyOut,
    ProjectDetail,
    ProjectIn,
    ProjectOut,
    ProjectPatch,
    StepOut,
    SubmitIn,
    VersionOut,
)
from govit.core.errors import NotFound
from govit.documents.models import Document, DocumentVersion
from govit.documents.services import document_upload
from govit.events.models import Event
from govit.organizations.models import Organization, User
from govit.projects import services, workflow
from govit.projects.models import ProjectStep
from govit.projects.selectors import project_list
from govit.projects.visibility import project_for, visible_projects
from govit.reviews.services import meeting_create

router = Router(tags=["项目"])


@router.get("", response={200: list[ProjectOut], **ERRORS}, summary="项目列表（可检索、可筛选）")
@paginate(Pages)
def projects(
    request: HttpRequest,
    q: str = "",
    status: str = "",
    stage: str = "",
    plan_year: int | None = None,
    unit_id: Id | None = None,
    min_investment: Decimal | None = None,
    max_investment: Decimal | None = None,
    overdue: bool | None = None,
):
    qs = project_list(
        request.auth,
        q=q,
        status=status,
        stage=stage,
        plan_year=plan_year,
        unit_id=unit_id,
        min_investment=min_investment,
        max_investment=max_investment,
        overdue=overdue,
    ).select_related("rulebook")
    return Mapped(qs, serialize.project)


@router.post("", response={201: ProjectOut, **ERRORS}, summary="创建项目草稿（建设单位）")
def create_project(request: HttpRequest, payload: ProjectIn):
    project = services.project_create(actor=request.auth, **payload.dict())
    return Status(201, serialize.project(project))


@router.get("/{project_id}", response={200: ProjectDetail, **ERRORS}, summary="项目详情与全部环节")
def project_detail(request: HttpRequest, project_id: int):
    return serialize.project_detail(project_for(request.auth, project_id))


@router.patch("/{project_id}", response={200: ProjectOut, **ERRORS}, summary="修改项目草稿")
def update_project(request: HttpRequest, project_id: int, payload: ProjectPatch):
    project = project_for(request.auth, project_id)
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    project = services.project_update(actor=request.auth, project=project, **fields)
    return serialize.project(project)


@router.post("/{project_id}/declare", response={200: ProjectDetail, **ERRORS}, summary="申报")
def declare(request: HttpRequest, project_id: int):
    project = project_for(request.auth, project_id)
    project = services.project_declare(actor=request.auth, project=project)
    return serialize.project_detail(project)


@router.get(
    "/{project_id}/steps", response={200: list[StepOut], **ERRORS}, summary="各环节及其待办"
)
def steps(request: HttpRequest, project_id: int):
    return serialize.project_detail(project_for(request.auth, project_id))["steps"]


def _step(user: User, project_id: int, kind: str) -> ProjectStep:
    project = project_for(user, project_id)
    step = project.steps.filter(kind=kind).select_related("project").first()
    if step is None:
        raise NotFound(f"本项目没有“{kind}”环节")
    return step


@router.post(
    "/{project_id}/steps/{kind}/submit",
    response={200: StepOut, **ERRORS},
    summary="报送（或退回后重新报送）",
)
def submit(request: HttpRequest, project_id: int, kind: str, payload: SubmitIn):
    step = _step(request.auth, project_id, kind)
    step = services.step_submit(
        actor=request.auth, step=step, note=payload.note, document_ids=payload.document_ids
    )
    return serialize.step(
        step, list(step.tasks.select_related("organization", "assignee", "step", "project"))
    )


@router.post(
    "/{project_id}/steps/{kind}/supplement",
    response={201: OpinionOut, **ERRORS},
    summary="审核期间陈述和补正（如黑龙江第十条）：要求补正的会同单位重新审核",
)
def supplement(request: HttpRequest, project_id: int, kind: str, payload: SubmitIn):
    step = _step(request.auth, project_id, kind)
    entry = services.step_supplement(
        actor=request.auth, step=step, note=payload.note, document_ids=payload.document_ids
    )
    return Status(201, serialize.opinion(entry))


@router.get(
    "/{project_id}/decision",
    response={200: dict[str, Any], **ERRORS},
    summary="按固定的规则手册对本项目的当前判断",
)
def decision(request: HttpRequest, project_id: int):
    project = project_for(request.auth, project_id)
    return workflow.decision(project)


@router.get(
    "/{project_id}/events", response={200: list[EventOut], **ERRORS}, summary="事件记录（只追加）"
)
@paginate(Pages)
def events(request: HttpRequest, project_id: int):
    user: User = request.auth
    project = project_for(user, project_id)
    return Event.objects.filter(project=project).select_related("cause").order_by("id")


@router.get(
    "/{project_id}/opinions", response={200: list[OpinionOut], **ERRORS}, summary="各环节办理意见"
)
def opinions(request: HttpRequest, project_id: int):
    user: User = request.auth
    project = project_for(user, project_id)
    return [
        serialize.opinion(o)
        for o in project.opinions.select_related("step", "user", "organization").prefetch_related(
            "documents"
        )
    ]


@router.get(
    "/{project_id}/documents", response={200: list[DocumentOut], **ERRORS}, summary="材料及其各版本"
)
def documents(request: HttpRequest, project_id: int):
    project = project_for(request.auth, project_id)
    docs = Document.objects.filter(project=project).prefetch_related("versions__uploaded_by")
    return [serialize.document(d) for d in docs]


@router.post(
    "/{project_id}/documents",
    response={201: VersionOut, **ERRORS},
    summary="上传材料（新版本）",
    description="multipart/form-data：material（须提交材料的标识，见环节 documents[].key，"
    "如 scheme_review.1：材料名称和环节随之确定）或 name（材料名称，如 建设方案）、"
    "step_kind（可选）；file。",
)
def upload(
    request: HttpRequest,
    project_id: int,
    file: File[UploadedFile],
    name: Form[str] = "",
    step_kind: Form[str] = "",
    material: Form[str] = "",
):
    project = project_for(request.auth, project_id)
    version = document_upload(
        actor=request.auth,
        project=project,
        name=name,
        upload=file,
        step_kind=step_kind,
        filename=file.name,
        material=material,
    )
    return Status(201, serialize.document(version.document)["versions"][-1])


@router.get(
    "/{project_id}/documents/versions/{version_id}/download",
    summary="下载某一版本",
    response={200: None, **ERRORS},
)
def download(request: HttpRequest, project_id: int, version_id: int):
    user: User = request.auth
    project = project_for(user, project_id)
    version = DocumentVersion.objects.filter(pk=version_id, document__project=project).first()
    if version is None:
        raise NotFound("材料不存在或无权查看")
    response = FileResponse(version.file.open("rb"), as_attachment=True, filename=version.filename)
    response["X-Content-SM3"] = version.sm3
    return response


@router.get(
    "/{project_id}/parties", response={200: list[PartyOut], **ERRORS}, summary="项目参与单位"
)
def parties(request: HttpRequest, project_id: int):
    project = project_for(request.auth, project_id)
    return [
        {"id": p.pk, "organization": serialize.org(p.organization), "role": p.role}
        for p in project.parties.select_related("organization")
    ]


@router.post(
    "/{project_id}/parties", response={201: PartyOut, **ERRORS}, summary="登记项目参与单位"
)
def add_party(request: HttpRequest, project_id: int, payload: PartyIn):
    user: User = request.auth
    project = project_for(user, project_id)
    organization = Organization.objects.filter(
        pk=payload.organization_id, jurisdiction_id=project.jurisdiction_id
    ).first()
    if organization is None:
        raise NotFound("单位不存在或不在本辖区")
    party = services.party_add(
        actor=user, project=project, organization=organization, role=payload.role
    )
    return Status(
        201, {"id": party.pk, "organization": serialize.org(organization), "role": party.role}
    )


@router.post(
    "/{project_id}/meetings", response={201: MeetingOut, **ERRORS}, summary="发起评审会（主管部门）"
)
def create_meeting(request: HttpRequest, project_id: int, payload: MeetingIn):
    project = project_for(request.auth, project_id)
    meeting = meeting_create(actor=request.auth, project=project, **payload.dict())
    return Status(201, meeting_out(request.auth, meeting))


__all__ = ["router", "visible_projects"]
