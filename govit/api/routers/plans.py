"""Annual and supplement plans."""

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from govit.access.policy import authorize, jurisdiction_id
from govit.api import serialize
from govit.api.pagination import Mapped, Pages
from govit.api.schemas import ERRORS, CountersignIn, OpinionIn, PlanEntryIn, PlanIn, PlanOut
from govit.core.errors import NotFound
from govit.jurisdictions.models import Jurisdiction
from govit.organizations.models import User
from govit.planning import services
from govit.planning.models import AnnualPlan
from govit.planning.selectors import plan_step
from govit.projects.visibility import visible_projects

router = Router(tags=["年度计划"])


def _plans(user: User):
    qs = AnnualPlan.objects.select_related("jurisdiction")
    return qs if user.is_superuser else qs.filter(jurisdiction_id=jurisdiction_id(user))


def _plan(user: User, plan_id: int) -> AnnualPlan:
    plan = _plans(user).filter(pk=plan_id).first()
    if plan is None or _expert(user):
        raise NotFound("计划不存在或无权查看")
    return plan


def _compiler_only(user: User, plan: AnnualPlan) -> None:
    """Refuse a non-compiler before looking anything else up (no hint whether a project exists)."""
    _, step = plan_step(plan.jurisdiction)
    authorize(user, "plan.compile", (plan.jurisdiction_id, step.actor))


def _expert(user: User) -> bool:
    return user.organization_id is None and not user.is_superuser


@router.get("", response={200: list[PlanOut], **ERRORS}, summary="年度计划与增补计划")
@paginate(Pages)
def plans(request: HttpRequest, year: int | None = None, kind: str = "", status: str = ""):
    user: User = request.auth
    if _expert(user):
        raise NotFound("无权查看")
    qs = _plans(user).order_by("-year", "kind", "number")
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return Mapped(qs, serialize.plan)


@router.post("", response={201: PlanOut, **ERRORS}, summary="创建本辖区的年度计划或增补计划")
def create_plan(request: HttpRequest, payload: PlanIn):
    user: User = request.auth
    jurisdiction = (
        Jurisdiction.objects.filter(pk=jurisdiction_id(user)).select_related("rulebook").first()
    )
    if jurisdiction is None:
        raise NotFound("无所属辖区")
    plan = services.plan_create(
        actor=user, jurisdiction=jurisdiction, year=payload.year, kind=payload.kind
    )
    return Status(201, serialize.plan(plan))


@router.get("/{plan_id}", response={200: PlanOut, **ERRORS}, summary="一份计划")
def plan(request: HttpRequest, plan_id: int):
    return serialize.plan(_plan(request.auth, plan_id))


@router.post("/{plan_id}/entries", response={200: PlanOut, **ERRORS}, summary="将项目列入计划")
def add_entry(request: HttpRequest, plan_id: int, payload: PlanEntryIn):
    user: User = request.auth
    plan = _plan(user, plan_id)
    _compiler_only(user, plan)
    project = visible_projects(user).filter(pk=payload.project_id).first()
    if project is None:
        raise NotFound("项目不存在或无权查看")
    services.plan_add_project(actor=user, plan=plan, project=project, note=payload.note)
    return serialize.plan(plan)


@router.delete(
    "/{plan_id}/entries/{project_id}", response={200: PlanOut, **ERRORS}, summary="将项目移出计划"
)
def remove_entry(request: HttpRequest, plan_id: int, project_id: int):
    user: User = request.auth
    plan = _plan(user, plan_id)
    _compiler_only(user, plan)
    project = visible_projects(user).filter(pk=project_id).first()
    if project is None:
        raise NotFound("项目不存在或无权查看")
    services.plan_remove_project(actor=user, plan=plan, project=project)
    return serialize.plan(plan)


@router.post("/{plan_id}/submit", response={200: PlanOut, **ERRORS}, summary="报送本级人民政府审定")
def submit(request: HttpRequest, plan_id: int):
    return serialize.plan(
        services.plan_submit(actor=request.auth, plan=_plan(request.auth, plan_id))
    )


@router.post(
    "/{plan_id}/countersign", response={200: PlanOut, **ERRORS}, summary="会签：同意或退回修改"
)
def countersign(request: HttpRequest, plan_id: int, payload: CountersignIn):
    plan = _plan(request.auth, plan_id)
    services.plan_countersign(
        actor=request.auth, plan=plan, decision=payload.decision, opinion=payload.opinion
    )
    return serialize.plan(plan)


@router.post(
    "/{plan_id}/approve", response={200: PlanOut, **ERRORS}, summary="批准（本级人民政府）"
)
def approve(request: HttpRequest, plan_id: int, payload: OpinionIn):
    plan = _plan(request.auth, plan_id)
    return serialize.plan(
        services.plan_approve(actor=request.auth, plan=plan, opinion=payload.opinion)
    )


@router.post(
    "/{plan_id}/return", response={200: PlanOut, **ERRORS}, summary="退回修改（本级人民政府）"
)
def return_plan(request: HttpRequest, plan_id: int, payload: OpinionIn):
    plan = _plan(request.auth, plan_id)
    return serialize.plan(
        services.plan_return(actor=request.auth, plan=plan, opinion=payload.opinion)
    )
