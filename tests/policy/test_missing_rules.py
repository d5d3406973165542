"""Rules the second reading found missing (issue 15, point 5), each quoting its article."""

from __future__ import annotations

from tests.conftest import ask, step


def check_codes(answer, kind):
    return {c["code"]: c for c in step(answer, kind)["checks"]}


def test_heilongjiang_article_15_online_platform_is_for_new_projects_only():
    """黑龙江第十五条: "所有新建的政务信息化项目(涉密除外),均应在省投资项目在线审批监管平台报批"."""
    new = ask("heilongjiang", construction_type="new", classified=False)
    assert check_codes(new, "feasibility_approval")["ONLINE_PLATFORM"]["cite"] == "第十五条"
    for other in ("expansion", "renovation", "equipment_purchase"):
        answer = ask("heilongjiang", construction_type=other, classified=False)
        assert "ONLINE_PLATFORM" not in check_codes(answer, "feasibility_approval")
    secret = ask("heilongjiang", construction_type="new", classified=True)
    assert "ONLINE_PLATFORM" not in check_codes(secret, "feasibility_approval")


def test_heilongjiang_article_16_forbids_sharing_only_with_chosen_departments():
    """黑龙江第十六条第一款: "不得将应当普遍共享的数据仅与特定部门共享或仅向特定企业、社会组织开放"."""
    check = check_codes(ask("heilongjiang"), "feasibility_approval")["NO_SELECTIVE_SHARING"]
    assert (check["severity"], check["cite"]) == ("block", "第十六条第一款")


def test_heilongjiang_article_36_network_security_review_is_checked_at_the_joint_review():
    """黑龙江第三十六条第二款: "……指导监督项目建设单位落实网络安全审查制度要求"."""
    check = check_codes(ask("heilongjiang"), "joint_review")["NETWORK_SECURITY_REVIEW"]
    assert (check["severity"], check["cite"]) == ("block", "第三十六条第二款")


def test_yueyang_article_4_development_reform_reviews_the_budget_estimate():
    """岳阳第四条第二款: "市发改委负责政务信息化项目建设的立项审批、概算审查"."""
    approval = step(ask("yueyang"), "project_approval")
    assert approval["actor"] == "development_reform"
    assert check_codes(ask("yueyang"), "project_approval")["BUDGET_ESTIMATE_REVIEW"]["cite"] == (
        "第四条第二款"
    )


def test_xiangxi_article_6_says_who_declares_a_project_several_units_use():
    """湘西第六条第二款: "多个单位共同使用的电子政务工程建设项目，由主管部门或牵头单位向州电子政务办申报"."""
    check = check_codes(ask("xiangxi"), "declaration")["WHO_DECLARES"]
    assert (check["severity"], check["cite"]) == ("warn", "第六条第二款")


def test_xiangxi_article_17_secret_projects_follow_this_regulation_and_the_secrecy_rules():
    """湘西第十七条: "涉及国家秘密……的电子政务工程建设，按有关规定办理" — read as also, not instead:
    第六条第二款 has the secrecy bureau take the declaration of a classified system."""
    answer = ask("xiangxi", classified=True)
    assert answer["steps"] and "secrecy" in step(answer, "declaration")["co_actors"]
    assert "第十七条" in [r["cite"] for r in answer["interpretations"]]
    assert "第十七条" not in [r["cite"] for r in ask("xiangxi")["interpretations"]]


def test_linxiang_article_13_superior_review_of_the_scheme_is_checked():
    """临湘第十三条第一款: "建设方案需上级审核的，相关部门单位负责按程序向上级报审"."""
    check = check_codes(ask("linxiang"), "scheme_review")["SUPERIOR_REVIEW"]
    assert check["cite"] == "第十三条第一款"
