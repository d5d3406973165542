"""Who may see and do what — decided here and nowhere else.

Deny by default. Two questions, one place: ``visible_projects(user)`` (which projects this user
may see at all) and ``authorize(user, action, obj)`` (may this user do this to that). A user of
one jurisdiction never sees another's; an object you may not see is "not found", the same answer
as an object that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from govit.core.errors import NotFound, PermissionDenied
from govit.organizations.models import AUTHORITY_KINDS, Organization, Role, User
from govit.projects.models import Project, ProjectParty, ProjectStatus, ProjectStep, Task

WORKING_ROLES = {Role.CLERK, Role.LEADER}


def jurisdiction_id(user: User) -> int | None:
    if user.organization_id is not None:
        return user.organization.jurisdiction_id
    expert = getattr(user, "expert", None)
    return expert.jurisdiction_id if expert is not None else None


def org_kind(user: User) -> str | None:
    return user.organization.kind if user.organization_id is not None else None


def is_auditor(user: User) -> bool:
    return org_kind(user) == "audit" or user.has_role(Role.AUDITOR)


def works(user: User) -> bool:
    """A user who may change things for their organization (not a read-only auditor)."""
    return bool(user.role_codes() & WORKING_ROLES) and not is_auditor(user)


def visible_projects(user: User) -> QuerySet[Project]:
    """Every project this user may see, as a queryset to filter further."""
    if not user.is_authenticated:
        return Project.objects.none()
    if user.is_superuser:
        return Project.objects.all()
    jid = jurisdiction_id(user)
    if jid is None:
        return Project.objects.none()
    mine = Project.objects.filter(jurisdiction_id=jid)
    kind = org_kind(user)
    if kind == "construction_unit":
        return mine.filter(unit_id=user.organization_id)
    declared = mine.exclude(status=ProjectStatus.DRAFT)
    if kind in ("competent_department", "audit") or is_auditor(user):
        return declared
    if kind in AUTHORITY_KINDS:
        # an authority sees the projects whose procedure names it, that it has been given a task
        # on, or — the government and the leading group, which approve plans — that a plan lists.
        # Each as "id IN (a list read once)": PostgreSQL hashes each list, where joining the
        # steps, tasks and plan lines multiplied every project's rows (0.6 s a page).
        seen = Q(pk__in=ProjectStep.objects.filter(actor=kind).values("project_id")) | Q(
            pk__in=Task.objects.filter(organization_id=user.organization_id).values("project_id")
        )
        if kind in ("government", "leading_group_office"):
            entries = Project._meta.get_field("plan_entries").related_model
            seen |= Q(pk__in=entries.objects.values("project_id"))
        return declared.filter(seen)
    if kind is not None:  # a vendor: only the projects it is a party to
        parties = ProjectParty.objects.filter(organization_id=user.organization_id)
        return declared.filter(pk__in=parties.values("project_id"))
    # an expert sees no project as such, only the materials of the meetings they sit on
    # (govit.reviews.selectors.expert_meetings)
    return Project.objects.none()


def project_for(user: User, pk: int, *, for_update: bool = False) -> Project:
    """The project with this id if the user may see it; otherwise NotFound."""
    qs = visible_projects(user).filter(pk=pk)
    if for_update:
        qs = Project.objects.select_for_update(of=("self",)).filter(pk__in=qs.values("pk"))
    project = qs.select_related("jurisdiction", "unit", "rulebook").first()
    if project is None:
        raise NotFound("项目不存在或无权查看")
    return project


def _deny(message: str) -> PermissionDenied:
    return PermissionDenied(message)


def _member_of(user: User, org_id: int | None) -> bool:
    return org_id is not None and user.organization_id == org_id


def _authority(user: User, kind: str, jurisdiction: int) -> bool:
    return (
        user.organization_id is not None
        and user.organization.kind == kind
        and user.organization.jurisdiction_id == jurisdiction
    )


def may_act_on_task(user: User, task: Task, *, on: Any = None) -> tuple[bool, User | None]:
    """Whether the user may act on the task, and on whose behalf (for a delegated task)."""
    if not works(user):
        return False, None
    if task.organization_id != user.organization_id:
        return False, None
    if task.assignee_id is None or task.assignee_id == user.pk or user.has_role(Role.LEADER):
        return True, None
    from govit.projects.selectors import active_delegation

    delegation = active_delegation(task.assignee_id, user.pk, on)
    if delegation is not None:
        return True, delegation.delegator
    return False, None


def authorize(user: User, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless ``user`` may do ``action`` to ``obj``."""
    if not user.is_authenticated:
        raise _deny("请先登录")
    rule = _RULES.get(action)
    if rule is None:
        raise _deny(f"未定义的操作权限：{action}")  # deny by default
    message = rule(user, obj)
    if message:
        raise _deny(message)


