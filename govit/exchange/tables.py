"""A list as a spreadsheet: a title row, Chinese column headings, one row per record. Written
row by row (openpyxl's write-only mode), so a list of many thousand rows is not held twice."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FONT = "宋体"


@dataclass(frozen=True)
class Column:
    heading: str
    width: int = 14
    number_format: str = ""  # common.WAN_FORMAT for amounts in 万元


def table_xlsx(
    title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, sheet: str = ""
) -> bytes:
    """The workbook's bytes: ``title`` on the first row, the headings on the second, then
    ``rows`` (values in the columns' order: text, numbers, Decimals, dates)."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(title=(sheet or title)[:31])
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A3"
    head = WriteOnlyCell(ws, value=title)
    head.font = Font(name=FONT, size=14, bold=True)
    ws.append([head])
    fill = PatternFill("solid", fgColor="EEF2F6")
    headings = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column.heading)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        headings.append(cell)
    ws.append(headings)
    formats = [column.number_format for column in columns]
    for row in rows:
        if any(formats):
            cells: list[Any] = []
            for value, number_format in zip(row, formats, strict=True):
                if number_format and value is not None:
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = number_format
                    cells.append(cell)
                else:
                    cells.append(value)
            ws.append(cells)
        else:
            ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
