"""Through the API as on the pages: an expert's entry corrected with its reason, a delegation
revoked by the person who gave it, the blacklist in force — the same services and selectors."""

from __future__ import annotations

import datetime as dt

import pytest

from govit.events.models import Event
from govit.projects.services import delegation_create
from govit.reviews.models import Expert
from govit.reviews.services import expert_register
from govit.supervision.services import credit_record, credit_revoke
from tests.api.conftest import expect

pytestmark = pytest.mark.django_db


def test_the_competent_department_corrects_an_experts_entry_with_its_reason(api, casts):
    cast = casts["yueyang"]
    clerk = cast.user("competent_department")
    expert = expert_register(
        actor=clerk,
        jurisdiction=cast.jurisdiction,
        name="张工",
        specialties=["网络安全"],
        employer_name="某研究院",
    )
    path = f"/experts/{expert.pk}/correction"
    body = {
        "name": "张伟",
        "title": "高级工程师",
        "specialties": ["网络安全", "数据库", "网络安全"],
        "employer_name": "某大学",
        "reason": "姓名和单位录入有误",
    }
    refused = expect(api.as_(clerk).post(path, body | {"specialties": [" "]}), 422)
    assert refused["code"] == "INVALID_EXPERT"
    assert Expert.objects.get(pk=expert.pk).name == "张工"

    out = expect(api.as_(clerk).post(path, body), 200)
    assert (out["name"], out["title"], out["specialties"], out["employer_name"]) == (
        "张伟",
        "高级工程师",
        ["网络安全", "数据库"],
        "某大学",
    )
    event = Event.objects.get(kind="expert.updated")
    assert (event.actor, event.summary) == (clerk, "修改专家张伟的信息：姓名和单位录入有误")
    assert event.before["name"] == "张工" and event.after["name"] == "张伟"
    # another jurisdiction's department does not see the expert
    other = casts["xiangxi"].user("competent_department")
    expect(api.as_(other).post(path, body), 404)


def test_the_delegator_revokes_a_delegation_through_the_api(api, casts):
    cast = casts["yueyang"]
    clerk, leader = cast.user("competent_department"), cast.user("competent_department.leader")
    delegation = delegation_create(
        actor=clerk,
        delegate=leader,
        starts_on=dt.date(2026, 11, 23),
        ends_on=dt.date(2026, 11, 30),
        reason="出差",
    )
    path = f"/delegations/{delegation.pk}/revoke"
    expect(api.as_(cast.user("finance")).post(path, {"reason": "x"}), 404)
    out = expect(api.as_(clerk).post(path, {"reason": "提前返岗"}), 200)
    assert out["revoked_at"] is not None and out["delegate"] == leader.display_name
    event = Event.objects.get(kind="delegation.revoked")
    assert event.actor == clerk and event.summary.endswith("提前返岗")
    again = expect(api.as_(clerk).post(path, {"reason": "再撤一次"}), 409)
    assert again["code"] == "ALREADY_REVOKED"


def test_the_blacklist_lists_what_is_in_force_in_one_read(
    api, casts, django_assert_max_num_queries
):
    cast = casts["yueyang"]
    clerk, vendor = cast.user("competent_department"), cast.user("consultant").organization

    def blacklist(reason, until=None):
        return credit_record(
            actor=clerk,
            vendor=vendor,
            kind="blacklist",
            reason=reason,
            code="VENDOR_VIOLATION",
            until=until,
        )

    blacklist("串通投标")
    blacklist("已过有效期", until=dt.date(2026, 11, 22))
    credit_revoke(actor=clerk, entry=blacklist("已撤销"), reason="复核有误")
    blacklist("仍在有效期", until=dt.date(2026, 11, 23))
    reader = api.as_(cast.user("unit"))
    reader.get("/me")  # the token's first use (last_used) is not the list's
    with django_assert_max_num_queries(3):  # token, user, the list: not a query a record
        rows = expect(reader.get("/blacklist"), 200)
    assert [r["reason"] for r in rows] == ["仍在有效期", "串通投标"]
    assert expect(api.as_(casts["xiangxi"].user("unit")).get("/blacklist"), 200) == []


def test_an_expert_and_their_account_are_registered_together_or_not_at_all(api, casts):
    from govit.organizations.models import User

    cast = casts["yueyang"]
    body = {
        "name": "李专家",
        "specialties": ["网络安全"],
        "employer_name": "某研究院",
        "username": "yueyang.expert.li",
        "password": "Expert-pass-2026",
    }
    # a clerk of the competent department keeps the pool, but only the administrator opens accounts
    expect(api.as_(cast.user("competent_department")).post("/experts", body), 403)
    assert not Expert.objects.filter(name="李专家").exists()
    assert not User.objects.filter(username="yueyang.expert.li").exists()
    out = expect(api.as_(cast.user("admin")).post("/experts", body), 201)
    expert = Expert.objects.select_related("user").get(pk=out["id"])
    assert (expert.user.username, expert.user.real_name) == ("yueyang.expert.li", "李专家")
    assert expert.user.organization_id is None and expert.user.is_active
