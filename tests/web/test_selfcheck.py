"""合规自检: a unit states its facts and sees decide()'s answer as a procedure map, each line with
its article; due dates in official working days; bad input answered per field in Chinese."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from govit.policy.calendar import default_calendar
from govit.policy.decide import decide
from govit.policy.facts import FACTS, Facts
from govit.policy.loader import all_rulebooks, get_rulebook
from tests.conftest import ON
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

URL = "selfcheck"


def cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def step_item(html: str, kind: str) -> str:
    """The map's entry for one step."""
    assert f'id="map-{kind}"' in html, kind
    return html.split(f'id="map-{kind}"', 1)[1].split("</li>\n", 1)[0]


def wan(amount: Decimal) -> str:
    return f"{(Decimal(amount) / 10000).normalize():f}"


@pytest.fixture
def unit(tree):  # noqa: F811
    return make_cast(tree, "yueyang").user("unit")


def test_the_form_asks_for_every_fact_the_engine_takes_in_chinese(client, unit):
    client.force_login(unit)
    response = client.get(reverse(URL))
    assert response.status_code == 200
    html = response.content.decode()
    for name in Facts.model_fields:
        if name == "step_started_on":  # the page's one start date stands for it
            continue
        assert escape(FACTS[name].label) in html, name
    # the values the engine names, with what it assumes when a fact is not stated
    for value, label in FACTS["construction_type"].values.items():
        assert f'<option value="{value}">{escape(label)}</option>' in html
    assert escape(f"未说明（按“{FACTS['classified'].default_label}”判断）") in html
    # the unit's own jurisdiction's rulebook is the default
    assert '<option value="yueyang" selected>' in html


def test_yueyang_300_wan_goes_through_the_expert_review_with_its_article(client, unit):
    rb = get_rulebook("yueyang")
    rule = next(s for s in rb.model.steps if s.kind == "expert_review")
    client.force_login(unit)
    response = client.get(reverse(URL), {"rulebook": "yueyang", "total_investment": "300"})
    assert response.status_code == 200
    html = response.content.decode()
    item = step_item(html, "expert_review")
    assert escape(rule.name) in item
    assert f">{rule.cite}</summary>" in item
    assert escape(rb.cite_text(rule.cite).splitlines()[0][:30]) in item  # the article's words
    assert f"{reverse('rulebook-detail', args=['yueyang'])}#{rule.cite}" in item
    # its check, with the article that says so
    check = rule.checks[0]
    assert escape(check.text) in item and f">{check.cite}</summary>" in item
    # the steps in the order decide() gives them
    answer = decide(rb, {"total_investment": 3_000_000}, ON)
    positions = [html.index(f'id="map-{s["kind"]}"') for s in answer["steps"]]
    assert positions == sorted(positions)


def test_below_the_threshold_there_is_no_expert_review(client, unit):
    threshold = get_rulebook("yueyang").model.thresholds["expert_review"].amount
    client.force_login(unit)
    below = wan(threshold - 1)
    html = client.get(
        reverse(URL), {"rulebook": "yueyang", "total_investment": below}
    ).content.decode()
    assert 'id="map-scheme_review"' in html and 'id="map-expert_review"' not in html
    html = client.get(
        reverse(URL), {"rulebook": "yueyang", "total_investment": wan(threshold)}
    ).content.decode()
    assert 'id="map-expert_review"' in html


def timed_step() -> tuple[str, dict]:
    """A rulebook step with a working-day limit, found in the data (岳阳 sets none)."""
    for rb in sorted(all_rulebooks(), key=lambda rb: rb.id):
        for step in decide(rb, {"total_investment": 3_000_000}, ON)["steps"]:
            if step["working_days"]:
                return rb.id, step
    raise AssertionError("no rulebook sets a working-day limit")


def test_due_dates_are_counted_in_official_working_days_from_the_start_date(client, unit):
    rulebook, step = timed_step()
    start = dt.date(2026, 9, 28)  # the National Day holiday falls inside the limit
    due = default_calendar().add_working_days(start, step["working_days"])
    assert (due - start).days > step["working_days"]  # holidays and weekends were skipped
    client.force_login(unit)
    html = client.get(
        reverse(URL),
        {"rulebook": rulebook, "total_investment": "300", "start_on": start.isoformat()},
    ).content.decode()
    item = step_item(html, step["kind"])
    assert f"时限：{step['working_days']}个工作日" in item
    assert f"到期 {cn(due)}" in item
    assert f">{step['cite']}</summary>" in item


def test_without_a_start_date_the_due_dates_count_from_today(client, unit):
    rulebook, step = timed_step()
    due = default_calendar().add_working_days(ON, step["working_days"])
    client.force_login(unit)
    html = client.get(
        reverse(URL), {"rulebook": rulebook, "total_investment": "300"}
    ).content.decode()
    assert f"到期 {cn(due)}" in step_item(html, step["kind"])


def test_findings_and_gates_name_their_articles(client, unit):
    rb = get_rulebook("xiangxi")
    gate = next(g for g in rb.model.gates if g.effect == "no_new_projects" and g.when is not None)
    client.force_login(unit)
    answer = decide(rb, {"total_investment": 3_000_000, "unfinished_prior_year_projects": 1}, ON)
    found = next(f for f in answer["findings"] if f["code"] == gate.code)
    html = client.get(
        reverse(URL),
        {"rulebook": "xiangxi", "total_investment": "300", "unfinished_prior_year_projects": "1"},
    ).content.decode()
    findings = html.split('<ul class="findings">', 1)[1].split("</ul>", 1)[0]
    assert escape(found["message"]) in findings and f">{found['cite']}</summary>" in findings
    assert "不予安排" in html  # new projects are not eligible
    for g in rb.model.gates:
        assert escape(g.message) in html


