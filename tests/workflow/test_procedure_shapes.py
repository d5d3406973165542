"""The shape of each procedure as the text gives it (issue 16, points 1–5): who decides, in what
order, who is only informed, which opinions and amounts an act must carry, and what the decider
reads first."""

from __future__ import annotations

import datetime as dt

import pytest

from govit.core import clock
from govit.core.errors import Conflict, InvalidInput, RuleRefused
from govit.demo.cast import add_vendor
from govit.demo.driver import advance_to
from govit.notifications.models import Notification
from govit.policy.decide import decide
from govit.policy.loader import get_rulebook
from govit.projects import selectors, workflow
from govit.projects import services as projects
from govit.projects.models import Action, StepStatus, Task, TaskStatus
from govit.web.duties import other_duties
from tests.api.helpers import experts
from tests.workflow import flows
from tests.workflow.conftest import make_cast

pytestmark = pytest.mark.django_db

JUNE = dt.date(2026, 6, 15)


@pytest.fixture
def heilongjiang(tree):
    return make_cast(tree, "heilongjiang")


@pytest.fixture
def joint(heilongjiang):
    """A 300万元 provincial project declared on 2026-06-15: its 联合审核 is open."""
    project = flows.declared(heilongjiang, amount=3_000_000, on=JUNE)
    assert flows.step(project, "joint_review").status == StepStatus.IN_REVIEW
    return project


def act(cast, project, kind, office, action, opinion="同意", **kwargs):
    task = flows.open_task(project, kind, office)
    if task.lead:
        kwargs.setdefault("confirmed_checks", flows.block_checks(task.step))
    return projects.task_act(
        actor=cast.user(office), task_id=task.pk, action=action, opinion=opinion, **kwargs
    )


# --- 1. 黑龙江第十条: the organiser consolidates ------------------------------------------------


def test_the_joint_review_is_consolidated_by_the_organiser(heilongjiang, joint):
    rb = get_rulebook("heilongjiang")
    text = rb.regulation.article(10).text
    assert "省营商环境局组织有关部门专家对项目申报材料进行联合审核" in text
    assert "省委网信办出具网络安全审核意见" in text and "陈述和补正" in text
    with clock.frozen(dt.date(2026, 6, 16)):
        # the organiser cannot decide before the others' opinions are in
        with pytest.raises(Conflict) as early:
            act(heilongjiang, joint, "joint_review", "competent_department", "approve")
        assert early.value.code == "OPINIONS_PENDING" and early.value.cite == "第十条"
        # 网信's 退回修改 is its opinion: the step stays under review with the organiser's task open
        act(
            heilongjiang,
            joint,
            "joint_review",
            "cyberspace",
            "return",
            "请补充等级保护定级备案材料",
        )
        step = flows.step(joint, "joint_review")
        assert step.status == StepStatus.IN_REVIEW
        lead = flows.open_task(joint, "joint_review")
        assert lead.organization.kind == "competent_department"
        act(heilongjiang, joint, "joint_review", "crypto_administration", "approve", "密码方案可行")
        # the organiser reads both before deciding, and cannot pass over 网信's ask
        read = selectors.opinions_for_decision(lead)["this_round"]
        assert [(o.organization.kind, o.text) for o in read] == [
            ("cyberspace", "请补充等级保护定级备案材料"),
            ("crypto_administration", "密码方案可行"),
        ]
        with pytest.raises(RuleRefused) as asked:
            act(heilongjiang, joint, "joint_review", "competent_department", "approve")
        assert asked.value.code == "CO_REVIEW_ASKS" and "等级保护定级备案" in asked.value.message

        # the unit states its case and supplements within the same step: 网信 reviews again
        unit = heilongjiang.user("unit")
        projects.step_supplement(actor=unit, step=step, note="已补充定级备案证明")
        step.refresh_from_db()
        assert step.status == StepStatus.IN_REVIEW and step.round == 1
        again = flows.open_task(joint, "joint_review", "cyberspace")
        assert again.round == 1
        assert joint.events.filter(kind="step.supplemented").exists()
        act(heilongjiang, joint, "joint_review", "cyberspace", "approve", "网络安全审核同意")
        act(
            heilongjiang, joint, "joint_review", "competent_department", "approve", "同意集约化建设"
        )
    assert flows.step(joint, "joint_review").status == StepStatus.PASSED


