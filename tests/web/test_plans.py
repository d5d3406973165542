"""年度计划看板: the declared projects lane by lane, the plans with their 会签, and the actions each
role may take through the page — refusals with their article, the export matching the database."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from govit.core import clock
from govit.planning.models import AnnualPlan, PlanStatus
from govit.projects.models import ProjectStep
from tests.workflow.conftest import make_cast
from tests.workflow.flows import declared, planned

pytestmark = pytest.mark.django_db


def board(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("plan-board"), params)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def lane(html: str, key: str) -> str:
    start = html.index(f'class="lane lane-{key}"')
    end = html.find('class="lane lane-', start + 10)
    return html[start : end if end != -1 else len(html)]


def test_the_board_shows_each_project_in_its_lane(client, tree, django_assert_max_num_queries):
    cast = make_cast(tree, "yueyang")
    listed = [declared(cast, name=f"岳阳市教育局项目{i}", amount=1_000_000 + i) for i in range(3)]
    waiting = declared(cast, unit="other_unit", name="岳阳市卫健委远程会诊", amount=2_600_000)
    planned(cast, listed)
    client.force_login(cast.user("competent_department"))
    with django_assert_max_num_queries(25):
        response = client.get(reverse("plan-board"), {"year": 2027})
    html = response.content.decode()
    approved, declarations = lane(html, "approved"), lane(html, "declarations")
    for project in listed:
        assert project.name in approved and project.name not in declarations
    assert waiting.name in declarations and "260 万元" in declarations
    assert cast.units["other_unit"].name in declarations and "待列入计划" in declarations
    assert 'class="lane lane-joint_review"' not in html  # 岳阳's rulebook has no 联审
    plan = AnnualPlan.objects.get(jurisdiction=cast.jurisdiction, year=2027)
    assert plan.title in html and "已批准" in html
    for org in ("finance", "development_reform"):
        assert cast.orgs[org].name in html  # the 会签 of the plan
    assert "第十三条" in html and reverse("plan-export", args=[plan.pk]) in html


def test_query_count_does_not_grow_with_the_projects(client, tree, django_assert_max_num_queries):
    cast = make_cast(tree, "yueyang")
    projects = [declared(cast, name=f"项目{i}") for i in range(2)]
    planned(cast, projects[:1])
    user = cast.user("competent_department")
    client.force_login(user)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("plan-board"), {"year": 2027}).status_code == 200
    for i in range(4):
        declared(cast, name=f"更多项目{i}", unit="other_unit")
    with CaptureQueriesContext(connection) as more:
        assert client.get(reverse("plan-board"), {"year": 2027}).status_code == 200
    assert len(more) == len(few)


@pytest.mark.parametrize("key", ["unit", "consultant"])
def test_the_board_is_not_for_units_or_vendors(client, casts, key):
    cast = casts["yueyang"]
    client.force_login(cast.user(key))
    assert client.get(reverse("plan-board")).status_code == 403


def test_a_plan_of_another_jurisdiction_is_not_found(client, casts):
    yueyang, linxiang = casts["yueyang"], casts["linxiang"]
    project = declared(yueyang)
    planned(yueyang, [project])
    plan = AnnualPlan.objects.get(jurisdiction=yueyang.jurisdiction)
    client.force_login(linxiang.user("competent_department"))
    assert client.get(reverse("plan-export", args=[plan.pk])).status_code == 404
    before = plan.status
    assert client.post(reverse("plan-act", args=[plan.pk, "submit"])).status_code == 404
    plan.refresh_from_db()
    assert plan.status == before


def test_the_plan_goes_through_the_page_compiled_countersigned_approved(client, tree):
    cast = make_cast(tree, "yueyang")
    project = declared(cast, name="岳阳市教育局智慧校园")
    compiler = cast.user("competent_department")

    html = board(client, compiler, year=2027)
    assert "创建2027年度计划" in html
    response = client.post(
        reverse("plan-create"),
        {"jurisdiction": cast.jurisdiction.pk, "year": 2027, "kind": "annual"},
    )
    assert response.status_code == 302
    plan = AnnualPlan.objects.get(jurisdiction=cast.jurisdiction, year=2027)
    client.post(
        reverse("plan-act", args=[plan.pk, "add"]), {"project": project.pk, "note": "市委重点"}
    )
    assert plan.entries.get().note == "市委重点"
    html = board(client, compiler, year=2027)
    assert project.name in lane(html, "plan") and "送会签" in html
    client.post(reverse("plan-act", args=[plan.pk, "submit"]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COUNTERSIGNING

    # the government cannot approve before the 会签; each co-compiler sees its own form
    government = cast.user("government")
    assert "提交会签" not in board(client, government, year=2027)
    for org in ("finance", "development_reform"):
        html = board(client, cast.user(org), year=2027)
        assert "提交会签" in html
        client.post(
            reverse("plan-act", args=[plan.pk, "countersign"]),
            {"decision": "approve", "opinion": "同意"},
        )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED

    html = board(client, government, year=2027)
    assert "批准" in html and project.name in html
    response = client.post(reverse("plan-act", args=[plan.pk, "approve"]), {"opinion": "同意"})
    assert response.status_code == 302 and f"#plan-{plan.pk}" in response["Location"]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approved_by == government
    assert ProjectStep.objects.get(project=project, kind="annual_plan").status == "passed"
    html = board(client, compiler, year=2027)
    assert project.name in lane(html, "approved")


def test_a_refusal_names_its_article_and_changes_nothing(client, tree):
    cast = make_cast(tree, "yueyang")
    late = declared(cast, name="岳阳市应急指挥平台", on=dt.date(2026, 11, 20))
    compiler = cast.user("competent_department")
    client.force_login(compiler)
    client.post(
        reverse("plan-create"),
        {"jurisdiction": cast.jurisdiction.pk, "year": 2027, "kind": "annual"},
    )
    plan = AnnualPlan.objects.get(kind="annual", jurisdiction=cast.jurisdiction)
    response = client.post(
        reverse("plan-act", args=[plan.pk, "add"]), {"project": late.pk}, follow=True
    )
    html = response.content.decode()
    assert "项目逾期申报，不能列入年度计划" in html and "（依据：第十三条）" in html
    assert not plan.entries.exists()
    # the 增补 route the article names works, with a reason
    client.post(
        reverse("plan-create"),
        {"jurisdiction": cast.jurisdiction.pk, "year": 2027, "kind": "supplement"},
    )
    supplement = AnnualPlan.objects.get(kind="supplement", jurisdiction=cast.jurisdiction)
    html = client.post(
        reverse("plan-act", args=[supplement.pk, "add"]), {"project": late.pk}, follow=True
    ).content.decode()
    assert "列入增补计划须说明急需建设的依据" in html and not supplement.entries.exists()
    client.post(
        reverse("plan-act", args=[supplement.pk, "add"]), {"project": late.pk, "note": "省里急需"}
    )
    assert supplement.entries.get().note == "省里急需"


def test_a_role_that_may_not_act_is_refused_and_nothing_changes(client, tree):
    cast = make_cast(tree, "yueyang")
    project = declared(cast)
    with clock.frozen(dt.date(2026, 10, 22)):
        from govit.planning import services

        plan = services.plan_create(
            actor=cast.user("competent_department"), jurisdiction=cast.jurisdiction, year=2027
        )
    client.force_login(cast.user("finance"))
    html = client.post(
        reverse("plan-act", args=[plan.pk, "add"]), {"project": project.pk}, follow=True
    ).content.decode()
    assert "只有负责编制年度计划的部门可以编制计划" in html and not plan.entries.exists()
    assert "列入项目" not in html  # finance is shown no compile form
    client.force_login(cast.user("audit"))
    html = board(client, cast.user("audit"), year=2027)
    assert project.name in html and "创建增补计划" not in html


def test_the_export_matches_the_plan_in_the_database(client, tree):
    cast = make_cast(tree, "yueyang")
    projects = [
        declared(cast, name="甲项目", amount=1_500_000),
        declared(cast, name="乙项目", amount=990_000),
    ]
    planned(cast, projects)
    plan = AnnualPlan.objects.get(jurisdiction=cast.jurisdiction, year=2027)
    client.force_login(cast.user("government"))
    response = client.get(reverse("plan-export", args=[plan.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == plan.title
    entries = list(plan.entries.order_by("id"))
    names = [sheet.cell(row=4 + i, column=2).value for i in range(len(entries))]
    assert names == [e.project.name for e in entries]
    total = Decimal(str(sheet.cell(row=4 + len(entries), column=4).value)) * 10000
    assert total == sum(e.amount for e in entries) == Decimal("2490000")


def test_a_superuser_chooses_the_jurisdiction(client, casts):
    from govit.organizations.models import User

    admin = User.objects.create_superuser("root", password="x")
    yueyang, linxiang = casts["yueyang"], casts["linxiang"]
    project = declared(yueyang, name="岳阳市项目")
    html = board(client, admin, jurisdiction=linxiang.jurisdiction.pk, year=2027)
    assert "临湘市 2027年度计划看板" in html and project.name not in html
    assert 'id="board-jurisdiction"' in html
    html = board(client, admin, jurisdiction=yueyang.jurisdiction.pk, year=2027)
    assert project.name in html


def test_a_project_in_joint_review_is_in_the_joint_review_lane(client, tree):
    cast = make_cast(tree, "heilongjiang")
    project = declared(cast, name="黑龙江省政务数据共享平台", on=dt.date(2026, 6, 15))
    assert project.stage == "joint_review"
    html = board(client, cast.user("competent_department"), year=2027)
    joint = lane(html, "joint_review")
    assert project.name in joint and "联合审核" in joint and "第十条" in joint
    assert project.name not in lane(html, "declarations")


def test_a_returned_plan_shows_the_compiler_why_and_is_no_longer_submitted(client, tree):
    """The government's 退回修改 (第十三条: the plan goes to it for 审定) reaches the compiler on
    the board, and the plan reads as back in 编制中, not as 报送审定."""
    from govit.planning import services

    cast = make_cast(tree, "yueyang")
    project = declared(cast)
    compiler, government = cast.user("competent_department"), cast.user("government")
    with clock.frozen(dt.date(2026, 10, 22)):
        plan = services.plan_create(actor=compiler, jurisdiction=cast.jurisdiction, year=2027)
        services.plan_add_project(actor=compiler, plan=plan, project=project)
        services.plan_submit(actor=compiler, plan=plan)
        for org in ("finance", "development_reform"):
            services.plan_countersign(actor=cast.user(org), plan=plan, decision="approve")
    with clock.frozen(dt.date(2026, 11, 27)):
        services.plan_return(actor=government, plan=plan, opinion="应急项目金额过高，请核减")
    html = board(client, compiler, year=2027)
    assert "已退回修改" in html and "应急项目金额过高，请核减" in html
    assert government.organization.name in html and "2026年11月27日" in html
    assert "报送审定" not in html.split(plan.title, 1)[1].split("计划所列项目")[0]

    # sent on again: no longer returned
    with clock.frozen(dt.date(2026, 11, 30)):
        services.plan_submit(actor=compiler, plan=plan)
    html = board(client, compiler, year=2027)
    assert "已退回修改" not in html and "应急项目金额过高" not in html


def test_the_joint_review_lane_is_shown_where_the_rulebook_has_that_stage(client, tree):
    """黑龙江第十条: 联合审核 after the declaration — its board has the lane, 岳阳's has none."""
    cast = make_cast(tree, "heilongjiang")
    project = declared(cast, name="黑龙江省政务服务平台", on=dt.date(2026, 6, 15))
    client.force_login(cast.user("competent_department"))
    html = client.get(reverse("plan-board"), {"year": 2027}).content.decode()
    assert project.name in lane(html, "joint_review")
