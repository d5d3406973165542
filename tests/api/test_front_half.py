"""One project per rulebook, through the API, from the declaration to the funds review: each with a
退回修改 and resubmission, a 会签, a gate that blocks with its article, and an expert draw that the
audit bureau verifies afterwards (where the rulebook requires an expert review)."""

from __future__ import annotations

import datetime as dt

import pytest

from govit.core import clock
from govit.events.services import verify_stream
from govit.policy.loader import get_rulebook
from tests.api.conftest import expect
from tests.api.helpers import (
    act,
    block_checks,
    create_project,
    declare,
    expert_review,
    experts,
    open_task,
    pass_step,
    plan_through,
    step_of,
    submit,
)

pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int):
    return clock.frozen(dt.date(year, month, day))


def kinds(detail):
    return [s["kind"] for s in detail["steps"]]


def status_of(api, cast, project_id, kind):
    return step_of(api, cast.user("competent_department"), project_id, kind)["status"]


def test_yueyang(api, casts):
    cast = casts["yueyang"]
    unit = cast.user("unit")
    with at(2026, 10, 20):
        project = create_project(
            api, cast, name="岳阳市智慧教育平台", total_investment="2500000", classified=True
        )
        detail = declare(api, cast, project, "yueyang")
    pid = project["id"]
    assert (
        detail["code"] == "430600-2027-0001"
        and detail["rulebook"] == f"yueyang@v{get_rulebook('yueyang').model.version}"
    )
    assert kinds(detail)[:6] == [
        "declaration",
        "annual_plan",
        "scheme_review",
        "expert_review",
        "project_approval",
        "budget_review",
    ]
    assert detail["stage"] == "annual_plan"

    with at(2026, 10, 22):
        # gate: the scheme may not be reviewed before the project is in an approved annual plan
        refused = expect(submit(api, cast, pid, "scheme_review"), 422)
        assert (refused["code"], refused["cite"]) == ("NOT_IN_ANNUAL_PLAN", "第十四条")
        # 会签 of the plan by 市财政局 and 市发改委 (第十三条), approved by 市政府
        _, countersigned = plan_through(
            api, cast, [pid], 2027, compiler="competent_department", approver="government"
        )
        assert countersigned == ["finance", "development_reform"]
    assert status_of(api, cast, pid, "annual_plan") == "passed"

    with at(2026, 11, 2):
        step = expect(submit(api, cast, pid, "scheme_review", "建设方案已按标准编制"), 200)
    # a classified project's scheme is reviewed with the secrecy bureau: a 会签 of two
    assert sorted(t["organization"]["kind"] for t in step["tasks"]) == [
        "competent_department",
        "secrecy",
    ]
    assert step["due_on"] is None  # 第十六条 sets no working-day limit
    secrecy_task = open_task(step, cast.orgs["secrecy"].pk)
    expect(act(api, cast.user("secrecy"), secrecy_task, "approve", "保密审查通过"), 200)
    assert status_of(api, cast, pid, "scheme_review") == "in_review"  # still waiting for the lead
    lead = open_task(step_of(api, unit, pid, "scheme_review"), cast.orgs["competent_department"].pk)
    with at(2026, 11, 5):
        returned = expect(
            act(api, cast.user("competent_department"), lead, "return", "请补充数据共享章节"), 200
        )
    assert returned["status"] == "returned"
    assert status_of(api, cast, pid, "scheme_review") == "returned"
    with at(2026, 11, 9):
        again = expect(submit(api, cast, pid, "scheme_review", "已补充"), 200)
    assert again["round"] == 2 and again["started_on"] == "2026-11-09"
    pass_step(api, cast, pid, "scheme_review")

    # 200万元（含）以上：专家评审组评审（第十六条）, experts from the pool (第十七条)
    assert status_of(api, cast, pid, "expert_review") == "in_review"
    pool = experts(
        cast,
        "教育信息化",
        6,
        prefix="yy",
        employers={0: cast.units["unit"], 1: cast.orgs["finance"]},
    )
    review = expert_review(api, cast, pid, pool)
    assert {e["reason"] for e in review["meeting"]["exclusions"]} == {
        "受聘于本项目建设单位，须回避"
    }
    assert pool[0].pk not in review["verification"]["current_panel"]
    assert status_of(api, cast, pid, "expert_review") == "passed"

    with at(2026, 11, 16):
        expect(submit(api, cast, pid, "project_approval"), 200)
    pass_step(api, cast, pid, "project_approval")
    assert (
        status_of(api, cast, pid, "budget_review") == "in_review"
    )  # passed on by 发改委 (after_previous)
    pass_step(api, cast, pid, "budget_review")
    detail = expect(api.as_(unit).get(f"/projects/{pid}"), 200)
    assert detail["stage"] == "procurement"
    assert verify_stream(f"project:{pid}") == []


