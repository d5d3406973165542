"""Issue 13, point 3: a procurement, contract or payment entered by mistake is voided or
corrected by the unit that entered it, with a reason; the original stays (已作废 / 已更正, linked
to its correction) and in the event log, and counts in no total or check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from govit.contracts import selectors, services
from govit.contracts.models import Contract, Payment, Procurement
from govit.core import clock
from govit.core.errors import DomainError
from govit.events.models import Event
from tests.api.conftest import expect
from tests.contracts.test_entry_checks import ALL_CLAUSES, TODAY, procure, register
from tests.delivery.conftest import staffed
from tests.delivery.test_rules import built

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tree):
    return staffed(tree, "yueyang")


@pytest.fixture
def contracted(cast):
    """A 岳阳 project of 100万 at procurement with its procurement, a contract and two payments,
    the first paid."""
    project = built(cast, "yueyang", stage="procurement")
    unit = cast.user("unit")
    with clock.frozen(TODAY):
        procure(cast, project)
        contract = register(cast, project, amount=Decimal("800000"))
        paid = services.payment_plan(
            actor=unit, contract=contract, amount=Decimal("300000"), due_on=TODAY
        )
        services.payment_pay(actor=unit, payment=paid, paid_on=TODAY)
        services.payment_plan(
            actor=unit, contract=contract, amount=Decimal("200000"), due_on=TODAY + dt.timedelta(30)
        )
    return project


def test_a_contract_corrected_keeps_the_old_row_and_its_payments_follow_the_new_one(
    cast, contracted
):
    old = contracted.contracts.get()
    with clock.frozen(TODAY):
        with pytest.raises(DomainError) as caught:  # checked as a new contract
            services.contract_correct(
                actor=cast.user("unit"),
                contract=old,
                reason="金额录错",
                vendor=old.vendor,
                number=old.number,
                amount=Decimal("499999.99"),  # below the 50万 planned and paid
                signed_on=old.signed_on,
                **ALL_CLAUSES,
            )
        assert caught.value.code == "BELOW_PAYMENTS"
        new = services.contract_correct(
            actor=cast.user("unit"),
            contract=old,
            reason="金额录错，应为78万元",
            vendor=old.vendor,
            number=old.number,
            amount=Decimal("780000"),
            signed_on=old.signed_on,
            **ALL_CLAUSES,
        )
    old.refresh_from_db()
    assert (old.amount, old.void_label, old.void_reason, old.superseded_by_id) == (
        Decimal("800000.00"),
        "已更正",
        "金额录错，应为78万元",
        new.pk,
    )
    assert new.voided_at is None and new.amount == Decimal("780000.00")
    assert list(new.payments.values_list("number", flat=True)) == [1, 2]
    assert not old.payments.exists()
    assert selectors.effective_contract_amount(contracted) == Decimal("780000.00")
    assert selectors.payment_totals(contracted)["contracts"] == Decimal("780000.00")
    event = Event.objects.get(project=contracted, kind="contract.corrected")
    assert (event.before["amount"], event.after["amount"]) == ("800000.00", "780000.00")
    assert event.data["reason"] == "金额录错，应为78万元"


def test_a_contract_with_a_payment_made_is_not_voided_and_its_planned_payments_go_with_it(
    cast, contracted
):
    contract = contracted.contracts.get()
    unit = cast.user("unit")
    before = Event.objects.count()
    with pytest.raises(DomainError) as caught:
        services.contract_void(actor=unit, contract=contract, reason="录错")
    assert caught.value.code == "CONTRACT_HAS_PAYMENTS" and Event.objects.count() == before
    paid = contract.payments.get(status="paid")
    with pytest.raises(DomainError) as caught:
        services.payment_void(actor=unit, payment=paid, reason="  ")
    assert caught.value.code == "REASON_REQUIRED"
    services.payment_void(actor=unit, payment=paid, reason="重复登记")
    assert selectors.payment_totals(contracted)["paid"] == Decimal("0.00")
    services.contract_void(actor=unit, contract=contract, reason="合同未生效")
    assert not Payment.objects.live().filter(project=contracted).exists()
    assert Payment.objects.filter(project=contracted).count() == 2  # kept, marked
    assert selectors.effective_contract_amount(contracted) is None
    with pytest.raises(DomainError) as caught:
        services.contract_void(actor=unit, contract=contract, reason="再次")
    assert caught.value.code == "ALREADY_VOIDED"
    # the number is free again for the contract actually signed
    with clock.frozen(TODAY):
        again = register(cast, contracted, amount=Decimal("700000"))
    assert again.number == contract.number


def test_a_procurement_whose_winner_holds_the_contract_is_corrected_not_voided(cast, contracted):
    procurement = contracted.procurements.get()
    unit = cast.user("unit")
    with pytest.raises(DomainError) as caught:
        services.procurement_void(actor=unit, procurement=procurement, reason="录错")
    assert caught.value.code == "CONTRACT_WITH_WINNER"
    with clock.frozen(TODAY):
        new = services.procurement_correct(
            actor=unit,
            procurement=procurement,
            reason="成交日期录错",
            method="inquiry",
            winner=procurement.winner,
            awarded_on=TODAY - dt.timedelta(days=12),
        )
    procurement.refresh_from_db()
    assert procurement.superseded_by_id == new.pk and procurement.void_label == "已更正"
    assert list(Procurement.objects.live().filter(project=contracted)) == [new]


def test_a_payment_corrected_is_checked_against_the_contract_without_itself(cast, contracted):
    paid = Payment.objects.get(project=contracted, status="paid")
    with clock.frozen(TODAY):
        new = services.payment_correct(
            actor=cast.user("unit"),
            payment=paid,
            reason="金额录错",
            amount=Decimal("600000"),  # 60万 + 20万 planned = the 80万 contract
            due_on=TODAY,
            paid_on=TODAY,
        )
    assert (new.number, new.status, new.amount) == (1, "paid", Decimal("600000.00"))
    assert selectors.payment_totals(contracted)["paid"] == Decimal("600000.00")


def test_the_api_refuses_with_code_message_and_article_and_voids_with_a_reason(
    api, cast, contracted
):
    unit = cast.user("unit")
    contract = Contract.objects.get(project=contracted)
    with clock.frozen(TODAY):
        over = api.as_(unit).post(
            f"/contracts/{contract.pk}/payments", {"amount": "300000.01", "due_on": "2026-12-01"}
        )
        body = expect(over, 422)
        assert body["code"] == "PAYMENT_EXCEEDS_CONTRACT" and "合同金额" in body["message"]
        ahead = api.as_(unit).post(
            f"/projects/{contracted.pk}/procurements",
            {
                "method": "inquiry",
                "winner_id": contract.vendor_id,
                "awarded_on": "2026-12-02",
            },
        )
        assert expect(ahead, 422)["code"] == "AWARD_IN_FUTURE"
        # the findings before saving: what the page shows, for an API client
        findings = expect(
            api.as_(unit).post(
                f"/projects/{contracted.pk}/contracts/findings",
                {
                    "kind": "main",
                    "vendor_id": contract.vendor_id,
                    "number": "HT-2",
                    "amount": "200000.01",  # with the 80万 contract, over the 100万 investment
                    "signed_on": "2026-12-01",
                    "om_period_years": "2",
                    "ip_ownership": True,
                },
            ),
            200,
        )
        assert [(f["code"], f["severity"], f["field"]) for f in findings] == [
            ("CONTRACTS_OVER_BUDGET", "block", "amount"),
            ("OM_PERIOD_SHORT", "warn", "om_period_years"),
        ]
        assert not Contract.objects.filter(project=contracted, number="HT-2").exists()
        planned = Payment.objects.get(project=contracted, status="planned")
        voided = expect(
            api.as_(unit).post(f"/payments/{planned.pk}/void", {"reason": "重复登记"}), 200
        )
    assert (voided["state"], voided["void_reason"]) == ("已作废", "重复登记")
    money = expect(api.as_(unit).get(f"/projects/{contracted.pk}/payments"), 200)
    assert money["planned"] == "0.00"
    assert [p["state"] for p in money["payments"]] == ["", "已作废"]
    other = cast.user("other_unit")
    assert api.as_(other).post(f"/payments/{planned.pk}/void", {"reason": "x"}).status == 404
