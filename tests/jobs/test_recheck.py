"""The nightly re-check against each project's rulebook records only new findings (as events),
and tells the unit of a new blocking one."""

from __future__ import annotations

import pytest

from govit.core import clock
from govit.demo.driver import advance_to
from govit.events.models import Event
from govit.events.services import verify_stream
from govit.jobs.models import JobRun, ProjectFinding, RunStatus
from govit.jobs.runner import run_job
from govit.notifications.models import Kind, Notification
from govit.projects import workflow
from tests.delivery.conftest import staffed
from tests.jobs.conftest import D, run, told
from tests.workflow import flows
from tests.workflow.conftest import make_cast

pytestmark = pytest.mark.django_db


def findings(project) -> list[tuple[str, str, str]]:
    return list(
        Event.objects.filter(project=project, kind="recheck.finding")
        .order_by("id")
        .values_list("data__code", "data__severity", "cite")
    )


def test_a_step_overdue_is_recorded_once_and_closed_when_it_passes(joint_review, heilongjiang):
    run("recheck", D(2026, 6, 23))
    assert findings(joint_review) == []  # only an info finding (the yearly report): not recorded
    run("recheck", D(2026, 6, 24))
    assert findings(joint_review) == [("STEP_OVERDUE", "warn", "第十条")]
    event = Event.objects.get(kind="recheck.finding")
    assert event.summary.startswith("每日复核发现：“联合审核")
    assert event.summary.endswith("已逾期1个工作日")
    assert event.actor_name == "系统"
    assert not Notification.objects.exists()  # a warning is recorded, not sent
    run("recheck", D(2026, 6, 25))  # "已逾期2个工作日": the same finding, not a new one
    assert findings(joint_review) == [("STEP_OVERDUE", "warn", "第十条")]
    with clock.frozen(D(2026, 6, 26)):
        flows.approve_all(heilongjiang, joint_review, "joint_review")
    run("recheck", D(2026, 6, 26))
    row = ProjectFinding.objects.get(project=joint_review)
    assert (row.code, row.first_seen_on, row.cleared_on) == (
        "STEP_OVERDUE",
        D(2026, 6, 24),
        D(2026, 6, 26),
    )
    assert verify_stream(f"project:{joint_review.pk}") == []


@pytest.fixture
def yueyang(tree):
    return make_cast(tree, "yueyang")


def test_a_new_blocking_finding_is_told_to_the_unit_once(yueyang):
    project = flows.declared(yueyang, amount=1_000_000, on=D(2026, 10, 20))
    run("recheck", D(2028, 7, 19))  # the rulebook's last day in force
    assert findings(project) == []
    run("recheck", D(2028, 7, 20))
    assert findings(project) == [("RULEBOOK_EXPIRED", "block", "第四十一条")]
    rows = told()
    assert [(u, k) for u, k, _ in rows] == [
        ("yueyang.unit.clerk", Kind.FINDING_BLOCKING),
        ("yueyang.unit.leader", Kind.FINDING_BLOCKING),
    ]
    note = Notification.objects.filter(project=project).first()
    assert note.cite == "第四十一条" and note.rulebook_id == "yueyang"
    assert "有效期5年，已于2028年7月19日届满失效" in note.body
    assert note.body.endswith("（依据第四十一条）。")
    run("recheck", D(2028, 7, 20))
    run("recheck", D(2028, 7, 21))
    assert told() == rows
    assert len(findings(project)) == 1


def test_a_confirmed_rulebook_is_not_a_finding(tree):
    cast = make_cast(tree, "linxiang")  # expired 2025-05-10; its administrator confirmed it
    with clock.frozen(D(2026, 10, 1)):
        flows.rulebook_confirm(
            actor=cast.user("admin"), jurisdiction=cast.jurisdiction, reason="继续执行"
        )
    project = flows.declared(cast, amount=1_000_000, on=D(2026, 10, 20))
    said = [f["code"] for f in workflow.decision(project)["findings"]]
    assert "RULEBOOK_EXPIRED" in said  # what decide() says; the confirmation answered it
    run("recheck", D(2026, 11, 23))
    assert "RULEBOOK_EXPIRED" not in [code for code, _, _ in findings(project)]
    assert not ProjectFinding.objects.filter(code="RULEBOOK_EXPIRED").exists()