def test_xiangxi(api, casts):
    cast = casts["xiangxi"]
    unit = cast.user("unit")
    # a project of last year's approved plan, still under way: the unit's next declaration is refused
    with at(2025, 10, 10):
        earlier = create_project(
            api, cast, name="州政务外网升级", plan_year=2026, total_investment="800000"
        )
        declare(api, cast, earlier, "xiangxi")
        pass_step(api, cast, earlier["id"], "project_approval")
        plan_through(
            api, cast, [earlier["id"]], 2026, compiler="competent_department", approver="government"
        )
    with at(2026, 10, 15):
        project = create_project(
            api, cast, name="州视频会议系统", total_investment="1200000", classified=True
        )
        refused = expect(api.as_(unit).post(f"/projects/{project['id']}/declare"), 422)
    assert (refused["code"], refused["cite"]) == ("PRIOR_YEAR_UNFINISHED", "第十六条第（一）项")
    assert (
        expect(api.as_(unit).get(f"/projects/{project['id']}"), 200)["status"] == "draft"
    )  # nothing changed

    # the other unit, with no unfinished project, declares a classified project:
    # 涉密信息系统同时向州国家保密局申报 (第六条第二款) — a 会签 of the declaration
    with at(2026, 10, 15):
        project = create_project(
            api,
            cast,
            "other_unit",
            name="州视频会议系统",
            total_investment="1200000",
            classified=True,
        )
        detail = declare(api, cast, project, "xiangxi", unit="other_unit")
    pid = project["id"]
    declaration = step_of(api, cast.user("secrecy"), pid, "declaration")
    assert [(t["organization"]["kind"], t["status"]) for t in declaration["tasks"]] == [
        ("construction_unit", "completed"),
        ("secrecy", "open"),
    ]
    assert kinds(detail)[:5] == [
        "declaration",
        "project_approval",
        "annual_plan",
        "scheme_review",
        "budget_review",
    ]
    pass_step(api, cast, pid, "declaration")
    task = open_task(step_of(api, cast.user("competent_department"), pid, "project_approval"))
    expect(
        act(
            api, cast.user("competent_department"), task, "return", "请补充可行性研究报告的需求调研"
        ),
        200,
    )
    expect(submit(api, cast, pid, "project_approval", "已补充调研", unit="other_unit"), 200)
    pass_step(api, cast, pid, "project_approval")
    plan_through(api, cast, [pid], 2027, compiler="competent_department", approver="government")
    expect(submit(api, cast, pid, "scheme_review", unit="other_unit"), 200)
    pass_step(api, cast, pid, "scheme_review")
    pass_step(api, cast, pid, "budget_review")  # 财政投资评审（第八条）
    assert (
        expect(api.as_(cast.user("other_unit")).get(f"/projects/{pid}"), 200)["stage"]
        == "procurement"
    )


