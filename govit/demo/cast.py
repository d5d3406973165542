"""Build a jurisdiction bound to a rulebook, with every authority, users and roles — through the
same services a real administrator uses, so that the demo and the tests exercise the real path."""

from __future__ import annotations

from dataclasses import dataclass, field

from govit.access.services import (
    jurisdiction_bind,
    jurisdiction_create,
    organization_create,
    rulebook_register,
    user_create,
)
from govit.jurisdictions.models import Jurisdiction, RulebookVersion
from govit.jurisdictions.selectors import authority_name
from govit.organizations.models import Organization, Role, User
from govit.organizations.services import system_user
from govit.policy.loader import rulebook_paths
from govit.policy.vocab import AUTHORITY_KINDS

DEMO_PASSWORD = "GovIT-demo-2026"

# 行政区划代码 of the jurisdictions the regulations belong to, with their parents.
JURISDICTIONS = {
    "hunan": ("430000", "湖南省", "province", None, None),
    "yueyang": ("430600", "岳阳市", "city", "hunan", "yueyang"),
    "linxiang": ("430682", "临湘市", "county", "yueyang", "linxiang"),
    "xiangxi": ("433100", "湘西土家族苗族自治州", "prefecture", "hunan", "xiangxi"),
    "heilongjiang": ("230000", "黑龙江省", "province", None, "heilongjiang"),
    "guangdong": ("440000", "广东省", "province", None, None),
    "heyuan": ("441600", "河源市", "city", "guangdong", None),
    "lianping": ("441623", "连平县", "county", "heyuan", "lianping"),
}


def register_rulebooks() -> dict[str, RulebookVersion]:
    actor = system_user()
    return {
        rid: rulebook_register(actor=actor, rulebook_id=rid) for rid in sorted(rulebook_paths())
    }


@dataclass
class Cast:
    """A jurisdiction and who works in it."""

    jurisdiction: Jurisdiction
    orgs: dict[str, Organization] = field(default_factory=dict)  # authority kind → organization
    users: dict[str, User] = field(
        default_factory=dict
    )  # "finance" / "finance.leader" / "admin" / …
    units: dict[str, Organization] = field(default_factory=dict)

    def user(self, key: str) -> User:
        return self.users[key]


def build_tree(versions: dict[str, RulebookVersion] | None = None) -> dict[str, Jurisdiction]:
    actor = system_user()
    versions = versions or register_rulebooks()
    made: dict[str, Jurisdiction] = {}
    for key, (code, name, level, parent, rulebook) in JURISDICTIONS.items():
        jurisdiction = Jurisdiction.objects.filter(code=code).first()
        if jurisdiction is None:
            jurisdiction = jurisdiction_create(
                actor=actor,
                code=code,
                name=name,
                level=level,
                parent=made.get(parent) if parent else None,
            )
        if rulebook and jurisdiction.rulebook_id != versions[rulebook].pk:
            jurisdiction_bind(actor=actor, jurisdiction=jurisdiction, version=versions[rulebook])
        made[key] = jurisdiction
    return made


def staff(jurisdiction: Jurisdiction, *, prefix: str) -> Cast:
    """Every authority the rulebook names (plus audit and government), each with a clerk and a
    leader; the competent department's leader is the jurisdiction's administrator."""
    actor = system_user()
    cast = Cast(jurisdiction=jurisdiction)
    rb = jurisdiction.rulebook.load() if jurisdiction.rulebook else None
    for kind in AUTHORITY_KINDS:
        org = Organization.objects.filter(jurisdiction=jurisdiction, kind=kind).first()
        if org is None:
            org = organization_create(
                actor=actor,
                jurisdiction=jurisdiction,
                kind=kind,
                name=authority_name(jurisdiction, kind, rb),
            )
        cast.orgs[kind] = org
        for role_name, roles in (("clerk", [Role.CLERK]), ("leader", [Role.LEADER])):
            username = f"{prefix}.{kind}.{role_name}"
            user = User.objects.filter(username=username).first()
            if user is None:
                if kind == "competent_department" and role_name == "leader":
                    roles = [Role.LEADER, Role.ADMIN]
                if kind == "audit":
                    roles = [Role.AUDITOR]
                user = user_create(
                    actor=actor,
                    organization=org,
                    username=username,
                    password=DEMO_PASSWORD,
                    real_name=f"{org.name[-6:]}{'经办人' if role_name == 'clerk' else '负责人'}",
                    roles=roles,
                )
            cast.users[kind if role_name == "clerk" else f"{kind}.leader"] = user
    cast.users["admin"] = cast.users["competent_department.leader"]
    return cast


def add_unit(cast: Cast, name: str, *, key: str, prefix: str) -> Organization:
    actor = system_user()
    org = Organization.objects.filter(jurisdiction=cast.jurisdiction, name=name).first()
    if org is None:
        org = organization_create(
            actor=actor, jurisdiction=cast.jurisdiction, kind="construction_unit", name=name
        )
    cast.units[key] = org
    for role_name, roles in (("clerk", [Role.CLERK]), ("leader", [Role.LEADER])):
        username = f"{prefix}.{key}.{role_name}"
        user = User.objects.filter(username=username).first() or user_create(
            actor=actor,
            organization=org,
            username=username,
            password=DEMO_PASSWORD,
            real_name=f"{name[-6:]}{'经办人' if role_name == 'clerk' else '负责人'}",
            roles=roles,
        )
        cast.users[key if role_name == "clerk" else f"{key}.leader"] = user
    return org


def add_vendor(cast: Cast, name: str, kind: str, *, key: str, prefix: str) -> Organization:
    actor = system_user()
    org = Organization.objects.filter(jurisdiction=cast.jurisdiction, name=name).first()
    if org is None:
        org = organization_create(actor=actor, jurisdiction=cast.jurisdiction, kind=kind, name=name)
    username = f"{prefix}.{key}"
    cast.users[key] = User.objects.filter(username=username).first() or user_create(
        actor=actor,
        organization=org,
        username=username,
        password=DEMO_PASSWORD,
        real_name=f"{name[:6]}联系人",
    )
    return org