def test_the_organisers_return_lands_in_the_units_workbench_with_what_was_asked(
    heilongjiang, joint
):
    with clock.frozen(dt.date(2026, 6, 16)):
        act(
            heilongjiang,
            joint,
            "joint_review",
            "cyberspace",
            "return",
            "请补充等级保护定级备案材料",
        )
        act(heilongjiang, joint, "joint_review", "competent_department", "return", "按网信意见补充")
        step = flows.step(joint, "joint_review")
        assert step.status == StepStatus.RETURNED
        unit = heilongjiang.user("unit")
        rows = [d for d in other_duties(unit) if d.project_id == joint.pk]
    assert rows, "the return is in the unit's 工作台"
    told = Notification.objects.get(user=unit, kind="step_returned", project=joint)
    assert "按网信意见补充" in told.body and told.cite == "第十条"
    with clock.frozen(dt.date(2026, 6, 17)):
        projects.step_submit(actor=unit, step=step, note="已补充")  # and it can resubmit
    step.refresh_from_db()
    assert (step.status, step.round) == (StepStatus.IN_REVIEW, 2)
    assert Task.objects.filter(step=step, round=2, status=TaskStatus.OPEN).count() == 3


# --- 2. 黑龙江第十九条: sequential acts are sequential ---------------------------------------------


def test_the_government_decides_after_the_department_reported(heilongjiang):
    rb = get_rulebook("heilongjiang")
    assert "由省营商环境局报省政府审定后实施" in rb.regulation.article(19).text
    answer = decide(rb, {"total_investment": 3_000_000}, JUNE)
    (approval,) = [s for s in answer["steps"] if s["kind"] == "project_approval"]
    assert (approval["sign"], approval["order"]) == (
        "sequence",
        ["competent_department", "government"],
    )
    project = flows.declared(heilongjiang, amount=3_000_000, on=JUNE)
    advance_to(heilongjiang, project, "project_approval")
    step = flows.step(project, "project_approval")
    if step.status != StepStatus.IN_REVIEW:
        advance_to(heilongjiang, project, "procurement")  # nothing to see if it never opened
        pytest.fail("the approval did not open")
    open_now = list(Task.objects.filter(step=step, status=TaskStatus.OPEN))
    assert [t.actor for t in open_now] == ["competent_department"]  # the government waits
    act(
        heilongjiang, project, "project_approval", "competent_department", "approve", "报省政府审定"
    )
    (waiting,) = Task.objects.filter(step=step, status=TaskStatus.OPEN)
    assert waiting.actor == "government" and waiting.lead
    assert flows.step(project, "project_approval").status == StepStatus.IN_REVIEW
    act(
        heilongjiang,
        project,
        "project_approval",
        "government",
        "approve",
        "同意实施",
        approved_budget=3_000_000,
    )
    assert flows.step(project, "project_approval").status == StepStatus.PASSED


# --- 3. 抄送 informs; it does not approve ---------------------------------------------------------


