"""Authorized administration writes: set up a jurisdiction (its authorities and first
administrator), register and bind rulebook versions and confirm proceeding under one that is not in
force; register organizations and users, change their roles, 停用 and 启用 accounts, issue API
tokens. Each asks the policy first (``authorize``, or the platform administrator's
``_require_superuser``), which is why they live here, above organizations and jurisdictions, and
not in those apps: the models they write sit below the policy that guards them."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from govit.access.policy import authorize, jurisdiction_id
from govit.core import clock
from govit.core.digest import sm3
from govit.core.errors import Conflict, InvalidInput, PermissionDenied
from govit.events.services import record
from govit.jurisdictions.models import Jurisdiction, Level, RulebookConfirmation, RulebookVersion
from govit.jurisdictions.selectors import authority_name, status_cite
from govit.organizations.models import (
    VENDOR_KINDS,
    ApiToken,
    Assignment,
    Organization,
    OrgKind,
    Role,
    User,
    UserRole,
)
from govit.organizations.signals import account_changed
from govit.policy.decide import cn_date
from govit.policy.loader import rulebook_from_text, rulebook_paths
from govit.policy.render import unstated_rules
from govit.policy.vocab import AUTHORITY_KINDS, STATUS_LABELS


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


def _require_superuser(actor: User) -> None:
    if not actor.is_superuser:
        raise PermissionDenied("只有平台管理员可以维护辖区和规则手册")


@transaction.atomic
def rulebook_register(*, actor: User, rulebook_id: str) -> RulebookVersion:
    """Store the current file of a rulebook as a version (idempotent for unchanged content)."""
    _require_superuser(actor)
    paths = rulebook_paths()
    if rulebook_id not in paths:
        raise InvalidInput(f"没有编号为“{rulebook_id}”的规则手册", code="UNKNOWN_RULEBOOK")
    text = paths[rulebook_id].read_text(encoding="utf-8")
    digest = sm3(text.encode("utf-8"))
    existing = RulebookVersion.objects.filter(digest=digest).first()
    if existing is not None:
        return existing
    rb = rulebook_from_text(text, f"{rulebook_id}.yaml")
    clash = RulebookVersion.objects.filter(
        rulebook_id=rulebook_id, version=rb.model.version
    ).first()
    if clash is not None:
        raise Conflict(
            f"规则手册“{rulebook_id}”的内容已改变但版本号仍为{rb.model.version}；请在文件中把 version 加一",
            code="RULEBOOK_VERSION_NOT_BUMPED",
        )
    version = RulebookVersion.objects.create(
        rulebook_id=rulebook_id,
        version=rb.model.version,
        title=rb.title,
        digest=digest,
        yaml_text=text,
    )
    record(
        "rulebook.registered",
        actor=actor,
        summary=f"登记规则手册《{rb.title}》第{version.version}版",
        after={"rulebook": rulebook_id, "version": version.version, "digest": digest},
    )
    return version


@transaction.atomic
def jurisdiction_create(
    *, actor: User, code: str, name: str, level: str, parent: Jurisdiction | None = None
) -> Jurisdiction:
    _require_superuser(actor)
    if level not in Level.values:
        raise InvalidInput(f"层级不正确：{level}", code="INVALID_LEVEL")
    if Jurisdiction.objects.filter(code=code).exists():
        raise Conflict(f"行政区划代码{code}已登记", code="DUPLICATE_CODE")
    jurisdiction = Jurisdiction.objects.create(code=code, name=name, level=level, parent=parent)
    record(
        "jurisdiction.created",
        actor=actor,
        jurisdiction=jurisdiction,
        summary=f"登记辖区“{name}”（{code}）",
    )
    return jurisdiction


@transaction.atomic
def jurisdiction_bind(
    *, actor: User, jurisdiction: Jurisdiction, version: RulebookVersion
) -> Jurisdiction:
    """From now on new declarations in this jurisdiction are pinned to ``version``; projects
    already declared keep the version they were declared under."""
    _require_superuser(actor)
    before = jurisdiction.rulebook_id
    jurisdiction.rulebook = version
    jurisdiction.save(update_fields=["rulebook"])
    record(
        "rulebook.bound",
        actor=actor,
        jurisdiction=jurisdiction,
        summary=f"“{jurisdiction.name}”启用《{version.title}》第{version.version}版",
        before={"rulebook_version": before},
        after={"rulebook_version": version.pk},
    )
    return jurisdiction


@transaction.atomic
def jurisdiction_setup(
    *,
    actor: User,
    code: str,
    name: str,
    level: str,
    parent: Jurisdiction | None = None,
    version: RulebookVersion | None = None,
    authorities: Sequence[str] = (),
    admin_username: str = "",
    admin_real_name: str = "",
    admin_password: str = "",
) -> Jurisdiction:
    """设立辖区: the jurisdiction, bound to a stored rulebook version, with its authorities (named
    as the rulebook names them) and a first administrator in the competent department — who then
    registers units, vendors and users on the administration pages. All or nothing."""
    _require_superuser(actor)
    code, name = code.strip(), name.strip()
    if not code.isdigit() or len(code) != 6:
        raise InvalidInput("行政区划代码应为6位数字", code="INVALID_CODE")
    if not name:
        raise InvalidInput("请填写辖区名称", code="INVALID_NAME")
    kinds = [k for k in AUTHORITY_KINDS if k in set(authorities)]
    if bad := sorted(set(authorities) - set(AUTHORITY_KINDS)):
        raise InvalidInput(f"不是主管部门或有关部门：{'、'.join(bad)}", code="INVALID_KIND")
    if admin_username and "competent_department" not in kinds:
        raise InvalidInput("辖区管理员设在主管部门：请同时设立主管部门", code="NO_COMPETENT")
    jurisdiction = jurisdiction_create(
        actor=actor, code=code, name=name, level=level, parent=parent
    )
    if version is not None:
        jurisdiction_bind(actor=actor, jurisdiction=jurisdiction, version=version)
    rb = version.load() if version is not None else None
    orgs = {
        kind: organization_create(
            actor=actor,
            jurisdiction=jurisdiction,
            kind=kind,
            name=authority_name(jurisdiction, kind, rb),
        )
        for kind in kinds
    }
    admin = None
    if admin_username:
        admin = user_create(
            actor=actor,
            organization=orgs["competent_department"],
            username=admin_username.strip(),
            password=admin_password,
            real_name=admin_real_name.strip() or admin_username.strip(),
            roles=[Role.LEADER, Role.ADMIN],
        )
    record(
        "jurisdiction.set_up",
        actor=actor,
        jurisdiction=jurisdiction,
        summary=f"设立辖区“{name}”：{'、'.join(o.name for o in orgs.values()) or '未设部门'}"
        + (f"；管理员{admin.display_name}" if admin else ""),
        after={
            "rulebook_version": version.pk if version else None,
            "organizations": [o.pk for o in orgs.values()],
            "admin": admin.pk if admin else None,
        },
    )
    return jurisdiction


@transaction.atomic
def rulebook_confirm(
    *, actor: User, jurisdiction: Jurisdiction, reason: str
) -> RulebookConfirmation:
    """The administrator confirms that the jurisdiction proceeds under its rulebook although it is
    not in force today (a 征求意见稿, or its 有效期 has ended). Recorded, with the reason."""
    authorize(actor, "rulebook.confirm", jurisdiction.pk)
    version = jurisdiction.rulebook
    if version is None:
        raise InvalidInput("本辖区尚未启用规则手册", code="NO_RULEBOOK")
    rb = version.load()
    status = rb.status_on(clock.today())
    if status == "in_force":
        raise Conflict(f"《{rb.title}》现行有效，无需确认", code="RULEBOOK_IN_FORCE")
    if not reason.strip():
        raise InvalidInput("请填写确认理由", code="REASON_REQUIRED")
    confirmation, created = RulebookConfirmation.objects.get_or_create(
        jurisdiction=jurisdiction,
        rulebook=version,
        status=status,
        defaults={"reason": reason, "confirmed_by": actor, "confirmed_at": clock.now()},
    )
    if created:
        record(
            "rulebook.confirmed",
            actor=actor,
            jurisdiction=jurisdiction,
            summary=f"确认在《{rb.title}》{STATUS_LABELS[status]}的情况下继续按其办理：{reason}",
            cite=status_cite(rb, status),
            after={"rulebook_version": version.pk, "status": status},
        )
    return confirmation


@transaction.atomic
def rulebook_validity_set(
    *, actor: User, jurisdiction: Jurisdiction, years: int, source: str, reason: str
) -> RulebookVersion:
    """The administrator records a validity the regulation's text does not state, with its basis
    outside the text (湘西 2013: 湖南省规范性文件有效期制度, 有效期一般不超过5年): the rulebook then
    expires 有效期N年 after its effective date, and declarations under it need the administrator's
    confirmation (rulebook_confirm) like any expired text's. Where the text states one (岳阳第四十一条
    有效期5年), it is the text's and cannot be set. A later setting replaces the earlier; each is
    an event with what it replaced."""
    authorize(actor, "jurisdiction.admin", jurisdiction.pk)
    version = jurisdiction.rulebook
    if version is None:
        raise InvalidInput("本辖区尚未启用规则手册", code="NO_RULEBOOK")
    version = RulebookVersion.objects.select_for_update().get(pk=version.pk)
    text = rulebook_from_text(version.yaml_text, f"{version.rulebook_id}.yaml")
    m = text.model
    if m.validity is not None:
        raise Conflict(
            f"《{m.title}》{m.validity.cite}已规定有效期{m.validity.years}年，不能另行录入",
            code="VALIDITY_STATED",
        )
    if m.effective_from is None:
        raise Conflict(f"《{m.title}》没有施行日期，无从计算有效期", code="NO_EFFECTIVE_DATE")
    if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= 50:
        raise InvalidInput("有效期应为1至50年的整数", code="INVALID_YEARS")
    source, reason = source.strip(), reason.strip()
    if not source:
        raise InvalidInput("请写明有效期的依据（文件名称和条款）", code="SOURCE_REQUIRED")
    if not reason:
        raise InvalidInput("请填写录入理由", code="REASON_REQUIRED")
    before = {"years": version.validity_years, "source": version.validity_source}
    version.validity_years, version.validity_source = years, source[:2000]
    version.validity_set_by, version.validity_set_at = actor, clock.now()
    version.save(
        update_fields=["validity_years", "validity_source", "validity_set_by", "validity_set_at"]
    )
    jurisdiction.rulebook = version  # the caller's jurisdiction reads the new term too
    until = version.load().effective_until
    assert until is not None  # a validity and an effective date: a last day
    record(
        "rulebook.validity_set",
        actor=actor,
        jurisdiction=jurisdiction,
        summary=f"录入《{m.title}》有效期{years}年（自{cn_date(m.effective_from.date)}起，"
        f"至{cn_date(until)}），依据：{source}；理由：{reason}",
        cite=m.effective_from.cite,
        before=before,
        after={"rulebook_version": version.pk, "years": years, "source": source},
    )
    return version


@transaction.atomic
def assignment_set(
    *, actor: User, jurisdiction: Jurisdiction, rule: str, organization: Organization, reason: str
) -> Assignment:
    """The administrator names the body for a rule its regulation leaves open (连平第二十二条: who
    organises the 档案验收): tasks of that rule go to it from then on. Recorded with the reason; an
    earlier assignment stays on record, superseded."""
    authorize(actor, "jurisdiction.admin", jurisdiction.pk)
    version = jurisdiction.rulebook
    if version is None:
        raise InvalidInput("本辖区尚未启用规则手册", code="NO_RULEBOOK")
    rules = {u.key: u for u in unstated_rules(version.load())}
    if rule not in rules:
        raise InvalidInput("规则手册中没有这项须由辖区指定的事项", code="INVALID_RULE")
    if (
        organization.jurisdiction_id != jurisdiction.pk
        or not organization.is_active
        or organization.kind in VENDOR_KINDS
    ):
        raise InvalidInput(
            "请选择本辖区启用中的机关或单位（不能是企业）", code="INVALID_ORGANIZATION"
        )
    if not reason.strip():
        raise InvalidInput("请填写指定理由（如局务会纪要、文件文号）", code="REASON_REQUIRED")
    found = rules[rule]
    assignment = Assignment.objects.create(
        jurisdiction=jurisdiction,
        rulebook_id=version.rulebook_id,
        rule=rule,
        organization=organization,
        reason=reason.strip(),
        created_by=actor,
        created_at=clock.now(),
    )
    record(
        "assignment.set",
        actor=actor,
        jurisdiction=jurisdiction,
        summary=f"指定{found.label}：{organization.name}（办法未规定：{found.note}）；理由：{reason.strip()}",
        cite=found.cite,
        after={"rule": rule, "organization": organization.pk, "assignment": assignment.pk},
    )
    return assignment
