"""The approval actions on real projects: 转办, 委托, 催办, 退回修改 and 不予通过 with their opinion,
filing steps and a unit's own steps, overdue tasks, and a step whose department is not registered."""

from __future__ import annotations

import datetime as dt

import pytest

from govit.access.services import (
    jurisdiction_bind,
    jurisdiction_create,
    organization_create,
    user_create,
)
from govit.core import clock
from govit.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RuleRefused,
)
from govit.demo.cast import DEMO_PASSWORD, Cast
from govit.events.models import Event
from govit.events.services import verify_stream
from govit.organizations.models import Role
from govit.organizations.services import system_user
from govit.planning import services as planning
from govit.projects import services
from govit.projects.models import (
    Action,
    Delegation,
    Opinion,
    Project,
    ProjectStatus,
    ProjectStep,
    StepStatus,
    Task,
    TaskStatus,
)
from govit.projects.selectors import task_list
from tests.workflow import flows
from tests.workflow.conftest import make_cast

pytestmark = pytest.mark.django_db

CHINA = clock.CHINA


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded files go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def yueyang(tree):
    return make_cast(tree, "yueyang")


@pytest.fixture
def project(yueyang):
    """岳阳: the 建设方案评审 is with the 市行政审批服务局 (第十六条)."""
    return flows.yueyang_in_scheme_review(yueyang)


@pytest.fixture
def task(project):
    return flows.open_task(project, "scheme_review")


@pytest.fixture
def clerk2(yueyang):
    return flows.colleague(yueyang, "competent_department", "yueyang.cd.clerk2")


def snapshot(project: Project) -> tuple:
    """Everything an action on the project could change."""
    project = Project.objects.get(pk=project.pk)
    return (
        project.status,
        project.stage,
        list(project.steps.order_by("seq").values_list("kind", "status", "round", "closed_at")),
        list(
            Task.objects.filter(project=project)
            .order_by("id")
            .values_list("id", "status", "assignee_id", "version", "urge_count", "closed_by_id")
        ),
        Opinion.objects.filter(project=project).count(),
        Event.objects.filter(project=project).count(),
        Delegation.objects.count(),
    )


def act(user, task, action, opinion=None, **kwargs):
    """The act as the reviewer does it: the lead confirms the step's block checks it has verified;
    a pass carries its opinion (a review issues one)."""
    if opinion is None:
        opinion = "同意" if action == "approve" else ""
    if task.lead and "confirmed_checks" not in kwargs:
        kwargs["confirmed_checks"] = flows.block_checks(task.step)
    return services.task_act(actor=user, task_id=task.pk, action=action, opinion=opinion, **kwargs)


# --- 转办 ----------------------------------------------------------------------------------------


def test_a_task_reassigned_to_a_colleague_is_theirs_and_the_leaders_only(
    yueyang, project, task, clerk2
):
    clerk = yueyang.user("competent_department")
    with clock.frozen(dt.datetime(2026, 11, 3, 10, 0, tzinfo=CHINA)):
        reassigned = services.task_reassign(
            actor=clerk, task_id=task.pk, to_user=clerk2, note="请熟悉教育业务的同事办理"
        )
    assert (reassigned.assignee, reassigned.version) == (clerk2, 2)
    stored = Task.objects.get(pk=task.pk)
    assert (stored.assignee, stored.version, stored.status) == (clerk2, 2, TaskStatus.OPEN)
    opinion = Opinion.objects.get(task=task, action=Action.REASSIGN)
    assert (opinion.user, opinion.text, opinion.at) == (
        clerk,
        "请熟悉教育业务的同事办理",
        dt.datetime(2026, 11, 3, 10, 0, tzinfo=CHINA),
    )
    event = Event.objects.get(project=project, kind="task.reassigned")
    assert event.summary == "“建设方案评审”转办给yueyang.cd.clerk2：请熟悉教育业务的同事办理"
    assert (event.before, event.after) == (
        {"task": task.pk, "assignee": None},
        {"task": task.pk, "assignee": clerk2.pk},
    )

    # the clerk who handed it on may no longer act on it, nor hand it on again
    before = snapshot(project)
    with pytest.raises(PermissionDenied) as refused:
        act(clerk, task, "approve")
    assert refused.value.message == "此待办已转办给其他经办人"
    with pytest.raises(PermissionDenied) as refused:
        services.task_reassign(actor=clerk, task_id=task.pk, to_user=clerk)
    assert refused.value.message == "只有当前经办人或单位负责人可以转办"
    assert snapshot(project) == before

    # the assignee may
    act(clerk2, task, "approve", "方案可行")
    stored = Task.objects.get(pk=task.pk)
    assert (stored.status, stored.closed_by) == (TaskStatus.APPROVED, clerk2)
    assert ProjectStep.objects.get(project=project, kind="scheme_review").status == (
        StepStatus.PASSED
    )


