"""Every encoded rule at its boundaries, through decide(): both sides of each threshold, each
track, each gate, each deadline, each change limit, each rulebook's status on several dates."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import ask, codes, finding, kinds, step

D = dt.date


# --- rulebook status -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rulebook", "on", "status", "code"),
    [
        ("yueyang", D(2023, 7, 19), "not_yet_effective", "RULEBOOK_NOT_YET_EFFECTIVE"),
        ("yueyang", D(2023, 7, 20), "in_force", None),
        ("yueyang", D(2026, 11, 23), "in_force", None),
        ("yueyang", D(2028, 7, 19), "in_force", None),
        ("yueyang", D(2028, 7, 20), "expired", "RULEBOOK_EXPIRED"),
        ("linxiang", D(2023, 5, 10), "not_yet_effective", "RULEBOOK_NOT_YET_EFFECTIVE"),
        ("linxiang", D(2023, 5, 11), "in_force", None),
        ("linxiang", D(2025, 5, 10), "in_force", None),
        ("linxiang", D(2025, 5, 11), "expired", "RULEBOOK_EXPIRED"),
        ("linxiang-data", D(2025, 5, 10), "in_force", None),
        ("linxiang-data", D(2026, 11, 23), "expired", "RULEBOOK_EXPIRED"),
        ("xiangxi", D(2013, 10, 14), "not_yet_effective", "RULEBOOK_NOT_YET_EFFECTIVE"),
        ("xiangxi", D(2013, 10, 15), "in_force", None),
        ("xiangxi", D(2040, 1, 1), "in_force", None),
        ("heilongjiang", D(2023, 6, 25), "not_yet_effective", "RULEBOOK_NOT_YET_EFFECTIVE"),
        ("heilongjiang", D(2023, 6, 26), "in_force", None),
        ("lianping", D(2020, 1, 1), "draft", "RULEBOOK_DRAFT"),
        ("lianping", D(2026, 11, 23), "draft", "RULEBOOK_DRAFT"),
    ],
)
def test_status_on_dates(rulebook, on, status, code):
    answer = ask(rulebook, on=on)
    assert answer["rulebook"]["status"] == status
    status_codes = [c for c in codes(answer) if c.startswith("RULEBOOK_")]
    assert status_codes == ([code] if code else [])
    if code:
        assert finding(answer, code)["severity"] == "block"


def test_rulebook_metadata_in_the_answer():
    assert ask("yueyang")["rulebook"] == {
        "id": "yueyang",
        "title": "岳阳市市本级政务信息化项目建设管理办法",
        "status": "in_force",
        "effective_from": "2023-07-20",
        "effective_until": "2028-07-19",
    }
    linxiang = ask("linxiang")["rulebook"]
    assert (linxiang["effective_until"], linxiang["status"]) == ("2025-05-10", "expired")
    expired = finding(ask("linxiang"), "RULEBOOK_EXPIRED")
    assert expired["cite"] == "第三十八条" and "2025年5月10日" in expired["message"]
    assert finding(ask("lianping"), "RULEBOOK_DRAFT")["cite"] == "第三十三条"


# --- expert review and acceptance thresholds -------------------------------------------------


@pytest.mark.parametrize(
    ("rulebook", "amount", "required"),
    [
        ("yueyang", 1_999_999, False),
        ("yueyang", 2_000_000, True),
        ("linxiang", 1_999_999, False),
        ("linxiang", 2_000_000, True),
        ("heilongjiang", 50_000_000, None),
        ("xiangxi", 50_000_000, None),
        ("lianping", 50_000_000, None),
    ],
)
def test_expert_review_threshold(rulebook, amount, required):
    answer = ask(rulebook, total_investment=amount)
    assert answer["expert_review_required"] is required
    assert ("expert_review" in kinds(answer)) is bool(required)
    if required:
        assert step(answer, "expert_review")["actor"] == "experts"


@pytest.mark.parametrize(
    ("amount", "organizer", "preliminary", "cite"),
    [
        (999_999, "construction_unit", False, "第二十七条第（一）项"),
        (1_000_000, "competent_department", True, "第二十七条第（二）项"),
    ],
)
def test_yueyang_acceptance_path(amount, organizer, preliminary, cite):
    answer = ask("yueyang", total_investment=amount)
    acceptance = answer["acceptance"]
    assert acceptance["organizer"] == organizer
    assert acceptance["preliminary_required"] is preliminary
    assert acceptance["compliance_review_required"] is None
    assert acceptance["cite"] == cite
    assert ("trial_operation" in kinds(answer)) is preliminary
    assert ("acceptance_filing" in kinds(answer)) is not preliminary


@pytest.mark.parametrize(
    ("amount", "organizer", "co", "preliminary"),
    [
        (1_999_999, "construction_unit", [], False),
        (2_000_000, "competent_department", ["finance", "experts"], True),
    ],
)
def test_linxiang_acceptance_at_200_wan(amount, organizer, co, preliminary):
    acceptance = ask("linxiang", total_investment=amount)["acceptance"]
    assert (acceptance["organizer"], acceptance["co_organizers"]) == (organizer, co)
    assert acceptance["preliminary_required"] is preliminary


def test_classified_projects_bring_the_secrecy_bureau_into_acceptance():
    assert ask("yueyang", classified=True)["acceptance"]["co_organizers"] == ["secrecy"]
    assert ask("yueyang", classified=False)["acceptance"]["co_organizers"] == []
    assert step(ask("yueyang", classified=True), "scheme_review")["co_actors"] == ["secrecy"]
    xiangxi = ask("xiangxi", classified=True)["acceptance"]
    assert (xiangxi["organizer"], xiangxi["co_organizers"]) == ("competent_department", ["secrecy"])
    assert ask("xiangxi", classified=False)["acceptance"]["co_organizers"] == []


def test_xiangxi_acceptance_documents_are_the_listed_ones():
    documents = [d["name"] for d in step(ask("xiangxi"), "final_acceptance")["documents"]]
    assert documents == [
        "电子政务工程建设立项文件",
        "实施方案",
        "竣工报告",
        "监理报告",
        "系统试运行和初步验收报告",
        "用户受训报告",
        "网络及软硬件测试报告",
    ]
    checks = step(ask("xiangxi"), "final_acceptance")["checks"]
    assert [(c["code"], c["cite"]) for c in checks] == [("EQUIPMENT_MATCHES_SCHEME", "第十条")]
    assert "settlement_audit" in kinds(ask("xiangxi"))


# --- tracks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "track"),
    [(499_999, "filing"), (500_000, "filing"), (500_001, "approval"), (0, "filing")],
)
def test_lianping_filing_at_50_wan_and_below(amount, track):
    """连平第十二条: "预算在50万元以下的…采取备案制管理" — 以下 includes the number
    (民法典第一千二百五十九条), so exactly 50万元 is a filing project."""
    answer = ask("lianping", total_investment=amount)
    assert answer["track"] == track
    approval_only = {
        "preliminary_review",
        "funds_review",
        "compliance_review",
        "preliminary_acceptance",
    }
    assert (approval_only <= set(kinds(answer))) is (track == "approval")
    assert answer["acceptance"]["compliance_review_required"] is (track == "approval")
    assert step(answer, "project_approval")["cite"] == (
        "第十一条第（六）项" if track == "approval" else "第十二条"
    )
    # 第十二条: below 50万 an agency the unit hires reviews the cost; above, finance's 资金审核 does
    assert ("budget_review" in kinds(answer)) is (track == "filing")


def test_lianping_pipeline_working_days_in_order():
    answer = ask("lianping", total_investment=800_000, involves_crypto=True)
    pipeline = [(s["kind"], s["working_days"]) for s in answer["steps"] if s["working_days"]]
    assert pipeline == [
        ("crypto_review", 5),
        ("preliminary_review", 10),
        ("funds_review", 12),
        ("project_approval", 5),
        ("compliance_review", 10),
    ]


def test_lianping_crypto_review_only_where_crypto_is_involved():
    assert "crypto_review" in kinds(ask("lianping", involves_crypto=True))
    assert "crypto_review" not in kinds(ask("lianping", involves_crypto=False))
    # a filing project with crypto still goes through the crypto review (第十二条)
    assert "crypto_review" in kinds(ask("lianping", total_investment=100_000, involves_crypto=True))
    documents = [
        d["name"]
        for d in step(ask("lianping", involves_crypto=True), "preliminary_review")["documents"]
    ]
    assert "密码应用审核意见" in documents
    documents = [
        d["name"]
        for d in step(ask("lianping", involves_crypto=False), "preliminary_review")["documents"]
    ]
    assert "密码应用审核意见" not in documents


def test_lianping_classified_projects_are_outside_the_regulation():
    answer = ask("lianping", classified=True)
    out = finding(answer, "OUT_OF_SCOPE_CLASSIFIED")
    assert (out["severity"], out["cite"]) == ("block", "第五条")
    assert "OUT_OF_SCOPE_CLASSIFIED" not in codes(ask("lianping", classified=False))


@pytest.mark.parametrize(
    ("funding", "track", "declaration_cite"),
    [
        ("local_fiscal", "approval", "第七条第（一）项"),
        ("superior_allocated", "filing", "第六条第一款"),
        ("self_raised", "filing", "第六条第一款"),
    ],
)
def test_xiangxi_track_by_funding_source(funding, track, declaration_cite):
    answer = ask("xiangxi", funding_source=funding)
    assert answer["track"] == track
    assert step(answer, "declaration")["cite"] == declaration_cite
    assert ("project_approval" in kinds(answer)) is (track == "approval")
    assert (answer["declaration"] is not None) is (track == "approval")
    # 第八条: every project, whatever its funds, has its technical scheme and budget reviewed
    assert {"scheme_review", "budget_review", "settlement_audit"} <= set(kinds(answer))


def test_xiangxi_order_approval_before_plan():
    order = kinds(ask("xiangxi"))
    assert (
        order.index("project_approval") < order.index("annual_plan") < order.index("scheme_review")
    )


ELIGIBLE = [
    {"construction_type": "expansion"},
    {"construction_type": "renovation"},
    {"construction_type": "emergency"},
    {"construction_type": "equipment_purchase"},
    {"construction_type": "new", "simple_scope": True},
]


@pytest.mark.parametrize("facts", ELIGIBLE)
def test_heilongjiang_article_17_merge_is_the_units_choice(facts):
    """黑龙江第十七条: "…符合下列情形之一的建设项目，可将项目可行性研究报告、初步设计(含投资概算)
    进行合并，只审批可行性研究报告" — 可: without the unit's request both approvals stay, and the
    answer says the merge is available; with it, only the feasibility approval, its depth a check
    the reviewer confirms."""
    separate = ask("heilongjiang", **facts)
    assert step(separate, "preliminary_design_approval")["working_days"] == 20
    assert [r["cite"] for r in separate["interpretations"]].count("第十七条") == 1
    merged = ask("heilongjiang", merge_feasibility_and_design=True, **facts)
    assert "preliminary_design_approval" not in kinds(merged)
    feasibility = step(merged, "feasibility_approval")
    assert any("合并审批" in d["name"] for d in feasibility["documents"])
    depth = [c for c in feasibility["checks"] if c["code"] == "MERGE_DEPTH"]
    assert depth[0]["severity"] == "block" and depth[0]["cite"] == "第十七条"
    assert "第十七条" not in [r["cite"] for r in merged["interpretations"]]


@pytest.mark.parametrize("facts", [{"construction_type": "new"}, {}])
def test_heilongjiang_article_17_refuses_the_merge_for_a_project_not_listed(facts):
    assert "第十七条" not in [r["cite"] for r in ask("heilongjiang", **facts)["interpretations"]]
    answer = ask("heilongjiang", merge_feasibility_and_design=True, **facts)
    refused = finding(answer, "MERGE_NOT_ELIGIBLE")
    assert (refused["severity"], refused["cite"]) == ("block", "第十七条")
    assert "preliminary_design_approval" in kinds(answer)  # both approvals stay


def test_heilongjiang_article_33_third_party_post_evaluation_is_optional():
    """黑龙江第三十三条: "省营商环境局……可以委托相应的第三方咨询机构开展后评价"."""
    post = step(ask("heilongjiang"), "post_evaluation")
    assert post["actor"] == "competent_department" and "可以委托" in post["name"]
    readings = {r["cite"]: r["reading"] for r in ask("heilongjiang")["interpretations"]}
    assert "可选" in readings["第三十三条"]


def test_heilongjiang_joint_review_is_organised_and_consolidated_by_the_department():
    """第十条: 省营商环境局组织联合审核; 网信、密码 give their opinions, it consolidates (lead)."""
    joint = step(ask("heilongjiang"), "joint_review")
    assert (joint["actor"], joint["co_actors"], joint["sign"]) == (
        "competent_department",
        ["cyberspace", "crypto_administration"],
        "lead",
    )
    assert (joint["working_days"], joint["cite"]) == (5, "第十条")


def test_heilongjiang_online_platform_only_for_unclassified_projects():
    def check_codes(answer):
        return [c["code"] for c in step(answer, "feasibility_approval")["checks"]]

    assert "ONLINE_PLATFORM" in check_codes(ask("heilongjiang", classified=False))
    assert "ONLINE_PLATFORM" not in check_codes(ask("heilongjiang", classified=True))


# --- gates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rulebook", "unfinished", "eligible", "severity", "cite"),
    [
        ("xiangxi", 0, True, None, None),
        ("xiangxi", 1, False, "block", "第十六条第（一）项"),
        ("heilongjiang", 0, True, None, None),
        # 黑龙江第十二条第二款: "上一年度建设计划未完成的部门，原则上不予安排新项目" — 原则上: a warning
        ("heilongjiang", 2, False, "warn", "第十二条第二款"),
        ("yueyang", 5, True, None, None),
        ("linxiang", 5, True, None, None),
        ("lianping", 5, True, None, None),
    ],
)
def test_unfinished_prior_year_projects_gate(rulebook, unfinished, eligible, severity, cite):
    answer = ask(rulebook, unfinished_prior_year_projects=unfinished)
    assert answer["new_projects_eligible"] is eligible
    if cite:
        gate = finding(answer, "PRIOR_YEAR_UNFINISHED")
        assert (gate["severity"], gate["cite"]) == (severity, cite)
    else:
        assert "PRIOR_YEAR_UNFINISHED" not in codes(answer)


# --- declaration windows ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rulebook", "declared_on", "deadline", "on_time", "severity", "cite"),
    [
        ("yueyang", "2026-10-31", "2026-10-31", True, None, None),
        ("yueyang", "2026-11-01", "2026-10-31", False, "warn", "第十二条、第十四条"),
        # 临湘's text ended on 2025-05-10 (第三十八条): its deadlines are law up to then only
        ("linxiang", "2024-10-30", "2024-10-30", True, None, None),
        ("linxiang", "2024-10-31", "2024-10-30", False, "warn", "第十条、第十二条"),
        ("linxiang", "2025-10-31", "2025-10-30", None, "info", "第十条"),
        ("xiangxi", "2026-10-31", "2026-10-31", True, None, None),
        ("xiangxi", "2026-11-01", "2026-10-31", False, "warn", "第七条第（一）项"),
        ("heilongjiang", "2026-06-30", "2026-06-30", True, None, None),
        ("heilongjiang", "2026-07-01", "2026-06-30", False, "warn", "第八条、第十二条第一款"),
        ("lianping", "2026-06-30", "2026-06-30", True, None, None),
        ("lianping", "2026-07-01", "2026-06-30", False, "block", "第六条第二款"),
    ],
)
def test_declaration_deadline(rulebook, declared_on, deadline, on_time, severity, cite):
    answer = ask(rulebook, plan_year=int(declared_on[:4]) + 1, declared_on=declared_on)
    assert answer["declaration"]["deadline"] == deadline
    assert answer["declaration"]["on_time"] is on_time
    if severity:
        late = finding(answer, "DECLARATION_LATE")
        assert (late["severity"], late["cite"]) == (severity, cite)
    else:
        assert "DECLARATION_LATE" not in codes(answer)


def test_declaration_not_yet_made_before_the_deadline_is_not_late():
    answer = ask("yueyang", on=D(2026, 10, 1), plan_year=2027)
    assert answer["declaration"] == {"deadline": "2026-10-31", "on_time": None, "cite": "第十二条"}
    assert "DECLARATION_LATE" not in codes(answer)
    answer = ask("yueyang", on=D(2026, 11, 23), plan_year=2027)
    assert "尚未申报" in finding(answer, "DECLARATION_LATE")["message"]


def test_late_declaration_points_to_the_supplement_plan():
    answer = ask("yueyang", plan_year=2027, declared_on="2026-11-05")
    assert finding(answer, "SUPPLEMENT_PLAN_ROUTE")["cite"] == "第十三条"
    assert "SUPPLEMENT_PLAN_ROUTE" not in codes(
        ask("lianping", plan_year=2027, declared_on="2026-11-05")
    )


def test_heilongjiang_declaration_before_the_june_window_is_noted():
    answer = ask("heilongjiang", plan_year=2027, declared_on="2026-05-20")
    assert answer["declaration"]["on_time"] is True
    assert finding(answer, "DECLARATION_BEFORE_WINDOW")["severity"] == "info"


def test_plan_year_defaults_to_the_year_after_declaration_and_says_so():
    answer = ask("yueyang", declared_on="2026-09-01")
    assert answer["declaration"]["deadline"] == "2026-10-31"
    assumed = [
        f
        for f in answer["findings"]
        if f["code"] == "FACT_ASSUMED" and "申报计划年度" in f["message"]
    ]
    assert len(assumed) == 1


# --- working-day dues ------------------------------------------------------------------------


def test_due_dates_across_national_day_and_overdue_findings():
    answer = ask(
        "lianping",
        on=D(2026, 10, 20),
        total_investment=800_000,
        step_started_on={"preliminary_review": "2026-09-28", "funds_review": "2026-10-19"},
    )
    assert step(answer, "preliminary_review")["due"] == "2026-10-16"
    assert step(answer, "funds_review")["due"] == "2026-11-04"
    overdue = finding(answer, "STEP_OVERDUE")
    assert overdue["cite"] == "第十一条第（四）项"
    assert "已逾期2个工作日" in overdue["message"]


def test_due_date_across_spring_festival():
    answer = ask("heilongjiang", step_started_on={"joint_review": "2026-02-12"}, on=D(2026, 2, 13))
    assert step(answer, "joint_review")["due"] == "2026-02-26"
    assert "STEP_OVERDUE" not in codes(answer)


def test_due_on_the_due_date_is_not_overdue():
    answer = ask("heilongjiang", step_started_on={"joint_review": "2026-02-12"}, on=D(2026, 2, 26))
    assert "STEP_OVERDUE" not in codes(answer)
    answer = ask("heilongjiang", step_started_on={"joint_review": "2026-02-12"}, on=D(2026, 2, 27))
    assert "STEP_OVERDUE" in codes(answer)


def test_a_due_date_in_an_unscheduled_year_is_a_finding_naming_the_year():
    answer = ask("heilongjiang", step_started_on={"preliminary_design_approval": "2026-12-15"})
    assert step(answer, "preliminary_design_approval")["due"] is None
    missing = finding(answer, "CALENDAR_YEAR_MISSING")
    assert "2027年" in missing["message"] and missing["cite"] == "第十八条第一款"


def test_a_started_step_that_does_not_apply_is_reported():
    answer = ask("yueyang", step_started_on={"compliance_review": "2026-11-02"})
    assert finding(answer, "STEP_NOT_APPLICABLE")["severity"] == "info"


# --- changes ---------------------------------------------------------------------------------


def lianping_change(amount, new_total, prior=0):
    return ask(
        "lianping",
        contract_amount=1_000_000,
        prior_changes=prior,
        proposed_change={"amount": amount, "new_total": new_total},
    )["change"]


@pytest.mark.parametrize(
    ("amount", "new_total", "prior", "within", "failed"),
    [
        (100_000, 1_000_000, 0, True, []),
        (100_001, 1_000_000, 0, False, ["CHANGE_SHARE"]),
        (50_000, 1_000_001, 0, False, ["CHANGE_TOTAL_WITHIN"]),
        (50_000, 990_000, 1, False, ["CHANGE_COUNT"]),
        (200_000, 1_200_000, 1, False, ["CHANGE_TOTAL_WITHIN", "CHANGE_SHARE", "CHANGE_COUNT"]),
    ],
)
def test_lianping_change_limits(amount, new_total, prior, within, failed):
    change = lianping_change(amount, new_total, prior)
    assert change["within_limits"] is within
    assert [r["code"] for r in change["reasons"] if r["ok"] is False] == failed
    assert change["procedure"] == ("approval" if within else "escalate")
    assert change["cite"] == ("第二十一条第一款" if within else "第二十一条第二款")


def test_lianping_change_without_contract_amount_cannot_be_judged():
    answer = ask("lianping", proposed_change={"amount": 1, "new_total": 1})
    assert answer["change"]["within_limits"] is None
    assert answer["change"]["procedure"] is None
    assert "合同金额" in finding(answer, "CHANGE_FACTS_MISSING")["message"]


def heilongjiang_change(**change):
    change.setdefault("amount", 150_000)
    change.setdefault("new_total", 1_000_000)
    change.setdefault("reason", "technical_optimization")
    return ask("heilongjiang", approved_budget=1_000_000, proposed_change=change)["change"]


@pytest.mark.parametrize(
    ("change", "within", "procedure"),
    [
        ({}, True, "filing"),
        ({"amount": 150_001}, False, "approval"),
        ({"new_total": 1_000_001}, False, "approval"),
        ({"goal_changed": True}, False, "approval"),
        ({"reason": "policy_requirement"}, True, "filing"),
        ({"reason": "business_development"}, True, "filing"),
        ({"reason": "other"}, False, "approval"),
    ],
)
def test_heilongjiang_change_within_15_percent_is_filed(change, within, procedure):
    result = heilongjiang_change(**change)
    assert (result["within_limits"], result["procedure"]) == (within, procedure)
    assert result["cite"] == ("第二十八条第一款" if within else "第二十八条第二款")


def test_heilongjiang_change_reason_cites_its_item():
    reasons = heilongjiang_change(reason="business_development")["reasons"]
    assert [r["cite"] for r in reasons if r["code"] == "CHANGE_REASON"] == [
        "第二十八条第一款第（三）项"
    ]


@pytest.mark.parametrize(
    ("rulebook", "within", "procedure", "cite"),
    [
        ("yueyang", None, "approval", "第二十五条"),
        ("linxiang", None, "approval", "第二十四条"),
        ("xiangxi", False, "approval", "第八条"),
        ("linxiang-data", None, None, None),
    ],
)
def test_change_in_the_other_rulebooks(rulebook, within, procedure, cite):
    change = ask(rulebook, proposed_change={"amount": 10_000})["change"]
    assert (change["within_limits"], change["procedure"], change["cite"]) == (
        within,
        procedure,
        cite,
    )


def test_no_proposed_change_no_change_answer():
    assert ask("lianping")["change"] is None


# --- contract, acceptance application, self-evaluation ---------------------------------------


@pytest.mark.parametrize(
    ("rulebook", "years", "ok"),
    [
        ("yueyang", 3, True),
        ("yueyang", 2.99, False),
        ("linxiang", 3, True),
        ("linxiang", 2, False),
        ("heilongjiang", 1, None),
        ("lianping", 1, None),
    ],
)
def test_om_period(rulebook, years, ok):
    answer = ask(rulebook, om_period_years=years)
    assert answer["om_period_ok"] is ok
    assert ("OM_PERIOD_SHORT" in codes(answer)) is (ok is False)


def test_om_period_unknown_without_the_fact():
    assert ask("yueyang")["om_period_ok"] is None


@pytest.mark.parametrize(
    ("completed", "due", "on", "overdue"),
    [
        ("2025-08-31", "2026-02-28", D(2026, 2, 28), False),
        ("2025-08-31", "2026-02-28", D(2026, 3, 1), True),
        ("2026-05-10", "2026-11-10", D(2026, 11, 23), True),
    ],
)
def test_heilongjiang_acceptance_application_within_half_a_year(completed, due, on, overdue):
    answer = ask("heilongjiang", on=on, completed_on=completed)
    assert answer["acceptance"]["application_due"] == due
    if overdue:
        assert finding(answer, "ACCEPTANCE_APPLICATION_OVERDUE")["cite"] == "第二十九条第三款"
    else:
        assert "ACCEPTANCE_APPLICATION_OVERDUE" not in codes(answer)
    assert ask("yueyang", completed_on=completed)["acceptance"]["application_due"] is None


@pytest.mark.parametrize(
    ("on", "code"),
    [
        (D(2026, 8, 27), None),
        (D(2026, 8, 28), "SELF_EVALUATION_WINDOW_OPEN"),
        (D(2027, 2, 28), "SELF_EVALUATION_WINDOW_OPEN"),
        (D(2027, 3, 1), "SELF_EVALUATION_WINDOW_PASSED"),
    ],
)
def test_heilongjiang_self_evaluation_six_to_twelve_months(on, code):
    answer = ask("heilongjiang", on=on, operation_started_on="2026-02-28")
    assert answer["self_evaluation_window"] == {"from": "2026-08-28", "to": "2027-02-28"}
    window_codes = [c for c in codes(answer) if c.startswith("SELF_EVALUATION")]
    assert window_codes == ([code] if code else [])
    if code:
        assert finding(answer, code)["cite"] == "第三十三条"


def test_self_evaluation_window_only_in_heilongjiang():
    for rulebook in ("yueyang", "xiangxi", "linxiang", "lianping"):
        assert ask(rulebook, operation_started_on="2026-01-01")["self_evaluation_window"] is None


def test_yearly_obligations_are_listed_with_their_articles():
    assert step(ask("yueyang"), "om_report")["every"] == "year"
    assert step(ask("linxiang"), "om_report")["cite"] == "第二十九条"
    report = finding(ask("heilongjiang"), "OBLIGATION_PERFORMANCE_REPORT")
    assert report["cite"] == "第二十五条"
    assert "12月31日前向省营商环境局" in report["message"]


# --- the data-resources regulation ----------------------------------------------------------


def test_linxiang_data_sharing_review_in_five_working_days():
    answer = ask(
        "linxiang-data", on=D(2025, 3, 3), step_started_on={"data_share_review": "2025-03-03"}
    )
    review = step(answer, "data_share_review")
    assert (review["actor"], review["working_days"], review["due"], review["cite"]) == (
        "data_provider",
        5,
        "2025-03-10",
        "第二十一条第一款",
    )
    assert answer["track"] is None and answer["declaration"] is None