def test_facts_left_unstated_are_named_by_their_chinese_labels(client, unit):
    """What the engine assumed for a fact not stated is said with the fact's name, not its key."""
    client.force_login(unit)
    html = client.get(reverse(URL), {"rulebook": "yueyang", "total_investment": "300"})
    findings = html.content.decode().split('<ul class="findings">', 1)[1].split("</ul>", 1)[0]
    assert escape(f"未提供“{FACTS['involves_crypto'].label}”，按“否”判断") in findings
    assert "未提供“申报计划年度”，按" in findings
    for name in FACTS:
        assert f"（{name}）" not in findings, name


def test_a_change_missing_its_facts_names_each_once_by_its_name(client, unit):
    """黑龙江第二十八条: a change judged without the budget or the reason says what is missing, each
    once, by its Chinese name (no proposed_change.reason)."""
    client.force_login(unit)
    params = {"rulebook": "heilongjiang", "total_investment": "300"}
    params |= {"proposed_change__amount": "20", "proposed_change__new_total": "320"}
    html = client.get(reverse(URL), params).content.decode()
    assert "无法判断拟变更是否在限额内：未提供批复概算总投资；未提供变更原因" in html
    assert "proposed_change" not in html.split('<ul class="findings">', 1)[1].split("</ul>", 1)[0]


def test_htmx_redraws_the_map_without_the_page(client, unit):
    client.force_login(unit)
    response = client.get(
        reverse(URL), {"rulebook": "yueyang", "total_investment": "300"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and html.lstrip().startswith('<div id="selfcheck"')
    assert 'id="map-expert_review"' in html


def field_errors(html: str, name: str) -> str:
    block = html.split(f'id="id_{name}"', 1)[1].split('<div class="field', 1)[0]
    return block


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"total_investment": ""}, "total_investment", "这个字段是必填项"),
        ({"total_investment": "三百"}, "total_investment", "输入一个数字"),
        ({"total_investment": "-5"}, "total_investment", "0"),
        ({"total_investment": "300", "declared_on": "2026-02-30"}, "declared_on", "有效的日期"),
        ({"total_investment": "300", "plan_year": "1999"}, "plan_year", "2000"),
        ({"total_investment": "300", "classified": "maybe"}, "classified", "选择一个有效的选项"),
        (
            {"total_investment": "300", "proposed_change__new_total": "320"},
            "proposed_change__amount",
            "缺少必填字段“变更部分金额”",
        ),
    ],
)
def test_bad_input_is_answered_per_field_in_chinese(client, unit, params, field, message):
    client.force_login(unit)
    response = client.get(reverse(URL), {"rulebook": "yueyang", **params})
    assert response.status_code == 200
    html = response.content.decode()
    errors = field_errors(html, field)
    assert 'class="error" role="alert"' in errors and escape(message) in errors
    assert 'id="map-declaration"' not in html  # no map from facts that cannot be used


def test_a_change_is_judged_against_the_limits_with_articles(client, tree):  # noqa: F811
    rb = get_rulebook("heilongjiang")
    facts = {
        "total_investment": 3_000_000,
        "approved_budget": 3_000_000,
        "proposed_change": {"amount": 600_000, "reason": "technical_optimization"},
    }
    answer = decide(rb, facts, ON)
    client.force_login(make_cast(tree, "heilongjiang").user("unit"))
    html = client.get(
        reverse(URL),
        {
            "total_investment": "300",
            "approved_budget": "300",
            "proposed_change__amount": "60",
            "proposed_change__reason": "technical_optimization",
        },
    ).content.decode()
    assert '<option value="heilongjiang" selected>' in html  # their own rulebook, by default
    for reason in answer["change"]["reasons"]:
        assert escape(reason["message"]) in html
    assert answer["change"]["within_limits"] is False and "超出变更限额" in html


def test_every_signed_in_user_may_check_and_no_one_else(client, tree):  # noqa: F811
    assert client.get(reverse(URL)).status_code == 302  # to the sign-in page
    client.force_login(make_cast(tree, "lianping").user("finance"))
    assert client.get(reverse(URL)).status_code == 200


def test_the_map_is_quick(client, unit, django_assert_max_num_queries):
    client.force_login(unit)
    with django_assert_max_num_queries(8):
        client.get(reverse(URL), {"rulebook": "yueyang", "total_investment": "300"})


def test_linxiang_data_sharing_is_checked_under_the_companion_regulation(client, tree):  # noqa: F811
    """临湘数据资源办法第十一条第三款 on the self-check of a 临湘 unit: a system that does not
    support sharing is told, with the companion regulation named, before anything is declared."""
    client.force_login(make_cast(tree, "linxiang").user("unit"))
    params = {"rulebook": "linxiang", "total_investment": "80", "data_sharing_supported": "false"}
    html = client.get(reverse(URL), params).content.decode()
    assert "《临湘市政务数据资源管理暂行办法》第十一条第三款" in html
    assert "不得纳入本级政务信息化项目建设计划" in html
    assert 'id="companions"' in html and "《临湘市政务数据资源管理暂行办法》" in html
    shares = client.get(reverse(URL), {**params, "data_sharing_supported": "true"}).content.decode()
    assert "不得纳入本级政务信息化项目建设计划" not in shares and 'id="companions"' in shares
