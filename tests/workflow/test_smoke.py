import pytest

from govit.projects import services
from govit.projects.models import StepStatus
from tests.workflow.conftest import upload


@pytest.mark.django_db
def test_yueyang_declaration_to_plan(casts, at):
    cast = casts["yueyang"]
    clerk = cast.user("unit")
    with at(2026, 10, 20):
        project = services.project_create(
            actor=clerk, name="智慧教育平台", plan_year=2027, total_investment=2_500_000
        )
        for name in ("项目概要", "投资估算", "建设资金来源", "分年度投资计划", "相关依据资料"):
            upload(clerk, project, name)
        project = services.project_declare(actor=clerk, project=project)
    assert project.code == "430600-2027-0001"
    steps = list(project.steps.order_by("seq"))
    assert steps[0].status == StepStatus.PASSED
    assert steps[1].kind == "annual_plan" and steps[1].status == StepStatus.IN_REVIEW
    # the models name a stage, a step and its actor in Chinese (the code is what they store)
    assert (project.stage, project.get_stage_display()) == ("annual_plan", "年度计划编制与审定")
    assert (steps[1].get_kind_display(), steps[1].get_actor_display()) == (
        "年度计划编制与审定",
        "政务信息化主管部门",
    )
