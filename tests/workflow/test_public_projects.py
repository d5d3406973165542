"""连平's 公共类 projects through the services (issue 15, point 5).

第四条第（一）项: 县政务服务数据管理局 "负责公共类项目……的需求汇总，以及方案编制及论证、预算编报、采购实施、
监督执行、组织验收、资金绩效管理等" — it is the project's unit, and it also does the 初步审核 and 立项批复;
第四条第（二）项: a 建设单位 "负责本单位职责范围内专业类项目……；负责提出本单位对公共基础设施服务的需求";
第十五条: "公共类项目由县政务服务数据管理局牵头联合县级各有关单位确定具体采购需求……采购结果确定后，分别
签订合同"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from govit.contracts import services as contracts
from govit.contracts.selectors import contract_entry_findings
from govit.core import clock
from govit.core.errors import Conflict, InvalidInput, PermissionDenied, RuleRefused
from govit.demo.cast import add_vendor
from govit.demo.driver import advance_to
from govit.projects import selectors as project_selectors
from govit.projects import services as projects
from govit.projects.models import PartyRole, ProjectClass, StepStatus
from govit.projects.visibility import visible_projects
from govit.web.duties import other_duties
from tests.workflow import flows
from tests.workflow.conftest import make_cast

pytestmark = pytest.mark.django_db

JUNE = dt.date(2026, 6, 10)


def create(cast, who="competent_department", **fields):
    with clock.frozen(JUNE):
        return projects.project_create(
            actor=cast.user(who),
            name="连平县政务云公共支撑平台扩容",
            plan_year=2027,
            total_investment=1_600_000,
            **fields,
        )


def test_the_county_office_declares_a_public_project_as_its_unit(lianping):
    project = create(lianping)
    office = lianping.user("competent_department").organization
    assert (project.unit, project.project_class) == (office, ProjectClass.PUBLIC)
    # its draft is its own: its staff see it, a unit does not
    assert project in visible_projects(lianping.user("competent_department.leader"))
    assert project not in visible_projects(lianping.user("unit"))
    assert project not in visible_projects(lianping.user("finance"))


def test_a_unit_cannot_declare_a_public_project_and_is_told_where_its_needs_go(lianping):
    with pytest.raises(RuleRefused) as refused:
        create(lianping, who="unit", project_class="public")
    assert refused.value.code == "PROJECT_CLASS_UNIT"
    assert refused.value.cite == "第四条第（一）项"
    assert "县政务服务数据管理局" in refused.value.message and "需求" in refused.value.message
    # nor may the office declare a 专业类 project as if it were a unit's
    with pytest.raises(RuleRefused) as office:
        create(lianping, project_class="professional")
    assert office.value.cite == "第四条第（一）项"
    assert create(lianping, who="unit").project_class == ProjectClass.PROFESSIONAL


def test_where_the_regulation_gives_no_such_part_the_office_declares_nothing(tree):
    """岳阳's regulation makes no authority a unit: its 市行政审批服务局 reviews, it does not declare."""
    cast = make_cast(tree, "yueyang")
    with pytest.raises(PermissionDenied):
        create(cast)


def test_the_person_who_submitted_does_not_pass_the_offices_own_project(lianping):
    project = flows.declared(
        lianping, unit="competent_department", amount=1_600_000, on=JUNE, plan_year=2027
    )
    declaration = flows.open_task(project, "declaration")
    clerk, leader = (
        lianping.user("competent_department"),
        lianping.user("competent_department.leader"),
    )
    with pytest.raises(PermissionDenied) as refused:
        projects.task_act(actor=clerk, task_id=declaration.pk, action="acknowledge", opinion="收到")
    assert refused.value.code == "SELF_REVIEW"
    assert refused.value.cite == "第四条第（一）项"
    assert "职责分离" in refused.value.message
    assert (
        project_selectors.self_review(leader, flows.step(project, "declaration"), declaration)
        is None
    )
    projects.task_act(actor=leader, task_id=declaration.pk, action="acknowledge", opinion="收到")
    assert flows.step(project, "declaration").status == StepStatus.PASSED