def test_the_leader_may_act_on_a_task_reassigned_to_a_clerk(yueyang, project, task, clerk2):
    services.task_reassign(
        actor=yueyang.user("competent_department"), task_id=task.pk, to_user=clerk2
    )
    leader = yueyang.user("competent_department.leader")
    act(leader, task, "return", "请补充数据共享章节")
    stored = Task.objects.get(pk=task.pk)
    assert (stored.status, stored.closed_by) == (TaskStatus.RETURNED, leader)
    assert Opinion.objects.get(task=task, action=Action.RETURN).on_behalf_of is None


def test_the_leader_may_take_a_task_back(yueyang, project, task, clerk2):
    clerk = yueyang.user("competent_department")
    services.task_reassign(actor=clerk, task_id=task.pk, to_user=clerk2)
    services.task_reassign(
        actor=yueyang.user("competent_department.leader"), task_id=task.pk, to_user=clerk
    )
    assert Task.objects.get(pk=task.pk).assignee == clerk
    with pytest.raises(PermissionDenied):
        act(clerk2, task, "approve")
    act(clerk, task, "approve")


def test_a_task_is_reassigned_only_within_its_organization_to_working_staff(yueyang, project, task):
    clerk = yueyang.user("competent_department")
    gone = flows.colleague(yueyang, "competent_department", "yueyang.cd.gone")
    gone.is_active = False
    gone.save()
    auditor = flows.colleague(yueyang, "competent_department", "yueyang.cd.aud", roles=["auditor"])
    before = snapshot(project)
    for outsider in (yueyang.user("finance"), yueyang.user("unit"), yueyang.user("consultant")):
        with pytest.raises(InvalidInput) as refused:
            services.task_reassign(actor=clerk, task_id=task.pk, to_user=outsider)
        assert (refused.value.code, refused.value.message) == (
            "INVALID_ASSIGNEE",
            "只能转办给本单位的在岗人员",
        )
    with pytest.raises(InvalidInput) as refused:
        services.task_reassign(actor=clerk, task_id=task.pk, to_user=gone)
    assert refused.value.message == "只能转办给本单位的在岗人员"
    with pytest.raises(InvalidInput) as refused:
        services.task_reassign(actor=clerk, task_id=task.pk, to_user=auditor)
    assert refused.value.message == "“yueyang.cd.aud”不是经办人或负责人"
    # nor by someone of another organization
    with pytest.raises(PermissionDenied) as refused:
        services.task_reassign(
            actor=yueyang.user("finance"), task_id=task.pk, to_user=yueyang.user("finance")
        )
    assert refused.value.message == "只有“岳阳市行政审批服务局”的经办人或负责人可以转办此待办"
    assert snapshot(project) == before


# --- 委托 ----------------------------------------------------------------------------------------


