"""The three annex forms of 连平's 办法 (附表1–3), filled from what the platform records about a
project, laid out as the regulation's tables: the same rows, columns, merged cells, title and
填表单位/日期 lines. A field the platform does not know keeps its label and stays blank for the
unit to write in by hand.

All three are Word documents (docx), not spreadsheets, for the same reason the regulation prints
them as tables in its text: each is signed and stamped on paper.

- 附表1 项目立项申请表: a one-page form with two opinion boxes that the applicant and the
  industry department sign and seal (主要领导签字、盖章); nothing in it is computed.
- 附表2 项目数据资源管理核查表: filed with the 立项 application and stamped by the unit
  (单位名称（盖章）); its data-items part is prose a person writes, one function per block.
- 附表3 项目变更单: the first page carries three units' signatures and seals; each page of the
  变更清单 must again be signed, dated and sealed by all three (the regulation's 注). The
  清单's subtotals and totals are the platform's own arithmetic (ChangeItem.original_subtotal /
  new_subtotal, the figures the change limits were checked against), so the sheet does not need
  spreadsheet formulas — it must print one fixed, signable page per list, in landscape.

Where the platform holds the data: project name, code, unit, 建设性质, total investment (万元)
and 资金来源 from ``projects.Project``; contact from the user who created the project; the using
unit from the asset ledger (``delivery.Asset``) once there is one; 立项时间 from the passing of the
``project_approval`` step; the change's 依据, 内容, items before/after and amounts from
``contracts.ChangeRequest`` / ``ChangeItem``; 承建/监理单位 from the contracts (or the project's
parties). There is no data-resource catalogue model yet (linxiang-data's rules name share types
and provision methods, but no project records its data items), so 附表2's data rows stay blank.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from docx.shared import Pt

from govit.exchange import docx_kit as kit
from govit.exchange.common import (
    DOCX_TYPE,
    date_text,
    month_text,
    number_text,
    safe_filename,
    wan_text,
    yuan_text,
)

# 建设性质 boxes printed on 附表1, and where each of the platform's types is ticked
CONSTRUCTION_BOXES = ("新建", "扩建", "迁建", "改建", "其他")
BOX_OF_TYPE = {
    "new": "新建",
    "expansion": "扩建",
    "renovation": "改建",
    "equipment_purchase": "其他",
    "emergency": "其他",
}
# 资金来源 rows of 附表1
FUND_ROWS = ("省级财政", "市级财政", "县级财政", "单位自筹", "其他")
FISCAL_ROW_OF_LEVEL = {
    "province": "省级财政",
    "prefecture": "市级财政",
    "city": "市级财政",
    "county": "县级财政",
}
YEARS = ("第一年", "第二年", "第三年", "第四年", "第五年")
CHANGE_REASONS = {
    "policy_requirement": "政策要求",
    "technical_optimization": "技术优化",
    "business_development": "业务发展",
    "other": "其他",
}
MIN_LIST_ROWS = 5  # the regulation's 变更清单 prints five blank lines


@dataclass(frozen=True)
class FormSpec:
    slug: str
    annex: str
    title: str
    build: Callable[..., bytes]
    content_type: str = DOCX_TYPE
    extension: str = "docx"

    def filename(self, project: Any) -> str:
        return safe_filename(f"{project.code or project.name}-{self.title}") + f".{self.extension}"


# --- facts the forms print ---------------------------------------------------------------------


def construction_boxes(project: Any) -> str:
    """``☑新建   □扩建 …``; a type the form has no box for is ticked as 其他 with its name."""
    ticked = BOX_OF_TYPE.get(project.construction_type, "其他")
    parts = []
    for box in CONSTRUCTION_BOXES:
        mark = "☑" if box == ticked else "□"
        label = box
        if box == "其他" and ticked == "其他":
            label = f"其他（{project.get_construction_type_display()}）"
        parts.append(f"{mark}{label}")
    return "   ".join(parts)


def fund_amounts(project: Any) -> dict[str, str]:
    """The 资金来源 row that carries the whole investment: the jurisdiction's own level for 本级
    财政, 单位自筹 for self-raised funds; 上级统筹安排拨付 names no level, so it goes under 其他."""
    row = {
        "local_fiscal": FISCAL_ROW_OF_LEVEL.get(project.jurisdiction.level, "其他"),
        "self_raised": "单位自筹",
        "superior_allocated": "其他",
    }.get(project.funding_source, "其他")
    return {row: wan_text(project.total_investment)}


def contractor_and_supervisor(project: Any) -> tuple[str, str]:
    """承建单位 and 监理单位: the vendors of the main and the supervision contracts, else the
    project's registered parties."""
    names = {"main": "", "supervision": ""}
    for contract in project.contracts.live().select_related("vendor").order_by("signed_on", "id"):
        if contract.kind in names and not names[contract.kind]:
            names[contract.kind] = contract.vendor.name
    if not (names["main"] and names["supervision"]):
        for party in project.parties.select_related("organization").order_by("id"):
            if party.role == "contractor" and not names["main"]:
                names["main"] = party.organization.name
            if party.role == "supervisor" and not names["supervision"]:
                names["supervision"] = party.organization.name
    return names["main"], names["supervision"]