def test_heilongjiang(api, casts):
    cast = casts["heilongjiang"]
    with at(2026, 6, 15):
        project = create_project(
            api, cast, name="省一体化政务服务平台", total_investment="30000000"
        )
        detail = declare(api, cast, project, "heilongjiang")
        # a system that does not share its data may not pass the joint review (第三十四条第（一）项)
        closed = create_project(
            api, cast, "other_unit", name="孤网系统改造", data_sharing_supported=False
        )
        declare(api, cast, closed, "heilongjiang", unit="other_unit")
        gated = expect(submit(api, cast, closed["id"], "joint_review", unit="other_unit"), 422)
    assert (gated["code"], gated["cite"]) == ("DATA_NOT_SHARED", "第三十四条第（一）项")
    pid = project["id"]
    assert kinds(detail)[:6] == [
        "declaration",
        "joint_review",
        "annual_plan",
        "feasibility_approval",
        "preliminary_design_approval",
        "project_approval",
    ]
    joint = step_of(api, cast.user("competent_department"), pid, "joint_review")
    # 联合审核：营商环境局牵头，网信办、密码管理局出具意见，5个工作日（第十条）
    assert [t["organization"]["kind"] for t in joint["tasks"]] == [
        "competent_department",
        "cyberspace",
        "crypto_administration",
    ]
    assert joint["started_on"] == "2026-06-15" and joint["due_on"] == "2026-06-23"  # 端午 6-19 off
    with at(2026, 6, 17):
        expect(
            act(
                api,
                cast.user("cyberspace"),
                open_task(joint, cast.orgs["cyberspace"].pk),
                "return",
                "补充等保方案",
            ),
            200,
        )
        # 网信's 退回 is its opinion: the organiser consolidates and returns (第十条)
        assert status_of(api, cast, pid, "joint_review") == "in_review"
        joint = step_of(api, cast.user("competent_department"), pid, "joint_review")
        expect(
            act(
                api,
                cast.user("competent_department"),
                open_task(joint, cast.orgs["competent_department"].pk),
                "return",
                "按网信意见补充等保方案",
            ),
            200,
        )
    assert status_of(api, cast, pid, "joint_review") == "returned"
    with at(2026, 6, 18):
        again = expect(submit(api, cast, pid, "joint_review", "已补充等级保护方案"), 200)
    assert again["round"] == 2 and again["due_on"] == "2026-06-26"
    pass_step(api, cast, pid, "joint_review")
    with at(2026, 9, 1):
        plan_through(api, cast, [pid], 2027, compiler="competent_department", approver="government")
    with at(2026, 11, 2):
        refused = expect(submit(api, cast, pid, "preliminary_design_approval"), 422)
        assert refused["code"] == "PREVIOUS_STEP_PENDING" and refused["cite"] == "第四条、第十五条"
        expect(submit(api, cast, pid, "feasibility_approval"), 200)
        step = step_of(api, cast.user("development_reform"), pid, "feasibility_approval")
        unconfirmed = expect(
            act(api, cast.user("development_reform"), open_task(step), "approve", "同意", []), 422
        )
        assert (unconfirmed["code"], unconfirmed["cite"]) == ("CHECK_NOT_CONFIRMED", "第十五条")
        pass_step(api, cast, pid, "feasibility_approval")
        design = expect(submit(api, cast, pid, "preliminary_design_approval"), 200)
    assert design["working_days"] == 20 and design["due_on"] == "2026-11-30"
    pass_step(api, cast, pid, "preliminary_design_approval")
    pass_step(
        api, cast, pid, "project_approval", {"government": "government"}
    )  # 省政府审定（第十九条）
    assert expect(api.as_(cast.user("unit")).get(f"/projects/{pid}"), 200)["stage"] == "procurement"


def test_linxiang(api, casts):
    cast = casts["linxiang"]
    unit = cast.user("unit")
    with at(2026, 10, 12):
        project = create_project(
            api, cast, name="临湘市城市运行管理平台", total_investment="2000000"
        )
        refused = expect(
            api.as_(unit).post(
                "/rulebooks/linxiang/decide", {"total_investment": 2000000, "plan_year": 2027}
            ),
            200,
        )
        assert refused["rulebook"]["status"] == "expired"
        facts_refusal = expect(api.as_(unit).post(f"/projects/{project['id']}/declare"), 422)
        assert (facts_refusal["code"], facts_refusal["cite"]) == ("RULEBOOK_EXPIRED", "第三十八条")
        # the jurisdiction's administrator confirms, with a reason that is recorded
        not_admin = api.as_(cast.user("competent_department")).post(
            f"/jurisdictions/{cast.jurisdiction.pk}/rulebook-confirmations",
            {"reason": "新办法出台前继续执行"},
        )
        assert not_admin.status == 403
        confirmation = expect(
            api.as_(cast.user("admin")).post(
                f"/jurisdictions/{cast.jurisdiction.pk}/rulebook-confirmations",
                {"reason": "新办法出台前继续执行"},
            ),
            201,
        )
        assert confirmation["status"] == "expired"
        declare(api, cast, project, "linxiang")
    pid = project["id"]
    with at(2026, 10, 20):
        # 领导小组办公室编制，会同市财政局、市发改局（第十一条）
        _, countersigned = plan_through(
            api, cast, [pid], 2027, compiler="leading_group_office", approver="government"
        )
    assert countersigned == ["finance", "development_reform"]
    with at(2026, 11, 2):
        expect(submit(api, cast, pid, "scheme_review"), 200)
    task = open_task(step_of(api, unit, pid, "scheme_review"))
    expect(act(api, cast.user("competent_department"), task, "return", "技术路线需论证"), 200)
    expect(submit(api, cast, pid, "scheme_review", "已论证"), 200)
    pass_step(api, cast, pid, "scheme_review")
    pool = experts(cast, "城市治理", 5, prefix="lx")
    expert_review(api, cast, pid, pool)  # 预算金额200万元（含）以上（第十四条）
    expect(submit(api, cast, pid, "project_approval"), 200)
    pass_step(api, cast, pid, "project_approval")
    pass_step(api, cast, pid, "budget_review")
    assert expect(api.as_(unit).get(f"/projects/{pid}"), 200)["stage"] == "procurement"