def test_a_delegate_acts_on_the_delegators_task_only_during_the_period(
    yueyang, project, task, clerk2
):
    clerk = yueyang.user("competent_department")
    services.task_reassign(actor=clerk, task_id=task.pk, to_user=clerk2)
    delegation = services.delegation_create(
        actor=clerk2,
        delegate=clerk,
        starts_on=dt.date(2026, 11, 24),
        ends_on=dt.date(2026, 11, 26),
        reason="外出培训",
    )
    assert (delegation.delegator, delegation.delegate, delegation.organization) == (
        clerk2,
        clerk,
        yueyang.orgs["competent_department"],
    )
    event = Event.objects.get(kind="delegation.created")
    assert event.summary == (
        f"yueyang.cd.clerk2委托{clerk.display_name}于2026年11月24日至2026年11月26日代为办理：外出培训"
    )
    assert (event.stream, event.data["delegation"]) == (
        f"jurisdiction:{yueyang.jurisdiction.pk}",
        delegation.pk,
    )

    before = snapshot(project)
    for day in (dt.date(2026, 11, 23), dt.date(2026, 11, 27)):  # before it starts, after it ends
        with clock.frozen(day), pytest.raises(PermissionDenied) as refused:
            act(clerk, task, "approve")
        assert refused.value.message == "此待办已转办给其他经办人"
    assert snapshot(project) == before

    with clock.frozen(dt.date(2026, 11, 26)):  # its last day
        act(clerk, task, "approve", "代为审核通过")
    opinion = Opinion.objects.get(task=task, action=Action.APPROVE)
    assert (opinion.user, opinion.on_behalf_of, opinion.text) == (clerk, clerk2, "代为审核通过")
    stored = Task.objects.get(pk=task.pk)
    assert (stored.status, stored.closed_by) == (TaskStatus.APPROVED, clerk)
    approved = Event.objects.get(project=project, kind="task.approved")
    assert (approved.actor, approved.data["on_behalf_of"]) == (clerk, clerk2.pk)


def test_a_delegation_does_not_reach_tasks_assigned_to_someone_else(yueyang, project, task, clerk2):
    clerk = yueyang.user("competent_department")
    clerk3 = flows.colleague(yueyang, "competent_department", "yueyang.cd.clerk3")
    services.task_reassign(actor=clerk, task_id=task.pk, to_user=clerk3)
    services.delegation_create(
        actor=clerk2,
        delegate=clerk,
        starts_on=dt.date(2026, 11, 23),
        ends_on=dt.date(2026, 11, 30),
        reason="休假",
    )
    before = snapshot(project)
    with pytest.raises(PermissionDenied):
        act(clerk, task, "approve")
    assert snapshot(project) == before


def test_a_delegation_goes_to_a_working_colleague_for_a_stated_period(yueyang, clerk2):
    clerk = yueyang.user("competent_department")
    period = {"starts_on": dt.date(2026, 11, 24), "ends_on": dt.date(2026, 11, 26)}
    for outsider in (yueyang.user("finance"), yueyang.user("unit")):
        with pytest.raises(PermissionDenied) as refused:
            services.delegation_create(actor=clerk, delegate=outsider, reason="休假", **period)
        assert refused.value.message == "只能委托本单位的经办人或负责人"
    with pytest.raises(InvalidInput) as refused:
        services.delegation_create(
            actor=clerk,
            delegate=clerk2,
            starts_on=dt.date(2026, 11, 26),
            ends_on=dt.date(2026, 11, 25),
            reason="休假",
        )
    assert (refused.value.code, refused.value.message) == (
        "INVALID_PERIOD",
        "委托结束日期不能早于开始日期",
    )
    with clock.frozen(dt.date(2026, 11, 27)), pytest.raises(InvalidInput) as refused:
        services.delegation_create(actor=clerk, delegate=clerk2, reason="休假", **period)
    assert (refused.value.code, refused.value.message) == (
        "INVALID_PERIOD",
        "委托结束日期已过，委托不会生效",
    )
    with pytest.raises(InvalidInput) as refused:
        services.delegation_create(actor=clerk, delegate=clerk, reason="休假", **period)
    assert (refused.value.code, refused.value.message) == ("INVALID_DELEGATE", "不能委托给自己")
    with pytest.raises(InvalidInput) as refused:
        services.delegation_create(actor=clerk, delegate=clerk2, reason="  ", **period)
    assert (refused.value.code, refused.value.message) == ("REASON_REQUIRED", "请填写委托事由")
    assert Delegation.objects.count() == 0
    assert not Event.objects.filter(kind="delegation.created").exists()