def approval_date(project: Any) -> Any:
    """立项时间: when the project_approval step passed (None while it has not)."""
    step = project.steps.filter(kind="project_approval", status="passed").first()
    return step.closed_at if step is not None else None


def using_units(project: Any) -> str:
    names = (
        project.assets.filter(using_unit__isnull=False)
        .order_by("using_unit__name")
        .values_list("using_unit__name", flat=True)
        .distinct()
    )
    return "、".join(names)


def _signature_box(heading: str, signer: str = "主要领导签字：") -> list[kit.Para]:
    pad = "\u3000" * 4
    return [
        (heading, "left"),
        ("", "left"),
        ("", "left"),
        (f"{signer}{pad}{pad}", "right"),
        (f"年{pad}月{pad}日{pad}", "right"),
    ]


# --- 附表1 项目立项申请表 ---------------------------------------------------------------------------


def application_form(project: Any) -> bytes:
    """附表1 项目立项申请表, filled for ``project``."""
    contact = project.created_by
    doc = kit.new_document()
    kit.title(doc, "附表1", "项目立项申请表")
    kit.line(doc, f"申请单位(盖章)：{project.unit.name}", right=f"项目编号：{project.code or ''}")
    kit.line(doc, "")
    table = kit.grid(doc, 18, [2.6, 3.0, 2.5, 2.9, 2.4, 3.2])

    def wide(row: int, label: str, value: str, *, align: str = "left") -> None:
        kit.fill(table.cell(row, 0), label)
        kit.fill(kit.merge(table, row, 1, row, 5), value, align=align)

    wide(0, "申请单位", project.unit.name)
    wide(1, "项目使用单位", using_units(project))
    wide(2, "项目名称", project.name)
    wide(3, "项目拟建设地点", "")
    wide(4, "建设性质", construction_boxes(project))
    # 计划动工/竣工时间 and the total investment, merged over both rows
    kit.fill(table.cell(5, 0), "计划动工时间")
    kit.fill(kit.merge(table, 5, 1, 5, 2), month_text(None))
    kit.fill(table.cell(6, 0), "计划竣工时间")
    kit.fill(kit.merge(table, 6, 1, 6, 2), month_text(None))
    kit.fill(kit.merge(table, 5, 3, 6, 3), "项目总投资（万元）")
    kit.fill(kit.merge(table, 5, 4, 6, 5), wan_text(project.total_investment))
    # 资金安排计划 by year beside 资金来源 by level
    kit.fill(kit.merge(table, 7, 0, 11, 0), "资金安排计划")
    kit.fill(kit.merge(table, 7, 3, 11, 3), "资金来源")
    funds = fund_amounts(project)
    for offset, (year, source) in enumerate(zip(YEARS, FUND_ROWS, strict=True)):
        row = 7 + offset
        kit.fill(table.cell(row, 1), year)
        kit.fill(table.cell(row, 2), "万元", align="right")
        amount = funds.get(source, "")
        kit.fill(
            kit.merge(table, row, 4, row, 5),
            f"{source}\u3000{amount or chr(0x3000) * 3}\u3000万元",
            align="left",
        )
    wide(12, "建设内容", project.summary)
    wide(13, "预期经济、\n社会效益", "")
    kit.fill(kit.merge(table, 14, 0, 14, 5), _signature_box("申请单位意见及盖章："))
    kit.fill(kit.merge(table, 15, 0, 15, 5), _signature_box("行业主管部门意见及盖章："))
    kit.heights(table, (12, 13), 3.0)
    kit.heights(table, (14, 15), 3.6)
    for col, text in enumerate(
        ("项目联系人", contact.display_name, "办公电话", "", "手机号码", contact.phone)
    ):
        kit.fill(table.cell(16, col), text)
    kit.fill(table.cell(17, 0), "联系地址")
    kit.fill(kit.merge(table, 17, 1, 17, 3), "", align="left")
    kit.fill(table.cell(17, 4), "邮编")
    kit.fill(table.cell(17, 5), "")
    return kit.to_bytes(doc)


