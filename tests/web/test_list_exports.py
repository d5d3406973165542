"""The project list and the ledgers (台账) taken away as Excel: Chinese headings, amounts in 万元
exact to the 分, the list's filters kept, and nothing the reader may not see."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from govit.contracts import services as contracts
from govit.core import clock
from govit.supervision import services as supervision
from govit.web.ledgers import LEDGERS
from tests.delivery.conftest import staffed
from tests.delivery.test_rules import built
from tests.workflow.flows import declared

pytestmark = pytest.mark.django_db


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


@pytest.fixture
def yueyang(tree):
    return staffed(tree, "yueyang")


def test_the_project_list_export_keeps_the_filters_and_the_readers_view(client, yueyang, casts):
    a = declared(yueyang, name="岳阳市智慧教育平台", amount=1_234_567)
    declared(yueyang, name="岳阳市另一个项目", amount=2_000_000)
    declared(yueyang, unit="other_unit", name="卫健委的项目", amount=900_000)
    url = reverse("project-list-export")

    client.force_login(yueyang.user("competent_department"))
    rows = sheet_rows(client.get(url))
    assert rows[0][0] == "项目清单"
    assert rows[1][:6] == ("项目编码", "项目名称", "建设单位", "辖区", "计划年度", "总投资（万元）")
    assert sorted(r[1] for r in rows[2:]) == [
        "卫健委的项目",
        "岳阳市另一个项目",
        "岳阳市智慧教育平台",
    ]
    only = sheet_rows(client.get(url, {"q": "智慧教育"}))[2:]
    assert len(only) == 1
    assert only[0][:7] == (
        a.code,
        a.name,
        a.unit.name,
        "岳阳市",
        2027,
        123.4567,
        None,
    )
    # the list page offers the export with its own filters
    listing = client.get(reverse("project-list"), {"q": "智慧教育"}).content.decode()
    assert f"{url}?q=" in listing

    client.force_login(yueyang.user("unit"))  # a unit sees its own projects only
    assert "卫健委的项目" not in [r[1] for r in sheet_rows(client.get(url))[2:]]
    client.force_login(casts["lianping"].user("competent_department"))
    assert sheet_rows(client.get(url))[2:] == []


def test_each_ledger_in_wan_for_the_projects_the_reader_sees(client, yueyang, casts):
    project = built(yueyang, "yueyang", amount=1_000_000)
    contract = project.contracts.get(kind="main")
    with clock.frozen(contract.signed_on + dt.timedelta(days=3)):
        contracts.payment_plan(
            actor=yueyang.user("unit"),
            contract=contract,
            amount=Decimal("123456.78"),
            due_on=contract.signed_on + dt.timedelta(days=30),
        )
        supervision.penalty_impose(
            actor=yueyang.user("finance"),
            project=project,
            code="PROJECT_VIOLATION",
            measures=["recover_funds"],
            reason="挪用资金",
            amount=5000,
        )
    clerk = yueyang.user("competent_department")
    client.force_login(clerk)

    rows = sheet_rows(client.get(reverse("ledger-export", args=["contracts"])))
    assert rows[0][0] == "合同台账"
    assert rows[1][:7] == (
        "项目编码",
        "项目名称",
        "合同类别",
        "合同编号",
        "供应商",
        "签订单位",  # the unit, or the 联合单位 that signed it (连平第十五条)
        "合同金额（万元）",
    )
    body = {r[3]: r for r in rows[2:]}
    assert body[contract.number][4:7] == (
        contract.vendor.name,
        project.unit.name,
        float(contract.amount / 10000),
    )

    payments = sheet_rows(client.get(reverse("ledger-export", args=["payments"])))[2:]
    assert [(r[2], r[3], r[4], r[6]) for r in payments] == [
        (contract.number, 1, 12.345678, "计划支付")
    ]

    penalties = sheet_rows(client.get(reverse("ledger-export", args=["penalties"])))[2:]
    assert [(r[1], r[2], r[3], r[4]) for r in penalties] == [
        (project.name, "收回已拨付资金", "挪用资金", 0.5)
    ]

    # one project's ledger, from its page; another jurisdiction's project is not found
    one = sheet_rows(
        client.get(reverse("ledger-export", args=["contracts"]), {"project": project.pk})
    )
    assert one[0][0] == f"{project.name}·合同台账" and len(one) - 2 == project.contracts.count()
    detail = client.get(reverse("project-detail", args=[project.pk])).content.decode()
    assert f"{reverse('ledger-export', args=['payments'])}?project={project.pk}" in detail
    for slug in LEDGERS:  # every ledger answers, with its Chinese headings
        assert sheet_rows(client.get(reverse("ledger-export", args=[slug])))[1][0] == "项目编码"

    # another unit of the jurisdiction: the penalties are public within it, the contracts are not
    client.force_login(yueyang.user("other_unit"))
    public = sheet_rows(client.get(reverse("ledger-export", args=["penalties"])))[2:]
    assert [r[1] for r in public] == [project.name]
    assert sheet_rows(client.get(reverse("ledger-export", args=["contracts"])))[2:] == []

    client.force_login(casts["lianping"].user("competent_department"))
    for slug in LEDGERS:
        assert sheet_rows(client.get(reverse("ledger-export", args=[slug])))[2:] == []
    assert (
        client.get(
            reverse("ledger-export", args=["contracts"]), {"project": project.pk}
        ).status_code
        == 404
    )
    assert client.get(reverse("ledger-export", args=["secrets"])).status_code == 404


def test_the_exports_need_a_signed_in_user(client, yueyang):
    project = declared(yueyang)
    for url in (
        reverse("project-list-export"),
        reverse("ledger-export", args=["contracts"]),
        reverse("project-events-export", args=[project.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_contracts_findings_are_listed_with_their_articles():
    from govit.web.ledgers import findings_text

    assert (
        findings_text(
            [
                {
                    "code": "CONTRACT_IP",
                    "message": "合同未约定知识产权归建设单位",
                    "cite": "第二十一条",
                },
                {"code": "X", "message": "合同运维期约定1年，本办法要求不少于3年", "cite": ""},
            ]
        )
        == "合同未约定知识产权归建设单位（第二十一条）；合同运维期约定1年，本办法要求不少于3年"
    )
    assert findings_text(None) == findings_text([]) == ""
