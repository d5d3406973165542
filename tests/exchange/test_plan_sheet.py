"""The annual plan as a spreadsheet, read back with openpyxl: every line matches the plan in the
database, the totals add up, and it prints on A4 landscape one page wide."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from govit.core import clock
from govit.exchange.plan_sheet import COLUMNS, annual_plan_xlsx, plan_filename
from govit.planning import services as planning
from govit.planning.models import AnnualPlan
from tests.workflow.conftest import make_cast
from tests.workflow.flows import declared, planned

pytestmark = pytest.mark.django_db


def sheet_of(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def wan(cell_value) -> Decimal:
    return Decimal(str(cell_value))


def test_the_approved_plan_line_by_line_with_totals_and_signoffs(tree):
    cast = make_cast(tree, "yueyang")
    first = declared(
        cast, name="岳阳市教育局智慧校园", amount=2_500_000, funding_source="self_raised"
    )
    second = declared(
        cast,
        unit="other_unit",
        name="岳阳市卫健委互联网医院",
        amount=Decimal("1234567.89"),
        construction_type="renovation",
    )
    planned(cast, [first, second])
    plan = AnnualPlan.objects.get(jurisdiction=cast.jurisdiction, year=2027)
    sheet = sheet_of(annual_plan_xlsx(plan))

    assert sheet["A1"].value == plan.title == "岳阳市2027年政务信息化项目年度建设计划"
    assert "A1:H1" in {str(r) for r in sheet.merged_cells.ranges}
    assert "状态：已批准" in sheet["A2"].value and "批准日期：2026年10月22日" in sheet["A2"].value
    assert [c.value for c in sheet[3]] == [label for label, _width in COLUMNS]

    entries = list(plan.entries.select_related("project__unit").order_by("id"))
    for number, entry in enumerate(entries, 1):
        line = [c.value for c in sheet[3 + number]]
        project = entry.project
        assert line[0] == number
        assert line[1:3] == [project.name, project.unit.name]
        assert wan(line[3]) * 10000 == entry.amount == project.total_investment
        assert line[4:7] == [
            project.get_funding_source_display(),
            project.get_construction_type_display(),
            2027,
        ]
    assert [c.value for c in sheet[4]][4] == "单位自筹"
    assert wan(sheet["D5"].value) == Decimal("123.456789")
    totals = [c.value for c in sheet[4 + len(entries)]]
    assert totals[0] == "合计" and totals[4] == "共2个项目"
    assert wan(totals[3]) * 10000 == sum(e.amount for e in entries) == Decimal("3734567.89")

    lines = [sheet.cell(row=r, column=1).value for r in range(6 + len(entries), sheet.max_row + 1)]
    signed = next(line for line in lines if line and line.startswith("会签："))
    for signoff in plan.signoffs.select_related("organization"):
        assert f"{signoff.organization.name}：同意（2026年10月22日）" in signed
    assert any(
        line and line.startswith(f"审定：{cast.orgs['government'].name}于2026年10月22日批准")
        for line in lines
    )

    # printable: frozen header, A4 landscape, one page wide, header repeated
    assert sheet.freeze_panes == "A4"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.column_dimensions["B"].width == 38
    assert plan_filename(plan) == "岳阳市2027年政务信息化项目年度建设计划.xlsx"


def test_a_supplement_plan_carries_its_reasons(tree):
    cast = make_cast(tree, "yueyang")
    late = declared(cast, name="岳阳市应急指挥平台", on=dt.date(2026, 11, 20))
    assert late.declared_late
    compiler = cast.user("competent_department")
    with clock.frozen(dt.date(2026, 11, 23)):
        plan = planning.plan_create(
            actor=compiler, jurisdiction=cast.jurisdiction, year=2027, kind="supplement"
        )
        planning.plan_add_project(actor=compiler, plan=plan, project=late, note="省委要求年内建成")
    sheet = sheet_of(annual_plan_xlsx(plan))
    assert sheet.title == "增补计划"
    assert sheet["A1"].value == "岳阳市2027年政务信息化项目年度增补计划（第1批）"
    assert "状态：编制中" in sheet["A2"].value
    assert [c.value for c in sheet[4]][7] == "省委要求年内建成"
    assert sheet.max_row == 5  # no 会签 and no approval yet: title, status, header, line, totals


def test_an_empty_plan_still_has_its_header_and_zero_total(tree):
    cast = make_cast(tree, "lianping")
    with clock.frozen(dt.date(2026, 6, 10)):
        plan = planning.plan_create(
            actor=cast.user("competent_department"), jurisdiction=cast.jurisdiction, year=2027
        )
    sheet = sheet_of(annual_plan_xlsx(plan))
    assert sheet["A4"].value == "合计" and wan(sheet["D4"].value) == 0
