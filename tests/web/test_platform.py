"""The rulebook pages of administration: the jurisdiction administrator's confirmation to proceed
under a draft rulebook (连平), and the platform administrator's jurisdiction setup and rulebook
version binding — a project declared under v1 keeps v1 after v2 is bound; a new one gets v2."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from govit.core.errors import RuleRefused
from govit.events.models import Event
from govit.jurisdictions.models import Jurisdiction, RulebookConfirmation, RulebookVersion
from govit.organizations.models import Organization, Role, User
from govit.policy.loader import DEFAULT_RULEBOOK_DIR
from govit.projects import workflow
from tests.conftest import next_version
from tests.workflow import flows
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
PASSWORD = "Platform-admin-2026"
JUNE = dt.date(2026, 6, 10)  # within 连平's declaration period


@pytest.fixture
def casts(tree):  # noqa: F811 - the fixture imported above
    return {key: make_cast(tree, key) for key in ("yueyang", "lianping")}


@pytest.fixture
def platform_admin(db):
    return User.objects.create_superuser("platform", password=PASSWORD, real_name="平台管理员")


# --- the administrator's confirmation -----------------------------------------------------------


def test_a_draft_rulebook_is_confirmed_on_the_page_and_declarations_then_proceed(client, casts):
    cast = casts["lianping"]
    with pytest.raises(RuleRefused) as refused:
        flows.declared(cast, amount=800_000, on=JUNE)
    assert refused.value.code == "RULEBOOK_DRAFT"
    url = reverse("admin-rulebook")
    client.force_login(cast.user("admin"))
    assert "须确认后方可申报" in client.get(reverse("admin-home")).content.decode()
    html = client.get(url).content.decode()
    assert "征求意见稿（未生效）" in html and "本辖区的项目不能申报" in html
    assert f"（依据：{refused.value.cite}）" in html
    assert 'name="reason"' in html
    # the reason is required, at its field
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and not RulebookConfirmation.objects.exists()
    assert 'class="field has-error"' in response.content.decode()
    assert client.post(url, {"reason": "按二次征求意见稿试行"}).status_code == 302
    confirmation = RulebookConfirmation.objects.get()
    assert (confirmation.status, confirmation.reason, confirmation.confirmed_by) == (
        "draft",
        "按二次征求意见稿试行",
        cast.user("admin"),
    )
    html = client.get(url).content.decode()
    assert "已确认在规则手册征求意见稿（未生效）的情况下按其办理" in html
    assert "按二次征求意见稿试行" in html and cast.user("admin").display_name in html
    assert flows.declared(cast, amount=800_000, on=JUNE).declared_on is not None


def test_who_may_confirm(client, casts):
    cast, yueyang = casts["lianping"], casts["yueyang"]
    url = reverse("admin-rulebook")
    # not an administrator: refused (the administration pages are the administrator's)
    for who in ("competent_department", "unit", "finance.leader", "audit"):
        client.force_login(cast.user(who))
        assert client.get(url).status_code == 403, who
        assert client.post(url, {"reason": "越权"}).status_code == 403, who
    # an administrator outside the competent department reads, and is told why they cannot
    finance_admin = flows.colleague(cast, "finance", "lianping.finance.admin", roles=[Role.ADMIN])
    client.force_login(finance_admin)
    html = client.get(url).content.decode()
    assert "只有本辖区主管部门的管理员可以确认按非现行规则手册办理" in html
    assert 'name="reason"' not in html
    assert client.post(url, {"reason": "越权"}).status_code == 403
    # another jurisdiction's administrator sees their own rulebook, in force: nothing to confirm
    client.force_login(yueyang.user("admin"))
    html = client.get(url).content.decode()
    assert "现行有效" in html and "无需管理员确认" in html
    assert client.post(url, {"reason": "越权"}).status_code == 200
    assert not RulebookConfirmation.objects.exists()


# --- the platform: jurisdictions and rulebook versions -------------------------------------------


def test_only_the_platform_administrator_sets_up_jurisdictions(client, casts, platform_admin):
    cast = casts["yueyang"]
    pages = [
        reverse("platform-jurisdictions"),
        reverse("platform-jurisdiction", args=[cast.jurisdiction.pk]),
    ]
    before = Event.objects.count()
    for who in ("admin", "competent_department", "unit"):
        client.force_login(cast.user(who))
        for url in pages:
            assert client.get(url).status_code == 403, (who, url)
            assert client.post(url, {"code": "430700", "name": "常德市"}).status_code == 403
        register = reverse("platform-rulebook-register")
        assert client.post(register, {"rulebook_id": "yueyang"}).status_code == 403
        assert ">辖区和规则手册</a>" not in client.get(reverse("home")).content.decode()
    assert Event.objects.count() == before
    client.force_login(platform_admin)
    assert client.get(reverse("admin-home")).url == reverse("platform-jurisdictions")
    html = client.get(pages[0]).content.decode()
    assert 'aria-current="page">辖区和规则手册<' in html and "岳阳市" in html


def test_a_jurisdiction_set_up_on_the_page_has_its_authorities_and_an_administrator(
    client, casts, platform_admin
):
    v1 = casts["yueyang"].jurisdiction.rulebook
    client.force_login(platform_admin)
    data = {
        "code": "430602",
        "name": "岳阳楼区",
        "level": "county",
        "parent": casts["yueyang"].jurisdiction.pk,
        "version": v1.pk,
        "admin_username": "yyl.admin",
        "admin_real_name": "岳阳楼区管理员",
        "admin_password": PASSWORD,
    }
    response = client.post(reverse("platform-jurisdictions"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    made = Jurisdiction.objects.get(code="430602")
    assert (made.name, made.level, made.parent, made.rulebook) == (
        "岳阳楼区",
        "county",
        casts["yueyang"].jurisdiction,
        v1,
    )
    orgs = dict(Organization.objects.filter(jurisdiction=made).values_list("kind", "name"))
    # the offices the rulebook names, named as it names them, with the audit bureau and government
    assert orgs["competent_department"] == "岳阳楼区行政审批服务局"
    assert {"development_reform", "finance", "audit", "government"} <= set(orgs)
    admin = User.objects.get(username="yyl.admin")
    assert admin.organization.kind == "competent_department"
    assert admin.role_codes() == {Role.LEADER, Role.ADMIN}
    assert Event.objects.filter(kind="jurisdiction.set_up", jurisdiction_id=made.pk).exists()
    # the new administrator staffs it
    client.force_login(admin)
    html = client.get(reverse("admin-organizations")).content.decode()
    assert "岳阳楼区行政审批服务局" in html
    # the same code again: refused at the field, nothing added
    client.force_login(platform_admin)
    response = client.post(reverse("platform-jurisdictions"), data | {"admin_username": "x2"})
    assert response.status_code == 422
    assert "行政区划代码430602已登记" in response.content.decode()
    assert Jurisdiction.objects.filter(code="430602").count() == 1
    assert not User.objects.filter(username="x2").exists()


@pytest.fixture
def second_version(tmp_path, monkeypatch):
    """岳阳's rulebook file as v2: 专家评审 from 300万 instead of 200万 (第十六条)."""
    text = (DEFAULT_RULEBOOK_DIR / "yueyang.yaml").read_text(encoding="utf-8")
    old = "expert_review: {name: 专家评审组评审, amount: 2000000"
    assert text.count(old) == 1
    text = text.replace(old, old.replace("2000000", "3000000"))
    (tmp_path / "yueyang.yaml").write_text(next_version(text))
    monkeypatch.setenv("GOVIT_RULEBOOK_DIRS", str(tmp_path))


