"""Boundaries and scope read as Chinese law reads them, and the readings the platform applies where
a text leaves a choice listed in the answer (issue 15, points 1, 2 and 6)."""

from __future__ import annotations

import datetime as dt

import pytest

from govit.policy import render
from govit.policy.articles import CitationError
from govit.policy.conditions import ConditionError, Context, ThresholdRef, compile_condition
from govit.policy.decide import decide
from govit.policy.loader import get_rulebook
from govit.policy.render import coverage_text
from tests.conftest import ask, codes, kinds

# --- 1. boundaries: 以上、以下、以内 include the number; 不满、超过、以外 do not ---------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("at_least", {49: False, 50: True, 51: True}),  # 50万元以上
        ("at_most", {49: True, 50: True, 51: False}),  # 50万元以下
        ("above", {49: False, 50: False, 51: True}),  # 超过50万元
        ("below", {49: True, 50: False, 51: False}),  # 不满50万元
    ],
)
def test_each_threshold_word_includes_or_excludes_the_number_as_the_civil_code_reads_it(
    word, expected
):
    ref = ThresholdRef("total_investment", 500_000, "第十二条", "备案制")
    condition = compile_condition({word: "t"}, {"t": ref})
    got = {wan: condition(Context({"total_investment": wan * 10_000})) for wan in expected}
    assert got == expected


def test_an_unknown_threshold_is_a_rulebook_error():
    with pytest.raises(ConditionError, match="未定义的限额"):
        compile_condition({"at_most": "nothing"}, {})


def test_lianping_article_12_puts_exactly_50_wan_under_filing_and_spares_it_the_cost_review():
    """连平第十二条: "预算在50万元以下的县级政务信息化项目，采取备案制管理……预算在50万元以下的项目
    无需经财政投资评审中心造价审核"."""
    at = ask("lianping", total_investment=500_000)
    assert at["track"] == "filing"
    assert "funds_review" not in kinds(at)  # the 财政投资评审中心's review is the approval track's
    assert "budget_review" in kinds(at)  # 造价审核由部门委托中介机构
    over = ask("lianping", total_investment=500_000.01)
    assert over["track"] == "approval"
    cost = [c for s in over["steps"] for c in s["checks"] if c["code"] == "COST_REVIEW"]
    assert cost and cost[0]["cite"] == "第十二条" and "超过50万元" in cost[0]["text"]


@pytest.mark.parametrize(
    ("rulebook", "amount", "organizer", "cite"),
    [
        # 岳阳第二十七条: "(一)总投资100万元以下…由建设单位组织竣工验收" /
        # "(二)总投资100万元(含)以上…由市行政审批服务局组织竣工验收"
        ("yueyang", 999_999, "construction_unit", "第二十七条第（一）项"),
        ("yueyang", 1_000_000, "competent_department", "第二十七条第（二）项"),
        # 临湘第二十六条: 200万元以下 / 200万元(含)以上
        ("linxiang", 1_999_999, "construction_unit", "第二十六条第（一）项"),
        ("linxiang", 2_000_000, None, "第二十六条第（二）项"),
    ],
)
def test_where_both_bands_name_the_number_the_explicit_han_decides_and_the_reading_is_listed(
    rulebook, amount, organizer, cite
):
    answer = ask(rulebook, total_investment=amount)
    assert answer["acceptance"]["cite"] == cite
    if organizer:
        assert answer["acceptance"]["organizer"] == organizer
    readings = [r for r in answer["interpretations"] if "(含)" in r["text"]]
    assert len(readings) == 1 and "以下" in readings[0]["reading"]


@pytest.mark.parametrize(("amount", "expert"), [(1_999_999, False), (2_000_000, True)])
def test_yueyang_article_16_sets_expert_review_at_200_wan_inclusive(amount, expert):
    """岳阳第十六条: "投资200万元(含)以上的项目应组织专家评审组进行评审"."""
    assert ask("yueyang", total_investment=amount)["expert_review_required"] is expert


# --- 2. scope: a project the regulation excludes gets none of its steps --------------------------


def test_lianping_article_5_lists_no_step_for_a_classified_project_and_says_why():
    """连平第五条: "本办法适用于非涉密县级政务信息化项目，涉密县级政务信息化项目按有关规定执行"."""
    answer = ask("lianping", classified=True, total_investment=3_000_000, involves_crypto=True)
    assert answer["steps"] == []
    assert answer["track"] is None and answer["acceptance"] is None
    assert answer["declaration"] is None and answer["interpretations"] == []
    assert codes(answer) == ["OUT_OF_SCOPE_CLASSIFIED"]
    only = answer["findings"][0]
    assert (only["severity"], only["cite"]) == ("block", "第五条")
    assert "涉密" in only["message"]


def test_a_project_inside_the_scope_keeps_every_step():
    assert len(ask("lianping", classified=False, total_investment=3_000_000)["steps"]) > 10


# --- readings listed where the text leaves a choice ----------------------------------------------


def test_the_declaration_deadline_reading_is_listed_with_its_article():
    """连平第六条第一款 "每年第三季度前" is read as before the third quarter begins (6月30日)."""
    answer = ask("lianping", total_investment=3_000_000)
    readings = {r["cite"]: r for r in answer["interpretations"]}
    assert "6月30日" in readings["第六条第一款"]["reading"]
    assert "第十二条" not in readings  # the 50万 reading touches only filing projects