# Each rule returns None when allowed, or the Chinese reason it is not.


def _project_create(user: User, unit: Organization | None) -> str | None:
    if org_kind(user) != "construction_unit" or not works(user):
        return "只有建设单位的经办人或负责人可以创建项目"
    return None


def _unit_work(user: User, project: Project) -> str | None:
    if not (_member_of(user, project.unit_id) and works(user)):
        return "只有本项目建设单位的经办人或负责人可以办理此事项"
    return None


def _task_act(user: User, task: Task) -> str | None:
    allowed, _ = may_act_on_task(user, task)
    if not allowed:
        if task.organization_id != user.organization_id:
            return f"此待办由“{task.organization.name}”办理"
        if not works(user):
            return "只读用户不能办理待办"
        return "此待办已转办给其他经办人"
    return None


def _task_reassign(user: User, task: Task) -> str | None:
    if not (_member_of(user, task.organization_id) and works(user)):
        return f"只有“{task.organization.name}”的经办人或负责人可以转办此待办"
    if task.assignee_id not in (None, user.pk) and not user.has_role(Role.LEADER):
        return "只有当前经办人或单位负责人可以转办"
    return None


def _task_urge(user: User, task: Task) -> str | None:
    project = task.project
    if _member_of(user, project.unit_id) and works(user):
        return None
    if _authority(user, "competent_department", project.jurisdiction_id) and works(user):
        return None
    return "只有建设单位或主管部门可以催办"


def _delegate(user: User, delegate: User) -> str | None:
    if not works(user) or user.organization_id is None:
        return "只有经办人或负责人可以委托"
    if delegate.organization_id != user.organization_id or not works(delegate):
        return "只能委托本单位的经办人或负责人"
    return None


def _delegation_revoke(user: User, delegation: Any) -> str | None:
    if user.pk == delegation.delegator_id:
        return None
    if _member_of(user, delegation.organization_id) and user.has_role(Role.LEADER):
        return None
    return "只有委托人或本单位负责人可以撤销委托"


def _plan_compile(user: User, jurisdiction_and_kind: tuple[int, str]) -> str | None:
    jurisdiction, compiler = jurisdiction_and_kind
    if not (_authority(user, compiler, jurisdiction) and works(user)):
        return "只有负责编制年度计划的部门可以编制计划"
    return None


def _plan_approve(user: User, jurisdiction_and_kind: tuple[int, str]) -> str | None:
    jurisdiction, approver = jurisdiction_and_kind
    if not (_authority(user, approver, jurisdiction) and works(user)):
        return (
            "年度计划由本级人民政府审定"
            if approver == "government"
            else "只有负责审定计划的部门可以审定"
        )
    return None


def _plan_countersign(user: User, jurisdiction_and_kinds: tuple[int, set[str]]) -> str | None:
    jurisdiction, co_compilers = jurisdiction_and_kinds
    if not works(user) or not any(_authority(user, kind, jurisdiction) for kind in co_compilers):
        return "只有规则手册规定的会同编制部门可以会签年度计划"
    return None


def _competent(user: User, project: Project) -> str | None:
    if not (_authority(user, "competent_department", project.jurisdiction_id) and works(user)):
        return "只有主管部门可以办理此事项"
    return None