def test_a_project_declared_under_v1_keeps_v1_after_v2_is_bound(
    client, casts, platform_admin, second_version
):
    cast = casts["yueyang"]
    v1 = cast.jurisdiction.rulebook
    old = flows.declared(cast, name="按第一版申报的项目", amount=2_500_000)
    assert old.rulebook == v1 and workflow.decision(old)["expert_review_required"] is True
    client.force_login(platform_admin)
    client.post(reverse("platform-rulebook-register"), {"rulebook_id": "yueyang"})
    v2 = RulebookVersion.objects.get(rulebook_id="yueyang", version=v1.version + 1)
    url = reverse("platform-jurisdiction", args=[cast.jurisdiction.pk])
    assert client.post(url, {"version": v2.pk}).status_code == 302
    cast.jurisdiction.refresh_from_db()
    assert cast.jurisdiction.rulebook == v2
    html = client.get(url).content.decode()
    assert f"第{v1.version}版：1 个项目" in html
    # the old project: still v1, its steps and decide() answers unchanged
    old.refresh_from_db()
    assert old.rulebook == v1
    assert workflow.rulebook_of(old).model.version == v1.version
    assert workflow.decision(old)["expert_review_required"] is True
    assert old.steps.filter(kind="expert_review").exists()
    # a new declaration: v2, no 专家评审 at 250万
    new = flows.declared(cast, name="按第二版申报的项目", amount=2_500_000)
    assert new.rulebook == v2
    assert workflow.decision(new)["expert_review_required"] is False
    assert not new.steps.filter(kind="expert_review").exists()
    event = Event.objects.filter(kind="rulebook.bound").latest("id")
    assert event.actor_id == platform_admin.pk
    # binding the version already bound: refused at the field
    response = client.post(url, {"version": v2.pk})
    assert response.status_code == 422 and "本辖区已在适用此版本" in response.content.decode()


def test_the_pages_speak_english_in_english_mode(client, casts, platform_admin):
    cast = casts["yueyang"]
    pages = {
        cast.user("competent_department"): {
            "expert-pool": ["Register an expert", "experts in the pool"],
            "supervision": ["Penalties and credit records", "Impose a penalty", "Blacklist"],
            "delegations": ["New delegation", "Delegations I gave", "Delegations to me"],
        },
        cast.user("admin"): {"admin-rulebook": ["Rulebook:", "Past confirmations"]},
        platform_admin: {
            "platform-jurisdictions": ["Set up a jurisdiction", "Stored rulebook versions"]
        },
    }
    for user, named in pages.items():
        client.force_login(user)
        client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
        for name, texts in named.items():
            html = client.get(reverse(name)).content.decode()
            for text in texts:
                assert text in html, (name, text)
            for chinese in ("专家入库", "作出处理</h2>", "新建委托", "历次确认", "设立辖区"):
                assert chinese not in html, (name, chinese)
