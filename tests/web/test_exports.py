"""The documents pages: a project's annex forms (docx, filled from the database), and the import
of declarations with its row-by-row report — for the people who may, and no one else."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from govit.contracts import services as contracts
from govit.exchange.common import DOCX_TYPE, XLSX_TYPE
from govit.projects.models import Project
from tests.delivery.conftest import staffed
from tests.exchange.conftest import (
    GOOD,
    after,
    change_items,
    lianping_in_construction,
    lianping_project,
    rows,
    workbook,
)
from tests.workflow.conftest import make_cast
from tests.workflow.flows import declared

pytestmark = pytest.mark.django_db


@pytest.fixture
def lianping(tree):
    return staffed(tree, "lianping")


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_the_forms_page_lists_what_the_rulebook_asks_for_with_its_articles(client, lianping):
    project = lianping_project(lianping)
    response = get(client, lianping.user("unit"), reverse("project-forms", args=[project.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for slug, title in (
        ("application", "项目立项申请表"),
        ("data-resources", "项目数据资源管理核查表"),
        ("change", "项目变更单"),
    ):
        assert title in html and reverse("project-form", args=[project.pk, slug]) in html
    assert "第十一条第（三）项" in html and "第二十一条第一款" in html
    assert "尚未申请变更" in html


def test_the_application_form_downloads_filled_from_the_database(
    client, lianping, django_assert_max_num_queries
):
    project = lianping_project(lianping, summary="教育数据中台")
    client.force_login(lianping.user("unit"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("project-form", args=[project.pk, "application"]))
    assert response.status_code == 200 and response["Content-Type"] == DOCX_TYPE
    filename = f"{project.code}-项目立项申请表.docx"
    assert quote(filename) in response["Content-Disposition"]
    doc = Document(io.BytesIO(response.content))
    project.refresh_from_db()
    assert after(doc, "项目名称") == project.name
    assert after(doc, "申请单位") == project.unit.name
    assert after(doc, "建设内容") == project.summary
    assert after(doc, "项目总投资（万元）") == f"{project.total_investment / 10000:f}".rstrip(
        "0"
    ).rstrip(".")


def test_the_change_form_picks_the_change(client, lianping):
    project = lianping_in_construction(lianping)
    change = contracts.change_request(
        actor=lianping.user("unit"),
        project=project,
        reason="policy_requirement",
        basis="县政府专题会议纪要",
        description="增加一台服务器",
        items=change_items(),
    )
    client.force_login(lianping.user("competent_department"))
    html = client.get(reverse("project-forms", args=[project.pk])).content.decode()
    assert f"?change={change.number}" in html
    for params in ({}, {"change": change.number}):
        response = client.get(reverse("project-form", args=[project.pk, "change"]), params)
        assert response.status_code == 200
        basic = rows(Document(io.BytesIO(response.content)), 0)
        assert basic[2][0] == "变更依据：\n县政府专题会议纪要"
    assert (
        client.get(reverse("project-form", args=[project.pk, "change"]), {"change": 9}).status_code
        == 404
    )
    assert (
        client.get(
            reverse("project-form", args=[project.pk, "change"]), {"change": "x"}
        ).status_code
        == 404
    )


def test_forms_are_not_found_for_those_who_may_not_see_the_project(client, tree, lianping):
    project = lianping_project(lianping)
    url = reverse("project-form", args=[project.pk, "application"])
    assert get(client, lianping.user("other_unit"), url).status_code == 404
    assert get(client, lianping.user("contractor"), url).status_code == 404  # not yet a party
    elsewhere = make_cast(tree, "yueyang")
    assert get(client, elsewhere.user("competent_department"), url).status_code == 404
    assert get(client, lianping.user("audit"), url).status_code == 200  # the auditor reads all
    assert (
        get(
            client, lianping.user("unit"), reverse("project-form", args=[project.pk, "nope"])
        ).status_code
        == 404
    )


def test_a_rulebook_without_the_annexes_offers_none(client, tree):
    cast = make_cast(tree, "yueyang")
    project = declared(cast)
    client.force_login(cast.user("unit"))
    assert client.get(reverse("project-form", args=[project.pk, "application"])).status_code == 404
    html = client.get(reverse("project-forms", args=[project.pk])).content.decode()
    assert "没有规定须填报的附表" in html


def test_the_import_page_and_template_are_for_a_construction_unit(client, casts):
    cast = casts["yueyang"]
    for key in ("competent_department", "finance", "audit", "consultant"):
        client.force_login(cast.user(key))
        assert client.get(reverse("declarations-import")).status_code == 403
        assert client.get(reverse("declarations-template")).status_code == 403
        before = Project.objects.count()
        response = client.post(reverse("declarations-import"), {"file": io.BytesIO(workbook(GOOD))})
        assert response.status_code == 403 and Project.objects.count() == before
    client.force_login(cast.user("unit"))
    html = client.get(reverse("declarations-import")).content.decode()
    assert reverse("declarations-template") in html and "资金来源" in html
    response = client.get(reverse("declarations-template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX_TYPE
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["项目申报", "说明"]


def upload(client, content: bytes):
    file = io.BytesIO(content)
    file.name = "申报.xlsx"
    return client.post(reverse("declarations-import"), {"file": file})


def test_importing_a_good_file_lists_the_drafts(client, casts):
    cast = casts["yueyang"]
    client.force_login(cast.user("unit"))
    response = upload(client, workbook(GOOD))
    assert response.status_code == 200
    html = response.content.decode()
    made = Project.objects.filter(unit=cast.units["unit"], name__in=[r[0] for r in GOOD])
    assert made.count() == 3 and "已导入 3 个项目草稿" in html
    for project in made:
        assert reverse("project-detail", args=[project.pk]) in html


def test_importing_a_file_with_one_bad_row_shows_the_row_and_column_and_imports_nothing(
    client, casts
):
    cast = casts["yueyang"]
    client.force_login(cast.user("unit"))
    bad = [list(r) for r in GOOD]
    bad[2][4] = "翻新"
    before = Project.objects.count()
    html = upload(client, workbook(bad)).content.decode()
    assert Project.objects.count() == before
    assert "发现 1 处错误，未导入任何项目" in html
    assert "<td>第 4 行</td><td>建设性质</td>" in html and "实际为“翻新”" in html