def test_the_offices_unit_duties_are_in_its_workbench(lianping):
    project = flows.declared(
        lianping, unit="competent_department", amount=1_600_000, on=JUNE, plan_year=2027
    )
    with clock.frozen(dt.date(2026, 11, 2)):
        advance_to(lianping, project, "scheme_review", unit="competent_department")
        # the unit's own step is a task of the office's (第四条第（一）项: 方案编制及论证)
        task = flows.open_task(project, "scheme_review")
        assert task.organization == project.unit and task.actor == "construction_unit"
        advance_to(lianping, project, "preliminary_review", unit="competent_department")
        assert flows.step(project, "preliminary_review").status == StepStatus.READY
        rows = other_duties(lianping.user("competent_department"))
    # and the submission it owes as the unit is among its duties
    assert [d for d in rows if d.project_id == project.pk]


def test_joint_units_see_the_project_and_sign_their_own_contracts(lianping):
    project = flows.declared(
        lianping, unit="competent_department", amount=1_600_000, on=JUNE, plan_year=2027
    )
    office = lianping.user("competent_department")
    health, other = lianping.user("unit").organization, lianping.user("other_unit").organization
    projects.joint_units_set(actor=office, project=project, organizations=[health])
    assert project in visible_projects(lianping.user("unit"))
    assert project not in visible_projects(lianping.user("other_unit"))
    assert list(
        project.parties.filter(role=PartyRole.JOINT_UNIT).values_list("organization", flat=True)
    ) == [health.pk]
    assert project.events.filter(kind="project.party_added", data__phrase__isnull=False).exists()

    # only units of the jurisdiction may join; a vendor may not
    consultant = lianping.user("consultant").organization
    with pytest.raises(InvalidInput):
        projects.joint_units_set(actor=office, project=project, organizations=[consultant])

    add_vendor(lianping, "连平测试科技有限公司", "contractor", key="builder", prefix="lp")
    with clock.frozen(dt.date(2026, 11, 2)):
        advance_to(lianping, project, "construction", unit="competent_department")
        assert flows.step(project, "procurement").cite == "第十五条"
        consultant = lianping.user("consultant").organization
        values = {"kind": "other", "vendor": consultant, "amount": Decimal("50000")}
        seen = [
            f["code"]
            for f in contract_entry_findings(project, signed_on=clock.today(), values={}, **values)
        ]

        def register(number, signatory):
            return contracts.contract_register(
                actor=office,
                project=project,
                number=number,
                signed_on=clock.today(),
                signatory=signatory,
                acknowledged=seen,
                **values,
            )

        # a unit that did not join cannot sign (第十五条: the units joined sign, each its own)
        with pytest.raises(RuleRefused) as refused:
            register("LP-GY-01", other)
        assert refused.value.code == "INVALID_SIGNATORY" and refused.value.cite == "第十五条"
        signed = register("LP-GY-02", health)
        assert signed.signatory == health
        event = project.events.filter(kind="contract.registered").latest("id")
        assert "签订单位：" + health.name in event.summary
        # a unit that signed a contract stays joined
        with pytest.raises(Conflict) as kept:
            projects.joint_units_set(actor=office, project=project, organizations=[])
        assert kept.value.code == "JOINT_UNIT_HAS_CONTRACT"
        assert project.parties.filter(role=PartyRole.JOINT_UNIT, organization=health).exists()


def test_joint_units_belong_to_public_projects_only(lianping):
    project = flows.declared(lianping, amount=800_000, on=JUNE, plan_year=2027)
    with pytest.raises(RuleRefused) as refused:
        projects.joint_units_set(
            actor=lianping.user("unit"),
            project=project,
            organizations=[lianping.user("other_unit").organization],
        )
    assert refused.value.code == "NOT_A_JOINT_PROJECT"
