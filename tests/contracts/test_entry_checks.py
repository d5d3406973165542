"""Issue 13, points 2 and 3: every check of a procurement, contract, payment or change is a
finding the service and the page share; a block refuses with its article, a warning must be
acknowledged and the acknowledgement is stored with the record and its event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from govit.contracts import selectors, services
from govit.contracts.models import Contract
from govit.core import clock
from govit.core.errors import DomainError
from govit.events.models import Event
from govit.supervision import services as supervision
from tests.delivery.conftest import staffed
from tests.delivery.test_rules import built

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)
ALL_CLAUSES = {
    "om_period_years": 3,
    "ip_ownership": True,
    "termination_mechanism": True,
    "equipment_matches_scheme": True,
}


@pytest.fixture
def cast(tree):
    return staffed(tree, "yueyang")


@pytest.fixture
def project(cast):
    """A 岳阳 project of 100万 at procurement, nothing procured yet."""
    return built(cast, "yueyang", stage="procurement")


def procure(cast, project, *, awarded_on=TODAY - dt.timedelta(days=10), **kwargs):
    return services.procurement_record(
        actor=cast.user("unit"),
        project=project,
        method="inquiry",
        winner=cast.user("contractor").organization,
        awarded_on=awarded_on,
        **kwargs,
    )


def register(cast, project, **kwargs):
    values = {
        "kind": "main",
        "vendor": cast.user("contractor").organization,
        "number": "HT-1",
        "amount": Decimal("800000"),
        "signed_on": TODAY - dt.timedelta(days=5),
        **ALL_CLAUSES,
    } | kwargs
    return services.contract_register(actor=cast.user("unit"), project=project, **values)


def refused(call, code):
    before = Event.objects.count()
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code, caught.value.as_dict()
    assert Event.objects.count() == before  # nothing recorded
    return caught.value


def test_warnings_are_refused_until_each_is_acknowledged_and_the_acknowledgement_is_kept(
    cast, project
):
    contractor = cast.user("contractor").organization
    with clock.frozen(TODAY):
        procure(cast, project)
        supervision.credit_record(
            actor=cast.user("competent_department"),
            vendor=contractor,
            kind="blacklist",
            reason="弄虚作假",
            code="VENDOR_VIOLATION",
        )
        bad = {"om_period_years": 1, "ip_ownership": False}
        # the page's check and the service see the same three warnings, with their articles
        findings = selectors.contract_entry_findings(
            project,
            kind="main",
            vendor=contractor,
            amount=Decimal("800000"),
            signed_on=TODAY,
            values={**ALL_CLAUSES, **bad},
        )
        assert {(f["code"], f["severity"], f["cite"], f["field"]) for f in findings} == {
            ("CONTRACT_IP_OWNERSHIP", "warn", "第二十一条", "ip_ownership"),
            ("OM_PERIOD_SHORT", "warn", "第二十二条", "om_period_years"),
            ("VENDOR_BLACKLISTED", "warn", "第三十八条", "vendor"),
        }
        error = refused(lambda: register(cast, project, **bad), "FINDINGS_NOT_ACKNOWLEDGED")
        assert "第二十二条" in error.message and "黑名单" in error.message
        refused(
            lambda: register(
                cast, project, **bad, acknowledged=["CONTRACT_IP_OWNERSHIP", "OM_PERIOD_SHORT"]
            ),
            "FINDINGS_NOT_ACKNOWLEDGED",
        )
        assert not Contract.objects.filter(project=project).exists()
        acknowledged = ["CONTRACT_IP_OWNERSHIP", "OM_PERIOD_SHORT", "VENDOR_BLACKLISTED"]
        contract = register(cast, project, **bad, acknowledged=acknowledged)
    assert [f["code"] for f in contract.findings] == [
        "CONTRACT_IP_OWNERSHIP",
        "OM_PERIOD_SHORT",
        "VENDOR_BLACKLISTED",
    ]
    unit = cast.user("unit")
    assert contract.acknowledgement["by"] == unit.pk
    assert contract.acknowledgement["by_name"] == unit.display_name
    assert contract.acknowledgement["codes"] == sorted(acknowledged)
    event = Event.objects.filter(project=project, kind="contract.registered").get()
    assert event.data["acknowledgement"] == contract.acknowledgement
    assert "已确认知悉" in event.summary


def test_a_block_refuses_with_its_article(tree):
    cast = staffed(tree, "heilongjiang")
    project = built(cast, "heilongjiang", stage="procurement")
    with clock.frozen(TODAY):
        procure(cast, project)
        error = refused(
            lambda: register(cast, project, ip_ownership=False), "CONTRACT_IP_OWNERSHIP"
        )
    assert (error.status, error.cite) == (422, "第三十条")


def test_the_rulebooks_rule_on_the_budget_is_cited_where_it_has_one(tree):
    cast = staffed(tree, "heilongjiang")
    project = built(cast, "heilongjiang", stage="procurement")
    with clock.frozen(TODAY):
        procure(cast, project)
        error = refused(
            lambda: register(cast, project, amount=project.total_investment + 1),
            "CONTRACTS_OVER_BUDGET",
        )
    assert error.cite == "第二十八条第一款"  # 黑龙江: 变更后总投资不超过批复概算


def test_procurement_dates(cast, project):
    with clock.frozen(TODAY):
        refused(
            lambda: procure(cast, project, awarded_on=TODAY + dt.timedelta(days=1)),
            "AWARD_IN_FUTURE",
        )
        refused(
            lambda: procure(cast, project, announced_on=TODAY - dt.timedelta(days=9)),
            "INVALID_DATES",
        )
        assert procure(cast, project, awarded_on=TODAY).awarded_on == TODAY


def test_the_contract_is_with_the_winner_signed_after_the_award_and_within_the_budget(
    cast, project
):
    # the approval recorded its 批复概算 (the driver's: the total investment); a lower one now
    assert selectors.budget_of(project) == (project.total_investment, "批复概算")
    budget = Decimal("900000.00")
    project.approved_budget = budget
    project.save(update_fields=["approved_budget"])
    with clock.frozen(TODAY):
        refused(lambda: register(cast, project), "VENDOR_NOT_WINNER")  # nothing procured yet
        award = TODAY - dt.timedelta(days=10)
        procure(cast, project, awarded_on=award)
        error = refused(
            lambda: register(cast, project, vendor=cast.user("supervisor").organization),
            "INVALID_VENDOR",
        )
        from govit.demo.cast import add_vendor

        add_vendor(cast, "岳阳另一家科技有限公司", "contractor", key="contractor2", prefix="yy2")
        error = refused(
            lambda: register(cast, project, vendor=cast.user("contractor2").organization),
            "VENDOR_NOT_WINNER",
        )
        assert "成交供应商：yueyang数字科技有限公司" in error.message
        refused(
            lambda: register(cast, project, signed_on=award - dt.timedelta(days=1)),
            "SIGNED_BEFORE_AWARD",
        )
        refused(
            lambda: register(cast, project, signed_on=TODAY + dt.timedelta(days=1)),
            "SIGNED_IN_FUTURE",
        )
        error = refused(
            lambda: register(cast, project, amount=budget + Decimal("0.01")),
            "CONTRACTS_OVER_BUDGET",
        )
        assert "批复概算" in error.message
        main = register(cast, project, amount=budget - Decimal("50000"), signed_on=award)
        # the supervision contract counts against the same budget
        supervision_contract = dict(kind="supervision", vendor=cast.user("supervisor").organization)
        refused(
            lambda: register(
                cast, project, number="JL-1", amount=Decimal("50000.01"), **supervision_contract
            ),
            "CONTRACTS_OVER_BUDGET",
        )
        register(cast, project, number="JL-1", amount=Decimal("50000"), **supervision_contract)
    assert main.signed_on == award


def test_payments_stay_within_the_contract_after_signing_and_are_not_paid_ahead(cast, project):
    with clock.frozen(TODAY):
        procure(cast, project)
        contract = register(cast, project, amount=Decimal("800000"))
        unit = cast.user("unit")

        def plan(amount, due_on=TODAY):
            return services.payment_plan(
                actor=unit, contract=contract, amount=Decimal(amount), due_on=due_on
            )

        refused(
            lambda: plan("1000", contract.signed_on - dt.timedelta(days=1)), "DUE_BEFORE_SIGNED"
        )
        first = plan("300000")
        refused(lambda: plan("500000.01"), "PAYMENT_EXCEEDS_CONTRACT")
        second = plan("500000", TODAY + dt.timedelta(days=30))

        def pay(payment, on):
            return services.payment_pay(actor=unit, payment=payment, paid_on=on)

        refused(lambda: pay(first, TODAY + dt.timedelta(days=1)), "PAID_IN_FUTURE")
        refused(lambda: pay(first, contract.signed_on - dt.timedelta(days=1)), "PAID_BEFORE_SIGNED")
        assert pay(first, TODAY).status == "paid"
    assert second.status == "planned"


def test_a_change_cannot_take_out_more_than_the_contract_holds(tree):
    cast = staffed(tree, "lianping")
    project = built(cast, "lianping", stage="construction")
    contract = project.contracts.get(kind="main")
    with pytest.raises(DomainError) as caught:
        services.change_request(
            actor=cast.user("unit"),
            project=project,
            reason="technical_optimization",
            basis="技术优化",
            description="替换",
            items=[
                {
                    "category": "hardware",
                    "original_quantity": 1,
                    "original_unit_price": contract.amount + 1,
                    "new_quantity": 1,
                    "new_unit_price": 1,
                }
            ],
        )
    assert caught.value.code == "ORIGINAL_EXCEEDS_CONTRACT"
    assert not project.changes.exists()


def _extension(amount):
    """A 变更单 that adds equipment worth ``amount`` 元."""
    return [
        {
            "category": "hardware",
            "new_model": "扩容节点",
            "new_quantity": 1,
            "new_unit_price": amount,
        }
    ]


def _room(project):
    """What the 批复概算 (or total investment) leaves after the contracts in force."""
    budget, _ = selectors.budget_of(project)
    signed = sum((c.amount for c in project.contracts.live()), Decimal(0))
    return budget - signed


def test_a_change_beyond_the_budget_is_said_to_the_applicant_and_must_be_acknowledged(tree):
    cast = staffed(tree, "yueyang")
    project = built(cast, "yueyang", stage="construction")
    over = _room(project) + 10_000
    ask = dict(
        actor=cast.user("unit"),
        project=project,
        reason="business_development",
        basis="业务量增长",
        description="扩容",
        items=_extension(over),
    )
    error = refused(lambda: services.change_request(**ask), "FINDINGS_NOT_ACKNOWLEDGED")
    assert "超过" in error.message and "万元" in error.message and ",元" not in error.message
    change = services.change_request(**ask, acknowledged=["CHANGE_OVER_BUDGET"])
    assert change.acknowledgement["codes"] == ["CHANGE_OVER_BUDGET"]
    assert [f["code"] for f in change.findings] == ["CHANGE_OVER_BUDGET"]


def test_the_budget_check_of_a_new_contract_counts_the_agreed_changes(tree):
    cast = staffed(tree, "yueyang")
    project = built(cast, "yueyang", stage="construction")
    main = project.contracts.get(kind="main")
    added = (main.amount * 5 / 100).quantize(Decimal("0.01"))
    change = services.change_request(
        actor=cast.user("unit"),
        project=project,
        reason="business_development",
        basis="业务量增长",
        description="扩容",
        items=_extension(added),
        acknowledged=["CHANGE_OVER_BUDGET"],
    )
    change = services.change_decide(
        actor=cast.user("competent_department"), change=change, decision="approve"
    )
    assert change.status == "approved"
    amount = (_room(project) - added / 2).quantize(Decimal("0.01"))  # fits only without the change
    with clock.frozen(TODAY):
        found = selectors.contract_entry_findings(
            project,
            kind="other",
            vendor=cast.user("contractor").organization,
            amount=amount,
            signed_on=TODAY,
            values=ALL_CLAUSES,
        )
    over = [f for f in found if f["code"] == "CONTRACTS_OVER_BUDGET"]
    assert over and "含已同意的变更" in over[0]["message"]