def test_a_reading_with_a_condition_is_listed_only_for_the_projects_it_touches():
    small = decide("lianping", {"total_investment": 100_000})
    assert any(r["cite"] == "第十二条" for r in small["interpretations"])


# --- 11. citations: an item of an article with several paragraphs names its paragraph ------------


def test_an_item_of_an_article_of_several_paragraphs_is_cited_with_its_paragraph():
    """黑龙江第二十八条 has two paragraphs; its items are in the first: 第二十八条第一款第（一）项."""
    regulation = get_rulebook("heilongjiang").regulation
    assert "国家和省委" in regulation.resolve("第二十八条第一款第（一）项")[0].text
    with pytest.raises(CitationError, match="共2款，项须注明所在的款"):
        regulation.resolve("第二十八条第（一）项")
    data = get_rulebook("linxiang-data").model
    assert all(t.cite.startswith("第二十六条第一款第（") for t in data.data_sharing.open_exclusions)


# --- 8. expiry: dates after a regulation's end are not applied as law -----------------------------


def test_an_expired_regulation_sets_no_deadline_of_law_after_its_end():
    """临湘第三十八条: 有效期2年 from 2023-05-11, so the text ended on 2025-05-10; its 第十条
    "每年10月30日前" cannot make a 2025-10-30 deadline law."""
    answer = decide(
        "linxiang",
        {"total_investment": 1_000_000, "plan_year": 2026, "declared_on": "2025-12-01"},
        dt.date(2026, 12, 5),
    )
    assert answer["rulebook"]["status"] == "expired"
    assert answer["declaration"]["on_time"] is None
    late = [f for f in answer["findings"] if f["code"] == "DECLARATION_LATE"]
    assert late[0]["severity"] == "info" and "不作为法定期限" in late[0]["message"]
    expired = next(f for f in answer["findings"] if f["code"] == "RULEBOOK_EXPIRED")
    assert "仅作参照" in expired["message"] and expired["cite"] == "第三十八条"


def test_a_deadline_inside_the_validity_is_still_law():
    answer = decide(
        "linxiang",
        {"total_investment": 1_000_000, "plan_year": 2024, "declared_on": "2023-11-20"},
        dt.date(2023, 12, 1),
    )
    late = [f for f in answer["findings"] if f["code"] == "DECLARATION_LATE"]
    assert late[0]["severity"] != "info" and answer["declaration"]["on_time"] is False


def test_coverage_names_each_rule_as_a_reader_says_it_with_its_place_in_the_file():
    """Issue 15, point 11: a change reason reads 根据国家和省委、省政府部署确需改变建设内容, not only
    its code; the file's path follows for whoever edits the YAML."""
    text = coverage_text(get_rulebook("heilongjiang"))
    assert (
        "✓ 根据国家和省委、省政府部署确需改变建设内容（change.limits[3].policy_requirement）"
        "【第二十八条第一款第（一）项】"
    ) in text


# --- 4. bodies the text does not name: the jurisdiction's assignment, said as such ---------------


def test_who_organises_the_archive_acceptance_is_said_to_be_the_jurisdictions_choice():
    """连平第二十二条: "未进行档案验收或者档案验收不合格的，不得通过项目验收" — it names nobody."""
    answer = ask("lianping", total_investment=3_000_000)
    reading = next(r for r in answer["interpretations"] if r["cite"] == "第二十二条")
    assert "未规定由谁组织档案验收" in reading["text"]
    assert "辖区管理员指定" in reading["reading"] and "非办法规定" in reading["reading"]


@pytest.mark.parametrize(
    ("rulebook", "where", "words"),
    [
        ("heilongjiang", "第三十一条", "未规定由谁组织档案验收"),  # 档案验收
        ("heilongjiang", "第二十七条", "未规定退回何处"),  # 结余资金
        ("yueyang", "第三十八条", "未规定由哪个机关记入和公布"),  # 不良行为、黑名单
        ("linxiang", "第二十四条", "未规定由哪个机关审批变更"),  # 变更审批
        ("linxiang", "第三十五条", "未规定由哪个机关记入和公布"),
        ("linxiang-data", "第三十四条", "未指明具体机关"),  # 上级机关、主管部门、任免机关…
    ],
)
def test_a_body_the_text_leaves_open_is_marked_in_the_rulebook(rulebook, where, words):
    rb = get_rulebook(rulebook)
    m = rb.model
    rules = [*m.steps, *m.obligations, *m.penalties, *([m.change] if m.change else [])]
    notes = [n for r in rules if r.cite == where for n in r.unstated.values()]
    assert any(words in n for n in notes), (rulebook, where, notes)
    assert "由辖区指定" in render.show(rb)


def test_a_change_asked_under_linxiang_says_its_approver_is_the_jurisdictions_choice():
    answer = ask("linxiang", proposed_change={"amount": 10_000}, contract_amount=1_000_000)
    assert any(r["cite"] == "第二十四条" for r in answer["interpretations"])
    assert not any(r["cite"] == "第二十四条" for r in ask("linxiang")["interpretations"])