# --- 催办 ----------------------------------------------------------------------------------------


def test_the_construction_unit_urges_an_open_task(yueyang, project, task):
    unit = yueyang.user("unit")
    with clock.frozen(dt.datetime(2026, 11, 20, 9, 0, tzinfo=CHINA)):
        urged = services.task_urge(actor=unit, task_id=task.pk, text="请尽快办理")
    assert urged.urge_count == 1
    services.task_urge(actor=yueyang.user("unit.leader"), task_id=task.pk)
    stored = Task.objects.get(pk=task.pk)
    assert (stored.urge_count, stored.status, stored.version) == (2, TaskStatus.OPEN, 1)
    events = list(Event.objects.filter(project=project, kind="task.urged").order_by("seq"))
    without_words = [{k: v for k, v in e.data.items() if k != "phrase"} for e in events]
    assert [
        (e.actor, e.summary, e.cite, d) for e, d in zip(events, without_words, strict=True)
    ] == [
        (
            unit,
            "催办岳阳市行政审批服务局办理“建设方案评审”（第1次）：请尽快办理",
            "第十六条",
            {"task": task.pk, "due_on": None},
        ),
        (
            yueyang.user("unit.leader"),
            "催办岳阳市行政审批服务局办理“建设方案评审”（第2次）",
            "第十六条",
            {"task": task.pk, "due_on": None},
        ),
    ]
    assert events[0].at == dt.datetime(2026, 11, 20, 9, 0, tzinfo=CHINA)
    assert list(
        Opinion.objects.filter(task=task, action=Action.URGE).values_list("user", "text")
    ) == [(unit.pk, "请尽快办理"), (yueyang.user("unit.leader").pk, "")]


def test_only_the_unit_or_the_competent_department_urges(yueyang, project, task):
    before = snapshot(project)
    with pytest.raises(PermissionDenied) as refused:
        services.task_urge(actor=yueyang.user("finance"), task_id=task.pk)
    assert refused.value.message == "只有建设单位或主管部门可以催办"
    with pytest.raises(NotFound):  # another unit does not even see the project
        services.task_urge(actor=yueyang.user("other_unit"), task_id=task.pk)
    assert snapshot(project) == before


def test_a_closed_task_cannot_be_urged(yueyang, project, task):
    act(yueyang.user("competent_department"), task, "approve")
    before = snapshot(project)
    with pytest.raises(Conflict) as refused:
        services.task_urge(actor=yueyang.user("unit"), task_id=task.pk, text="请尽快办理")
    assert (refused.value.code, refused.value.message) == ("TASK_CLOSED", "此待办已办结，无需催办")
    assert snapshot(project) == before


# --- 退回修改, 不予通过 --------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["return", "reject"])
@pytest.mark.parametrize("opinion", ["", "   \n"])
def test_return_and_reject_need_an_opinion(yueyang, project, task, action, opinion):
    before = snapshot(project)
    with pytest.raises(InvalidInput) as refused:
        act(yueyang.user("competent_department"), task, action, opinion)
    assert (refused.value.code, refused.value.message) == (
        "OPINION_REQUIRED",
        "退回修改或不予通过须填写意见",
    )
    assert snapshot(project) == before


def test_a_return_sends_the_step_back_and_a_resubmission_restarts_it(yueyang, project, task):
    act(yueyang.user("competent_department"), task, "return", "请补充数据共享章节")
    step = ProjectStep.objects.get(project=project, kind="scheme_review")
    assert (step.status, step.round) == (StepStatus.RETURNED, 1)
    assert Task.objects.get(pk=task.pk).status == TaskStatus.RETURNED
    returned = Event.objects.get(project=project, kind="step.returned")
    assert returned.summary == "“建设方案评审”退回建设单位修改：请补充数据共享章节"
    with clock.frozen(dt.date(2026, 11, 25)):
        services.step_submit(actor=yueyang.user("unit"), step=step, note="已补充")
    step.refresh_from_db()
    assert (step.status, step.round, step.started_on) == (
        StepStatus.IN_REVIEW,
        2,
        dt.date(2026, 11, 25),
    )
    assert flows.open_task(project, "scheme_review").round == 2


