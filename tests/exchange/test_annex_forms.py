"""连平's annex forms, opened as Word documents and read back: every field the platform knows is
filled from the project as the database holds it; what it does not know stays blank under its
label."""

from __future__ import annotations

from decimal import Decimal

import pytest
from docx.enum.section import WD_ORIENT

from govit.contracts import services as contracts
from govit.exchange import annex
from govit.exchange.common import date_text
from govit.policy.loader import get_rulebook
from tests.exchange.conftest import (
    after,
    change_items,
    lianping_in_construction,
    lianping_project,
    open_docx,
    paragraphs,
    rows,
)

pytestmark = pytest.mark.django_db


def wan(amount: Decimal) -> str:
    return f"{(amount / 10000).normalize():f}"


def test_the_application_form_is_filled_from_the_project(lianping):
    project = lianping_project(
        lianping,
        name="连平县教育局智慧校园平台",
        summary="建设统一身份认证和校园数据中台",
        construction_type="expansion",
        funding_source="local_fiscal",
    )
    doc = open_docx(annex.application_form(project))
    text = paragraphs(doc)
    assert "附表1" in text and "项目立项申请表" in text
    assert f"申请单位(盖章)：{project.unit.name}\t项目编号：{project.code}" in text
    assert project.code and project.code.startswith("441623-")

    assert after(doc, "申请单位") == project.unit.name
    assert after(doc, "项目名称") == project.name
    assert after(doc, "项目总投资（万元）") == wan(project.total_investment) == "80"
    assert after(doc, "建设内容") == project.summary
    # 建设性质: 扩建 ticked, the other boxes empty
    boxes = after(doc, "建设性质")
    assert "☑扩建" in boxes and boxes.count("☑") == 1 and "□新建" in boxes
    # 本级财政 of a county (连平县) is 县级财政; the other sources stay empty
    funds = [cells[-1] for cells in rows(doc) if cells[-1].startswith(annex.FUND_ROWS)]
    assert funds[2] == "县级财政\u300080\u3000万元"
    assert all("80" not in line for i, line in enumerate(funds) if i != 2)
    # the contact is the clerk who created the project
    creator = project.created_by
    assert after(doc, "项目联系人") == creator.display_name
    # what the platform does not know keeps its label and stays blank
    assert after(doc, "项目拟建设地点") == ""
    assert after(doc, "预期经济、\n社会效益") == ""
    assert after(doc, "计划动工时间").strip() == "年   月"
    opinions = [
        cells[0] for cells in rows(doc) if cells[0].startswith(("申请单位意见", "行业主管部门意见"))
    ]
    assert len(opinions) == 2 and all("主要领导签字" in o for o in opinions)


def test_a_type_without_a_box_is_ticked_as_other_and_self_raised_funds_are_the_units(lianping):
    project = lianping_project(
        lianping, construction_type="equipment_purchase", funding_source="self_raised"
    )
    doc = open_docx(annex.application_form(project))
    assert "☑其他（单纯设备购置）" in after(doc, "建设性质")
    funds = [cells[-1] for cells in rows(doc) if cells[-1].startswith(annex.FUND_ROWS)]
    assert funds[3] == "单位自筹\u300080\u3000万元"


def test_the_data_resources_form_before_approval(lianping):
    project = lianping_project(lianping, summary="数据共享交换")
    doc = open_docx(annex.data_resources_form(project))
    text = paragraphs(doc)
    assert "附表2" in text and "项目数据资源管理核查表" in text
    assert any(line.startswith(f"单位名称（盖章）：{project.unit.name}\t") for line in text)
    assert after(doc, "项目名称") == project.name
    assert after(doc, "联系人") == project.created_by.display_name
    assert after(doc, "项目简介") == "数据共享交换"
    assert after(doc, "项目总投资") == "80万元"
    assert after(doc, "立项时间") == ""  # not yet approved
    header = next(cells for cells in rows(doc) if "系统功能" in cells)
    assert header == ["本项目数据\n内容", "系统功能", "产生数据名称", "共享周期", "提供方式"]
    assert any(line.startswith("注：1.系统的每个功能可产生多个数据名称") for line in text)