def _expert_opinion(user: User, meeting: Any) -> str | None:
    from govit.reviews.selectors import current_panel

    expert = getattr(user, "expert", None)
    if expert is None or expert.pk not in {e.pk for e in current_panel(meeting)}:
        return "只有本次评审会抽中的专家可以提交评审意见"
    return None


def _rulebook_confirm(user: User, jurisdiction: int) -> str | None:
    if not (_authority(user, "competent_department", jurisdiction) and user.has_role(Role.ADMIN)):
        return "只有本辖区主管部门的管理员可以确认按非现行规则手册办理"
    return None


def _expert_pool(user: User, jurisdiction: int) -> str | None:
    if user.is_superuser:
        return None
    if _authority(user, "competent_department", jurisdiction) and works(user):
        return None
    return "只有主管部门可以维护专家库"


def _read_jurisdiction(user: User, jurisdiction: int) -> str | None:
    if user.is_superuser or jurisdiction_id(user) == jurisdiction:
        return None
    return "不能查看其他辖区的信息"


def _admin(user: User, jurisdiction: int) -> str | None:
    if user.is_superuser:
        return None
    if jurisdiction_id(user) == jurisdiction and user.has_role(Role.ADMIN):
        return None
    return "只有辖区管理员可以办理此事项"


def _own_account(user: User, target: User) -> str | None:
    if not user.is_active or user.pk != target.pk:
        return "只能为自己的账户签发令牌"
    return None


def _payment_pay(user: User, project: Project) -> str | None:
    if _member_of(user, project.unit_id) and works(user):
        return None
    if _authority(user, "finance", project.jurisdiction_id) and works(user):
        return None
    return "只有建设单位或财政部门可以登记支付"


def _change_decide(user: User, change_and_approval: tuple[Any, Any]) -> str | None:
    _, approval = change_and_approval
    if approval is None or not works(user):
        return "本单位没有待审批的此项变更"
    return None


def _penalty_impose(user: User, project_and_kinds: tuple[Project, set[str]]) -> str | None:
    project, kinds = project_and_kinds
    if works(user) and any(_authority(user, kind, project.jurisdiction_id) for kind in kinds):
        return None
    return "办法规定的实施机关才能作出此处理"


def _penalty_lift(user: User, penalty: Any) -> str | None:
    if works(user) and user.organization_id == penalty.imposed_org_id:
        return None
    return "只有作出处理的机关可以解除"


def _credit_record(user: User, jurisdiction_and_kinds: tuple[int, set[str]]) -> str | None:
    jurisdiction, kinds = jurisdiction_and_kinds
    if works(user) and any(_authority(user, kind, jurisdiction) for kind in kinds):
        return None
    return "只有办法规定的部门可以记录供应商的不良行为"


_RULES = {
    "token.create": _own_account,
    "project.create": _project_create,
    "project.edit": _unit_work,
    "project.declare": _unit_work,
    "step.submit": _unit_work,
    "document.upload": _unit_work,
    "delivery.unit": _unit_work,
    "payment.pay": _payment_pay,
    "change.decide": _change_decide,
    "extension.decide": _competent,
    "evaluation.self": _unit_work,
    "evaluation.post": _competent,
    "penalty.impose": _penalty_impose,
    "penalty.lift": _penalty_lift,
    "credit.record": _credit_record,
    "party.add": lambda user, project: _unit_work(user, project) and _competent(user, project),
    "task.act": _task_act,
    "task.reassign": _task_reassign,
    "task.urge": _task_urge,
    "delegation.create": _delegate,
    "delegation.revoke": _delegation_revoke,
    "plan.compile": _plan_compile,
    "plan.approve": _plan_approve,
    "plan.countersign": _plan_countersign,
    "meeting.manage": _competent,
    "opinion.submit": _expert_opinion,
    "rulebook.confirm": _rulebook_confirm,
    "expert.manage": _expert_pool,
    "jurisdiction.read": _read_jurisdiction,
    "jurisdiction.admin": _admin,
}