def test_a_rejection_ends_the_project(yueyang):
    project = flows.yueyang_in_scheme_review(yueyang, classified=True)
    lead = flows.open_task(project, "scheme_review")
    secrecy = flows.open_task(project, "scheme_review", "secrecy")
    competent = yueyang.user("competent_department")
    with clock.frozen(dt.datetime(2026, 11, 4, 16, 0, tzinfo=CHINA)):
        act(competent, lead, "reject", "与已建系统重复建设")
    project.refresh_from_db()
    assert project.status == ProjectStatus.REJECTED
    step = ProjectStep.objects.get(project=project, kind="scheme_review")
    assert (step.status, step.closed_at) == (
        StepStatus.REJECTED,
        dt.datetime(2026, 11, 4, 16, 0, tzinfo=CHINA),
    )
    assert Task.objects.get(pk=lead.pk).status == TaskStatus.REJECTED
    assert Task.objects.get(pk=secrecy.pk).status == TaskStatus.CANCELLED  # the 会签 is moot
    assert not Task.objects.filter(project=project, status=TaskStatus.OPEN).exists()
    rejected = Event.objects.get(project=project, kind="project.rejected")
    assert (rejected.summary, rejected.cite, rejected.before, rejected.after) == (
        "“建设方案评审”不予通过，项目终结：与已建系统重复建设",
        "第十六条",
        {"status": "active"},
        {"status": "rejected"},
    )
    kinds = list(Event.objects.filter(project=project).order_by("-seq").values_list("kind"))
    assert [k for (k,) in kinds[:2]] == ["project.rejected", "task.rejected"]
    # nothing more happens on a rejected project
    before = snapshot(project)
    with pytest.raises(Conflict) as refused:
        services.step_submit(actor=yueyang.user("unit"), step=step)
    assert (refused.value.code, refused.value.message) == (
        "PROJECT_NOT_ACTIVE",
        "项目不予通过，不能办理",
    )
    with pytest.raises(Conflict):
        act(yueyang.user("secrecy"), secrecy, "approve")
    assert snapshot(project) == before
    assert verify_stream(f"project:{project.pk}") == []


# --- filing steps and a unit's own steps (连平) --------------------------------------------------


@pytest.fixture
def lianping(tree):
    return make_cast(tree, "lianping")


def test_a_filing_step_is_acknowledged_or_returned_only(lianping):
    project = flows.lianping_declared(lianping)
    step = ProjectStep.objects.get(project=project, kind="declaration")
    assert (step.filing, step.status) == (True, StepStatus.IN_REVIEW)
    task = flows.open_task(project, "declaration")
    assert task.organization == lianping.orgs["competent_department"]
    competent = lianping.user("competent_department")
    before = snapshot(project)
    for action, message in (
        ("approve", "备案环节应“确认收到”或“退回修改”"),
        ("reject", "备案环节应“确认收到”或“退回修改”"),
        ("complete", "“办结”只用于建设单位自行办理的环节"),
        ("sign", "未知的办理操作：sign"),
    ):
        with pytest.raises(InvalidInput) as refused:
            act(competent, task, action, "意见")
        assert (refused.value.code, refused.value.message) == ("INVALID_ACTION", message)
    assert snapshot(project) == before
    with clock.frozen(dt.date(2026, 6, 12)):
        act(competent, task, "acknowledge")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.ACKNOWLEDGED
    step.refresh_from_db()
    assert step.status == StepStatus.PASSED
    project.refresh_from_db()
    assert project.stage == "annual_plan"
    acknowledged = Event.objects.get(project=project, kind="task.acknowledged")
    assert (
        acknowledged.summary
        == f"{task.organization.name}对“报送本单位政务信息化计划和下一年度项目建设清单（备案）”确认收到"
    )
    assert acknowledged.cite == "第六条第一款"


