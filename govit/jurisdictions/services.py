"""Writes about jurisdictions: register rulebook versions, set up a jurisdiction (its authorities
and first administrator), bind a jurisdiction to a version, and the administrator's confirmation to proceed under a rulebook that is a draft or has expired."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from govit.access.policy import authorize
from govit.core import clock
from govit.core.digest import sm3
from govit.core.errors import Conflict, InvalidInput
from govit.events.services import record
from govit.jurisdictions.models import Jurisdiction, Level, RulebookConfirmation, RulebookVersion
from govit.jurisdictions.selectors import authority_name, status_cite
from govit.organizations.models import AUTHORITY_KINDS, Role, User
from govit.organizations.services import organization_create, user_create
from govit.policy.loader import rulebook_from_text, rulebook_paths
from govit.policy.vocab import STATUS_LABELS


def _require_superuser(actor: User) -> None:
    if not actor.is_superuser:
        from govit.core.errors import PermissionDenied

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
