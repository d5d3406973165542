"""python-docx helpers for forms printed, signed and stamped: A4, 宋体, ruled tables, merges."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.run import Run

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
BODY_SIZE = Pt(11)
A4 = (Cm(21.0), Cm(29.7))
MARGIN = Cm(2.2)

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


def _east_asian(run_or_style_element, font: str) -> None:
    rpr = run_or_style_element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attr), font)


def styled(run: Run, *, font: str = BODY_FONT, size: Pt | None = None, bold: bool = False) -> Run:
    run.font.name = font
    _east_asian(run._element, font)
    run.font.size = size or BODY_SIZE
    run.font.bold = bold
    return run


def new_document() -> DocxDocument:
    """An A4 portrait document in 宋体."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    _east_asian(normal.element, BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    section = doc.sections[0]
    section.page_width, section.page_height = A4
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    return doc


def landscape_section(doc: DocxDocument) -> None:
    """Start a new page in landscape (the wide 变更清单 tables)."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = A4[1], A4[0]
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))


def text_width(doc: DocxDocument) -> int:
    section = doc.sections[-1]
    return section.page_width - section.left_margin - section.right_margin


def line(
    doc: DocxDocument,
    text: str = "",
    *,
    right: str | None = None,
    align: str = "left",
    size: Pt | None = None,
    bold: bool = False,
    font: str = BODY_FONT,
    space_before: Pt | None = None,
) -> None:
    """A paragraph; with ``right``, a second text flush right on the same line (编号, 日期)."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = ALIGN[align]
    if space_before is not None:
        paragraph.paragraph_format.space_before = space_before
    styled(paragraph.add_run(text), font=font, size=size, bold=bold)
    if right is not None:
        paragraph.paragraph_format.tab_stops.add_tab_stop(text_width(doc), WD_TAB_ALIGNMENT.RIGHT)
        styled(paragraph.add_run("\t" + right), font=font, size=size, bold=bold)


def title(doc: DocxDocument, annex: str, text: str) -> None:
    """``附表N`` on its own line, then the form's title centred."""
    line(doc, annex, font=TITLE_FONT)
    line(doc, text, align="center", size=Pt(20), bold=True, font=TITLE_FONT, space_before=Pt(6))
    line(doc, "")


Para = tuple[str, str]  # (text, alignment)


def fill(
    cell: _Cell,
    content: str | Sequence[Para],
    *,
    align: str = "center",
    bold: bool = False,
    size: Pt | None = None,
) -> _Cell:
    """Replace the cell's text. ``content`` is a text (lines split on newlines, all aligned
    alike) or a list of (text, alignment) paragraphs (an opinion box: text, then the signature
    line flush right)."""
    paragraphs: list[Para] = (
        [(part, align) for part in content.split("\n")]
        if isinstance(content, str)
        else list(content)
    )
    for old in cell.paragraphs[1:]:
        old._element.getparent().remove(old._element)
    first = cell.paragraphs[0]
    for run in list(first.runs):
        run._element.getparent().remove(run._element)
    for i, (text, how) in enumerate(paragraphs):
        paragraph = first if i == 0 else cell.add_paragraph()
        paragraph.alignment = ALIGN[how]
        styled(paragraph.add_run(text), size=size, bold=bold)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return cell


def grid(doc: DocxDocument, rows: int, widths_cm: Sequence[float], *, ruled: bool = True) -> Table:
    """A table of fixed column widths (Word honours a width only when every cell carries it)."""
    table = doc.add_table(rows=rows, cols=len(widths_cm))
    if ruled:
        table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    return table


def merge(table: Table, top: int, left: int, bottom: int, right: int) -> _Cell:
    """Merge the rectangle of cells (inclusive) and return the merged cell."""
    cell = table.cell(top, left)
    if (top, left) != (bottom, right):
        cell = cell.merge(table.cell(bottom, right))
    return cell


def heights(table: Table, rows: Iterable[int], height_cm: float) -> None:
    for index in rows:
        row = table.rows[index]
        row.height = Cm(height_cm)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


def repeat_header(table: Table, row: int = 0) -> None:
    """Repeat the header row on every printed page."""
    trpr = table.rows[row]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def to_bytes(doc: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