def test_a_filing_can_be_returned(lianping):
    project = flows.lianping_declared(lianping)
    task = flows.open_task(project, "declaration")
    act(lianping.user("competent_department"), task, "return", "建设清单缺少资金来源")
    assert ProjectStep.objects.get(project=project, kind="declaration").status == (
        StepStatus.RETURNED
    )


def test_a_units_own_step_is_only_completed_and_only_with_its_documents(lianping):
    project = flows.lianping_declared(lianping)
    competent = lianping.user("competent_department")
    with clock.frozen(dt.date(2026, 6, 12)):
        act(competent, flows.open_task(project, "declaration"), "acknowledge")
    flows.planned(lianping, [project], on=dt.date(2026, 9, 1))
    step = ProjectStep.objects.get(project=project, kind="scheme_review")
    assert (step.actor, step.status) == ("construction_unit", StepStatus.IN_REVIEW)
    task = flows.open_task(project, "scheme_review")
    assert task.organization == lianping.units["unit"]
    unit = lianping.user("unit")
    before = snapshot(project)
    for action in ("approve", "acknowledge", "return", "reject"):
        with pytest.raises(InvalidInput) as refused:
            act(unit, task, action, "意见")
        assert (refused.value.code, refused.value.message) == (
            "INVALID_ACTION",
            "建设单位自行办理的环节只能“办结”",
        )
    with pytest.raises(PermissionDenied):
        act(competent, task, "complete")
    with pytest.raises(RuleRefused) as refused:
        act(unit, task, "complete", "内部论证通过")
    assert (refused.value.code, refused.value.message, refused.value.cite) == (
        "DOCUMENT_MISSING",
        "“方案编制及论证（建设单位内部论证）”须提交的材料尚未齐全，缺少："
        "“项目方案”（第十一条第（一）项）、“内部论证意见”（第十一条第（一）项）",
        "第十一条第（一）项",
    )
    assert snapshot(project) == before
    flows.upload_all(unit, project, step.documents)
    with clock.frozen(dt.date(2026, 9, 7)):
        act(unit, task, "complete", "内部论证通过")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.COMPLETED
    step.refresh_from_db()
    assert step.status == StepStatus.PASSED
    project.refresh_from_db()
    assert project.stage == "preliminary_review"
    assert ProjectStep.objects.get(project=project, kind="preliminary_review").status == (
        StepStatus.READY
    )


# --- overdue -------------------------------------------------------------------------------------


def test_a_task_is_overdue_the_working_day_after_its_due_date(tree):
    cast = make_cast(tree, "heilongjiang")
    project = flows.declared(cast, amount=30_000_000, on=dt.date(2026, 6, 15))
    lead = flows.open_task(project, "joint_review")
    cyber = flows.open_task(project, "joint_review", "cyberspace")
    # 5 working days (第十条) from 2026-06-15, 端午 06-19 off
    assert (lead.due_on, cyber.due_on) == (dt.date(2026, 6, 23), dt.date(2026, 6, 23))
    competent, cyberspace = cast.user("competent_department"), cast.user("cyberspace")
    with clock.frozen(dt.date(2026, 6, 23)):
        assert list(task_list(competent, overdue=True)) == []
        assert list(task_list(competent)) == [lead]
    with clock.frozen(dt.date(2026, 6, 24)):
        assert list(task_list(competent, overdue=True)) == [lead]
        assert list(task_list(cyberspace, overdue=True)) == [cyber]
        assert list(task_list(cast.user("finance"), overdue=True)) == []
        assert list(task_list(cast.user("unit"), overdue=True)) == []
        act(cyberspace, cyber, "approve", "同意")
        assert list(task_list(cyberspace, overdue=True)) == []
        assert list(task_list(competent, overdue=True)) == [lead]


# --- a department the rulebook names but the jurisdiction has not registered ---------------------