# --- 附表2 项目数据资源管理核查表 -------------------------------------------------------------------


DATA_ROWS_PER_FUNCTION = 3  # 功能1 / 功能2, each with its data items (数据名称1 … N)


def data_resources_form(project: Any) -> bytes:
    """附表2 项目数据资源管理核查表, filled for ``project``."""
    contact = project.created_by
    approved = approval_date(project)
    doc = kit.new_document()
    kit.title(doc, "附表2", "项目数据资源管理核查表")
    pad = "\u3000" * 2
    kit.line(doc, f"单位名称（盖章）：{project.unit.name}", right=f"年{pad}月{pad}日")
    kit.line(doc, "")
    functions = 2
    data_rows = functions * DATA_ROWS_PER_FUNCTION + 1  # … the last line for more functions
    first_data = 8
    table = kit.grid(doc, first_data + data_rows, [2.6, 2.4, 2.8, 2.8, 2.8, 3.2])

    kit.fill(table.cell(0, 0), "项目名称")
    kit.fill(kit.merge(table, 0, 1, 0, 5), project.name, align="left")
    for col, text in enumerate(
        ("联系人", contact.display_name, "电话", contact.phone, "邮箱", contact.email)
    ):
        kit.fill(table.cell(1, col), text)
    kit.fill(table.cell(2, 0), "项目简介")
    kit.fill(kit.merge(table, 2, 1, 2, 5), project.summary, align="left")
    kit.heights(table, (2,), 2.5)
    kit.fill(kit.merge(table, 3, 0, 5, 0), "项目总投资")
    kit.fill(kit.merge(table, 3, 1, 5, 2), f"{wan_text(project.total_investment)}万元")
    for offset, part in enumerate(("系统硬件", "系统软件", "应用软件开发")):
        kit.fill(table.cell(3 + offset, 3), part)
        kit.fill(kit.merge(table, 3 + offset, 4, 3 + offset, 5), "")
    kit.fill(table.cell(6, 0), "立项时间")
    kit.fill(kit.merge(table, 6, 1, 6, 2), date_text(approved))
    kit.fill(table.cell(6, 3), "预计验收时间")
    kit.fill(kit.merge(table, 6, 4, 6, 5), date_text(project.accepted_on))
    last = first_data + data_rows - 1
    kit.fill(kit.merge(table, 7, 0, last, 0), "本项目数据\n内容")
    kit.fill(table.cell(7, 1), "系统功能")
    kit.fill(kit.merge(table, 7, 2, 7, 3), "产生数据名称")
    kit.fill(table.cell(7, 4), "共享周期")
    kit.fill(table.cell(7, 5), "提供方式")
    for function in range(functions):
        top = first_data + function * DATA_ROWS_PER_FUNCTION
        kit.fill(kit.merge(table, top, 1, top + DATA_ROWS_PER_FUNCTION - 1, 1), "")
        for row in range(top, top + DATA_ROWS_PER_FUNCTION):
            kit.fill(kit.merge(table, row, 2, row, 3), "")
    kit.fill(kit.merge(table, last, 2, last, 3), "")
    kit.heights(table, range(first_data, last + 1), 0.8)
    kit.line(doc, "")
    kit.line(doc, "注：1.系统的每个功能可产生多个数据名称（数据项），请如实填写。")
    kit.line(
        doc,
        "2.系统产生数据原则上为共享数据，凡声明不予共享的政务信息资源，必须提供相关法律、"
        "行政法规或党中央、国务院政策依据。",
    )
    return kit.to_bytes(doc)


