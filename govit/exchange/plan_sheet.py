"""The annual plan (年度计划 or 增补计划) as a printable spreadsheet: a title, one row per project,
totals, the 会签 and the approval."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from govit.exchange.common import WAN_FORMAT, date_text, safe_filename, wan

COLUMNS = (
    ("序号", 6),
    ("项目名称", 38),
    ("建设单位", 26),
    ("总投资（万元）", 15),
    ("资金来源", 16),
    ("建设性质", 16),
    ("计划年度", 10),
    ("备注/增补理由", 34),
)
HEADER_ROW = 3
FONT = "宋体"
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def plan_entries(plan: Any) -> list[Any]:
    return list(plan.entries.select_related("project__unit").order_by("id"))


def plan_filename(plan: Any) -> str:
    return safe_filename(plan.title) + ".xlsx"


def annual_plan_xlsx(plan: Any, entries: list[Any] | None = None) -> bytes:
    """The plan as an xlsx workbook. ``entries`` defaults to every entry of the plan (the plan is
    one document: whoever may read it reads all of it)."""
    entries = plan_entries(plan) if entries is None else entries
    book = Workbook()
    sheet = book.active
    sheet.title = "年度计划" if plan.kind == "annual" else "增补计划"
    width = len(COLUMNS)
    last_col = get_column_letter(width)

    sheet.merge_cells(f"A1:{last_col}1")
    sheet["A1"] = plan.title
    sheet["A1"].font = Font(name=FONT, size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    sheet.merge_cells(f"A2:{last_col}2")
    sheet["A2"] = _subtitle(plan, entries)
    sheet["A2"].font = Font(name=FONT, size=10)
    sheet["A2"].alignment = Alignment(horizontal="right")

    for col, (label, chars) in enumerate(COLUMNS, 1):
        cell = sheet.cell(row=HEADER_ROW, column=col, value=label)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE3EA")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BOX
        sheet.column_dimensions[get_column_letter(col)].width = chars

    total = Decimal(0)
    row = HEADER_ROW
    for number, entry in enumerate(entries, 1):
        row = HEADER_ROW + number
        project = entry.project
        total += entry.amount
        values = (
            number,
            project.name,
            project.unit.name,
            wan(entry.amount),
            project.get_funding_source_display(),
            project.get_construction_type_display(),
            plan.year,
            entry.note,
        )
        for col, value in enumerate(values, 1):
            cell = sheet.cell(row=row, column=col, value=value)
            cell.font = Font(name=FONT)
            cell.border = BOX
            cell.alignment = Alignment(
                vertical="center",
                wrap_text=col in (2, 3, 8),
                horizontal="center" if col in (1, 5, 6, 7) else None,
            )
        sheet.cell(row=row, column=4).number_format = WAN_FORMAT

    totals = row + 1
    sheet.merge_cells(start_row=totals, start_column=1, end_row=totals, end_column=3)
    sheet.cell(row=totals, column=1, value="合计").alignment = Alignment(horizontal="center")
    sheet.cell(row=totals, column=4, value=wan(total)).number_format = WAN_FORMAT
    sheet.merge_cells(start_row=totals, start_column=5, end_row=totals, end_column=width)
    sheet.cell(row=totals, column=5, value=f"共{len(entries)}个项目")
    for col in range(1, width + 1):
        cell = sheet.cell(row=totals, column=col)
        cell.font = Font(name=FONT, bold=True)
        cell.border = BOX

    below = totals + 2
    for text in _signoff_lines(plan):
        sheet.merge_cells(start_row=below, start_column=1, end_row=below, end_column=width)
        sheet.cell(row=below, column=1, value=text).font = Font(name=FONT)
        below += 1

    _printable(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _subtitle(plan: Any, entries: list[Any]) -> str:
    compiler = plan.created_by.organization.name if plan.created_by.organization_id else ""
    parts = [f"编制单位：{compiler}"] if compiler else []
    parts.append(f"状态：{plan.get_status_display()}")
    if plan.approved_at:
        parts.append(f"批准日期：{date_text(plan.approved_at)}")
    return "　".join(parts)


def _signoff_lines(plan: Any) -> list[str]:
    lines = []
    signoffs = [s for s in plan.signoffs.all() if s.round == plan.round]
    if signoffs:
        marks = []
        for signoff in signoffs:
            mark = f"{signoff.organization.name}：{signoff.get_status_display()}"
            if signoff.signed_at:
                mark += f"（{date_text(signoff.signed_at)}）"
            if signoff.opinion:
                mark += f"，{signoff.opinion}"
            marks.append(mark)
        lines.append("会签：" + "；".join(marks))
    if plan.approved_at and plan.approved_by_id:
        by = plan.approved_by
        org = by.organization.name if by.organization_id else by.display_name
        lines.append(f"审定：{org}于{date_text(plan.approved_at)}批准")
    return lines


def _printable(sheet: Worksheet) -> None:
    """Landscape A4, all columns on one page width, the header repeated on every page."""
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
