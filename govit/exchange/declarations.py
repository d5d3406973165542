"""Declarations in a spreadsheet: the template a construction unit fills (one project a row, with
a 说明 sheet of the columns and the values each allows) and the reading of a filled file into
project fields, checking every cell of every row and reporting each problem in Chinese by row and
column. Reading changes nothing; ``imports.declarations_import`` writes."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from govit.exchange.common import WAN
from govit.projects.models import ConstructionType, FundingSource

SHEET = "项目申报"
NOTES = "说明"
MAX_ROWS = 500
MAX_BYTES = 5 * 1024 * 1024
YES, NO = "是", "否"
NATIONAL_CODE = re.compile(r"\d{4}-\d{6}-\d{2}-\d{2}-\d{6}")
NAME_MAX = 200


@dataclass(frozen=True)
class Column:
    field: str
    label: str
    required: bool
    rule: str  # what the 说明 sheet says of it
    width: int
    choices: tuple[str, ...] = ()


FUNDING = {label: value for value, label in FundingSource.choices}
CONSTRUCTION = {label: value for value, label in ConstructionType.choices}
CONSTRUCTION_ALIASES = {
    "改建": ConstructionType.RENOVATION,
    "升级改造": ConstructionType.RENOVATION,
}

COLUMNS: tuple[Column, ...] = (
    Column(
        "name", "项目名称", True, f"不超过{NAME_MAX}字；同一文件内、本单位已有项目中不得重名", 36
    ),
    Column("plan_year", "计划年度", True, "四位年份，如 2027（申报的是哪一年度的计划）", 10),
    Column(
        "total_investment",
        "总投资（万元）",
        True,
        "大于0的数字，单位万元，最多6位小数（即精确到分）",
        14,
    ),
    Column("funding_source", "资金来源", True, "从下拉列表中选择", 16, tuple(FUNDING)),
    Column("construction_type", "建设性质", True, "从下拉列表中选择", 16, tuple(CONSTRUCTION)),
    Column("summary", "建设内容", False, "主要建设内容，可留空，导入后在草稿中补充", 40),
    Column("classified", "涉密", True, "从下拉列表中选择", 8, (YES, NO)),
    Column("involves_crypto", "涉及密码应用", True, "从下拉列表中选择", 12, (YES, NO)),
    Column("data_sharing_supported", "支持数据共享和开放", True, "从下拉列表中选择", 16, (YES, NO)),
    Column(
        "simple_scope",
        "建设内容单一、投资规模小、技术方案简单",
        False,
        "从下拉列表中选择；留空视为“否”",
        18,
        (YES, NO),
    ),
    Column(
        "listed_in_system_catalog",
        "已纳入政务信息系统目录",
        False,
        "从下拉列表中选择；留空表示尚未填写",
        14,
        (YES, NO),
    ),
    Column(
        "national_code",
        "投资项目在线审批监管平台代码",
        False,
        "格式 ####-######-##-##-######；没有的留空",
        28,
    ),
)
BY_LABEL = {c.label: c for c in COLUMNS}


@dataclass(frozen=True)
class RowError:
    row: int | None  # the spreadsheet's row number; None for the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row is not None else "文件"
        return (
            f"{where}“{self.column}”：{self.message}" if self.column else f"{where}：{self.message}"
        )


@dataclass
class Row:
    number: int
    values: dict[str, Any]


@dataclass
class Reading:
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


# --- the template ----------------------------------------------------------------------------------


def declarations_template() -> bytes:
    """The import template: the 项目申报 sheet (header row, drop-down lists) and the 说明 sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    header_fill = PatternFill("solid", fgColor="DDE3EA")
    for col, column in enumerate(COLUMNS, 1):
        cell = sheet.cell(row=1, column=col, value=column.label)
        cell.font = Font(name="宋体", bold=True, color="B3261E" if column.required else "1F2933")
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        letter = get_column_letter(col)
        sheet.column_dimensions[letter].width = column.width
        if column.choices:
            check = DataValidation(
                type="list",
                formula1='"' + ",".join(column.choices) + '"',
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle="取值不正确",
                error=f"“{column.label}”只能填：{'、'.join(column.choices)}",
            )
            check.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            sheet.add_data_validation(check)
    sheet.row_dimensions[1].height = 36
    sheet.freeze_panes = "B2"

    notes = book.create_sheet(NOTES)
    lines = [
        ("政务信息化项目申报导入说明",),
        (
            "1. 在“项目申报”工作表中每行填写一个项目，第1行为列名，请勿修改或删除列名；红色列名为必填列。",
        ),
        (
            f"2. 一个文件最多{MAX_ROWS}行。导入时逐行检查，任何一行有错误，整个文件都不导入，并列出每一处错误的行号和列名；改正后重新上传即可。",
        ),
        ("3. 导入后每个项目为本单位的项目草稿，须在平台上核对、上传申报材料后逐个申报。",),
        ("4. 只有建设单位的经办人或负责人可以导入，项目的建设单位为导入人所在单位。",),
        ("",),
        ("列", "列名", "是否必填", "填写要求", "允许的值"),
    ]
    for col, column in enumerate(COLUMNS, 1):
        lines.append(
            (
                get_column_letter(col),
                column.label,
                "必填" if column.required else "选填",
                column.rule,
                "、".join(column.choices),
            )
        )
    for values in lines:
        notes.append(list(values))
    notes["A1"].font = Font(name="宋体", size=14, bold=True)
    header = len(lines) - len(COLUMNS)
    for cell in notes[header]:
        cell.font = Font(name="宋体", bold=True)
        cell.fill = header_fill
    for letter, width in zip("ABCDE", (6, 36, 10, 52, 60), strict=True):
        notes.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- reading a filled file ---------------------------------------------------------------------------


