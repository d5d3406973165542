"""show / diff / coverage read every rule with its article."""

from __future__ import annotations

import re

import pytest

from govit.policy.conditions import money
from govit.policy.loader import all_rulebooks, get_rulebook
from govit.policy.render import aspects, coverage, diff, show


def test_show_covers_every_section_of_a_rich_rulebook():
    text = show(get_rulebook("heilongjiang"))
    for heading in (
        "一、职责分工",
        "三、管理方式",
        "四、年度申报",
        "五、前置条件",
        "六、办理环节",
        "七、验收",
        "八、变更",
        "十二、责任追究",
    ):
        assert heading in text
    assert "牵头汇总：省委网信办、省国家密码管理局" in text  # 第十条: the department consolidates
    assert "变更部分金额不超过批复概算总投资的15%【第二十八条第一款】" in text


def test_show_for_a_reader_names_no_key_of_the_file():
    """A page's reader sees names, not the file's keys (a change reason policy_requirement is
    “根据国家和省委、省政府部署确需改变建设内容”, 黑龙江第二十八条)."""
    for rb in all_rulebooks():
        text = show(rb, codes=False)
        assert not re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", text), rb.model.id
    text = show(get_rulebook("heilongjiang"), codes=False)
    assert (
        "变更原因属于：根据国家和省委、省政府部署确需改变建设内容【第二十八条第一款第（一）项】"
        in text
    )


def test_show_data_sharing_rulebook():
    text = show(get_rulebook("linxiang-data"))
    assert "十一、数据共享与开放" in text and "有条件共享类" in text


def test_diff_of_a_rulebook_with_itself_is_empty():
    rb = get_rulebook("lianping")
    assert diff(rb, rb) == []
    assert all(row[3] == "=" for row in diff(rb, rb, include_same=True))


def test_diff_shows_thresholds_and_limits():
    rows = {row[0]: row for row in diff(get_rulebook("lianping"), get_rulebook("heilongjiang"))}
    assert rows["办理环节·联合审核"][1] == "（未规定）"
    assert "5个工作日" in rows["办理环节·联合审核"][2]
    assert "50万元" in rows["金额限额·备案制管理"][1]


def test_every_rule_has_an_aspect_with_its_article():
    for rid in ("yueyang", "xiangxi", "heilongjiang", "linxiang", "lianping"):
        for aspect in aspects(get_rulebook(rid)):
            assert aspect.group and aspect.key and aspect.value


def test_coverage_explains_or_encodes_every_article():
    for rid in ("yueyang", "xiangxi", "heilongjiang", "linxiang", "linxiang-data", "lianping"):
        rows = coverage(get_rulebook(rid))
        assert all(row.covered for row in rows), rid
        assert sum(1 for row in rows if row.rules) >= len(rows) * 0.7, "most articles carry rules"


def test_gates_read_as_conditions_in_chinese():
    """A gate on a project state reads as what is required, in words, never as its code; a warning
    gate says it is shown to the reviewers rather than refusing."""
    from typing import get_args

    from govit.policy.schema import Gate
    from govit.policy.vocab import REQUIREMENT_LABELS

    literal, none = get_args(Gate.model_fields["requires"].annotation)
    assert none is type(None)
    assert set(get_args(literal)) == set(REQUIREMENT_LABELS)
    text = show(get_rulebook("xiangxi"))
    assert (
        "须本单位项目绩效评估发现的问题已整改到位；不予安排新项目）【第十六条第（三）项】" in text
    )
    assert "prior_year_projects_accepted" not in text
    assert "申报时提示审核）【第三十三条】" in show(get_rulebook("linxiang"))


@pytest.mark.parametrize(
    ("yuan", "text"),
    [
        (2_000_000, "200万元"),
        (1_999_999, "199.9999万元"),
        ("1000000.01", "100.000001万元"),  # exact to the 分, never rounded
        (4_529_664, "452.9664万元"),
        (5000, "0.5万元"),
        ("-280000", "-28万元"),
        (123_456_789_012, "12,345,678.9012万元"),
    ],
)
def test_amounts_in_messages_are_in_wan_exact_to_the_fen(yuan, text):
    assert money(yuan) == text
