"""What a unit's earlier projects say against its next declaration: 湘西第十六条's three refusals
(last year's project unfinished / built but not accepted / evaluation findings not rectified), and
the post-evaluation results that go with a declaration to its reviewers (临湘第三十三条,
黑龙江第三十八条, 连平第二十六条)."""

from __future__ import annotations

import datetime as dt

import pytest

from govit.api import serialize
from govit.core import clock
from govit.core.errors import RuleRefused
from govit.delivery import services as delivery
from govit.demo.driver import advance_to
from govit.events.models import Event
from govit.projects import services as projects
from govit.projects.models import Project, ProjectStatus
from tests.delivery.conftest import staffed
from tests.workflow import flows

pytestmark = pytest.mark.django_db
D = dt.date


def last_years_project(cast, stage: str, *, amount: int = 800_000) -> Project:
    """A project of the unit in the approved 2026 plan, moved on until ``stage`` is its step."""
    project = flows.declared(
        cast, name="州政务外网升级", amount=amount, on=D(2025, 10, 10), plan_year=2026
    )
    with clock.frozen(D(2025, 10, 13)):
        return advance_to(cast, project, stage)


NEXT_DECLARATION = D(2026, 10, 15)


def declare_next(cast, on: dt.date = NEXT_DECLARATION) -> Project:
    return flows.declared(cast, name="州视频会议系统", amount=600_000, on=on)


def refusal(cast) -> RuleRefused:
    with pytest.raises(RuleRefused) as caught:
        declare_next(cast)
    assert not Project.objects.filter(name="州视频会议系统", status=ProjectStatus.ACTIVE).exists()
    return caught.value


def test_a_built_project_awaiting_its_acceptance_application_refuses_the_next(tree):
    cast = staffed(tree, "xiangxi")
    earlier = last_years_project(cast, "final_acceptance")
    assert earlier.completed_on is not None and earlier.accepted_on is None
    refused = refusal(cast)
    assert (refused.code, refused.cite) == ("PRIOR_YEAR_NOT_ACCEPTED", "第十六条第（二）项")
    assert "州政务外网升级" in refused.message


def test_an_acceptance_under_way_lets_the_next_declaration_through(tree):
    cast = staffed(tree, "xiangxi")
    earlier = last_years_project(cast, "final_acceptance")
    step = earlier.steps.get(kind="final_acceptance")
    with clock.frozen(D(2026, 9, 1)):
        flows.upload_all(cast.user("unit"), earlier, step.documents)
        projects.step_submit(actor=cast.user("unit"), step=step)
    assert declare_next(cast).status == ProjectStatus.ACTIVE


def test_a_failed_acceptance_refuses_the_next_until_it_is_rectified(tree):
    cast = staffed(tree, "xiangxi")
    earlier = last_years_project(cast, "final_acceptance")
    step = earlier.steps.get(kind="final_acceptance")
    with clock.frozen(D(2026, 9, 1)):
        flows.upload_all(cast.user("unit"), earlier, step.documents)
        projects.step_submit(actor=cast.user("unit"), step=step)
        projects.task_act(
            actor=cast.user("competent_department"),
            task_id=flows.open_task(earlier, "final_acceptance").pk,
            action="return",
            opinion="测试报告缺失",
            rectify_by=D(2026, 12, 1),
        )
    refused = refusal(cast)
    assert (refused.code, refused.cite) == ("PRIOR_YEAR_NOT_ACCEPTED", "第十六条第（二）项")
    # rectified and accepted: the unit may declare again
    with clock.frozen(D(2026, 10, 12)):
        advance_to(cast, earlier, "settlement_audit")
    earlier.refresh_from_db()
    assert earlier.accepted_on is not None
    assert declare_next(cast).status == ProjectStatus.ACTIVE


def test_a_project_still_under_construction_is_unfinished_and_a_built_one_is_not(tree):
    cast = staffed(tree, "xiangxi")
    earlier = last_years_project(cast, "construction")
    refused = refusal(cast)
    assert (refused.code, refused.cite) == ("PRIOR_YEAR_UNFINISHED", "第十六条第（一）项")
    with clock.frozen(D(2026, 9, 1)):
        advance_to(cast, earlier, "final_acceptance")
    assert refusal(cast).code == "PRIOR_YEAR_NOT_ACCEPTED"


