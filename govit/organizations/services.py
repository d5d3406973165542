"""Writes about organizations, users, roles and API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from govit.access.policy import authorize
from govit.core.digest import sm3
from govit.core.errors import Conflict, InvalidInput
from govit.events.services import record
from govit.jurisdictions.models import Jurisdiction
from govit.organizations.models import ApiToken, Organization, OrgKind, Role, User, UserRole
from govit.organizations.signals import account_changed

SYSTEM_USERNAME = "system"


def system_user() -> User:
    """The account that setup commands and background jobs act as ("系统")."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"real_name": "系统", "is_superuser": True, "is_staff": True},
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def organization_create(
    *, actor: User, jurisdiction: Jurisdiction, kind: str, name: str, credit_code: str = ""
) -> Organization:
    authorize(actor, "jurisdiction.admin", jurisdiction.pk)
    if kind not in OrgKind.values:
        raise InvalidInput(f"单位类别不正确：{kind}", code="INVALID_KIND")
    if not name.strip():
        raise InvalidInput("单位名称不能为空", code="INVALID_NAME")
    if Organization.objects.filter(jurisdiction=jurisdiction, name=name).exists():
        raise Conflict(f"“{name}”已登记", code="DUPLICATE_ORGANIZATION")
    org = Organization(jurisdiction=jurisdiction, kind=kind, name=name, credit_code=credit_code)
    if (
        org.is_authority
        and Organization.objects.filter(jurisdiction=jurisdiction, kind=kind).exists()
    ):
        raise Conflict(f"本辖区已登记{OrgKind(kind).label}", code="DUPLICATE_AUTHORITY")
    org.save()
    record(
        "organization.created",
        actor=actor,
        jurisdiction=jurisdiction,
        summary=f"登记{OrgKind(kind).label}“{name}”",
        after={"organization": org.pk, "kind": kind},
    )
    return org


@transaction.atomic
def user_create(
    *,
    actor: User,
    organization: Organization | None,
    username: str,
    password: str,
    real_name: str,
    roles: Iterable[str] = (Role.CLERK,),
    jurisdiction: Jurisdiction | None = None,
) -> User:
    where = organization.jurisdiction if organization is not None else jurisdiction
    assert where is not None, "a user belongs to an organization, or (an expert) to a jurisdiction"
    authorize(actor, "jurisdiction.admin", where.pk)
    roles = list(dict.fromkeys(roles))
    if bad := [r for r in roles if r not in Role.values]:
        raise InvalidInput(f"角色不正确：{', '.join(bad)}", code="INVALID_ROLE")
    if User.objects.filter(username=username).exists():
        raise Conflict(f"用户名“{username}”已被使用", code="DUPLICATE_USERNAME")
    user = User(username=username, organization=organization, real_name=real_name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(
            "密码不符合要求：" + "；".join(exc.messages), code="WEAK_PASSWORD"
        ) from None
    user.set_password(password)
    user.save()
    UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in roles])
    record(
        "user.created",
        actor=actor,
        jurisdiction=where,
        summary=f"创建用户{real_name}（{username}），角色：{'、'.join(Role(r).label for r in roles) or '无'}",
        after={
            "user": user.pk,
            "organization": organization.pk if organization else None,
            "roles": roles,
        },
    )
    return user


@transaction.atomic
def token_create(*, actor: User, name: str = "") -> tuple[ApiToken, str]:
    """Issue an API token for the actor. The key is returned once; only its digest is stored."""
    authorize(actor, "token.create", actor)
    key = "gvt_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=key[:8], key_digest=sm3(key.encode())
    )
    org = actor.organization
    record(
        "token.created",
        actor=actor,
        jurisdiction=org.jurisdiction if org else None,
        summary=f"签发 API 令牌 {token.prefix}…" + (f"（{name}）" if name else ""),
    )
    return token, key


def _jurisdiction_of(user: User) -> Jurisdiction:
    from govit.access.policy import jurisdiction_id

    jid = jurisdiction_id(user)
    if jid is None:
        raise InvalidInput("该用户不属于任何辖区", code="NO_JURISDICTION")
    return Jurisdiction.objects.get(pk=jid)


def _other_admins(user: User) -> bool:
    """Whether the user's jurisdiction keeps another active administrator without this user."""
    if user.organization_id is None:
        return True
    return (
        User.objects.filter(
            organization__jurisdiction_id=user.organization.jurisdiction_id,
            is_active=True,
            roles__role=Role.ADMIN,
        )
        .exclude(pk=user.pk)
        .exists()
    )


@transaction.atomic
def user_roles_change(*, actor: User, user: User, roles: Iterable[str], reason: str) -> User:
    """Replace a user's roles. A jurisdiction never loses its last administrator."""
    where = _jurisdiction_of(user)
    authorize(actor, "jurisdiction.admin", where.pk)
    roles = list(dict.fromkeys(roles))
    if bad := [r for r in roles if r not in Role.values]:
        raise InvalidInput(f"角色不正确：{', '.join(bad)}", code="INVALID_ROLE")
    if not reason.strip():
        raise InvalidInput("请说明变更角色的理由", code="REASON_REQUIRED")
    before = sorted(user.role_codes())
    if Role.ADMIN in before and Role.ADMIN not in roles and not _other_admins(user):
        raise Conflict("不能取消本辖区最后一位管理员的管理员角色", code="LAST_ADMIN")
    UserRole.objects.filter(user=user).delete()
    UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in roles])
    user._role_codes = None
    account_changed.send(sender=User, user_ids=(user.pk,))
    record(
        "user.roles_changed",
        actor=actor,
        jurisdiction=where,
        summary=f"变更{user.display_name}（{user.username}）的角色为："
        f"{'、'.join(Role(r).label for r in roles) or '无'}；理由：{reason}",
        before={"roles": before},
        after={"user": user.pk, "roles": sorted(roles)},
    )
    return user


@transaction.atomic
def user_active_set(*, actor: User, user: User, active: bool, reason: str) -> User:
    """停用 or 启用 an account; records are kept either way (nothing is deleted)."""
    where = _jurisdiction_of(user)
    authorize(actor, "jurisdiction.admin", where.pk)
    if not reason.strip():
        raise InvalidInput("请说明停用或启用的理由", code="REASON_REQUIRED")
    if user.is_active == active:
        return user
    if not active and user.pk == actor.pk:
        raise Conflict("不能停用自己的账号", code="SELF_DEACTIVATION")
    if not active and user.has_role(Role.ADMIN) and not _other_admins(user):
        raise Conflict("不能停用本辖区最后一位管理员", code="LAST_ADMIN")
    user.is_active = active
    user.save(update_fields=["is_active"])  # User.save: what was kept of the account is stale
    record(
        "user.activated" if active else "user.deactivated",
        actor=actor,
        jurisdiction=where,
        summary=f"{'启用' if active else '停用'}用户{user.display_name}（{user.username}）；理由：{reason}",
        after={"user": user.pk, "is_active": active},
    )
    return user
