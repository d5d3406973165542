"""Issue 13, points 2–4 on the pages: the findings of a procurement, contract or payment are
shown with their articles before it is saved (a block at its field, a warning to tick 已知悉),
the filer of the contract reads them with who acknowledged them, a record entered by mistake is
corrected with its trail, and the change approver reads the whole 变更单."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from govit.contracts import services as contracts
from govit.contracts.models import Contract, Procurement
from govit.core import clock
from govit.demo.driver import advance_to
from govit.documents.services import document_upload
from govit.projects.models import Task
from govit.supervision import services as supervision
from tests.delivery.conftest import staffed
from tests.delivery.test_rules import built
from tests.workflow.conftest import PDF

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


def action_url(project, slug):
    return reverse("project-action", args=[project.pk, slug])


def post(client, user, url, data):
    client.force_login(user)
    return client.post(url, data)


def field_errors(response, name):
    """The errors the form shows at one field."""
    return response.context["form"].errors.get(name, [])


@pytest.fixture
def cast(tree):
    return staffed(tree, "yueyang")


@pytest.fixture
def procured(cast):
    """A 岳阳 project at procurement, its procurement recorded, its winner blacklisted."""
    project = built(cast, "yueyang", stage="procurement")
    winner = cast.user("contractor").organization
    with clock.frozen(TODAY):
        contracts.procurement_record(
            actor=cast.user("unit"),
            project=project,
            method="inquiry",
            winner=winner,
            awarded_on=TODAY - dt.timedelta(days=10),
        )
        supervision.credit_record(
            actor=cast.user("competent_department"),
            vendor=winner,
            kind="blacklist",
            reason="弄虚作假，提供虚假业绩证明",
            code="VENDOR_VIOLATION",
        )
    return project


def contract_data(cast, **kwargs):
    return {
        "kind": "main",
        "vendor": cast.user("contractor").organization.pk,
        "number": "HT-1",
        "amount": "80",
        "signed_on": "2026-11-25",
        "om_period_years": "1",
        "termination_mechanism": "on",
        "equipment_matches_scheme": "on",
    } | kwargs


def test_the_findings_are_shown_with_their_articles_before_the_contract_is_saved(
    client, cast, procured
):
    unit = cast.user("unit")
    url = action_url(procured, "contract")
    with clock.frozen(TODAY):
        first = post(client, unit, url, contract_data(cast))
        assert first.status_code == 200  # shown, not saved
        html = first.content.decode()
        for cite in ("第二十一条", "第二十二条", "第三十八条"):
            assert cite in html
        assert "已知悉以下审查意见" in html and 'type="checkbox" name="acknowledged"' in html
        assert not Contract.objects.filter(project=procured).exists()
        # ticking two of the three is not enough
        partly = post(
            client,
            unit,
            url,
            contract_data(cast, acknowledged=["CONTRACT_IP_OWNERSHIP", "OM_PERIOD_SHORT"]),
        )
        assert field_errors(partly, "acknowledged")
        assert not Contract.objects.filter(project=procured).exists()
        done = post(
            client,
            unit,
            url,
            contract_data(
                cast,
                acknowledged=["CONTRACT_IP_OWNERSHIP", "OM_PERIOD_SHORT", "VENDOR_BLACKLISTED"],
            ),
        )
    assert done.status_code == 302
    contract = Contract.objects.get(project=procured)
    assert contract.acknowledgement["by"] == unit.pk
    assert len(contract.findings) == 3
    # the record on the project page carries its findings and who acknowledged them
    client.force_login(cast.user("competent_department"))
    part = client.get(reverse("project-section", args=[procured.pk, "delivery"])).content.decode()
    assert "第二十二条" in part and f"{unit.display_name} 于" in part and "确认已知悉" in part


def test_a_block_is_shown_at_its_field_and_nothing_is_saved(client, cast, procured):
    unit = cast.user("unit")
    with clock.frozen(TODAY):
        over = post(
            client,
            unit,
            action_url(procured, "contract"),
            contract_data(cast, amount="100.000001"),  # the 100万 total investment
        )
        assert any("超过批复概算" in e for e in field_errors(over, "amount"))
        early = post(
            client,
            unit,
            action_url(procured, "contract"),
            contract_data(cast, signed_on="2026-11-20"),  # awarded 2026-11-21
        )
        assert any("早于成交（中标）日期" in e for e in field_errors(early, "signed_on"))
        ahead = post(
            client,
            unit,
            action_url(procured, "procurement"),
            {
                "method": "inquiry",
                "winner": cast.user("contractor").organization.pk,
                "awarded_on": "2027-12-01",
            },
        )
        assert any("晚于今天" in e for e in field_errors(ahead, "awarded_on"))
    assert not Contract.objects.filter(project=procured).exists()
    assert Procurement.objects.filter(project=procured).count() == 1


def test_the_filer_of_the_contract_reads_its_findings_and_the_acknowledgement(cast, client):
    project = built(cast, "yueyang", stage="procurement")
    unit = cast.user("unit")
    with clock.frozen(TODAY):
        contracts.procurement_record(
            actor=unit,
            project=project,
            method="inquiry",
            winner=cast.user("contractor").organization,
            awarded_on=TODAY,
        )
        contracts.contract_register(
            actor=unit,
            project=project,
            kind="main",
            vendor=cast.user("contractor").organization,
            number="HT-1",
            amount=Decimal("800000"),
            signed_on=TODAY,
            om_period_years=1,
            ip_ownership=True,
            acknowledged=["OM_PERIOD_SHORT"],
        )
        contracts.contract_register(
            actor=unit,
            project=project,
            kind="supervision",
            vendor=cast.user("supervisor").organization,
            number="JL-1",
            amount=Decimal("30000"),
            signed_on=TODAY,
        )
        project = advance_to(cast, project, "construction")
    task = Task.objects.get(step__project=project, step__kind="contract_filing")
    client.force_login(cast.user("competent_department"))
    html = client.get(reverse("task-act", args=[project.pk, task.pk])).content.decode()
    assert "合同及登记时的审查意见" in html
    assert "合同运维期约定1年" in html and "第二十二条" in html
    assert f"{unit.display_name} 于 2026年12月1日" in html
    # the filed construction contract is corrected, not voided: the filing would be left without one
    main = project.contracts.get(kind="main")
    refused = post(
        client, unit, action_url(project, "contract-void"), {"record": main.pk, "reason": "录错"}
    )
    assert (
        refused.context["form"]
        .errors["record"][0]
        .startswith("建设合同已备案，不能作废；请更正该合同")
    )  # at the field that chose the contract, with the filing's article
    assert "依据：" in refused.context["form"].errors["record"][0]
    main.refresh_from_db()
    assert main.voided_at is None


def test_a_contract_corrected_on_the_page_stays_marked_with_its_reason(client, cast, procured):
    unit = cast.user("unit")
    with clock.frozen(TODAY):
        old = contracts.contract_register(
            actor=unit,
            project=procured,
            kind="main",
            vendor=cast.user("contractor").organization,
            number="HT-1",
            amount=Decimal("500000"),
            signed_on=TODAY,
            om_period_years=3,
            ip_ownership=True,
            acknowledged=["VENDOR_BLACKLISTED"],
        )
        response = post(
            client,
            unit,
            action_url(procured, "contract-correct"),
            {
                "record": old.pk,
                "reason": "金额录错，应为80万元",
                "vendor": old.vendor_id,
                "number": "HT-1",
                "amount": "80",
                "signed_on": "2026-12-01",
                "om_period_years": "3",
                "ip_ownership": "on",
                "acknowledged": ["VENDOR_BLACKLISTED"],
            },
        )
    assert response.status_code == 302, response.context["form"].errors
    old.refresh_from_db()
    assert old.void_label == "已更正" and old.superseded_by.amount == Decimal("800000.00")
    part = client.get(reverse("project-section", args=[procured.pk, "delivery"])).content.decode()
    assert "已更正" in part and "金额录错，应为80万元" in part


def test_the_change_approver_reads_the_whole_change_before_deciding(client, tree):
    cast = staffed(tree, "lianping")
    project = built(cast, "lianping", stage="construction")
    unit = cast.user("unit")
    document_upload(
        actor=unit,
        project=project,
        name="项目变更单（附表3，建设、承建、监理单位盖章）",
        upload=io.BytesIO(PDF),
        filename="c.pdf",
    )
    change = contracts.change_request(
        actor=unit,
        project=project,
        reason="technical_optimization",
        basis="等保测评要求更换数据库审计设备",
        description="更换审计设备",
        items=[
            {
                "category": "hardware",
                "original_model": "审计设备A型",
                "original_quantity": 1,
                "original_unit_price": 55000,
                "new_model": "审计设备B型",
                "new_quantity": 1,
                "new_unit_price": 40000,
            }
        ],
    )
    contracts.change_decide(
        actor=cast.user("finance"), change=change, decision="approve", opinion="预算已审核"
    )
    client.force_login(cast.user("competent_department"))
    html = client.get(action_url(project, "change-decide")).content.decode()
    for text in (
        "等保测评要求更换数据库审计设备",  # the basis
        "技术优化",
        "审计设备A型",
        "审计设备B型",
        '<td class="num">4</td>',  # the prices in 万元, as the applicant typed them
        '<td class="num">5.5</td>',
        '<td class="num">-1.5</td>',  # the difference
        "原单价（万元）",
        "变更部分金额",
        "变更后合同总金额",
        "批复概算",  # the approval recorded it (what the change is measured against)
        "第二十一条第一款第（二）项",  # the 10% limit, with its article
        "第二十一条第一款第（三）项",  # once
        "预算已审核",  # the co-approval so far
        "待审批",
    ):
        assert text in html, text


def test_a_payment_is_checked_at_its_field_and_voided_with_its_reason(client, cast, procured):
    unit = cast.user("unit")
    with clock.frozen(TODAY):
        contract = contracts.contract_register(
            actor=unit,
            project=procured,
            kind="main",
            vendor=cast.user("contractor").organization,
            number="HT-1",
            amount=Decimal("800000"),
            signed_on=TODAY - dt.timedelta(days=5),
            om_period_years=3,
            ip_ownership=True,
            acknowledged=["VENDOR_BLACKLISTED"],
        )
        early = post(
            client,
            unit,
            action_url(procured, "payment-plan"),
            {"contract": contract.pk, "amount": "0.1", "due_on": "2026-11-20"},
        )
        assert any("早于合同签订日期" in e for e in field_errors(early, "due_on"))
        beyond = post(
            client,
            unit,
            action_url(procured, "payment-plan"),
            {"contract": contract.pk, "amount": "80.000001", "due_on": "2026-12-01"},
        )
        assert any("将超过合同金额" in e for e in field_errors(beyond, "amount"))
        planned = contracts.payment_plan(
            actor=unit, contract=contract, amount=Decimal("1000"), due_on=TODAY
        )
        ahead = post(
            client,
            unit,
            action_url(procured, "payment-pay"),
            {"payment": planned.pk, "paid_on": "2026-12-02"},
        )
        assert any("晚于今天" in e for e in field_errors(ahead, "paid_on"))
        voided = post(
            client,
            unit,
            action_url(procured, "payment-void"),
            {"record": planned.pk, "reason": "重复登记"},
        )
    assert voided.status_code == 302
    planned.refresh_from_db()
    assert (planned.status, planned.void_label) == ("planned", "已作废")
    part = client.get(reverse("project-section", args=[procured.pk, "delivery"])).content.decode()
    assert "已作废" in part and "重复登记" in part
    # and in the 支付台账, kept and marked
    ledger = client.get(reverse("ledger-export", args=["payments"]), {"project": procured.pk})
    sheet = load_workbook(io.BytesIO(ledger.content)).active
    assert [r[-1] for r in sheet.iter_rows(min_row=3, values_only=True)] == ["已作废：重复登记"]


def test_the_change_form_has_its_own_upload_slot_on_the_project_page(client, tree):
    """连平第二十一条第一款's 项目变更单 is offered as a material of its own (change.1), uploaded on the
    page, and the change is then accepted whatever the file was called."""
    cast = staffed(tree, "lianping")
    project = built(cast, "lianping", stage="construction")
    unit = cast.user("unit")
    client.force_login(unit)
    html = client.get(reverse("project-detail", args=[project.pk])).content.decode()
    assert 'value="change.1"' in html and "项目变更：项目变更单" in html
    response = client.post(
        reverse("document-add", args=[project.pk]),
        {
            "material": "change.1",
            "name": "",
            "step_kind": "",
            "file": SimpleUploadedFile("扫描件.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    assert project.documents.get(material="change.1").name.startswith("项目变更单")