def read_declarations(upload: Any) -> Reading:
    """Every row of the file checked, every problem reported; the rows as project fields."""
    reading = Reading()
    data = _bytes(upload)
    if len(data) > MAX_BYTES:
        reading.errors.append(RowError(None, "", f"文件超过{MAX_BYTES // 1024 // 1024}MB"))
        return reading
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        reading.errors.append(
            RowError(None, "", "不是有效的 xlsx 工作簿，请使用平台下载的导入模板填写后上传")
        )
        return reading
    header: tuple[Any, ...] | None = None
    body: list[tuple[int, tuple[Any, ...]]] = []
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
            if number == 1:
                header = row
            elif not _blank(row):
                body.append((number, row))
                if len(body) > MAX_ROWS:
                    break
    finally:
        book.close()
    if header is None or _blank(header):
        reading.errors.append(RowError(None, "", f"“{SHEET}”工作表第1行应为列名，现为空"))
        return reading
    positions = _header(header, reading)
    if reading.errors:
        return reading
    if not body:
        reading.errors.append(RowError(None, "", "文件中没有项目（第2行起每行填写一个项目）"))
        return reading
    if len(body) > MAX_ROWS:
        reading.errors.append(
            RowError(None, "", f"一个文件最多{MAX_ROWS}个项目，请分成几个文件导入")
        )
        return reading
    seen: dict[str, int] = {}
    for number, raw in body:
        values: dict[str, Any] = {}
        for column in COLUMNS:
            cell = raw[positions[column.label]] if positions[column.label] < len(raw) else None
            try:
                value = _cell(column, cell)
            except ValueError as problem:
                reading.errors.append(RowError(number, column.label, str(problem)))
                continue
            if value is not None:
                values[column.field] = value
        name = values.get("name")
        if name is not None:
            if name in seen:
                reading.errors.append(
                    RowError(number, "项目名称", f"与第{seen[name]}行的项目名称重复")
                )
            else:
                seen[name] = number
        reading.rows.append(Row(number, values))
    return reading


def _bytes(upload: Any) -> bytes:
    if isinstance(upload, bytes | bytearray):
        return bytes(upload)
    if hasattr(upload, "seek"):
        upload.seek(0)
    return upload.read()


def _blank(row: tuple[Any, ...]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _header(row: tuple[Any, ...], reading: Reading) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, value in enumerate(row):
        label = str(value).strip() if value is not None else ""
        if not label:
            continue
        if label not in BY_LABEL:
            reading.errors.append(
                RowError(1, label, "不是模板中的列名（请使用平台下载的导入模板，不要修改列名）")
            )
        elif label in positions:
            reading.errors.append(RowError(1, label, "列名重复"))
        else:
            positions[label] = index
    for column in COLUMNS:
        if column.label not in positions:
            reading.errors.append(RowError(1, column.label, "缺少此列"))
    return positions


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _cell(column: Column, value: Any) -> Any:
    """The cell as the project field's value; ValueError with what is wrong, in Chinese."""
    text = _text(value)
    if not text:
        if column.required:
            raise ValueError("必填，不能为空")
        return None
    parse = _PARSERS.get(column.field)
    return parse(value, text) if parse else text


def _name(value: Any, text: str) -> str:
    if len(text) > NAME_MAX:
        raise ValueError(f"不能超过{NAME_MAX}字（现为{len(text)}字）")
    return text


def _year(value: Any, text: str) -> int:
    if isinstance(value, bool) or not re.fullmatch(r"\d{4}(年)?", text):
        raise ValueError(f"应为四位年份，如 2027，实际为“{text}”")
    year = int(text[:4])
    if not 2000 <= year <= 2100:
        raise ValueError(f"年份应在2000至2100之间，实际为{year}")
    return year


def _amount(value: Any, text: str) -> Decimal:
    """万元 → 元. Read from the cell's text (a float cell's shortest repr), never as a float."""
    if isinstance(value, bool):
        raise ValueError(f"应为数字（单位：万元），实际为“{text}”")
    try:
        wan = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise ValueError(f"应为数字（单位：万元），实际为“{text}”") from None
    if not wan.is_finite() or wan <= 0:
        raise ValueError(f"应大于0，实际为“{text}”")
    yuan = wan * WAN
    if yuan != yuan.quantize(Decimal("0.01")):
        raise ValueError(f"最多6位小数（精确到分），实际为“{text}”")
    if yuan >= Decimal("1e13"):
        raise ValueError(f"金额过大：“{text}”万元")
    return yuan.quantize(Decimal("0.01"))


def _choice(mapping: dict[str, str], aliases: dict[str, str] | None = None):
    def parse(value: Any, text: str) -> str:
        found = mapping.get(text) or (aliases or {}).get(text)
        if found is None:
            raise ValueError(f"只能填：{'、'.join(mapping)}，实际为“{text}”")
        return found

    return parse


def _boolean(value: Any, text: str) -> bool:
    if isinstance(value, bool):
        return value
    if text == YES:
        return True
    if text == NO:
        return False
    raise ValueError(f"只能填“是”或“否”，实际为“{text}”")


def _national_code(value: Any, text: str) -> str:
    if not NATIONAL_CODE.fullmatch(text):
        raise ValueError(f"格式应为 ####-######-##-##-######，实际为“{text}”")
    return text


_PARSERS = {
    "name": _name,
    "plan_year": _year,
    "total_investment": _amount,
    "funding_source": _choice(FUNDING),
    "construction_type": _choice(CONSTRUCTION, CONSTRUCTION_ALIASES),
    "classified": _boolean,
    "involves_crypto": _boolean,
    "data_sharing_supported": _boolean,
    "simple_scope": _boolean,
    "listed_in_system_catalog": _boolean,
    "national_code": _national_code,
}