def test_lianping(api, casts):
    cast = casts["lianping"]
    unit = cast.user("unit")
    admin = cast.user("admin")
    with at(2026, 6, 10):
        expect(
            api.as_(admin).post(
                f"/jurisdictions/{cast.jurisdiction.pk}/rulebook-confirmations",
                {"reason": "按二次征求意见稿试行"},
            ),
            201,
        )
        project = create_project(
            api, cast, name="连平县政务服务一体机", total_investment="800000", involves_crypto=True
        )
        detail = declare(api, cast, project, "lianping")
    pid = project["id"]
    assert kinds(detail)[:7] == [
        "declaration",
        "annual_plan",
        "scheme_review",
        "crypto_review",
        "preliminary_review",
        "funds_review",
        "project_approval",
    ]
    # 报县政务服务数据管理局备案 (第六条): a filing, acknowledged
    pass_step(api, cast, pid, "declaration")
    with at(2026, 7, 1):
        late = create_project(api, cast, "other_unit", name="迟报项目", total_investment="600000")
        refused = expect(
            api.as_(cast.user("other_unit")).post(f"/projects/{late['id']}/declare"), 422
        )
    assert (refused["code"], refused["cite"]) == ("DECLARATION_LATE", "第六条第二款")
    with at(2026, 9, 1):
        # 第六条: the bureau compiles the plan alone; its approval is by another hand
        # (the compiler may not approve its own plan: issue 16, point 8)
        plan = expect(
            api.as_(cast.user("competent_department")).post(
                "/plans", {"year": 2027, "kind": "annual"}
            ),
            201,
        )
        path = f"/plans/{plan['id']}"
        clerk = api.as_(cast.user("competent_department"))
        expect(clerk.post(f"{path}/entries", {"project_id": pid}), 200)
        assert expect(clerk.post(f"{path}/submit"), 200)["signoffs"] == []
        own = expect(clerk.post(f"{path}/approve", {"opinion": "同意"}), 403)
        assert (own["code"], own["cite"]) == ("SELF_APPROVAL", "第六条第一款")
        leader = api.as_(cast.user("competent_department.leader"))
        expect(leader.post(f"{path}/approve", {"opinion": "同意"}), 200)
    with at(2026, 9, 7):
        step = step_of(api, unit, pid, "scheme_review")
        expect(
            act(api, unit, open_task(step), "complete", "内部论证通过"), 422
        )  # documents not yet uploaded
        submit(
            api, cast, pid, "scheme_review"
        )  # uploads the documents; the step itself is the unit's own
        expect(
            act(
                api,
                unit,
                open_task(step_of(api, unit, pid, "scheme_review")),
                "complete",
                "内部论证通过",
            ),
            200,
        )
        crypto = expect(submit(api, cast, pid, "crypto_review"), 200)
    assert (crypto["working_days"], crypto["due_on"]) == (5, "2026-09-14")
    pass_step(api, cast, pid, "crypto_review")
    with at(2026, 9, 28):
        review = expect(submit(api, cast, pid, "preliminary_review"), 200)
    assert review["due_on"] == "2026-10-16"  # 10 working days across National Day
    with at(2026, 10, 9):
        task = open_task(step_of(api, unit, pid, "preliminary_review"))
        expect(
            act(
                api,
                cast.user("competent_department"),
                task,
                "return",
                "项目数据资源管理核查表填写不完整",
            ),
            200,
        )
    with at(2026, 10, 12):
        again = expect(submit(api, cast, pid, "preliminary_review", "已补正核查表"), 200)
    assert again["round"] == 2 and again["due_on"] == "2026-10-26"  # the clock restarts
    step = step_of(api, unit, pid, "preliminary_review")
    # 第九条's items are 原则上不予立项: warnings, not checks to confirm (issue 15, point 3)
    assert set(block_checks(step)) == {"FIRST_LEVEL_BUDGET_UNIT"}
    with at(2026, 10, 20):
        pass_step(api, cast, pid, "preliminary_review")
    funds = step_of(api, cast.user("finance"), pid, "funds_review")
    # passed on by the bureau (第十一条第（五）项): 12 working days from the day it arrives
    assert (funds["status"], funds["working_days"], funds["started_on"], funds["due_on"]) == (
        "in_review",
        12,
        "2026-10-20",
        "2026-11-05",
    )
    pass_step(api, cast, pid, "funds_review")
    approval = step_of(api, unit, pid, "project_approval")
    assert approval["working_days"] == 5 and approval["status"] == "in_review"
    pass_step(api, cast, pid, "project_approval")
    assert expect(api.as_(unit).get(f"/projects/{pid}"), 200)["stage"] == "procurement"
