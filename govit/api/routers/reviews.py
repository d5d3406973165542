"""The expert pool, review meetings, draws and their verification, opinions, conclusions."""

from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from govit.access.policy import authorize, jurisdiction_id
from govit.api import serialize
from govit.api.pagination import Mapped, Pages
from govit.api.schemas import (
    ERRORS,
    AvailabilityIn,
    ConclusionIn,
    DocumentOut,
    ExpertCorrectionIn,
    ExpertIn,
    ExpertOpinionIn,
    ExpertOut,
    MeetingOut,
    ReplaceIn,
    VerificationOut,
    VoidIn,
)
from govit.core.errors import NotFound
from govit.documents.models import Document, DocumentVersion
from govit.jurisdictions.models import Jurisdiction
from govit.organizations.models import Organization, User
from govit.projects.visibility import visible_projects
from govit.reviews import services
from govit.reviews.models import Expert, ExpertOpinion, ReviewMeeting, Seat
from govit.reviews.selectors import current_panel, draw_verify

router = Router(tags=["专家评审"])


def _expert_out(e: Expert) -> dict[str, Any]:
    return {
        "id": e.pk,
        "name": e.name,
        "title": e.title,
        "specialties": e.specialties,
        "employer_name": e.employer_name,
        "available": e.available,
        "unavailable_reason": e.unavailable_reason,
    }


def _pool_reader(user: User) -> int:
    jid = jurisdiction_id(user)
    kind = user.organization.kind if user.organization_id else None
    if user.is_superuser or (jid and kind in ("competent_department", "audit")):
        return jid or 0
    raise NotFound("无权查看专家库")


@router.get("/experts", response={200: list[ExpertOut], **ERRORS}, summary="专家库")
@paginate(Pages)
def experts(request: HttpRequest, specialty: str = ""):
    jid = _pool_reader(request.auth)
    qs = Expert.objects.filter(jurisdiction_id=jid).order_by("id")
    items = [e for e in qs if not specialty or specialty in e.specialties]
    return [_expert_out(e) for e in items]


@router.post("/experts", response={201: ExpertOut, **ERRORS}, summary="专家入库（主管部门）")
def add_expert(request: HttpRequest, payload: ExpertIn):
    user: User = request.auth
    jurisdiction = Jurisdiction.objects.filter(pk=jurisdiction_id(user)).first()
    if jurisdiction is None:
        raise NotFound("无所属辖区")
    employer = None
    if payload.employer_id is not None:
        employer = Organization.objects.filter(
            pk=payload.employer_id, jurisdiction=jurisdiction
        ).first()
        if employer is None:
            raise NotFound("工作单位不存在或不在本辖区")
    expert = services.expert_register(
        actor=user,
        jurisdiction=jurisdiction,
        name=payload.name,
        specialties=payload.specialties,
        employer_name=payload.employer_name,
        employer=employer,
        title=payload.title,
        username=payload.username,
        password=payload.password,
    )
    return Status(201, _expert_out(expert))


@router.post(
    "/experts/{expert_id}/correction",
    response={200: ExpertOut, **ERRORS},
    summary="更正专家信息（主管部门，写明理由）",
)
def correct_expert(request: HttpRequest, expert_id: int, payload: ExpertCorrectionIn):
    jid = _pool_reader(request.auth)
    expert = Expert.objects.filter(pk=expert_id, jurisdiction_id=jid).first()
    if expert is None:
        raise NotFound("专家不存在或无权查看")
    employer = None
    if payload.employer_id is not None:
        employer = Organization.objects.filter(pk=payload.employer_id, jurisdiction_id=jid).first()
        if employer is None:
            raise NotFound("工作单位不存在或不在本辖区")
    expert = services.expert_update(
        actor=request.auth,
        expert=expert,
        name=payload.name,
        title=payload.title,
        specialties=payload.specialties,
        employer_name=payload.employer_name,
        employer=employer,
        reason=payload.reason,
    )
    return _expert_out(expert)