# --- 附表3 项目变更单 -------------------------------------------------------------------------------


LIST_HEADERS = {
    "hardware": (
        "（一）\u3000项目硬件设备（含系统软件）变更清单",
        (
            "序号",
            "分项目名称",
            "原设备\n品牌/型号",
            "原设备参数",
            "原数量",
            "原单价",
            "原小计",
            "现设备品牌/型号",
            "现设备参数",
            "现数量",
            "现单价",
            "现小计",
            "备注",
        ),
    ),
    "software": (
        "（二）\u3000项目应用软件变更清单",
        (
            "序号",
            "分项目名称",
            "原功能\n模块",
            "原软件功能",
            "原数量",
            "原单价",
            "原小计",
            "现功能\n模块",
            "现软件功能",
            "现数量",
            "现单价",
            "现小计",
            "备注",
        ),
    ),
}
LIST_WIDTHS = (1.0, 2.4, 2.4, 2.7, 1.3, 1.9, 2.0, 2.4, 2.7, 1.3, 1.9, 2.0, 1.7)


def change_form(project: Any, change: Any | None = None) -> bytes:
    """附表3 项目变更单 for ``project``: filled from ``change`` (a ChangeRequest with its items),
    or, before the unit has requested one, with the project's own details only — the form the
    unit has signed and stamped before it files the change."""
    items = list(change.items.order_by("id")) if change is not None else []
    contractor, supervisor = contractor_and_supervisor(project)
    doc = kit.new_document()
    kit.title(doc, "附表3", "项目变更单")
    kit.line(doc, "变更基本情况", bold=True)
    kit.line(doc, "")
    table = kit.grid(doc, 6, [2.8, 5.5, 2.8, 5.5])
    sub_projects = "、".join(dict.fromkeys(i.sub_project for i in items if i.sub_project))
    for col, text in enumerate(("项目名称", project.name, "分项目名称", sub_projects)):
        kit.fill(table.cell(0, col), text)
    kit.fill(table.cell(1, 0), "承建单位")
    kit.fill(kit.merge(table, 1, 1, 1, 3), contractor, align="left")
    signer = "项目负责人：\u3000\u3000\u3000\u3000\u3000\u3000日期：\u3000\u3000\u3000\u3000\u3000"
    basis = change.basis if change is not None else ""
    kit.fill(
        kit.merge(table, 2, 0, 2, 3),
        [("变更依据：", "left"), *[(part, "left") for part in basis.split("\n")]],
    )
    content: list[kit.Para] = [("变更内容：", "left")]
    if change is not None:
        content += [(part, "left") for part in change.description.split("\n")]
        content.append(
            (
                f"（变更原因：{CHANGE_REASONS.get(change.reason, change.reason)}；"
                f"变更部分金额：{wan_text(change.amount)}万元；"
                f"变更后合同总金额：{wan_text(change.new_total)}万元）",
                "left",
            )
        )
    content += [("", "left"), (signer, "right")]
    kit.fill(kit.merge(table, 3, 0, 3, 3), content)
    for row, heading in ((4, "监理单位意见："), (5, "建设单位意见：")):
        kit.fill(
            kit.merge(table, row, 0, row, 3),
            [(heading, "left"), ("", "left"), ("", "left"), (signer, "right")],
        )
    kit.heights(table, (2, 3), 3.5)
    kit.heights(table, (4, 5), 3.0)
    kit.line(doc, "")
    kit.line(doc, "注：建设单位、承建单位、监理单位均须加盖公章。")

    kit.landscape_section(doc)
    kit.line(doc, "二、项目变更清单", bold=True)
    names = (project.unit.name, supervisor, contractor)
    for category, (heading, headers) in LIST_HEADERS.items():
        rows = [i for i in items if i.category == category]
        kit.line(doc, heading, right="金额单位：元", bold=True, space_before=Pt(6))
        _change_list(doc, headers, rows)
        _list_signatures(doc, names)
    return kit.to_bytes(doc)


