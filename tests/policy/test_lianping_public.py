"""连平第四条第（一）项: 县政务服务数据管理局 "负责公共类项目……的需求汇总，以及方案编制及论证、预算编报、
采购实施、监督执行、组织验收、资金绩效管理等"; 第（二）项: 建设单位 "负责本单位职责范围内专业类项目……;
负责提出本单位对公共基础设施服务的需求"; 第十五条: "公共类项目由县政务服务数据管理局牵头联合县级各有关
单位确定具体采购需求……采购结果确定后，分别签订合同" (issue 15, point 5)."""

from __future__ import annotations

import datetime as dt

import pytest

from govit.policy.decide import decide
from govit.policy.facts import FactsError
from govit.policy.loader import RulebookError, get_rulebook, load_rulebook_bytes

ON = dt.date(2026, 6, 1)


def unit_steps(answer):
    return [s for s in answer["steps"] if s["actor"] == "construction_unit"]


def test_the_county_office_does_the_units_part_of_a_public_project():
    rb = get_rulebook("lianping")
    item = rb.regulation.article(4).text
    assert (
        "负责公共类项目" in item
        and "方案编制及论证、预算编报、采购实施、监督执行、组织验收" in item
    )
    public = decide(rb, {"total_investment": 800_000, "project_class": "public"}, ON)
    steps = unit_steps(public)
    assert {s["kind"] for s in steps} >= {"scheme_review", "procurement", "final_acceptance"}
    for step in steps:
        by = step["performed_by"]
        assert by["actor"] == "competent_department"
        assert by["name"] == "县政务服务数据管理局"
        assert by["cite"] == "第四条第（一）项"
    # the reviews stay where the article puts them: 初步审核、立项批复 by the same office, 资金审核 by 财政
    actors = {s["kind"]: s["actor"] for s in public["steps"]}
    assert actors["preliminary_review"] == "competent_department"
    assert actors["funds_review"] == "finance"
    assert all(
        s["performed_by"] is None for s in public["steps"] if s["actor"] != "construction_unit"
    )


def test_a_professional_project_is_the_units_own_and_is_the_default():
    rb = get_rulebook("lianping")
    for facts in (
        {"total_investment": 800_000, "project_class": "professional"},
        {"total_investment": 800_000},
    ):
        answer = decide(rb, facts, ON)
        assert all(s["performed_by"] is None for s in answer["steps"])
    unstated = decide(rb, {"total_investment": 800_000}, ON)
    assert any(
        f["code"] == "FACT_ASSUMED" and "项目类别" in f["message"] and "专业类" in f["message"]
        for f in unstated["findings"]
    )


def test_procurement_follows_article_15_for_public_and_16_for_professional_projects():
    rb = get_rulebook("lianping")
    assert "分别签订合同" in rb.regulation.article(15).text
    assert "专业类项目由建设单位" in rb.regulation.article(16).text

    def procurement(cls):
        answer = decide(rb, {"total_investment": 800_000, "project_class": cls}, ON)
        (step,) = [s for s in answer["steps"] if s["kind"] == "procurement"]
        return step

    public = procurement("public")
    assert public["cite"] == "第十五条"
    codes = {c["code"]: c for c in public["checks"]}
    assert "分别签订合同" in codes["PUBLIC_PROJECT_CONTRACTS"]["text"]
    assert "牵头联合" in codes["PUBLIC_PROJECT_PROCUREMENT"]["text"]
    professional = procurement("professional")
    assert professional["cite"] == "第十六条"
    assert not {c["code"] for c in professional["checks"]} & set(codes)


def test_the_reading_on_self_review_is_listed_for_a_public_project_only():
    rb = get_rulebook("lianping")
    public = decide(rb, {"total_investment": 800_000, "project_class": "public"}, ON)
    (reading,) = [i for i in public["interpretations"] if i["cite"] == "第四条第（一）项"]
    assert "职责分离" in reading["reading"] and "报送" in reading["reading"]
    professional = decide(rb, {"total_investment": 800_000}, ON)
    assert not [i for i in professional["interpretations"] if i["cite"] == "第四条第（一）项"]


def test_the_filing_track_still_applies_by_amount_to_a_public_project():
    """第十二条: 预算在50万元以下的 — 以下 includes 50万 — whichever body declares it."""
    rb = get_rulebook("lianping")
    answer = decide(rb, {"total_investment": 500_000, "project_class": "public"}, ON)
    assert answer["track"] == "filing"
    assert any(s["performed_by"] for s in answer["steps"])


def test_other_rulebooks_know_no_public_class():
    for rulebook in ("yueyang", "heilongjiang", "xiangxi", "linxiang"):
        rb = get_rulebook(rulebook)
        answer = decide(rb, {"total_investment": 800_000, "project_class": "public"}, ON)
        assert all(s["performed_by"] is None for s in answer["steps"]), rulebook


def test_a_wrong_class_is_refused_by_field():
    with pytest.raises(FactsError) as refused:
        decide(get_rulebook("lianping"), {"total_investment": 1, "project_class": "shared"}, ON)
    assert "项目类别" in str(refused.value)


def test_acting_must_name_declared_actors(tmp_path):
    text = (get_rulebook("lianping").path.read_text(encoding="utf-8")).replace(
        "    by: competent_department\n", "    by: big_data_center\n"
    )
    with pytest.raises(RulebookError) as refused:
        load_rulebook_bytes(
            text.encode(),
            tmp_path / "lianping.yaml",
            regulation_dir=get_rulebook("lianping").path.parent.parent / "regulations",
        )
    assert "big_data_center" in str(refused.value) and "actors" in str(refused.value)
