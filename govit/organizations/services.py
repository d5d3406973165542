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