def test_the_change_form_carries_the_change_before_and_after(lianping):
    project = lianping_in_construction(lianping)
    change = contracts.change_request(
        actor=lianping.user("unit"),
        project=project,
        reason="technical_optimization",
        basis="原型号服务器停产，厂家书面说明",
        description="更换服务器型号，报表模块改为自助分析",
        items=change_items(),
    )
    doc = open_docx(annex.change_form(project, change))
    text = paragraphs(doc)
    assert "附表3" in text and "项目变更单" in text and "变更基本情况" in text
    assert "注：建设单位、承建单位、监理单位均须加盖公章。" in text
    contractor = project.contracts.get(kind="main").vendor.name
    supervisor = project.contracts.get(kind="supervision").vendor.name

    basic = rows(doc, 0)
    assert basic[0] == ["项目名称", project.name, "分项目名称", "机房改造、数据平台"]
    assert basic[1] == ["承建单位", contractor]
    assert basic[2][0] == "变更依据：\n原型号服务器停产，厂家书面说明"
    content = basic[3][0]
    assert content.startswith("变更内容：\n更换服务器型号，报表模块改为自助分析")
    assert f"变更部分金额：{wan(change.amount)}万元" in content
    assert f"变更后合同总金额：{wan(change.new_total)}万元" in content
    assert (change.amount, change.new_total) == (Decimal("50000.00"), Decimal("718000.00"))
    assert "变更原因：技术优化" in content and "项目负责人：" in content
    assert basic[4][0].startswith("监理单位意见：") and basic[5][0].startswith("建设单位意见：")

    # the lists print in landscape, hardware then software, each with the three signatures
    assert doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE
    assert "二、项目变更清单" in text
    hardware, hardware_signed, software = rows(doc, 1), rows(doc, 2), rows(doc, 3)
    assert hardware[0][:4] == ["序号", "分项目名称", "原设备\n品牌/型号", "原设备参数"]
    assert hardware[1] == [
        "1",
        "机房改造",
        "华为 RH2288",
        "2路CPU/256G",
        "1",
        "30,000.00",
        "30,000.00",
        "华为 RH2288H V5",
        "2路CPU/512G",
        "1",
        "28,000.00",
        "28,000.00",
        "型号停产",
    ]
    assert len(hardware) == 1 + annex.MIN_LIST_ROWS + 1  # header, five lines, 合计
    assert hardware[-1] == ["合计", "30,000.00", "", "28,000.00", ""]
    assert hardware_signed[0] == [
        f"建设单位（盖章）：{project.unit.name}\n项目负责人（签名）：\n日\u3000\u3000期：",
        f"监理单位（盖章）：{supervisor}\n项目负责人（签名）：\n日\u3000\u3000期：",
        f"承建单位（盖章）：{contractor}\n项目负责人（签名）：\n日\u3000\u3000期：",
    ]
    assert software[0][2:4] == ["原功能\n模块", "原软件功能"]
    assert software[1][:7] == [
        "1",
        "数据平台",
        "报表模块",
        "固定报表",
        "2",
        "10,000.00",
        "20,000.00",
    ]
    assert software[-1] == ["合计", "20,000.00", "", "20,000.00", ""]

    # 立项时间 on 附表2 now that the project_approval step has passed
    approved = project.steps.get(kind="project_approval")
    assert approved.status == "passed"
    data = open_docx(annex.data_resources_form(project))
    assert after(data, "立项时间") == date_text(approved.closed_at)


def test_before_a_change_the_form_carries_the_project_only(lianping):
    project = lianping_in_construction(lianping)
    doc = open_docx(annex.change_form(project, None))
    basic = rows(doc, 0)
    assert basic[0] == ["项目名称", project.name, "分项目名称", ""]
    assert basic[1] == ["承建单位", project.contracts.get(kind="main").vendor.name]
    assert basic[2][0].strip() == "变更依据："
    hardware = rows(doc, 1)
    assert all(cell == "" for line in hardware[1:-1] for cell in line)
    assert hardware[-1] == ["合计", "", "", "", ""]


def test_the_forms_a_rulebook_asks_for_with_their_articles():
    lianping = annex.forms_for(get_rulebook("lianping"))
    assert [(spec.slug, cite) for spec, cite in lianping] == [
        ("application", "第十一条第（三）项"),
        ("data-resources", "第十一条第（三）项"),
        ("change", "第二十一条第一款"),
    ]
    for other in ("yueyang", "heilongjiang", "xiangxi", "linxiang"):
        assert annex.forms_for(get_rulebook(other)) == []


def test_file_names_carry_the_project_code(lianping):
    project = lianping_project(lianping)
    assert annex.FORMS["application"].filename(project) == f"{project.code}-项目立项申请表.docx"