@router.post(
    "/experts/{expert_id}/availability",
    response={200: ExpertOut, **ERRORS},
    summary="设置专家是否可抽取",
)
def availability(request: HttpRequest, expert_id: int, payload: AvailabilityIn):
    jid = _pool_reader(request.auth)
    expert = Expert.objects.filter(pk=expert_id, jurisdiction_id=jid).first()
    if expert is None:
        raise NotFound("专家不存在或无权查看")
    expert = services.expert_set_availability(
        actor=request.auth, expert=expert, available=payload.available, reason=payload.reason
    )
    return _expert_out(expert)


def _meetings(user: User):
    expert = getattr(user, "expert", None)
    if user.organization_id is None and expert is not None and not user.is_superuser:
        seated = Seat.objects.filter(expert=expert, vacated_at__isnull=True).values("meeting_id")
        return ReviewMeeting.objects.filter(pk__in=seated)
    return ReviewMeeting.objects.filter(project__in=visible_projects(user))


def _meeting(user: User, meeting_id: int) -> ReviewMeeting:
    meeting = (
        _meetings(user).select_related("project", "step", "organizer").filter(pk=meeting_id).first()
    )
    if meeting is None:
        raise NotFound("评审会不存在或无权查看")
    return meeting


def meeting_out(user: User, meeting: ReviewMeeting) -> dict[str, Any]:
    organizer_view = user.organization_id is not None and user.organization.kind in (
        "competent_department",
        "audit",
    )
    draw = getattr(meeting, "draw", None)
    seats = Seat.objects.filter(meeting=meeting).select_related("expert").order_by("position", "id")
    opinions = None
    if organizer_view or meeting.status == "concluded":
        opinions = [
            {
                "expert_id": o.expert_id,
                "name": o.expert.name,
                "text": o.text,
                "score": o.score,
                "conclusion": o.conclusion,
                "submitted_at": o.submitted_at,
            }
            for o in ExpertOpinion.objects.filter(meeting=meeting).select_related("expert")
        ]
    return {
        "id": meeting.pk,
        "project_id": meeting.project_id,
        "project_name": meeting.project.name,
        "step_kind": meeting.step.kind,
        "title": meeting.title,
        "specialty": meeting.specialty,
        "size": meeting.size,
        "scheduled_for": meeting.scheduled_for,
        "status": meeting.status,
        "conclusion": meeting.conclusion,
        "cancelled_reason": meeting.cancelled_reason,
        "conclusion_text": meeting.conclusion_text,
        "seats": [
            {
                "position": s.position,
                "expert_id": s.expert_id,
                "name": s.expert.name,
                "vacated": s.vacated_at is not None,
                "vacated_reason": s.vacated_reason,
            }
            for s in seats
        ],
        "exclusions": draw.exclusions if (draw is not None and organizer_view) else None,
        "opinions": opinions,
    }


@router.get(
    "/meetings",
    response={200: list[MeetingOut], **ERRORS},
    summary="评审会（专家只看到自己被抽中的）",
)
@paginate(Pages)
def meetings(request: HttpRequest):
    user: User = request.auth
    return Mapped(
        _meetings(user).select_related("project", "step").order_by("-id"),
        lambda m: meeting_out(user, m),
    )


@router.get("/meetings/{meeting_id}", response={200: MeetingOut, **ERRORS}, summary="一次评审会")
def meeting(request: HttpRequest, meeting_id: int):
    return meeting_out(request.auth, _meeting(request.auth, meeting_id))


@router.post(
    "/meetings/{meeting_id}/draw", response={200: MeetingOut, **ERRORS}, summary="随机抽取专家"
)
def draw(request: HttpRequest, meeting_id: int):
    meeting = _meeting(request.auth, meeting_id)
    services.draw_make(actor=request.auth, meeting=meeting)
    return meeting_out(request.auth, _meeting(request.auth, meeting_id))


