"""岳阳第十八条第一款 and 第十九条, read as written (issue 15, point 5).

第十八条第一款: "政务信息化项目建设方案通过评审后,依法应立项审批的,由建设单位向市发改委申请立项" —
only a project that needs 立项审批 by law goes to the 发改委; the platform assumes it does unless
the unit says otherwise, and says which reading it applied.
第十九条: "由市机关事务管理局、市财政局依规依程序组织开展资产配置登记、财政投资评审" — two bodies,
each its part: the 机关事务管理局 is a co-actor of the budget review, not left out."""

from __future__ import annotations

import datetime as dt

from govit.policy.decide import decide
from govit.policy.loader import get_rulebook

ON = dt.date(2026, 10, 1)


def kinds(answer):
    return [s["kind"] for s in answer["steps"]]


def test_a_project_that_needs_no_approval_by_law_is_not_sent_to_the_development_commission():
    needs = decide("yueyang", {"total_investment": 800_000, "approval_required": True}, ON)
    assert "project_approval" in kinds(needs)
    approval = next(s for s in needs["steps"] if s["kind"] == "project_approval")
    assert (approval["actor"], approval["cite"]) == ("development_reform", "第十八条第一款")
    free = decide("yueyang", {"total_investment": 800_000, "approval_required": False}, ON)
    assert "project_approval" not in kinds(free)
    # the scheme review leads straight to the asset registration and the budget review
    assert kinds(free)[kinds(free).index("scheme_review") + 1] == "budget_review"


def test_unstated_it_is_assumed_and_the_reading_is_shown():
    answer = decide("yueyang", {"total_investment": 800_000}, ON)
    assert "project_approval" in kinds(answer)
    assumed = [f for f in answer["findings"] if f["code"] == "FACT_ASSUMED"]
    assert any("依法须立项审批" in f["message"] and f["cite"] == "第十八条第一款" for f in assumed)
    (reading,) = [i for i in answer["interpretations"] if i["cite"] == "第十八条第一款"]
    assert "依法应立项审批的" in reading["text"] and "缺省按须立项审批" in reading["reading"]
    article = get_rulebook("yueyang").regulation.article(18).text
    assert "依法应立项审批的,由建设单位向市发改委申请立项" in article


def test_the_offices_administration_registers_the_assets_beside_the_finance_bureau():
    answer = decide("yueyang", {"total_investment": 800_000}, ON)
    review = next(s for s in answer["steps"] if s["kind"] == "budget_review")
    assert (review["actor"], review["co_actors"], review["sign"]) == (
        "finance",
        ["offices_administration"],
        "all",
    )
    rb = get_rulebook("yueyang")
    assert rb.actor_name("offices_administration") == "市机关事务管理局"
    assert "市机关事务管理局、市财政局" in rb.regulation.article(19).text