def harbin(tree, *, without: set[str]) -> Cast:
    """哈尔滨市, under 黑龙江's rulebook, staffed with every department except ``without``."""
    system = system_user()
    place = jurisdiction_create(
        actor=system, code="230100", name="哈尔滨市", level="city", parent=tree["heilongjiang"]
    )
    jurisdiction_bind(actor=system, jurisdiction=place, version=tree["heilongjiang"].rulebook)
    cast = Cast(jurisdiction=place)
    for kind in (
        "competent_department",
        "development_reform",
        "finance",
        "audit",
        "cyberspace",
        "crypto_administration",
        "secrecy",
        "public_security",
        "government",
    ):
        if kind not in without:
            cast.orgs[kind] = organization_create(
                actor=system, jurisdiction=place, kind=kind, name=f"哈尔滨市{kind}"
            )
            cast.users[kind] = user_create(
                actor=system,
                organization=cast.orgs[kind],
                username=f"harbin.{kind}",
                password=DEMO_PASSWORD,
                real_name=f"哈尔滨市{kind}经办人",
                roles=[Role.CLERK],
            )
    cast.units["unit"] = organization_create(
        actor=system, jurisdiction=place, kind="construction_unit", name="哈尔滨市教育局"
    )
    cast.users["unit"] = user_create(
        actor=system,
        organization=cast.units["unit"],
        username="harbin.unit",
        password=DEMO_PASSWORD,
        real_name="哈尔滨市教育局经办人",
        roles=[Role.CLERK],
    )
    return cast


def test_a_step_whose_department_is_not_registered_is_refused_naming_it(tree):
    cast = harbin(tree, without={"cyberspace"})
    unit = cast.user("unit")
    with clock.frozen(dt.date(2026, 6, 15)):
        project = services.project_create(
            actor=unit, name="哈尔滨市智慧教育平台", plan_year=2027, total_investment=3_000_000
        )
        flows.upload_all(
            unit, project, list(tree["heilongjiang"].rulebook.load().model.steps[0].documents)
        )
        before = snapshot(project)
        with pytest.raises(RuleRefused) as refused:
            services.project_declare(actor=unit, project=project)
    assert refused.value.code == "ORG_MISSING"
    assert refused.value.message == (
        "本辖区尚未登记“网信部门”，无法分派“联合审核（集约化建设和数据共享、网络安全、密码应用审核意见）”"
        "的待办；请辖区管理员先登记该单位"
    )
    assert snapshot(project) == before
    project.refresh_from_db()
    assert (project.status, project.code, project.declared_on, project.rulebook) == (
        ProjectStatus.DRAFT,
        None,
        None,
        None,
    )
    assert not ProjectStep.objects.filter(project=project).exists()

    # once the administrator registers the office, the same declaration goes through
    organization_create(
        actor=system_user(),
        jurisdiction=cast.jurisdiction,
        kind="cyberspace",
        name="哈尔滨市委网信办",
    )
    with clock.frozen(dt.date(2026, 6, 15)):
        services.project_declare(actor=unit, project=project)
    assert flows.open_task(project, "joint_review", "cyberspace").organization.name == (
        "哈尔滨市委网信办"
    )


def test_a_plan_countersigner_that_is_not_registered_is_named_in_chinese(tree):
    cast = harbin(tree, without={"finance"})
    project = flows.declared(cast, amount=3_000_000, on=dt.date(2026, 6, 15))
    with clock.frozen(dt.date(2026, 6, 16)):
        flows.approve_all(cast, project, "joint_review")
    assert flows.step(project, "annual_plan").status == StepStatus.IN_REVIEW
    compiler = cast.user("competent_department")
    with clock.frozen(dt.date(2026, 9, 1)):
        plan = planning.plan_create(actor=compiler, jurisdiction=cast.jurisdiction, year=2027)
        planning.plan_add_project(actor=compiler, plan=plan, project=project)
        with pytest.raises(RuleRefused) as refused:
            planning.plan_submit(actor=compiler, plan=plan)
    assert refused.value.code == "ORG_MISSING"
    assert "财政部门" in refused.value.message and "finance" not in refused.value.message
