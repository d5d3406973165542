"""黑龙江第四条: 省营商环境局 "批复初步设计方案(依托电子政务内网建设除外)"; 省内网办 "负责审核依托电子政务
内网建设的省级项目"; 第十八条第一款: "依托电子政务内网建设的省级项目，由省内网办负责组织评估论证" —
a project built on the 内网 has its preliminary design reviewed by the 省内网办, not the 营商环境局
(issue 15, point 5)."""

from __future__ import annotations

import datetime as dt

from govit.policy.decide import decide
from govit.policy.loader import get_rulebook

ON = dt.date(2026, 6, 1)


def design(answer):
    (step,) = [s for s in answer["steps"] if s["kind"] == "preliminary_design_approval"]
    return step


def test_the_intranet_office_reviews_the_design_of_an_intranet_project():
    rb = get_rulebook("heilongjiang")
    assert (
        "依托电子政务内网建设的省级项目,由省内网办负责组织评估论证"
        in rb.regulation.article(18).text
    )
    assert "批复初步设计方案(依托电子政务内网建设除外)" in rb.regulation.article(4).text
    inner = design(decide(rb, {"total_investment": 3_000_000, "intranet": True}, ON))
    assert (inner["actor"], inner["cite"], inner["working_days"]) == (
        "leading_group_office",
        "第十八条第一款",
        20,
    )
    assert rb.actor_name("leading_group_office").startswith("省内网办")
    outer = design(decide(rb, {"total_investment": 3_000_000, "intranet": False}, ON))
    assert outer["actor"] == "competent_department"


def test_unstated_a_project_is_not_on_the_intranet_and_the_reading_is_shown_when_it_is():
    rb = get_rulebook("heilongjiang")
    answer = decide(rb, {"total_investment": 3_000_000}, ON)
    assert design(answer)["actor"] == "competent_department"
    assert any(
        f["code"] == "FACT_ASSUMED" and "依托电子政务内网建设" in f["message"]
        for f in answer["findings"]
    )
    inner = decide(rb, {"total_investment": 3_000_000, "intranet": True}, ON)
    (reading,) = [i for i in inner["interpretations"] if i["cite"] == "第十八条第一款"]
    assert "省内网办" in reading["reading"] and "20个工作日" in reading["reading"]
    # merged with the feasibility study (第十七条), there is no separate design review either way
    merged = decide(
        rb,
        {
            "total_investment": 3_000_000,
            "intranet": True,
            "merge_feasibility_and_design": True,
            "construction_type": "renovation",
        },
        ON,
    )
    assert "preliminary_design_approval" not in [s["kind"] for s in merged["steps"]]
