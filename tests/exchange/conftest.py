"""Projects to fill forms from, built through the services their people use."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from govit.core import clock
from govit.demo.driver import advance_to
from govit.documents.services import document_upload
from govit.exchange.declarations import COLUMNS, SHEET, declarations_template
from tests.delivery.conftest import staffed
from tests.workflow import flows
from tests.workflow.conftest import PDF, casts, tree  # noqa: F401 - fixtures


@pytest.fixture
def lianping(tree):  # noqa: F811 - the fixture imported above
    return staffed(tree, "lianping")


def lianping_project(cast, **fields):
    """A 连平 project declared on 2026-06-10 (the draft rulebook confirmed by its administrator)."""
    return flows.lianping_declared(cast, **fields)


def lianping_in_construction(cast, **fields):
    """A 连平 project carried to construction, its main contract signed (72万元), the 变更单
    uploaded so that a change may be requested."""
    project = lianping_project(cast, **fields)
    with clock.frozen(dt.date(2026, 6, 11)):
        project = advance_to(cast, project, "construction")
    document_upload(
        actor=cast.user("unit"),
        project=project,
        name="项目变更单（附表3，建设、承建、监理单位盖章）",
        upload=io.BytesIO(PDF),
        filename="bg.pdf",
    )
    return project


def open_docx(content: bytes):
    return Document(io.BytesIO(content))


def rows(doc, table: int = 0) -> list[list[str]]:
    """A table's rows as the reader sees them: a merged cell once, not once per grid column."""
    out = []
    for row in doc.tables[table].rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(cell.text)
        out.append(cells)
    return out


def after(doc, label: str, table: int = 0) -> str:
    """The text of the cell right of ``label`` (the value the form fills beside its label)."""
    for cells in rows(doc, table):
        for i, text in enumerate(cells):
            if text == label and i + 1 < len(cells):
                return cells[i + 1]
    raise AssertionError(f"no cell labelled {label!r} in table {table}")


def paragraphs(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


LABELS = [c.label for c in COLUMNS]
GOOD = [
    [
        "岳阳市教育局智慧校园",
        2027,
        250,
        "本级财政",
        "新建",
        "统一身份认证",
        "否",
        "是",
        "是",
        "否",
        "是",
        "",
    ],
    [
        "岳阳市教育局教学资源库",
        "2027",
        "80.5",
        "单位自筹",
        "改建（升级改造）",
        "",
        "否",
        "否",
        "是",
        "",
        "",
        "",
    ],
    [
        "岳阳市教育局考务系统",
        2027,
        12.345678,
        "上级统筹安排拨付",
        "单纯设备购置",
        "",
        "否",
        "否",
        "否",
        "是",
        "否",
        "4306-202611-12-34-567890",
    ],
]


def workbook(rows, *, header=LABELS) -> bytes:
    """The platform's template with ``rows`` filled in from row 2, as a unit would."""
    book = load_workbook(io.BytesIO(declarations_template()))
    sheet = book[SHEET]
    for col, label in enumerate(header, 1):
        sheet.cell(row=1, column=col, value=label)
    for r, values in enumerate(rows, 2):
        for c, value in enumerate(values, 1):
            sheet.cell(row=r, column=c, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def change_items():
    return [
        {
            "category": "hardware",
            "sub_project": "机房改造",
            "original_model": "华为 RH2288",
            "original_spec": "2路CPU/256G",
            "original_quantity": 1,
            "original_unit_price": 30000,
            "new_model": "华为 RH2288H V5",
            "new_spec": "2路CPU/512G",
            "new_quantity": 1,
            "new_unit_price": 28000,
            "note": "型号停产",
        },
        {
            "category": "software",
            "sub_project": "数据平台",
            "original_model": "报表模块",
            "original_spec": "固定报表",
            "original_quantity": 2,
            "original_unit_price": 10000,
            "new_model": "自助分析模块",
            "new_spec": "自助分析",
            "new_quantity": 1,
            "new_unit_price": 20000,
        },
    ]
