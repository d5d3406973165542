"""The calendars tests add years to the database, which each test rolls back: the engine's
process-wide calendar must forget them too."""

from __future__ import annotations

import datetime as dt

import pytest

from govit.calendars import sync

D = dt.date

# A plausible 2027 schedule (test data, not the State Council's notice).
HOLIDAYS_2027 = {
    "元旦": [D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)],
    "春节": [D(2027, 2, 6) + dt.timedelta(days=i) for i in range(8)],  # 6–13 February
}
WORKDAYS_2027 = {"春节": [D(2027, 1, 31), D(2027, 2, 20)]}  # a Sunday and a Saturday
SOURCE_2027 = "国务院办公厅关于2027年部分节假日安排的通知（测试数据）"


@pytest.fixture(autouse=True)
def _engine_forgets_stored_years():
    sync.forget()
    yield
    sync.forget()


@pytest.fixture
def people(db):
    """A jurisdiction with its administrator and a few people who are not administrators (no
    rulebook: the calendar does not depend on one)."""
    from govit.access.services import jurisdiction_create, organization_create, user_create
    from govit.demo.cast import DEMO_PASSWORD
    from govit.organizations.models import Role
    from govit.organizations.services import system_user

    system = system_user()
    where = jurisdiction_create(actor=system, code="439900", name="测试市", level="city")
    made = {"jurisdiction": where}
    for kind, name in (
        ("competent_department", "测试市数据局"),
        ("audit", "测试市审计局"),
        ("construction_unit", "测试市教育局"),
    ):
        org = organization_create(actor=system, jurisdiction=where, kind=kind, name=name)
        for key, roles in {
            "competent_department": {"admin": [Role.LEADER, Role.ADMIN], "clerk": [Role.CLERK]},
            "audit": {"audit": [Role.AUDITOR]},
            "construction_unit": {"unit": [Role.CLERK, Role.LEADER]},
        }[kind].items():
            made[key] = user_create(
                actor=system,
                organization=org,
                username=f"test.{key}",
                password=DEMO_PASSWORD,
                real_name=f"测试{key}",
                roles=roles,
            )
    return made
