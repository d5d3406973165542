"""统计 from the cache: the figures are computed once per (whose projects, day, language) and kept
for a quarter of an hour. Two users share them only when they may see the same projects: nothing
passes between jurisdictions, between an authority and a unit, or between a reader with the
auditor role and a colleague without it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govit.core import clock
from govit.organizations.models import Role, User, UserRole
from govit.projects.models import Project, ProjectStatus
from govit.projects.visibility import visible_projects
from tests.web.test_dashboard import page, wan, world  # noqa: F401 - the fixture
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixture
from tests.workflow.flows import colleague, declared

pytestmark = pytest.mark.django_db


def totals(html: str) -> tuple[str, str]:
    projects = html.split('<strong id="total-projects">')[1].split("<")[0]
    investment = html.split('<strong id="total-investment">')[1].split("<")[0]
    return projects, investment


def own(user: User) -> tuple[str, str]:
    """What the user's totals must be: its visible declared projects, added up one by one."""
    mine = visible_projects(user).exclude(status=ProjectStatus.DRAFT)
    return str(mine.count()), wan(sum((p.total_investment for p in mine), 0))


def test_each_reader_gets_the_figures_of_the_projects_it_may_see_whoever_came_first(
    client,
    world,  # noqa: F811
):
    cast = world
    other = Project.objects.exclude(jurisdiction=cast.jurisdiction).get().jurisdiction
    finance = cast.user("finance")
    reader_of_all = colleague(cast, "finance", "finance-auditor", roles=(Role.AUDITOR,))
    readers = [
        cast.user("competent_department"),
        cast.user("unit"),
        cast.user("other_unit"),
        finance,
        reader_of_all,
        cast.user("audit"),
        User.objects.get(
            organization__jurisdiction=other,
            organization__kind="competent_department",
            username__endswith="clerk",
        ),
    ]
    for user in readers:
        UserRole.objects.get_or_create(user=user, role=Role.CLERK)
    # the figures differ between these readers, so a leak would show
    assert own(finance) != own(reader_of_all) == own(cast.user("audit"))
    assert len({own(user) for user in readers}) >= 4
    for round_ in range(2):  # the second round from the cache
        for user in readers:
            html, _ = page(client, user)
            assert totals(html) == own(user), (round_, user.username)
            if user.organization.jurisdiction_id == cast.jurisdiction.pk:
                assert "岳阳" not in html


def test_the_second_reading_comes_from_the_cache_shared_within_the_organization(
    client,
    world,  # noqa: F811
):
    cast = world
    first = cast.user("competent_department")
    html, _ = page(client, first)
    assert "数据每 15 分钟更新一次，本次统计于" in html
    same_office = colleague(cast, "competent_department", "competent-2")
    client.force_login(same_office)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(reverse("dashboard")).content.decode()
    # the statistics: none of them read again (the header's figure of the reader's own duties,
    # one query of counts on every page — govit/web/duties.py — aside)
    header = "SELECT (SELECT COUNT("
    sql = " ".join(q["sql"] for q in queries if not q["sql"].startswith(header))
    assert "projects_projectstep" not in sql and "projects_task" not in sql
    assert totals(again) == totals(html) == own(first)


def test_a_new_day_counts_again(client, tree):  # noqa: F811
    cast = make_cast(tree, "yueyang")
    competent = cast.user("competent_department")
    declared(cast, name="岳阳市智慧教育平台", amount=1_000_000)
    with clock.frozen(dt.date(2026, 11, 23)):
        html, _ = page(client, competent)
        assert totals(html) == ("1", "100.00")
    declared(cast, name="岳阳市远程会诊系统", amount=650_000, unit="other_unit")
    with clock.frozen(dt.date(2026, 11, 24)):
        html, _ = page(client, competent)
        assert totals(html) == ("2", "165.00") == own(competent)
