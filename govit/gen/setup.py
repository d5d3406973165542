"""The people of a province, made once through the services a real administrator uses: the five
jurisdictions with their rulebooks, every authority (a clerk and a leader each), construction units
and vendors. The generated volume hangs off what this module returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from govit.access.services import organization_create, rulebook_confirm
from govit.core import clock
from govit.demo import catalog
from govit.demo.cast import JURISDICTIONS, add_unit, add_vendor, build_tree, staff
from govit.gen import names
from govit.jurisdictions.models import Jurisdiction, RulebookVersion
from govit.organizations.models import Organization, User
from govit.organizations.services import system_user
from govit.policy.loader import LoadedRulebook

PLACES = catalog.PLACES  # the five jurisdictions bound to a rulebook
VENDOR_SHARE = {"contractor": 6, "supervisor": 2, "consultant": 1, "agent": 1, "evaluator": 1}


@dataclass(frozen=True)
class Person:
    """What an event snapshots of its actor."""

    id: int | None
    name: str
    org_id: int | None
    org_name: str
    roles: str

    @classmethod
    def of(cls, user: User) -> Person:
        org = user.organization
        return cls(
            user.pk,
            user.display_name[:100],
            org.pk if org else None,
            org.name[:200] if org else "",
            ",".join(sorted(user.role_codes())),
        )


SYSTEM = Person(None, "系统", None, "", "")


@dataclass
class Org:
    id: int
    name: str
    kind: str
    clerk: Person
    leader: Person


@dataclass
class Place:
    key: str
    jurisdiction: Jurisdiction
    version: RulebookVersion
    rb: LoadedRulebook
    authorities: dict[str, Org] = field(default_factory=dict)
    units: list[Org] = field(default_factory=list)
    vendors: dict[str, list[Org]] = field(default_factory=dict)
    confirmations: dict[str, int] = field(default_factory=dict)  # rulebook status → confirmation
    floor: dt.date = dt.date(2019, 1, 2)  # no project of this place was declared before
    expires_on: dt.date | None = None

    @property
    def admin(self) -> Person:
        return self.authorities["competent_department"].leader


def scale(projects: int) -> dict[str, int]:
    """How many units, vendors and experts a jurisdiction of this many projects has."""
    per_place = max(1, projects // len(PLACES))
    return {
        "units": max(4, min(80, per_place // 120)),
        "vendors": max(1, min(4, per_place // 2500)),  # times VENDOR_SHARE
        "experts": max(12, min(200, per_place // 50)),
    }


def build(projects: int, *, today: dt.date) -> dict[str, Place]:
    """Make (or find: every step is idempotent) the people; call inside one transaction."""
    sizes = scale(projects)
    # the platform was set up before the first project the generator dates back to
    with clock.frozen(dt.datetime(today.year - 8, 1, 3, 9, 0, tzinfo=clock.CHINA)):
        tree = build_tree()
        places = {key: _place(key, tree[key], sizes) for key in PLACES}
    for place in places.values():
        status = place.rb.status_on(today)
        if status != "in_force":
            confirmation = rulebook_confirm(
                actor=User.objects.get(pk=place.admin.id),
                jurisdiction=place.jurisdiction,
                reason="本辖区尚无现行办法，经研究按此稿（文本）继续办理",
            )
            place.confirmations[status] = confirmation.pk
        m = place.rb.model
        if m.effective_from is not None:
            place.floor = max(place.floor, m.effective_from.date)
        else:  # a draft: in use since the consultation began, say two years ago
            place.floor = max(place.floor, dt.date(today.year - 2, 1, 2))
        if m.validity is not None and m.effective_from is not None:
            start = m.effective_from.date
            place.expires_on = start.replace(year=start.year + m.validity.years)
    return places


def _place(key: str, jurisdiction: Jurisdiction, sizes: dict[str, int]) -> Place:
    actor = system_user()
    for kind, name in catalog.AUTHORITY_NAMES[key].items():
        if not Organization.objects.filter(jurisdiction=jurisdiction, kind=kind).exists():
            organization_create(actor=actor, jurisdiction=jurisdiction, kind=kind, name=name)
    cast = staff(jurisdiction, prefix=key)
    version = jurisdiction.rulebook
    place = Place(key, jurisdiction, version, version.load())
    for kind, org in cast.orgs.items():
        place.authorities[kind] = Org(
            org.pk,
            org.name,
            kind,
            Person.of(cast.user(kind)),
            Person.of(cast.user(f"{kind}.leader")),
        )
    short = JURISDICTIONS[key][1]
    short = short[:-1] if short.endswith(("市", "县", "省")) else short
    for i in range(sizes["units"]):
        dept = names.DEPARTMENTS[i % len(names.DEPARTMENTS)]
        sub = names.SUBORDINATES[(i // len(names.DEPARTMENTS)) % len(names.SUBORDINATES)]
        name = f"{JURISDICTIONS[key][1]}{dept}{sub}"
        unit_key = f"unit{i + 1:03d}"
        org = add_unit(cast, name, key=unit_key, prefix=key)
        place.units.append(
            Org(
                org.pk,
                org.name,
                "construction_unit",
                Person.of(cast.user(unit_key)),
                Person.of(cast.user(f"{unit_key}.leader")),
            )
        )
    n = 0
    for kind, share in VENDOR_SHARE.items():
        place.vendors[kind] = []
        for i in range(share * sizes["vendors"]):
            prefix = names.VENDOR_PREFIXES[
                (n * 5 + PLACES.index(key) * 3) % len(names.VENDOR_PREFIXES)
            ]
            n += 1
            name = f"{short}{prefix}{names.VENDOR_SUFFIXES[kind]}"
            if i >= len(names.VENDOR_PREFIXES) or any(o.name == name for o in place.vendors[kind]):
                name = f"{short}{prefix}{i + 1}号{names.VENDOR_SUFFIXES[kind]}"
            vendor_key = f"{kind}{i + 1}"
            org = add_vendor(cast, name, kind, key=vendor_key, prefix=key)
            person = Person.of(cast.user(vendor_key))
            place.vendors[kind].append(Org(org.pk, org.name, kind, person, person))
    return place
