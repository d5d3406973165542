"""Tokens, the current user, jurisdictions, organizations, confirmations, delegations."""

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from govit.access.policy import authorize, jurisdiction_id
from govit.access.services import rulebook_confirm, token_create
from govit.api import serialize
from govit.api.pagination import Mapped, Pages
from govit.api.schemas import (
    ERRORS,
    ConfirmationIn,
    ConfirmationOut,
    DelegationIn,
    DelegationOut,
    DelegationRevokeIn,
    JurisdictionOut,
    MeOut,
    OrganizationOut,
    TaskOut,
    TokenIn,
    TokenOut,
)
from govit.core import clock
from govit.core.errors import DomainError, NotFound
from govit.jurisdictions.models import Jurisdiction
from govit.organizations.models import Organization, User
from govit.projects.models import Delegation
from govit.projects.selectors import task_list
from govit.projects.services import delegation_create, delegation_revoke

router = Router(tags=["账户与辖区"])


class BadCredentials(DomainError):
    status = 401
    code = "INVALID_CREDENTIALS"


@router.post(
    "/auth/token",
    auth=None,
    response={201: TokenOut, **ERRORS},
    summary="用用户名和密码换取 API 令牌",
)
def issue_token(request: HttpRequest, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        raise BadCredentials("用户名或密码不正确")
    token, key = token_create(actor=user, name=payload.name)
    return Status(201, {"token": key, "prefix": token.prefix})


@router.get("/me", response={200: MeOut, **ERRORS}, summary="当前用户")
def me(request: HttpRequest):
    user: User = request.auth
    jid = jurisdiction_id(user)
    jurisdiction = Jurisdiction.objects.filter(pk=jid).first() if jid else None
    expert = getattr(user, "expert", None)
    return {
        "id": user.pk,
        "username": user.username,
        "real_name": user.real_name,
        "organization": serialize.org(user.organization) if user.organization_id else None,
        "jurisdiction": {
            "id": jurisdiction.pk,
            "code": jurisdiction.code,
            "name": jurisdiction.name,
        }
        if jurisdiction
        else None,
        "roles": sorted(user.role_codes()),
        "expert_id": expert.pk if expert else None,
    }


def _jurisdiction_out(j: Jurisdiction) -> dict:
    rulebook = None
    if j.rulebook_id:
        rb = j.rulebook.load()
        rulebook = {
            "id": j.rulebook.rulebook_id,
            "version": j.rulebook.version,
            "title": j.rulebook.title,
            "status": rb.status_on(clock.today()),
        }
    return {
        "id": j.pk,
        "code": j.code,
        "name": j.name,
        "level": j.level,
        "parent_id": j.parent_id,
        "rulebook": rulebook,
    }


@router.get("/jurisdictions", response={200: list[JurisdictionOut], **ERRORS}, summary="可见的辖区")
def jurisdictions(request: HttpRequest):
    user: User = request.auth
    qs = Jurisdiction.objects.select_related("rulebook").order_by("code")
    if not user.is_superuser:
        qs = qs.filter(pk=jurisdiction_id(user))
    return [_jurisdiction_out(j) for j in qs]


def _visible_jurisdiction(user: User, pk: int) -> Jurisdiction:
    if not user.is_superuser and jurisdiction_id(user) != pk:
        raise NotFound("辖区不存在或无权查看")
    return get_object_or_404(Jurisdiction.objects.select_related("rulebook"), pk=pk)


@router.post(
    "/jurisdictions/{jurisdiction_id}/rulebook-confirmations",
    response={201: ConfirmationOut, **ERRORS},
    summary="管理员确认按非现行（征求意见稿或已失效）规则手册继续办理",
)
def confirm_rulebook(request: HttpRequest, jurisdiction_id: int, payload: ConfirmationIn):
    jurisdiction = _visible_jurisdiction(request.auth, jurisdiction_id)
    c = rulebook_confirm(actor=request.auth, jurisdiction=jurisdiction, reason=payload.reason)
    return Status(
        201,
        {
            "id": c.pk,
            "jurisdiction_id": c.jurisdiction_id,
            "rulebook_version": c.rulebook.version,
            "status": c.status,
            "reason": c.reason,
            "confirmed_by": c.confirmed_by.display_name,
            "confirmed_at": c.confirmed_at,
        },
    )


@router.get(
    "/organizations", response={200: list[OrganizationOut], **ERRORS}, summary="本辖区的单位"
)
@paginate(Pages)
def organizations(request: HttpRequest, kind: str = ""):
    user: User = request.auth
    qs = Organization.objects.filter(is_active=True).order_by("kind", "name")
    if not user.is_superuser:
        qs = qs.filter(jurisdiction_id=jurisdiction_id(user))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


@router.get(
    "/organizations/{organization_id}/overdue-tasks",
    response={200: list[TaskOut], **ERRORS},
    summary="某单位的逾期待办",
)
@paginate(Pages)
def overdue_tasks(request: HttpRequest, organization_id: int):
    user: User = request.auth
    org = Organization.objects.filter(pk=organization_id).first()
    if org is None or (not user.is_superuser and org.jurisdiction_id != jurisdiction_id(user)):
        raise NotFound("单位不存在或无权查看")
    kind = user.organization.kind if user.organization_id else None
    if (
        org.pk != user.organization_id
        and kind not in ("competent_department", "audit")
        and not user.is_superuser
    ):
        raise NotFound("单位不存在或无权查看")
    return Mapped(
        task_list(user, status="open", overdue=True, organization_id=org.pk), serialize.task
    )


@router.post(
    "/delegations",
    response={201: DelegationOut, **ERRORS},
    summary="委托本单位同事在一段时间内代为办理",
)
def create_delegation(request: HttpRequest, payload: DelegationIn):
    user: User = request.auth
    delegate = User.objects.filter(
        pk=payload.delegate_id, organization_id=user.organization_id
    ).first()
    if delegate is None:
        raise NotFound("被委托人不存在或不在本单位")
    authorize(user, "delegation.create", delegate)
    d = delegation_create(
        actor=user,
        delegate=delegate,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        reason=payload.reason,
    )
    return Status(201, _delegation_out(d))


def _delegation_out(d: Delegation) -> dict[str, Any]:
    return {
        "id": d.pk,
        "delegator": d.delegator.display_name,
        "delegate": d.delegate.display_name,
        "starts_on": d.starts_on,
        "ends_on": d.ends_on,
        "reason": d.reason,
        "revoked_at": d.revoked_at,
    }


@router.post(
    "/delegations/{delegation_id}/revoke",
    response={200: DelegationOut, **ERRORS},
    summary="撤销委托（委托人或本单位负责人）",
)
def revoke_delegation(request: HttpRequest, delegation_id: int, payload: DelegationRevokeIn):
    user: User = request.auth
    delegation = (
        Delegation.objects.filter(pk=delegation_id, organization_id=user.organization_id)
        .select_related("delegator", "delegate", "organization__jurisdiction")
        .first()
    )
    if delegation is None or user.organization_id is None:
        raise NotFound("委托不存在或不属于本单位")
    return _delegation_out(
        delegation_revoke(actor=user, delegation=delegation, reason=payload.reason)
    )
