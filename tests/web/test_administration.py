"""管理: a jurisdiction administrator registers organizations, creates users with their roles and adds
next year's holiday schedule — through the services, for their own jurisdiction only; everyone
else is refused and nothing changes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from govit.calendars import sync
from govit.calendars.models import CalendarYear
from govit.events.models import Event
from govit.organizations.models import Organization, Role, User
from govit.policy.calendar import default_calendar
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

PAGES = ("admin-home", "admin-organizations", "admin-users", "admin-calendar")
STRONG_PASSWORD = "Yueyang-clerk-2026"


@pytest.fixture(autouse=True)
def _engine_forgets_stored_years():
    sync.forget()
    yield
    sync.forget()


@pytest.fixture
def casts(tree):  # noqa: F811 - the fixture imported above
    return {key: make_cast(tree, key) for key in ("yueyang", "xiangxi")}


def get(client, user, name) -> str:
    client.force_login(user)
    response = client.get(reverse(name))
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def test_only_a_jurisdiction_administrator_opens_the_administration(client, casts):
    cast = casts["yueyang"]
    for name in PAGES:
        html = get(client, cast.user("admin"), name)
        assert cast.jurisdiction.name in html or name == "admin-calendar"
        assert 'aria-current="page">管理<' in html  # the section in the header
    before = Organization.objects.count()
    for who in ("competent_department", "unit", "audit", "finance.leader", "consultant"):
        client.force_login(cast.user(who))
        for name in PAGES:
            assert client.get(reverse(name)).status_code == 403, (who, name)
        response = client.post(
            reverse("admin-organizations"), {"kind": "contractor", "name": "冒名登记有限公司"}
        )
        assert response.status_code == 403
    assert Organization.objects.count() == before


def test_the_overview_counts_what_the_database_holds(client, casts):
    cast = casts["yueyang"]
    html = get(client, cast.user("admin"), "admin-home")
    orgs = Organization.objects.filter(jurisdiction=cast.jurisdiction)
    users = User.objects.filter(organization__jurisdiction=cast.jurisdiction)
    assert (
        f"本辖区登记单位 {orgs.count()} 个，其中启用 {orgs.filter(is_active=True).count()} 个"
        in html
    )
    assert f"本辖区各单位用户 {users.count()} 个" in html
    assert "工作日历已覆盖 2004—2026 年" in html and "2027年的安排尚未录入" in html


def test_organizations_of_the_own_jurisdiction_and_a_new_one_through_the_service(client, casts):
    cast, other = casts["yueyang"], casts["xiangxi"]
    admin = cast.user("admin")
    html = get(client, admin, "admin-organizations")
    for org in Organization.objects.filter(jurisdiction=cast.jurisdiction):
        row = re.search(rf"<th scope=\"row\">{re.escape(org.name)}</th>(.*?)</tr>", html, re.S)
        assert row, org.name
        assert f'<td class="num">{org.users.count()}</td>' in row.group(1)
    assert other.orgs["finance"].name not in html
    # one finance bureau per jurisdiction: the kind already registered is not offered
    options = re.search(r'<select name="kind"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert 'value="contractor"' in options and 'value="finance"' not in options

    response = client.post(
        reverse("admin-organizations"),
        {"kind": "contractor", "name": "岳阳数智科技有限公司", "credit_code": "91430600MA4L000001"},
    )
    assert response.status_code == 302
    made = Organization.objects.get(jurisdiction=cast.jurisdiction, name="岳阳数智科技有限公司")
    assert made.kind == "contractor" and made.credit_code == "91430600MA4L000001"
    assert Event.objects.filter(kind="organization.created", actor=admin).exists()
    assert "已登记单位“岳阳数智科技有限公司”" in client.get(response["Location"]).content.decode()

    before = Organization.objects.count()
    html = client.post(
        reverse("admin-organizations"), {"kind": "consultant", "name": "岳阳数智科技有限公司"}
    ).content.decode()
    assert "“岳阳数智科技有限公司”已登记" in html and Organization.objects.count() == before


def test_users_and_their_roles_are_listed_without_a_query_per_user(
    client, casts, django_assert_max_num_queries
):
    cast, other = casts["yueyang"], casts["xiangxi"]
    client.force_login(cast.user("admin"))
    with django_assert_max_num_queries(12):
        html = client.get(reverse("admin-users")).content.decode()
    mine = User.objects.filter(organization__jurisdiction=cast.jurisdiction)
    assert mine.count() > 20
    for user in mine.prefetch_related("roles"):
        row = re.search(rf"<td>{re.escape(user.username)}</td>(.*?)</tr>", html, re.S)
        assert row, user.username
        for role in user.roles.all():
            assert f'<span class="badge">{role.get_role_display()}</span>' in row.group(1)
    assert other.user("admin").username not in html
    admin_row = re.search(
        rf"<td>{re.escape(cast.user('admin').username)}</td>(.*?)</tr>", html, re.S
    )
    assert "辖区管理员" in admin_row.group(1) and "负责人" in admin_row.group(1)


def test_a_user_is_created_with_roles_and_a_refused_one_changes_nothing(client, casts):
    cast, other = casts["yueyang"], casts["xiangxi"]
    admin = cast.user("admin")
    client.force_login(admin)
    unit = cast.units["unit"]
    form = {
        "organization": unit.pk,
        "real_name": "李明",
        "username": "yueyang.unit.liming",
        "password": STRONG_PASSWORD,
        "roles": [Role.CLERK, Role.LEADER],
    }
    response = client.post(reverse("admin-users"), form)
    assert response.status_code == 302
    made = User.objects.get(username="yueyang.unit.liming")
    assert made.organization == unit and made.check_password(STRONG_PASSWORD)
    assert made.role_codes() == {Role.CLERK, Role.LEADER}
    assert Event.objects.filter(kind="user.created", actor=admin, after__user=made.pk).exists()
    assert (
        "已创建用户李明（yueyang.unit.liming）" in client.get(response["Location"]).content.decode()
    )

    before = User.objects.count()
    html = client.post(
        reverse("admin-users"), {**form, "username": "yueyang.unit.weak", "password": "12345678"}
    ).content.decode()
    assert "密码不符合要求" in html
    html = client.post(reverse("admin-users"), form).content.decode()
    assert "用户名“yueyang.unit.liming”已被使用" in html
    html = client.post(
        reverse("admin-users"),
        {**form, "username": "xiangxi.by.yueyang", "organization": other.units["unit"].pk},
    ).content.decode()
    assert 'class="error"' in html  # another jurisdiction's organization is not a choice
    assert User.objects.count() == before


SCHEDULE_2027 = {
    "off_0": "2027-01-01至2027-01-03",
    "off_1": "2027-02-06至2027-02-13",
    "on_1": "2027-01-31、2027-02-20",
    "off_6": "2027-10-01至2027-10-07",
    "on_6": "2027-09-26、2027-10-09",
    "source": "国务院办公厅关于2027年部分节假日安排的通知（测试数据）",
    "reason": "通知已公布，核对原文后录入",
}


def test_the_calendar_shows_the_years_it_covers_and_where_they_come_from(client, casts):
    html = get(client, casts["yueyang"].user("admin"), "admin-calendar")
    assert "已覆盖 23 个年度" in html
    row = re.search(r'<tr id="year-2026">(.*?)</tr>', html, re.S).group(1)
    assert "数据文件" in row and "春节放假" in row and "2月15日" in row
    assert "录入2027年的安排" in html
    for field in ("off_0", "on_0", "off_7", "other_name", "source", "reason"):
        assert re.search(rf'<label for="id_{field}">', html), field


def test_the_administrator_adds_next_years_schedule_and_every_server_counts_with_it(client, casts):
    admin = casts["yueyang"].user("admin")
    client.force_login(admin)
    response = client.post(reverse("admin-calendar"), SCHEDULE_2027)
    assert response.status_code == 302
    stored = CalendarYear.objects.get(year=2027)
    assert stored.created_by == admin and stored.reason == SCHEDULE_2027["reason"]
    assert Event.objects.filter(kind="calendar.year_added", actor=admin).exists()

    html = client.get(response["Location"]).content.decode()
    assert "已录入2027年的节假日安排" in html
    row = re.search(r'<tr id="year-2027">(.*?)</tr>', html, re.S).group(1)
    assert "管理界面录入" in row and admin.display_name in row and SCHEDULE_2027["reason"] in row
    assert '<td class="num">18</td><td class="num">4</td>' in row  # days off, days worked
    assert "已覆盖至2027年" in html and 'name="off_0"' not in html  # 2028 is not yet published

    # a server that had not read it: its next signed-in request loads the stored year
    sync.forget()
    assert 2027 not in default_calendar().years
    client.get(reverse("home"))
    work = default_calendar()
    assert work.is_working_day(dt.date(2027, 9, 26))  # a Sunday worked
    assert not work.is_working_day(dt.date(2027, 10, 4))


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"on_0": "2027-01-02"}, "以下日期既放假又调休上班：2027-01-02"),
        ({"on_1": "2027-03-10"}, "调休上班日应为周六或周日：2027-03-10（星期三）"),
        ({"off_2": "清明三天"}, "无法识别的日期：清明三天"),
        ({"off_3": "2028-05-01"}, "以下日期不属于2027年：2028-05-01"),
        ({"reason": ""}, "这个字段是必填项"),
    ],
)
def test_a_wrong_schedule_is_explained_and_nothing_is_stored(client, casts, change, words):
    client.force_login(casts["yueyang"].user("admin"))
    response = client.post(reverse("admin-calendar"), {**SCHEDULE_2027, **change})
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not CalendarYear.objects.exists()
    assert not Event.objects.filter(kind="calendar.year_added").exists()


def test_no_one_else_adds_a_year(client, casts):
    for who in ("competent_department", "unit", "audit"):
        client.force_login(casts["yueyang"].user(who))
        assert client.post(reverse("admin-calendar"), SCHEDULE_2027).status_code == 403
    assert not CalendarYear.objects.exists()


def test_roles_change_and_deactivation_are_recorded_and_the_last_admin_is_kept(client, casts):
    from govit.events.models import Event

    cast = casts["yueyang"]
    admin = cast.user("admin")
    clerk = cast.user("finance")
    client.force_login(admin)
    url = reverse("admin-user", args=[clerk.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"roles": ["clerk", "leader"], "is_active": "on", "reason": "岗位调整"}
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert sorted(clerk.roles.values_list("role", flat=True)) == ["clerk", "leader"]
    assert Event.objects.filter(
        kind="user.roles_changed", actor=admin, summary__contains="岗位调整"
    ).exists()
    client.post(url, {"roles": ["clerk", "leader"], "reason": "离职"})
    clerk.refresh_from_db()
    assert not clerk.is_active and Event.objects.filter(kind="user.deactivated").exists()
    # the jurisdiction's only administrator cannot lose the role, and nothing changes
    own = reverse("admin-user", args=[admin.pk])
    html = client.post(
        own, {"roles": ["leader"], "is_active": "on", "reason": "试试"}
    ).content.decode()
    assert "最后一位管理员" in html
    assert admin.roles.filter(role="admin").exists()
    # another jurisdiction's user is not found; a non-administrator is refused
    other = casts["xiangxi"].user("finance")
    assert client.get(reverse("admin-user", args=[other.pk])).status_code == 404
    client.force_login(cast.user("unit"))
    assert client.get(url).status_code == 403
