"""Declarations imported from the spreadsheet template: every row checked first, a row-by-row
report in Chinese, nothing imported from a file with an error, one draft per row through
project_create otherwise — and only by a construction unit, for itself."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from govit.core.errors import InvalidInput, PermissionDenied
from govit.events.models import Event
from govit.exchange import imports
from govit.exchange.declarations import NOTES, SHEET, declarations_template
from govit.exchange.imports import declarations_import
from govit.projects.models import Project, ProjectStatus
from tests.exchange.conftest import GOOD, LABELS, workbook
from tests.workflow.conftest import make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tree):
    return make_cast(tree, "yueyang")


def test_the_template_has_the_header_and_a_notes_sheet_of_columns_and_values():
    book = load_workbook(io.BytesIO(declarations_template()))
    assert book.sheetnames == [SHEET, NOTES]
    assert [c.value for c in book[SHEET][1]] == LABELS
    notes = [[c.value for c in row] for row in book[NOTES].iter_rows()]
    described = {row[1]: row for row in notes if row[1] in LABELS}
    assert set(described) == set(LABELS)
    assert described["资金来源"][2] == "必填"
    assert described["资金来源"][4] == "本级财政、上级统筹安排拨付、单位自筹"
    assert described["建设性质"][4] == "新建、扩建、改建（升级改造）、单纯设备购置、紧急建设"
    assert described["涉密"][4] == "是、否"
    assert described["建设内容"][2] == "选填"
    lists = {str(dv.sqref): dv.formula1 for dv in book[SHEET].data_validations.dataValidation}
    assert lists["D2:D501"] == '"本级财政,上级统筹安排拨付,单位自筹"'


def test_a_good_file_imports_one_draft_per_row_for_the_units_own_unit(cast):
    unit = cast.user("unit")
    before = Project.objects.count()
    report = declarations_import(actor=unit, file=io.BytesIO(workbook(GOOD)))
    assert report.ok and report.rows == 3 and len(report.created) == 3
    assert Project.objects.count() == before + 3
    made = {p.name: p for p in Project.objects.filter(pk__in=[p.pk for p in report.created])}
    first, second, third = (made[row[0]] for row in GOOD)
    assert all(
        p.status == ProjectStatus.DRAFT and p.unit == unit.organization for p in made.values()
    )
    assert all(p.jurisdiction == cast.jurisdiction and p.created_by == unit for p in made.values())
    assert (first.total_investment, first.funding_source, first.construction_type) == (
        Decimal("2500000.00"),
        "local_fiscal",
        "new",
    )
    assert (first.summary, first.involves_crypto, first.classified) == ("统一身份认证", True, False)
    assert first.listed_in_system_catalog is True and first.simple_scope is False
    assert (second.total_investment, second.funding_source, second.construction_type) == (
        Decimal("805000.00"),
        "self_raised",
        "renovation",
    )
    assert second.listed_in_system_catalog is None  # left empty: not known, not "no"
    assert third.total_investment == Decimal("123456.78")
    assert (third.funding_source, third.data_sharing_supported, third.simple_scope) == (
        "superior_allocated",
        False,
        True,
    )
    assert third.national_code == "4306-202611-12-34-567890"
    # each draft recorded by the unit's clerk, the import's drafts under one correlation id
    events = Event.objects.filter(kind="project.created", project__in=report.created)
    assert events.count() == 3 and {e.actor_id for e in events} == {unit.pk}
    assert len({e.correlation_id for e in events}) == 1


def test_one_bad_row_imports_nothing_and_every_problem_is_reported_by_row_and_column(cast):
    rows = [list(r) for r in GOOD]
    rows[1][2] = "八十万"  # row 3: 总投资
    rows[2][1] = "27"  # row 4: 计划年度
    rows[2][3] = "财政"  # row 4: 资金来源
    rows[0][6] = ""  # row 2: 涉密 is required
    before, events = Project.objects.count(), Event.objects.count()
    report = declarations_import(actor=cast.user("unit"), file=workbook(rows))
    assert not report.ok and report.created == []
    assert Project.objects.count() == before and Event.objects.count() == events
    found = {(e.row, e.column): e.message for e in report.errors}
    assert set(found) == {(2, "涉密"), (3, "总投资（万元）"), (4, "计划年度"), (4, "资金来源")}
    assert found[(3, "总投资（万元）")] == "应为数字（单位：万元），实际为“八十万”"
    assert found[(2, "涉密")] == "必填，不能为空"
    assert "本级财政、上级统筹安排拨付、单位自筹" in found[(4, "资金来源")]
    assert str(report.errors[0]) == "第2行“涉密”：必填，不能为空"


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("总投资（万元）", "0", "应大于0，实际为“0”"),
        ("总投资（万元）", "1.0000001", "最多6位小数（精确到分），实际为“1.0000001”"),
        ("计划年度", "1999", "年份应在2000至2100之间，实际为1999"),
        (
            "建设性质",
            "新增",
            "只能填：新建、扩建、改建（升级改造）、单纯设备购置、紧急建设，实际为“新增”",
        ),
        ("涉及密码应用", "不", "只能填“是”或“否”，实际为“不”"),
        (
            "投资项目在线审批监管平台代码",
            "4306-1",
            "格式应为 ####-######-##-##-######，实际为“4306-1”",
        ),
        ("项目名称", "项" * 201, "不能超过200字（现为201字）"),
    ],
)
def test_each_cell_is_checked_against_its_column(cast, column, value, message):
    row = list(GOOD[0])
    row[LABELS.index(column)] = value
    report = declarations_import(actor=cast.user("unit"), file=workbook([row]))
    assert [(e.row, e.column, e.message) for e in report.errors] == [(2, column, message)]


def test_names_repeated_in_the_file_or_already_the_units_are_refused(cast):
    unit = cast.user("unit")
    assert declarations_import(actor=unit, file=workbook(GOOD[:1])).ok
    again = declarations_import(actor=unit, file=workbook([GOOD[1], GOOD[1]]))
    assert [(e.row, e.column) for e in again.errors] == [(3, "项目名称")]
    assert again.errors[0].message == "与第2行的项目名称重复"
    twice = declarations_import(actor=unit, file=workbook(GOOD))
    assert [(e.row, e.column) for e in twice.errors] == [(2, "项目名称")]
    assert twice.errors[0].message.startswith("本单位已有同名项目（草稿，2027年度）")
    assert Project.objects.filter(unit=unit.organization).count() == 1


def test_a_file_that_is_not_the_template_is_reported_as_a_whole(cast):
    unit = cast.user("unit")
    junk = declarations_import(actor=unit, file=io.BytesIO(b"name,year\n"))
    assert [(e.row, e.column) for e in junk.errors] == [(None, "")]
    assert "不是有效的 xlsx 工作簿" in junk.errors[0].message
    renamed = [*LABELS[:-1], "备注"]
    wrong = declarations_import(actor=unit, file=workbook(GOOD, header=renamed))
    assert {(e.row, e.column) for e in wrong.errors} == {
        (1, "备注"),
        (1, "投资项目在线审批监管平台代码"),
    }
    book = Workbook()
    book.active.title = SHEET
    book.active.append(LABELS)
    empty = io.BytesIO()
    book.save(empty)
    nothing = declarations_import(actor=unit, file=empty.getvalue())
    assert nothing.errors[0].message.startswith("文件中没有项目")


@pytest.mark.parametrize(
    "key", ["competent_department", "finance", "audit", "consultant", "unit.leader"]
)
def test_only_a_construction_units_clerk_or_leader_may_import(cast, key):
    user = cast.user(key)
    before = Project.objects.count()
    if key == "unit.leader":
        assert declarations_import(actor=user, file=workbook(GOOD[:1])).ok
        return
    with pytest.raises(PermissionDenied) as refused:
        declarations_import(actor=user, file=workbook(GOOD))
    assert refused.value.message == "只有建设单位的经办人或负责人可以创建项目"
    assert Project.objects.count() == before


def test_a_refusal_by_project_create_midway_rolls_every_row_back(cast, monkeypatch):
    real = imports.project_create
    calls = []

    def second_refused(**kwargs):
        calls.append(kwargs["name"])
        if len(calls) == 2:
            raise InvalidInput("总投资应为大于0的金额（单位：元）", code="INVALID_AMOUNT")
        return real(**kwargs)

    monkeypatch.setattr(imports, "project_create", second_refused)
    before, events = Project.objects.count(), Event.objects.count()
    report = declarations_import(actor=cast.user("unit"), file=workbook(GOOD))
    assert [(e.row, e.message) for e in report.errors] == [(3, "总投资应为大于0的金额（单位：元）")]
    assert report.created == []
    assert Project.objects.count() == before and Event.objects.count() == events
