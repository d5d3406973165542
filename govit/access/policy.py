"""Who may do what — decided here and nowhere else.

Deny by default. ``authorize(user, action, obj)``: may this user do this to that. Which projects a
user may see at all is ``govit.projects.visibility.visible_projects``, built on the facts about the
user read here. The policy sits below the workflow and the apps above it: it imports none of them
and asks the object it is given (a task's ``delegation_to``, a meeting's ``seats``), so the
objects are typed ``Any`` where they are the upper apps' models.
"""

from __future__ import annotations

from typing import Any

from govit.core.errors import PermissionDenied
from govit.organizations.models import Organization, Role, User
from govit.policy.loader import known_by_digest
from govit.policy.vocab import AUTHORITY_KINDS

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


_ACTING_BY: dict[str, frozenset[str]] = {}  # by the stored rulebook version's digest


def acts_as_unit(user: User) -> bool:
    """Whether the user's office may be a project's 建设单位: a construction unit, or an authority
    its jurisdiction's regulation charges with doing the unit's part for some projects (rulebook
    ``acting``: 连平第四条第（一）项, 县政务服务数据管理局 for 公共类 projects)."""
    kind = org_kind(user)
    if kind == "construction_unit":
        return True
    if kind not in AUTHORITY_KINDS:
        return False
    version = user.organization.jurisdiction.rulebook  # read with the user (backends.py)
    if version is None:
        return False
    bodies = _ACTING_BY.get(version.digest)
    if bodies is None:
        rb = known_by_digest(version.digest, version.rulebook_id) or version.load()
        bodies = _ACTING_BY[version.digest] = frozenset(a.by for a in rb.model.acting)
    return kind in bodies


def works(user: User) -> bool:
    """A user who may change things for their organization (not a read-only auditor)."""
    return bool(user.role_codes() & WORKING_ROLES) and not is_auditor(user)


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


def may_act_on_task(user: User, task: Any, *, on: Any = None) -> tuple[bool, User | None]:
    """Whether the user may act on the task, and on whose behalf (for a delegated task)."""
    if not works(user):
        return False, None
    if task.organization_id != user.organization_id:
        return False, None
    if task.assignee_id is None or task.assignee_id == user.pk or user.has_role(Role.LEADER):
        return True, None
    delegation = task.delegation_to(user.pk, on)
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
    if not (acts_as_unit(user) and works(user)):
        return "只有建设单位的经办人或负责人可以创建项目"
    return None


def _unit_work(user: User, project: Any) -> str | None:
    if not (_member_of(user, project.unit_id) and works(user)):
        return "只有本项目建设单位的经办人或负责人可以办理此事项"
    return None


def _task_act(user: User, task: Any) -> str | None:
    allowed, _ = may_act_on_task(user, task)
    if not allowed:
        if task.organization_id != user.organization_id:
            return f"此待办由“{task.organization.name}”办理"
        if not works(user):
            return "只读用户不能办理待办"
        return "此待办已转办给其他经办人"
    return None


def _task_reassign(user: User, task: Any) -> str | None:
    if not (_member_of(user, task.organization_id) and works(user)):
        return f"只有“{task.organization.name}”的经办人或负责人可以转办此待办"
    if task.assignee_id not in (None, user.pk) and not user.has_role(Role.LEADER):
        return "只有当前经办人或单位负责人可以转办"
    return None


def _task_urge(user: User, task: Any) -> str | None:
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


def _competent(user: User, project: Any) -> str | None:
    if not (_authority(user, "competent_department", project.jurisdiction_id) and works(user)):
        return "只有主管部门可以办理此事项"
    return None


def _expert_opinion(user: User, meeting: Any) -> str | None:
    expert = getattr(user, "expert", None)
    # on the panel now: a seat not vacated by a replacement (reviews.selectors.current_panel)
    if expert is None or not meeting.seats.filter(expert=expert, vacated_at__isnull=True).exists():
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


def _payment_pay(user: User, project: Any) -> str | None:
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


def _penalty_impose(user: User, project_and_kinds: tuple[Any, set[str]]) -> str | None:
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
