"""Tasks: my organization's to-do list, and the actions of approval work on one task."""

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from govit.access.policy import authorize
from govit.api import serialize
from govit.api.pagination import Mapped, Pages
from govit.api.schemas import ERRORS, ReassignIn, TaskActionIn, TaskOut, UrgeIn
from govit.core.errors import NotFound
from govit.organizations.models import User
from govit.projects import services
from govit.projects.models import Task
from govit.projects.selectors import task_list
from govit.projects.visibility import task_for

router = Router(tags=["待办"])


@router.get("", response={200: list[TaskOut], **ERRORS}, summary="本单位的待办（按到期日排序）")
@paginate(Pages)
def tasks(request: HttpRequest, status: str = "open", overdue: bool | None = None):
    rows = task_list(request.auth, status=status, overdue=overdue).only(*TASK_COLUMNS)
    return Mapped(rows, serialize.task)


# what serialize.task reads: not the projects' texts nor the steps' documents and checks
TASK_COLUMNS = (
    *(f.name for f in Task._meta.concrete_fields),
    "project__code",
    "project__name",
    "step__kind",
    "step__name",
    "step__filing",
    "step__cite",
    "organization__name",
    "organization__kind",
    "assignee__username",
    "assignee__real_name",
)


def _task(user: User, task_id: int):
    return task_for(user, task_id)


@router.get("/{task_id}", response={200: TaskOut, **ERRORS}, summary="一项待办")
def task(request: HttpRequest, task_id: int):
    return serialize.task(_task(request.auth, task_id))


@router.post(
    "/{task_id}/actions",
    response={200: TaskOut, **ERRORS},
    summary="办理：通过、退回修改、不予通过、确认收到、办结",
    description="两人同时办理同一待办时只有一人成功，另一人得到 409。",
)
def act(request: HttpRequest, task_id: int, payload: TaskActionIn):
    task = services.task_act(
        actor=request.auth,
        task_id=task_id,
        action=payload.action,
        opinion=payload.opinion,
        expected_version=payload.expected_version,
        confirmed_checks=payload.confirmed_checks,
        document_ids=payload.document_ids,
        approved_budget=payload.approved_budget,
        rectify_by=payload.rectify_by,
    )
    return serialize.task(task)


@router.post("/{task_id}/reassign", response={200: TaskOut, **ERRORS}, summary="转办给本单位同事")
def reassign(request: HttpRequest, task_id: int, payload: ReassignIn):
    user: User = request.auth
    authorize(user, "task.reassign", _task(user, task_id))
    to_user = User.objects.filter(
        pk=payload.to_user_id, organization_id=user.organization_id
    ).first()
    if to_user is None:
        raise NotFound("接办人不存在或不在本单位")
    return serialize.task(
        services.task_reassign(actor=user, task_id=task_id, to_user=to_user, note=payload.note)
    )


@router.post("/{task_id}/urge", response={200: TaskOut, **ERRORS}, summary="催办")
def urge(request: HttpRequest, task_id: int, payload: UrgeIn):
    return serialize.task(
        services.task_urge(actor=request.auth, task_id=task_id, text=payload.text)
    )