def test_a_recheck_killed_in_the_middle_records_each_finding_once(yueyang, monkeypatch):
    first = flows.declared(yueyang, amount=1_000_000, on=D(2026, 10, 20), name="项目一")
    second = flows.declared(yueyang, amount=1_000_000, on=D(2026, 10, 20), name="项目二")
    real = __import__("govit.jobs.recheck", fromlist=["notify_many"]).notify_many
    calls = {"n": 0}

    class Killed(BaseException):
        pass

    def dying(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the second project: its finding and event are in the same transaction
            raise Killed
        return real(**kwargs)

    monkeypatch.setattr("govit.jobs.recheck.BATCH", 1)  # one project a batch (a transaction)
    monkeypatch.setattr("govit.jobs.recheck.notify_many", dying)
    with clock.frozen(D(2028, 7, 20)), pytest.raises(Killed):
        run_job("recheck")
    assert JobRun.objects.get(job="recheck").status == RunStatus.FAILED
    assert len(findings(first)) == 1 and findings(second) == []
    monkeypatch.undo()
    with clock.frozen(D(2028, 7, 20)):
        assert run_job("recheck").status == "done"
    assert findings(first) == findings(second) == [("RULEBOOK_EXPIRED", "block", "第四十一条")]
    rows = told()
    assert len(rows) == len(set(rows)) == 4  # clerk and leader, for each project, once


def test_an_acceptance_applied_for_is_not_reported_late(tree):
    """decide() knows when the project was built, not that its unit has applied: the platform's
    records (the final acceptance under way) answer ACCEPTANCE_APPLICATION_OVERDUE."""
    cast = staffed(tree, "heilongjiang")
    late, applied = (
        flows.declared(cast, amount=1_000_000, on=D(2026, 6, 15), name=name)
        for name in ("未申请验收的项目", "已申请验收的项目")
    )
    for project in (late, applied):
        with clock.frozen(D(2026, 6, 16)):
            advance_to(cast, project, "construction")
        with clock.frozen(D(2027, 3, 1)):
            advance_to(cast, project, "final_acceptance")  # built: apply by 2027-09-01
    with clock.frozen(D(2027, 9, 1)):
        flows.submitted(cast, applied, "final_acceptance")
    run("recheck", D(2027, 9, 2))
    assert ("ACCEPTANCE_APPLICATION_OVERDUE", "warn", "第二十九条第三款") in findings(late)
    assert "ACCEPTANCE_APPLICATION_OVERDUE" not in [c for c, _, _ in findings(applied)]


def test_a_gate_on_new_projects_is_not_raised_again_against_a_declared_one(tree):
    """湘西第十六条 refuses a new project while last year's are unfinished; a project already
    declared is past that gate, and the nightly re-check must not accuse it every night."""
    from govit.jobs.recheck import findings_of

    cast = make_cast(tree, "xiangxi")
    project = flows.declared(cast)
    rb = workflow.rulebook_of(project)
    gates = {g.code for g in rb.model.gates if g.effect == "no_new_projects"}
    facts = workflow.project_facts(project).model_copy(update={"unfinished_prior_year_projects": 2})
    from govit.policy.decide import decide

    raised = {f["code"] for f in decide(rb, facts, D(2026, 11, 23))["findings"]}
    assert raised & gates  # the engine still judges a declaration by it
    recorded = {f["code"] for f in findings_of(project, rb, D(2026, 11, 23), facts).values()}
    assert not recorded & gates
