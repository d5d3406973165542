"""专家库 page: the competent department registers experts, corrects an entry and marks one
unavailable or available again — what the draw then uses; the audit bureau reads; everyone else,
and another jurisdiction, is refused and nothing changes. A meeting short of experts links here."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govit.events.models import Event
from govit.reviews.models import Expert, ReviewMeeting
from govit.reviews.selectors import eligibility
from govit.reviews.services import meeting_create
from tests.reviews.test_draw import SPECIALTY, register
from tests.workflow import flows
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def casts(tree):  # noqa: F811 - the fixture imported above
    return {key: make_cast(tree, key) for key in ("yueyang", "xiangxi")}


@pytest.fixture
def cast(casts):
    return casts["yueyang"]


def new_expert(**fields):
    data = {
        "name": "周评审",
        "title": "高级工程师",
        "specialties": "教育信息化、网络安全",
        "employer": "",
        "employer_name": "湖南大学",
    }
    return data | fields


def test_who_reads_and_who_keeps_the_pool(client, casts):
    cast, other = casts["yueyang"], casts["xiangxi"]
    expert = register(cast, "李一")
    register(other, "湘西专家")
    url = reverse("expert-pool")
    for who in ("competent_department", "competent_department.leader", "audit"):
        client.force_login(cast.user(who))
        html = client.get(url).content.decode()
        assert "李一" in html and "湘西专家" not in html  # own jurisdiction only
        assert client.get(reverse("expert-pool-expert", args=[expert.pk])).status_code == 200
    # what the rulebook says of the pool, with the article to open (岳阳第十七条)
    assert "评审专家原则上从专家库中抽取" in html and ">第十七条</summary>" in html
    # the header offers the pool to the competent department and the auditor
    assert ">专家库</a>" in html
    # the auditor reads, writes nothing: no form, a POST refused
    assert 'name="specialties"' not in html
    before = Event.objects.count()
    for who in ("audit", "unit", "finance", "consultant"):
        client.force_login(cast.user(who))
        assert client.post(url, new_expert()).status_code == 403, who
        assert (
            client.post(
                reverse("expert-pool-availability", args=[expert.pk]),
                {"available": "0", "reason": "冒名"},
            ).status_code
            == 403
        )
    for who in ("unit", "finance", "consultant"):
        client.force_login(cast.user(who))
        assert client.get(url).status_code == 403, who
        assert ">专家库</a>" not in client.get(reverse("home")).content.decode()
    # another jurisdiction's competent department: the expert is not found, nothing changes
    client.force_login(other.user("competent_department"))
    assert client.get(reverse("expert-pool-expert", args=[expert.pk])).status_code == 404
    response = client.post(
        reverse("expert-pool-expert", args=[expert.pk]),
        new_expert(name="改名", reason="越权"),
    )
    assert response.status_code == 404
    assert Event.objects.count() == before
    expert.refresh_from_db()
    assert expert.name == "李一" and expert.available


def test_a_registered_expert_is_in_the_draw_and_an_employer_makes_them_step_aside(client, cast):
    project = flows.yueyang_in_expert_review(cast)
    client.force_login(cast.user("competent_department"))
    response = client.post(
        reverse("expert-pool"),
        new_expert(employer=cast.units["unit"].pk, employer_name=""),
    )
    assert response.status_code == 302
    expert = Expert.objects.get(name="周评审")
    assert expert.specialties == ["教育信息化", "网络安全"]
    assert expert.employer == cast.units["unit"] and expert.employer_name == cast.units["unit"].name
    assert Event.objects.filter(kind="expert.registered").latest("id").actor_id == (
        cast.user("competent_department").pk
    )
    meeting = meeting_create(
        actor=cast.user("competent_department"),
        project=project,
        specialty=SPECIALTY,
        size=1,
    )
    eligible, excluded = eligibility(meeting)
    assert expert not in eligible
    assert {"id": expert.pk, "name": "周评审", "reason": "受聘于本项目建设单位，须回避"} in excluded
    # corrected: another employer, with the reason — now eligible; before and after recorded
    response = client.post(
        reverse("expert-pool-expert", args=[expert.pk]),
        new_expert(employer_name="中南大学", reason="工作单位登记有误"),
    )
    assert response.status_code == 302
    expert.refresh_from_db()
    assert expert.employer is None and expert.employer_name == "中南大学"
    event = Event.objects.filter(kind="expert.updated").latest("id")
    assert "工作单位登记有误" in event.summary
    assert event.before["employer_name"] == cast.units["unit"].name
    assert event.after["employer_name"] == "中南大学"
    assert expert in eligibility(meeting)[0]


def test_unavailable_needs_a_reason_and_leaves_the_draw_until_available_again(client, cast):
    expert = register(cast, "李二")
    client.force_login(cast.user("competent_department"))
    url = reverse("expert-pool-availability", args=[expert.pk])
    response = client.post(url, {"available": "0", "reason": ""}, follow=True)
    assert "请说明不可抽取的原因" in response.content.decode()
    expert.refresh_from_db()
    assert expert.available
    client.post(url, {"available": "0", "reason": "出国访学至2027年6月"})
    expert.refresh_from_db()
    assert not expert.available and expert.unavailable_reason == "出国访学至2027年6月"
    html = client.get(reverse("expert-pool")).content.decode()
    assert "暂停抽取" in html and "出国访学至2027年6月" in html
    client.post(url, {"available": "1"})
    expert.refresh_from_db()
    assert expert.available and expert.unavailable_reason == ""
    assert Event.objects.filter(kind="expert.availability_changed").count() == 2


def test_a_refused_entry_is_shown_at_its_field_and_nothing_is_stored(client, cast):
    client.force_login(cast.user("competent_department"))
    before = Expert.objects.count()
    response = client.post(reverse("expert-pool"), new_expert(specialties="、 ,", employer_name=""))
    html = response.content.decode()
    assert response.status_code == 422
    assert "请至少填写一个专业领域" in html and "请选择或填写工作单位" in html
    assert Expert.objects.count() == before


def test_a_meeting_short_of_experts_links_to_the_pool(client, cast):
    project = flows.yueyang_in_expert_review(cast)
    register(cast, "李一")
    meeting = meeting_create(
        actor=cast.user("competent_department"),
        project=project,
        specialty=SPECIALTY,
        size=3,
    )
    client.force_login(cast.user("competent_department"))
    html = client.get(reverse("expert-meeting", args=[meeting.pk])).content.decode()
    assert "请扩充专家库" in html
    assert f'<a href="{reverse("expert-pool")}">扩充专家库 →</a>' in html
    assert ReviewMeeting.objects.get(pk=meeting.pk).status == "planned"


def test_an_administrator_registers_an_expert_with_a_sign_in_account(client, cast):
    client.force_login(cast.user("competent_department"))
    clerk_html = client.get(reverse("expert-pool")).content.decode()
    assert 'name="username"' not in clerk_html  # a clerk creates no accounts
    admin = cast.user("admin")  # the competent department's leader, the administrator
    client.force_login(admin)
    assert 'name="username"' in client.get(reverse("expert-pool")).content.decode()
    data = new_expert(username="expert.zhou", password="Expert-zhou-2026")
    assert client.post(reverse("expert-pool"), data).status_code == 302
    expert = Expert.objects.get(name="周评审")
    assert expert.user.username == "expert.zhou" and expert.user.organization is None
    assert client.login(username="expert.zhou", password="Expert-zhou-2026")
    assert client.get(reverse("expert-my-meetings")).status_code == 200
    # a user name already taken: refused at its field, and neither the entry nor an account stays
    client.force_login(admin)
    response = client.post(reverse("expert-pool"), data | {"name": "钱评审"})
    assert response.status_code == 422
    assert "用户名“expert.zhou”已被使用" in response.content.decode()
    assert not Expert.objects.filter(name="钱评审").exists()
