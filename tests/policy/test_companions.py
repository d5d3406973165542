"""A jurisdiction's companion regulation applies beside its project regulation, in decide() as in
the workflow (issue 15, point 7): 临湘数据资源办法第十一条第三款 — "无正当理由新建或改造不支持数据
共享和开放的业务系统，不得纳入本级政务信息化项目建设计划及安排财政预算资金；已落实资金的，不予项目
审批" — reaches a 临湘 project whose system does not support sharing, cited with its regulation."""

from __future__ import annotations

import datetime as dt

import pytest

from govit.policy.decide import decide
from govit.policy.loader import get_rulebook

ON = dt.date(2024, 10, 1)  # 临湘's regulations in force (until 2025-05-10)
COMPANION = "《临湘市政务数据资源管理暂行办法》第十一条第三款"


def tripped(answer, code):
    return [f for f in answer["findings"] if f["code"] == code]


def test_the_companion_is_named_and_its_gate_reaches_a_project_that_does_not_share():
    answer = decide("linxiang", {"total_investment": 800_000, "data_sharing_supported": False}, ON)
    assert answer["companions"] == [
        {"rulebook": "linxiang-data", "title": "临湘市政务数据资源管理暂行办法"}
    ]
    (finding,) = tripped(answer, "DATA_SHARING_UNSUPPORTED")
    assert finding["cite"] == COMPANION and finding["severity"] == "block"
    assert "不得纳入本级政务信息化项目建设计划" in finding["message"]
    # it holds back the plan, the budget and the approval, not the declaration itself
    assert finding["blocks"] == ["annual_plan", "project_approval", "budget_review"]
    assert get_rulebook("linxiang-data").model.gates[0].cite == "第十一条第三款"


@pytest.mark.parametrize("sharing", [True, None])
def test_a_project_that_shares_or_says_nothing_is_not_held_back(sharing):
    facts = {"total_investment": 800_000}
    if sharing is not None:
        facts["data_sharing_supported"] = sharing
    answer = decide("linxiang", facts, ON)
    assert not tripped(answer, "DATA_SHARING_UNSUPPORTED")
    assert answer["companions"][0]["rulebook"] == "linxiang-data"


def test_a_regulation_without_companions_names_none_and_its_own_sharing_gates_apply():
    """黑龙江第三十四条第（一）项 (不得新建、改建、扩建) and 连平第九条第（二）项 (原则上不予立项: a
    warning) are the regulations' own gates on the same fact, cited without a title."""
    answer = decide(
        "heilongjiang", {"total_investment": 3_000_000, "data_sharing_supported": False}, ON
    )
    assert answer["companions"] == []
    (finding,) = tripped(answer, "DATA_NOT_SHARED")
    assert (finding["cite"], finding["severity"]) == ("第三十四条第（一）项", "block")
    answer = decide("lianping", {"total_investment": 800_000, "data_sharing_supported": False}, ON)
    (finding,) = tripped(answer, "DATA_NOT_SHARED")
    assert (finding["cite"], finding["severity"]) == ("第九条第（二）项", "warn")
    assert finding["blocks"] == ["preliminary_review", "project_approval"]
    assert not tripped(decide("yueyang", {"total_investment": 800_000}, ON), "DATA_NOT_SHARED")


def test_the_platform_passes_the_companion_versions_it_stores():
    stored = get_rulebook("linxiang-data")
    answer = decide(
        "linxiang",
        {"total_investment": 800_000, "data_sharing_supported": False},
        ON,
        companions=[stored],
    )
    assert tripped(answer, "DATA_SHARING_UNSUPPORTED")
    answer = decide(
        "linxiang",
        {"total_investment": 800_000, "data_sharing_supported": False},
        ON,
        companions=[],
    )
    assert not tripped(answer, "DATA_SHARING_UNSUPPORTED")