def _change_list(doc: Any, headers: tuple[str, ...], rows: list[Any]) -> None:
    count = max(len(rows), MIN_LIST_ROWS)
    table = kit.grid(doc, count + 2, LIST_WIDTHS)
    small = Pt(9)
    for col, text in enumerate(headers):
        kit.fill(table.cell(0, col), text, bold=True, size=small)
    kit.repeat_header(table)
    for index in range(count):
        item = rows[index] if index < len(rows) else None
        values = (
            (
                str(index + 1),
                item.sub_project,
                item.original_model,
                item.original_spec,
                number_text(item.original_quantity),
                yuan_text(item.original_unit_price),
                yuan_text(item.original_subtotal),
                item.new_model,
                item.new_spec,
                number_text(item.new_quantity),
                yuan_text(item.new_unit_price),
                yuan_text(item.new_subtotal),
                item.note,
            )
            if item is not None
            else ("",) * len(headers)
        )
        for col, text in enumerate(values):
            kit.fill(table.cell(index + 1, col), text, size=small)
    total_row = count + 1
    original = sum((i.original_subtotal for i in rows), Decimal(0))
    new = sum((i.new_subtotal for i in rows), Decimal(0))
    kit.fill(kit.merge(table, total_row, 0, total_row, 5), "合计", bold=True, size=small)
    kit.fill(table.cell(total_row, 6), yuan_text(original) if rows else "", size=small)
    kit.fill(kit.merge(table, total_row, 7, total_row, 10), "", size=small)
    kit.fill(table.cell(total_row, 11), yuan_text(new) if rows else "", size=small)
    kit.fill(table.cell(total_row, 12), "", size=small)


def _list_signatures(doc: Any, names: tuple[str, str, str]) -> None:
    """The three signature blocks under every 变更清单 (建设、监理、承建单位), and the 注."""
    kit.line(doc, "")
    table = kit.grid(doc, 1, (8.5, 8.5, 8.7), ruled=False)
    for col, (who, name) in enumerate(
        zip(("建设单位", "监理单位", "承建单位"), names, strict=True)
    ):
        kit.fill(
            table.cell(0, col),
            [
                (f"{who}（盖章）：{name}", "left"),
                ("项目负责人（签名）：", "left"),
                ("日\u3000\u3000期：", "left"),
            ],
        )
    kit.line(
        doc,
        "（注:每一页项目变更清单均须建设单位、监理单位、承建单位项目负责人签名、签署日期，"
        "并加盖单位公章。）",
        size=Pt(9),
    )


# --- which forms a project uses --------------------------------------------------------------------


FORMS: dict[str, FormSpec] = {
    spec.slug: spec
    for spec in (
        FormSpec("application", "附表1", "项目立项申请表", application_form),
        FormSpec("data-resources", "附表2", "项目数据资源管理核查表", data_resources_form),
        FormSpec("change", "附表3", "项目变更单", change_form),
    )
}


def rulebook_documents(rb: Any) -> list[tuple[str, str]]:
    """Every document the rulebook asks for, as (name, cite): its steps' and its change rules'."""
    found = [(doc.name, doc.cite or step.cite) for step in rb.model.steps for doc in step.documents]
    if rb.model.change is not None:
        found += [(doc.name, doc.cite or rb.model.change.cite) for doc in rb.model.change.documents]
    return found


def forms_for(rb: Any) -> list[tuple[FormSpec, str]]:
    """The annex forms this rulebook asks a project to file, each with the article that asks for
    it. A form is offered where the rulebook names it as a document (连平: 附表1 and 附表2 with the
    立项 application, 附表3 with a change), not by the jurisdiction's name."""
    documents = rulebook_documents(rb)
    offered = []
    for spec in FORMS.values():
        cite = next((cite for name, cite in documents if name.startswith(spec.title)), None)
        if cite is not None:
            offered.append((spec, cite))
    return offered
