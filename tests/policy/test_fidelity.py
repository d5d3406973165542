"""Every number the regulations state — working-day limits, 万元 thresholds, percentages, years of
validity, 运维期, the number of changes allowed — is found in the text and must be encoded with
that value, citing that article. The regulation, not the test, is the source of the expected values."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from govit.policy.articles import cn_to_int
from govit.policy.loader import LoadedRulebook, all_rulebooks

RULEBOOKS = {rb.id: rb for rb in all_rulebooks()}


def articles_with(rb: LoadedRulebook, pattern: str) -> list[tuple[int, str]]:
    found = []
    for article in rb.regulation.articles:
        for match in re.finditer(pattern, article.text):
            found.append((article.number, match.group(1)))
    return found


def article_numbers(cite: str) -> set[int]:
    return {cn_to_int(part.split("条")[0].removeprefix("第")) for part in cite.split("、")}


def number(text: str) -> int:
    return int(text) if text.isdigit() else cn_to_int(text)


@pytest.mark.parametrize("rb", RULEBOOKS.values(), ids=RULEBOOKS.keys())
def test_every_working_day_limit_in_the_text_is_a_step_limit(rb):
    encoded = {
        (n, step.working_days)
        for step in rb.model.steps
        if step.working_days
        for n in article_numbers(step.cite)
    }
    stated = {(article, int(days)) for article, days in articles_with(rb, r"(\d+)个工作日")}
    assert stated - encoded == set(), "原文有而未编码的工作日时限"
    assert encoded - stated == set(), "编码了原文该条没有的工作日时限"


def test_the_working_day_limits_the_texts_hold():
    stated = {
        rid: sorted({int(d) for _, d in articles_with(rb, r"(\d+)个工作日")})
        for rid, rb in RULEBOOKS.items()
    }
    assert stated == {
        "yueyang": [],
        "xiangxi": [],
        "heilongjiang": [5, 20],
        "linxiang": [],
        "linxiang-data": [5],
        "lianping": [5, 10, 12],
    }


@pytest.mark.parametrize("rb", RULEBOOKS.values(), ids=RULEBOOKS.keys())
def test_every_amount_in_the_text_is_a_threshold(rb):
    encoded = {(n, t.amount) for t in rb.model.thresholds.values() for n in article_numbers(t.cite)}
    stated = {(a, Decimal(x) * 10000) for a, x in articles_with(rb, r"(\d+)万元")}
    assert stated == encoded


@pytest.mark.parametrize("rb", RULEBOOKS.values(), ids=RULEBOOKS.keys())
def test_every_percentage_in_the_text_is_a_change_limit(rb):
    stated = {(a, Decimal(x)) for a, x in articles_with(rb, r"(\d+)%")}
    limits = rb.model.change.limits if rb.model.change else []
    encoded = {
        (n, limit.max_percent)
        for limit in limits
        if limit.type == "share_of"
        for n in article_numbers(limit.cite)
    }
    assert stated == encoded


@pytest.mark.parametrize("rb", RULEBOOKS.values(), ids=RULEBOOKS.keys())
def test_validity_years_come_from_the_text(rb):
    stated = articles_with(rb, r"有效期([0-9一二两三四五六七八九十]+)年")
    validity = rb.model.validity
    if not stated:
        assert validity is None
        return
    ((article, years),) = stated
    assert validity is not None
    assert validity.years == number(years)
    assert article_numbers(validity.cite) == {article}


@pytest.mark.parametrize("rb", RULEBOOKS.values(), ids=RULEBOOKS.keys())
def test_om_period_minimum_comes_from_the_text(rb):
    stated = articles_with(rb, r"运维期[^。]*?不少于(\d+)年")
    om = rb.model.contract.om_period if rb.model.contract else None
    if not stated:
        assert om is None
        return
    ((article, years),) = stated
    assert om is not None and om.min_years == Decimal(years)
    assert article_numbers(om.cite) == {article}


@pytest.mark.parametrize("rb", RULEBOOKS.values(), ids=RULEBOOKS.keys())
def test_declaration_dates_come_from_the_text(rb):
    stated = articles_with(rb, r"每年(\d+)月(?:(\d+)日|底)前")
    declaration = rb.model.declaration
    for article, month in stated:
        cites = set()
        if declaration and declaration.deadline.month == int(month):
            cites |= article_numbers(declaration.cite)
        for step in rb.model.steps:
            if step.deadline and step.deadline.month == int(month):
                cites |= article_numbers(step.cite)
        assert article in cites, f"第{article}条的“每年{month}月…前”未编码"


def test_month_end_and_exact_day_deadlines():
    assert str(RULEBOOKS["yueyang"].model.declaration.deadline) == "10月31日"  # 10月31日前
    assert str(RULEBOOKS["linxiang"].model.declaration.deadline) == "10月30日"  # 10月30日前
    assert str(RULEBOOKS["xiangxi"].model.declaration.deadline) == "10月31日"  # 10月底前
    heilongjiang = RULEBOOKS["heilongjiang"].model
    assert (str(heilongjiang.declaration.opens), str(heilongjiang.declaration.deadline)) == (
        "6月1日",
        "6月30日",
    )
    plan = next(s for s in heilongjiang.steps if s.kind == "annual_plan")
    assert str(plan.deadline) == "10月31日"  # 第十一条：每年10月底前编制


def test_month_periods_come_from_the_text():
    heilongjiang = RULEBOOKS["heilongjiang"]
    assert articles_with(heilongjiang, r"(半年)内") == [(29, "半年")]
    assert heilongjiang.model.acceptance.application_due.months == 6
    assert articles_with(heilongjiang, r"(\d+至\d+)个月") == [(33, "6至12")]
    window = next(s for s in heilongjiang.model.steps if s.kind == "self_evaluation").window
    assert (window.from_months, window.to_months, window.cite) == (6, 12, "第三十三条")


def test_change_count_limit_comes_from_the_text():
    lianping = RULEBOOKS["lianping"]
    assert articles_with(lianping, r"不得多于(\d+)次") == [(21, "1")]
    (limit,) = [x for x in lianping.model.change.limits if x.type == "max_count"]
    assert limit.count == 1 and article_numbers(limit.cite) == {21}