@router.post(
    "/meetings/{meeting_id}/replacements",
    response={200: MeetingOut, **ERRORS},
    summary="补抽专家（记录原因）",
)
def replace(request: HttpRequest, meeting_id: int, payload: ReplaceIn):
    meeting = _meeting(request.auth, meeting_id)
    expert = Expert.objects.filter(
        pk=payload.expert_id, jurisdiction_id=meeting.project.jurisdiction_id
    ).first()
    if expert is None:
        raise NotFound("专家不存在")
    services.draw_replace(actor=request.auth, meeting=meeting, expert=expert, reason=payload.reason)
    return meeting_out(request.auth, _meeting(request.auth, meeting_id))


@router.get(
    "/meetings/{meeting_id}/verification",
    response={200: VerificationOut, **ERRORS},
    summary="复核抽取：按记录的种子和专家库快照重新计算",
)
def verification(request: HttpRequest, meeting_id: int):
    user: User = request.auth
    meeting = _meeting(user, meeting_id)
    draw = getattr(meeting, "draw", None)
    if draw is None:
        raise NotFound("本次评审会尚未抽取专家")
    result = draw_verify(meeting)
    return {
        "ok": result.ok,
        "problems": result.problems,
        "algorithm": draw.algorithm,
        "seed": draw.seed,
        "pool_digest": draw.pool_digest,
        "pool": draw.pool,
        "ranking": draw.ranking,
        "drawn": draw.drawn,
        "replacements": [
            {"replaced": r.replaced_id, "replacement": r.replacement_id, "reason": r.reason}
            for r in draw.replacements.order_by("id")
        ],
        "expected_panel": result.expected_panel,
        "current_panel": [e.pk for e in current_panel(meeting)],
    }


@router.get(
    "/meetings/{meeting_id}/materials",
    response={200: list[DocumentOut], **ERRORS},
    summary="评审材料",
)
def materials(request: HttpRequest, meeting_id: int):
    meeting = _meeting(request.auth, meeting_id)
    docs = Document.objects.filter(project=meeting.project).prefetch_related(
        "versions__uploaded_by"
    )
    return [serialize.document(d) for d in docs]


@router.get(
    "/meetings/{meeting_id}/materials/{version_id}/download",
    response={200: None, **ERRORS},
    summary="下载评审材料",
)
def material_download(request: HttpRequest, meeting_id: int, version_id: int):
    meeting = _meeting(request.auth, meeting_id)
    version = DocumentVersion.objects.filter(
        pk=version_id, document__project=meeting.project
    ).first()
    if version is None:
        raise NotFound("材料不存在")
    return FileResponse(version.file.open("rb"), as_attachment=True, filename=version.filename)


@router.post(
    "/meetings/{meeting_id}/opinions",
    response={201: MeetingOut, **ERRORS},
    summary="专家提交评审意见和评分",
)
def submit_opinion(request: HttpRequest, meeting_id: int, payload: ExpertOpinionIn):
    user: User = request.auth
    meeting = _meeting(user, meeting_id)
    authorize(user, "opinion.submit", meeting)
    services.opinion_submit(
        actor=user,
        meeting=meeting,
        text=payload.text,
        score=payload.score,
        conclusion=payload.conclusion,
    )
    return Status(201, meeting_out(user, _meeting(user, meeting_id)))


@router.post(
    "/meetings/{meeting_id}/conclusion",
    response={200: MeetingOut, **ERRORS},
    summary="形成评审会结论",
)
def conclude(request: HttpRequest, meeting_id: int, payload: ConclusionIn):
    meeting = _meeting(request.auth, meeting_id)
    services.meeting_conclude(
        actor=request.auth,
        meeting=meeting,
        conclusion=payload.conclusion,
        text=payload.text,
        confirmed_checks=payload.confirmed_checks,
    )
    return meeting_out(request.auth, _meeting(request.auth, meeting_id))


@router.post(
    "/meetings/{meeting_id}/cancellation",
    response={200: MeetingOut, **ERRORS},
    summary="取消评审会（写明原因；随后可重新发起）",
)
def cancel(request: HttpRequest, meeting_id: int, payload: VoidIn):
    meeting = _meeting(request.auth, meeting_id)
    services.meeting_cancel(actor=request.auth, meeting=meeting, reason=payload.reason)
    return meeting_out(request.auth, _meeting(request.auth, meeting_id))