def test_a_copied_body_is_told_and_has_no_task(lianping):
    cast = lianping
    rb = get_rulebook("lianping")
    assert "抄送县政务服务数据管理局" in rb.regulation.article(25).text
    answer = decide(rb, {"total_investment": 800_000, "involves_crypto": True}, JUNE)
    (filing,) = [s for s in answer["steps"] if s["kind"] == "acceptance_filing"]
    assert filing["actor"] == "construction_unit" and filing["co_actors"] == []
    assert filing["copied"] == ["competent_department", "crypto_administration"]
    plain = decide(rb, {"total_investment": 800_000}, JUNE)
    (filing,) = [s for s in plain["steps"] if s["kind"] == "acceptance_filing"]
    assert filing["copied"] == ["competent_department"]

    add_vendor(cast, "连平测试科技有限公司", "contractor", key="builder", prefix="lp")
    pool = experts(cast, "电子政务", 4, prefix="lianping")
    project = flows.declared(cast, amount=800_000, on=dt.date(2026, 6, 10), involves_crypto=True)
    advance_to(cast, project, "acceptance_filing", pool=pool)
    step = flows.step(project, "acceptance_filing")
    assert not Task.objects.filter(step=step, organization__kind="crypto_administration").exists()
    advance_to(cast, project, "post_evaluation", pool=pool)
    assert flows.step(project, "acceptance_filing").status == StepStatus.PASSED
    for office in ("crypto_administration", "competent_department"):
        told = Notification.objects.get(user=cast.user(office), kind="step_copied", project=project)
        assert "抄送" in told.title and told.cite == "第二十五条"


# --- 4. required opinions and amounts ------------------------------------------------------------


def test_a_review_passes_only_with_its_opinion(heilongjiang, joint):
    with pytest.raises(InvalidInput) as empty:
        act(heilongjiang, joint, "joint_review", "cyberspace", "approve", "  ")
    assert empty.value.code == "OPINION_REQUIRED" and empty.value.cite == "第十条"
    assert flows.open_task(joint, "joint_review", "cyberspace").status == TaskStatus.OPEN


def test_an_approval_states_its_amount_and_a_funds_review_its_own(lianping):
    cast = lianping
    project = flows.declared(cast, amount=800_000, on=dt.date(2026, 6, 10))
    advance_to(cast, project, "funds_review")
    with pytest.raises(InvalidInput) as funds:
        act(cast, project, "funds_review", "finance", "approve")
    assert funds.value.code == "AMOUNT_REQUIRED" and "核定金额" in funds.value.message
    act(
        cast, project, "funds_review", "finance", "approve", "资金来源明确", approved_budget=760_000
    )
    approval = flows.open_task(project, "project_approval")
    with pytest.raises(InvalidInput) as budget:
        act(cast, project, "project_approval", "competent_department", "approve", "同意立项")
    assert budget.value.code == "AMOUNT_REQUIRED" and budget.value.cite == "第十一条第（六）项"
    # 5. the decider reads the steps before: 财政's 核定金额 among them
    earlier = selectors.opinions_for_decision(approval)["earlier"]
    funds_opinion = next(o for o in earlier if o.step.kind == "funds_review")
    assert funds_opinion.amount == 760_000 and funds_opinion.action == Action.APPROVE
    assert any(o.step.kind == "preliminary_review" for o in earlier)


# --- 6. deadlines in months are deadlines --------------------------------------------------------


def test_the_self_evaluation_task_is_due_twelve_months_after_operation_starts(heilongjiang):
    rb = get_rulebook("heilongjiang")
    assert "投入运行后6至12个月内" in rb.regulation.article(33).text
    project = flows.declared(heilongjiang, amount=3_000_000, on=JUNE)
    project.operation_started_on = dt.date(2027, 8, 31)
    project.save(update_fields=["operation_started_on"])
    step = flows.step(project, "self_evaluation")
    with clock.frozen(dt.date(2028, 3, 1)):
        (task,) = workflow.open_step(step, heilongjiang.user("unit"), clock.today())
    # 12 months after 2027-08-31 (the month has no 31st in February's case; here it has)
    assert step.due_on == task.due_on == dt.date(2028, 8, 31)
    assert decide(
        rb,
        {"total_investment": 3_000_000, "operation_started_on": "2027-08-31"},
        dt.date(2028, 3, 1),
    )["self_evaluation_window"] == {"from": "2028-02-29", "to": "2028-08-31"}