def test_a_project_of_an_older_plan_does_not_count(tree):
    cast = staffed(tree, "xiangxi")
    last_years_project(cast, "final_acceptance")
    # the 2028 plan looks at the 2027 plan only
    project = flows.declared(
        cast, name="州视频会议系统", amount=600_000, on=D(2027, 10, 15), plan_year=2028
    )
    assert project.status == ProjectStatus.ACTIVE


def test_unrectified_evaluation_findings_refuse_the_next_until_confirmed_rectified(tree):
    cast = staffed(tree, "xiangxi")
    earlier = last_years_project(cast, "post_evaluation")
    with clock.frozen(D(2026, 9, 1)):
        evaluation = delivery.evaluation_record(
            actor=cast.user("competent_department"),
            project=earlier,
            kind="post",
            score="58",
            grade="poor",
            findings="系统使用率低",
            rectification_required=True,
        )
    refused = refusal(cast)
    assert (refused.code, refused.cite) == ("EVALUATION_NOT_RECTIFIED", "第十六条第（三）项")
    with clock.frozen(D(2026, 10, 14)):
        delivery.evaluation_rectified(
            actor=cast.user("competent_department"), evaluation=evaluation, note="已整改"
        )
    assert declare_next(cast).status == ProjectStatus.ACTIVE


@pytest.mark.parametrize(
    ("rulebook", "cite"),
    [
        ("linxiang", "第三十三条"),
        ("heilongjiang", "第三十八条"),
        ("lianping", "第二十六条"),
        ("yueyang", None),
    ],
)
@pytest.mark.parametrize("grade", ["poor", "fair"])
def test_a_poor_post_evaluation_goes_with_the_next_declaration(tree, rulebook, cite, grade):
    cast = staffed(tree, rulebook)
    if rulebook in ("linxiang", "lianping"):
        # 临湘's 暂行办法 has expired (第三十八条), 连平's is a 征求意见稿: the administrator confirms
        with clock.frozen(D(2025, 10, 1)):
            flows.rulebook_confirm(
                actor=cast.user("admin"), jurisdiction=cast.jurisdiction, reason="继续执行"
            )
    early = rulebook in ("heilongjiang", "lianping")  # their declarations close mid-year
    on = D(2025, 6, 15) if early else D(2025, 10, 10)
    earlier = flows.declared(cast, name="州政务外网升级", amount=400_000, on=on, plan_year=2026)
    first = "self_evaluation" if rulebook == "heilongjiang" else "post_evaluation"
    with clock.frozen(on + dt.timedelta(days=1)):  # 黑龙江: 自评价 opens 6 months into operation
        earlier = advance_to(cast, earlier, first)
    with clock.frozen(D(2026, 6, 1)):
        earlier = advance_to(cast, earlier, "post_evaluation")
        assert earlier.steps.get(kind="post_evaluation").status == "in_review"
        delivery.evaluation_record(
            actor=cast.user("competent_department"),
            project=earlier,
            kind="post",
            score="55" if grade == "poor" else "70",
            grade=grade,
        )
    on = D(2026, 6, 15) if early else D(2026, 10, 15)
    project = flows.declared(cast, name="州视频会议系统", amount=600_000, on=on)
    assert project.status == ProjectStatus.ACTIVE  # a warning, never a refusal
    warnings = Event.objects.get(kind="project.declared", project=project).data["warnings"]
    poor = [w for w in warnings if w["code"] == "PRIOR_EVALUATION_POOR"]
    if cite is None or grade == "fair":
        assert poor == []
    else:
        assert [(w["severity"], w["cite"]) for w in poor] == [("warn", cite)]
        assert "州政务外网升级" in poor[0]["message"]
    # the reviewers see what went with the declaration on the project's page
    shown = [w["code"] for w in serialize.project_detail(project)["declaration_warnings"]]
    assert ("PRIOR_EVALUATION_POOR" in shown) is bool(poor)
