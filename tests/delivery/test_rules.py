"""The back half's rules on both sides of each limit: contract clauses, change limits, the time to
apply for acceptance, the self-evaluation window, withheld payments, the blacklist, penalties,
termination, surplus funds, the asset ledger."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from govit.contracts import services as contracts
from govit.contracts.selectors import contract_findings
from govit.core import clock
from govit.core.errors import PermissionDenied, RuleRefused
from govit.delivery import services as delivery
from govit.demo.cast import add_vendor
from govit.demo.driver import advance_to
from govit.documents.services import document_upload
from govit.projects import workflow
from govit.projects.models import ProjectStatus, TaskStatus
from govit.supervision import services as supervision
from tests.api.helpers import experts
from tests.delivery.conftest import staffed
from tests.workflow import flows
from tests.workflow.conftest import PDF, make_cast

pytestmark = pytest.mark.django_db
D = dt.date


DECLARED_ON = {"heilongjiang": D(2026, 6, 15), "lianping": D(2026, 6, 10)}


def declared_in(cast, key, amount=2_500_000):
    """A project declared under ``key``'s rulebook; 临湘's 暂行办法 has expired (第三十八条), so its
    administrator first confirms that the jurisdiction keeps applying it."""
    if key == "lianping":
        return flows.lianping_declared(cast)
    if key == "linxiang":
        with clock.frozen(D(2026, 10, 1)):
            flows.rulebook_confirm(
                actor=cast.user("admin"), jurisdiction=cast.jurisdiction, reason="继续执行"
            )
    return flows.declared(cast, amount=amount, on=DECLARED_ON.get(key, D(2026, 10, 20)))


def built(cast, key, amount=1_000_000, stage="construction", pool=None):
    project = declared_in(cast, key, amount)
    with clock.frozen(DECLARED_ON.get(key, D(2026, 10, 20)) + dt.timedelta(days=1)):
        return advance_to(cast, project, stage, pool=pool)


ALL_TRUE = {
    "ip_ownership": True,
    "termination_mechanism": True,
    "equipment_matches_scheme": True,
    "om_period_years": 3,
}


@pytest.mark.parametrize(
    ("rulebook", "field", "bad", "code", "severity", "cite"),
    [
        ("yueyang", "ip_ownership", False, "CONTRACT_IP_OWNERSHIP", "warn", "第二十一条"),
        ("yueyang", "om_period_years", Decimal("2.9"), "OM_PERIOD_SHORT", "warn", "第二十二条"),
        ("yueyang", "om_period_years", None, "OM_PERIOD_SHORT", "warn", "第二十二条"),
        ("heilongjiang", "ip_ownership", False, "CONTRACT_IP_OWNERSHIP", "block", "第三十条"),
        (
            "linxiang",
            "termination_mechanism",
            False,
            "CONTRACT_TERMINATION_MECHANISM",
            "block",
            "第二十五条",
        ),
        ("linxiang", "om_period_years", Decimal("2"), "OM_PERIOD_SHORT", "warn", "第十九条"),
        (
            "xiangxi",
            "equipment_matches_scheme",
            False,
            "CONTRACT_EQUIPMENT_MATCHES_SCHEME",
            "block",
            "第十条",
        ),
    ],
)
def test_contract_clauses_both_sides(tree, rulebook, field, bad, code, severity, cite):
    cast = make_cast(tree, rulebook)
    project = declared_in(cast, rulebook)
    assert contract_findings(project, ALL_TRUE) == []
    findings = contract_findings(project, {**ALL_TRUE, field: bad})
    assert [(f["code"], f["severity"], f["cite"]) for f in findings] == [(code, severity, cite)]


def test_lianping_asks_nothing_of_a_contract(tree):
    cast = make_cast(tree, "lianping")
    project = flows.lianping_declared(cast)
    assert contract_findings(project, {}) == []


def test_om_period_of_exactly_three_years_passes(tree):
    cast = make_cast(tree, "yueyang")
    project = flows.declared(cast)
    assert contract_findings(project, {**ALL_TRUE, "om_period_years": Decimal("3")}) == []


def change(cast, project, *, original, new, reason="technical_optimization", unit="unit"):
    return contracts.change_request(
        actor=cast.user(unit),
        project=project,
        reason=reason,
        basis="依据",
        description="内容",
        items=[
            {
                "category": "hardware",
                "original_model": "原",
                "original_quantity": 1,
                "original_unit_price": original,
                "new_model": "现",
                "new_quantity": 1,
                "new_unit_price": new,
            }
        ],
    )


@pytest.fixture
def lianping_built(tree):
    cast = staffed(tree, "lianping")
    project = built(cast, "lianping", stage="construction")
    document_upload(
        actor=cast.user("unit"),
        project=project,
        name="项目变更单（附表3，建设、承建、监理单位盖章）",
        upload=io.BytesIO(PDF),
        filename="bg.pdf",
    )
    return cast, project


def test_lianping_ten_percent_of_the_contract(lianping_built):
    cast, project = lianping_built
    contract = project.contracts.get(kind="main")  # 72万元: 10% is 7.2万元
    assert contract.amount == Decimal("720000.00")
    with pytest.raises(RuleRefused) as refused:
        change(cast, project, original=72_001, new=72_001)
    assert (refused.value.code, refused.value.cite) == ("CHANGE_OUTSIDE_LIMITS", "第二十一条第二款")
    assert not project.changes.exists()
    ok = change(cast, project, original=72_000, new=72_000)
    assert (ok.within_limits, ok.procedure, ok.status) == (True, "approval", "pending")


def test_lianping_total_within_the_contract(lianping_built):
    cast, project = lianping_built
    with pytest.raises(RuleRefused) as refused:
        change(cast, project, original=50_000, new=50_001)  # total 720,001 > 720,000
    assert "超出合同金额" in refused.value.message
    assert change(cast, project, original=50_000, new=50_000).within_limits is True


def test_lianping_one_change_only(lianping_built):
    cast, project = lianping_built
    first = change(cast, project, original=10_000, new=10_000)
    contracts.change_decide(
        actor=cast.user("competent_department"), change=first, decision="approve"
    )
    contracts.change_decide(actor=cast.user("finance"), change=first, decision="approve")
    with pytest.raises(RuleRefused) as refused:
        change(cast, project, original=1_000, new=1_000)
    assert "不多于1次" in refused.value.message


def test_heilongjiang_fifteen_percent_of_the_approved_budget(tree):
    cast = staffed(tree, "heilongjiang")
    project = built(cast, "heilongjiang", amount=3_000_000)  # approved budget = 3,000,000
    at_limit = change(cast, project, original=450_000, new=450_000)
    assert (at_limit.within_limits, at_limit.procedure, at_limit.status, at_limit.cite) == (
        True,
        "filing",
        "filed",
        "第二十八条第一款",
    )
    beyond = change(cast, project, original=450_001, new=450_001)
    assert (beyond.within_limits, beyond.procedure, beyond.status, beyond.cite) == (
        False,
        "approval",
        "pending",
        "第二十八条第二款",
    )
    other_reason = change(cast, project, original=1, new=1, reason="other")
    assert (other_reason.procedure, other_reason.status) == ("approval", "pending")


def test_heilongjiang_acceptance_application_within_half_a_year(tree):
    cast = staffed(tree, "heilongjiang")
    project = built(cast, "heilongjiang")
    with clock.frozen(D(2027, 3, 1)):
        project = advance_to(cast, project, "final_acceptance")  # construction and archive done
    assert project.completed_on == D(2027, 3, 1)
    step = project.steps.get(kind="final_acceptance")
    flows.upload_all(cast.user("unit"), project, step.documents)
    with clock.frozen(D(2027, 9, 2)), pytest.raises(RuleRefused) as late:
        flows.projects.step_submit(actor=cast.user("unit"), step=step)
    assert (late.value.code, late.value.cite) == (
        "ACCEPTANCE_APPLICATION_OVERDUE",
        "第二十九条第三款",
    )
    with clock.frozen(D(2027, 9, 1)):
        flows.projects.step_submit(actor=cast.user("unit"), step=step)


def test_heilongjiang_self_evaluation_opens_six_months_after_operation(tree):
    cast = staffed(tree, "heilongjiang")
    project = built(cast, "heilongjiang")
    with clock.frozen(D(2027, 3, 1)):
        project = advance_to(cast, project, "self_evaluation")
    assert project.operation_started_on == D(2027, 3, 1)
    window = project.obligations.get(code="SELF_EVALUATION")
    assert (window.opens_on, window.due_on) == (D(2027, 9, 1), D(2028, 3, 1))
    with clock.frozen(D(2027, 8, 31)), pytest.raises(RuleRefused) as early:
        delivery.evaluation_record(
            actor=cast.user("unit"), project=project, kind="self", score=80, grade="good"
        )
    assert early.value.cite == "第三十三条"
    with clock.frozen(D(2027, 9, 1)):
        delivery.evaluation_record(
            actor=cast.user("unit"), project=project, kind="self", score=80, grade="good"
        )


@pytest.mark.parametrize(
    ("approved", "contract_total", "surplus"),
    [(3_000_000, 2_700_000, "300000.00"), (2_700_000, 2_700_000, None)],
)
def test_heilongjiang_surplus_to_return(tree, approved, contract_total, surplus):
    cast = staffed(tree, "heilongjiang")
    project = built(cast, "heilongjiang", amount=3_000_000)
    project.contracts.filter(kind="main").update(
        amount=contract_total
    )  # the contract the unit signed
    type(project).objects.filter(pk=project.pk).update(approved_budget=approved)
    with clock.frozen(D(2027, 3, 1)):
        project = advance_to(cast, project, "self_evaluation")
    found = project.obligations.filter(code="SURPLUS_RETURN").first()
    assert (str(found.amount) if found else None) == surplus
    if found:
        assert found.cite == "第二十七条"


def test_blacklist_warns_only_while_in_force(tree):
    cast = staffed(tree, "yueyang")
    vendor = cast.user("contractor").organization
    from govit.supervision.selectors import blacklist_findings

    assert blacklist_findings(vendor) == []
    entry = supervision.credit_record(
        actor=cast.user("competent_department"),
        vendor=vendor,
        kind="blacklist",
        reason="串通投标",
        code="VENDOR_VIOLATION",
        until=D(2026, 12, 31),
    )
    assert [(f["code"], f["cite"]) for f in blacklist_findings(vendor)] == [
        ("VENDOR_BLACKLISTED", "第三十八条")
    ]
    with clock.frozen(D(2027, 1, 1)):
        assert blacklist_findings(vendor) == []  # expired
    supervision.credit_revoke(
        actor=cast.user("competent_department"), entry=entry, reason="复核撤销"
    )
    assert blacklist_findings(vendor) == []
    with pytest.raises(PermissionDenied):
        supervision.credit_record(
            actor=cast.user("finance"),
            vendor=vendor,
            kind="blacklist",
            reason="x",
            code="VENDOR_VIOLATION",
        )


def test_penalty_measures_and_who_imposes_them(tree):
    cast = staffed(tree, "yueyang")
    project = built(cast, "yueyang")
    with pytest.raises(RuleRefused) as refused:
        supervision.penalty_impose(
            actor=cast.user("competent_department"),
            project=project,
            code="PROJECT_VIOLATION",
            measures=["public_notice"],
            reason="x",
        )
    assert (refused.value.code, refused.value.cite) == ("MEASURE_NOT_ALLOWED", "第三十七条")
    with pytest.raises(PermissionDenied):  # 第三十七条: 市行政审批服务局、市财政局
        supervision.penalty_impose(
            actor=cast.user("secrecy"),
            project=project,
            code="PROJECT_VIOLATION",
            measures=["stop_funds"],
            reason="x",
        )
    penalty = supervision.penalty_impose(
        actor=cast.user("finance"),
        project=project,
        code="PROJECT_VIOLATION",
        measures=["recover_funds"],
        reason="x",
        amount=5000,
    )
    assert (penalty.amount, penalty.cite) == (Decimal("5000.00"), "第三十七条")
    with pytest.raises(PermissionDenied):
        supervision.penalty_lift(
            actor=cast.user("competent_department"), penalty=penalty, reason="x"
        )
    stopped = supervision.penalty_impose(
        actor=cast.user("competent_department"),
        project=project,
        code="PROJECT_VIOLATION",
        measures=["terminate"],
        reason="重大违规",
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.TERMINATED
    assert not project.tasks.filter(status=TaskStatus.OPEN).exists()
    with pytest.raises(Exception, match="不能解除"):
        supervision.penalty_lift(
            actor=cast.user("competent_department"), penalty=stopped, reason="x"
        )


@pytest.mark.parametrize(
    ("rulebook", "recipient", "cite"),
    [
        ("yueyang", "development_reform", "第二十六条"),
        ("linxiang", "competent_department", "第二十五条"),
    ],
)
def test_termination_needs_a_written_statement(tree, rulebook, recipient, cite):
    cast = staffed(tree, rulebook)
    project = built(cast, rulebook)
    unit = cast.user("unit")
    with pytest.raises(RuleRefused) as refused:
        delivery.project_terminate(
            actor=unit, project=project, reason="不可抗力", statement_id=999999
        )
    assert refused.value.code == "STATEMENT_REQUIRED" and refused.value.cite == cite
    statement = document_upload(
        actor=unit,
        project=project,
        name="终止项目书面说明",
        upload=io.BytesIO(PDF),
        filename="s.pdf",
    )
    termination = delivery.project_terminate(
        actor=unit, project=project, reason="不可抗力", statement_id=statement.pk
    )
    assert (termination.recipient.kind, termination.cite) == (recipient, cite)
    project.refresh_from_db()
    assert project.status == ProjectStatus.TERMINATED


def test_asset_ledger_only_after_acceptance(tree):
    cast = staffed(tree, "yueyang")
    project = built(cast, "yueyang", amount=900_000)
    with pytest.raises(RuleRefused) as early:
        delivery.asset_record(
            actor=cast.user("unit"),
            project=project,
            name="服务器",
            value=1000,
            entered_on=D(2027, 1, 1),
        )
    assert (early.value.code, early.value.cite) == ("NOT_ACCEPTED", "第三十条")
    with clock.frozen(D(2027, 1, 5)):
        project = advance_to(cast, project, "om_report")
        delivery.asset_record(
            actor=cast.user("unit"),
            project=project,
            name="服务器",
            value=1000,
            entered_on=D(2027, 1, 5),
        )
    assert project.obligations.get(code="ASSET_LEDGER").fulfilled_at is not None


@pytest.mark.parametrize(
    ("rulebook", "withheld"),
    [("yueyang", True), ("linxiang", True), ("xiangxi", False), ("heilongjiang", False)],
)
def test_a_failed_acceptance_withholds_payments_where_the_rulebook_says_so(
    tree, rulebook, withheld
):
    cast = staffed(tree, rulebook)
    # 250万 needs the expert review of the scheme (岳阳 第十六条, 临湘 第十四条)
    pool = experts(cast, "政务信息化", 4, prefix=rulebook)
    project = built(cast, rulebook, amount=2_500_000, pool=pool)
    contract = project.contracts.get(kind="main")
    payment = contracts.payment_plan(
        actor=cast.user("unit"), contract=contract, amount=1000, due_on=D(2027, 12, 1)
    )
    with clock.frozen(D(2027, 3, 1)):
        project = advance_to(cast, project, "final_acceptance", pool=pool)
        step = project.steps.get(kind="final_acceptance")
        flows.upload_all(cast.user("unit"), project, step.documents)
        flows.projects.step_submit(actor=cast.user("unit"), step=step)
        task = flows.open_task(project, "final_acceptance")
        flows.projects.task_act(
            actor=cast.user("competent_department"),
            task_id=task.pk,
            action="return",
            opinion="不合格",
            rectify_by=D(2027, 4, 1),
        )
    payment.refresh_from_db()
    assert (payment.status == "withheld") is withheld
    if withheld:
        with pytest.raises(RuleRefused):
            contracts.payment_pay(actor=cast.user("unit"), payment=payment, paid_on=D(2027, 3, 2))
    else:
        with clock.frozen(D(2027, 3, 2)):  # a payment is recorded once made, not ahead
            contracts.payment_pay(actor=cast.user("unit"), payment=payment, paid_on=D(2027, 3, 2))


def test_lianping_change_form_is_matched_by_its_slot_not_its_typed_name(tree):
    """连平第二十一条第一款 asks for the 项目变更单（附表3）: uploaded into its slot ("change.1") it
    counts whatever name the file or the clerk gave it; a document of another name does not."""
    cast = staffed(tree, "lianping")
    project = built(cast, "lianping", stage="construction")
    unit = cast.user("unit")
    document_upload(
        actor=unit, project=project, name="变更单", upload=io.BytesIO(PDF), filename="bg.pdf"
    )
    with pytest.raises(RuleRefused) as refused:
        change(cast, project, original=10_000, new=10_000)
    assert (refused.value.code, refused.value.cite) == ("DOCUMENT_MISSING", "第二十一条第一款")
    version = document_upload(
        actor=unit,
        project=project,
        name="",
        material="change.1",
        upload=io.BytesIO(PDF),
        filename="扫描件.pdf",
    )
    assert version.document.name == "项目变更单（附表3，建设、承建、监理单位盖章）"
    assert change(cast, project, original=10_000, new=10_000).status == "pending"


def test_lianping_supervision_only_where_commissioned(tree):
    """连平第十七条: 建设单位"根据实际需要委托监理机构" — a project without a 监理 is built and
    accepted without one; where one is commissioned it signs."""
    plain = make_cast(tree, "lianping")
    add_vendor(plain, "连平数字科技有限公司", "contractor", key="contractor", prefix="lp")
    project = built(plain, "lianping", stage="construction")
    step = project.steps.get(kind="construction")
    assert sorted(t.actor for t in step.tasks.all()) == ["construction_unit", "contractor"]
    assert "第十七条" in [r["cite"] for r in workflow.decision(project)["interpretations"]]


def test_who_acts_on_a_penalty_the_text_leaves_open_is_the_body_the_jurisdiction_assigned(tree):
    """连平第三十条: "单位或者个人违反本办法规定未履行报批或备案程序……相关监管部门应当予以通报批评" —
    the text names no body: the rulebook's default (县政务服务数据管理局) acts until the jurisdiction's
    administrator assigns one (管理 → 未规定的办理机关), then only the assigned body does. The rule
    holds a unit or a person to account (target unit_or_person), not only officials."""
    from govit.access.services import assignment_set
    from govit.policy.loader import get_rulebook

    rule = next(p for p in get_rulebook("lianping").model.penalties if p.cite == "第三十条")
    assert rule.target == "unit_or_person" and "imposed_by" in rule.unstated
    assert rule.triggers[0].startswith("单位或者个人")
    cast = make_cast(tree, "lianping")
    project = flows.lianping_declared(cast)
    first = supervision.penalty_impose(
        actor=cast.user("competent_department"),
        project=project,
        code="PROCEDURE_VIOLATION",
        measures=["public_notice"],
        reason="未履行备案程序",
    )
    assert first.cite == "第三十条"
    with pytest.raises(PermissionDenied):
        supervision.penalty_impose(
            actor=cast.user("finance"),
            project=project,
            code="PROCEDURE_VIOLATION",
            measures=["public_notice"],
            reason="x",
        )
    assignment_set(
        actor=cast.user("admin"),
        jurisdiction=cast.jurisdiction,
        rule="penalties.PROCEDURE_VIOLATION.imposed_by",
        organization=cast.orgs["finance"],
        reason="县政府明确由县财政局对违反备案程序的单位通报批评",
    )
    assert (
        supervision.penalty_impose(
            actor=cast.user("finance"),
            project=project,
            code="PROCEDURE_VIOLATION",
            measures=["public_notice"],
            reason="未履行备案程序",
        ).imposed_org
        == cast.orgs["finance"]
    )
    with pytest.raises(PermissionDenied):
        supervision.penalty_impose(
            actor=cast.user("competent_department"),
            project=project,
            code="PROCEDURE_VIOLATION",
            measures=["public_notice"],
            reason="x",
        )
