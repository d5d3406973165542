"""The re-check at scale: a batch of projects in a fixed number of queries, findings, events and
notices of a batch recorded together; and a rulebook that expired after a project was declared
under it is answered by the administrator's confirmation (临湘: expired 2025-05-10)."""

from __future__ import annotations

import pytest

from govit.core import clock
from govit.events.models import Event
from govit.events.services import verify_stream
from govit.jobs import recheck
from govit.jobs.models import ProjectFinding
from govit.notifications.models import Kind, Notification
from govit.projects import workflow
from tests.jobs.conftest import D, run
from tests.workflow import flows
from tests.workflow.conftest import make_cast

pytestmark = pytest.mark.django_db


def codes(project) -> list[str]:
    return list(
        Event.objects.filter(project=project, kind="recheck.finding")
        .order_by("id")
        .values_list("data__code", flat=True)
    )


@pytest.fixture
def yueyang(tree):
    return make_cast(tree, "yueyang")  # in force until 2028-07-19 (第四十一条: 有效期5年)


def test_declared_in_force_then_expired_and_confirmed_is_not_a_finding(yueyang):
    """The administrator's confirmation lets the jurisdiction's projects go on under the expired
    version (``workflow.require_rulebook_usable``); the re-check does not raise it against a
    project declared while the rulebook was in force either (the 290 临湘 projects)."""
    project = flows.declared(yueyang, amount=1_000_000, on=D(2026, 10, 20))
    assert project.confirmation is None  # declared in force: nothing to confirm then
    with clock.frozen(D(2028, 7, 20)):
        flows.rulebook_confirm(
            actor=yueyang.user("admin"), jurisdiction=yueyang.jurisdiction, reason="继续执行"
        )
        said = [f["code"] for f in workflow.decision(project)["findings"]]
    assert "RULEBOOK_EXPIRED" in said  # decide() still says it; the confirmation answers it
    run("recheck", D(2028, 7, 21))
    assert "RULEBOOK_EXPIRED" not in codes(project)
    assert not Notification.objects.filter(kind=Kind.FINDING_BLOCKING).exists()


def test_a_confirmation_after_the_finding_clears_it(yueyang):
    project = flows.declared(yueyang, amount=1_000_000, on=D(2026, 10, 20))
    run("recheck", D(2028, 7, 20))  # not confirmed: every further step would be refused
    assert codes(project) == ["RULEBOOK_EXPIRED"]
    with clock.frozen(D(2028, 7, 21)):
        flows.rulebook_confirm(
            actor=yueyang.user("admin"), jurisdiction=yueyang.jurisdiction, reason="继续执行"
        )
    outcome = run("recheck", D(2028, 7, 22))
    assert outcome.result["cleared"] == 1
    row = ProjectFinding.objects.get(project=project, code="RULEBOOK_EXPIRED")
    assert row.cleared_on == D(2028, 7, 22)


def test_a_batch_of_projects_is_checked_and_recorded_in_a_fixed_number_of_queries(
    yueyang, django_assert_max_num_queries
):
    projects = [
        flows.declared(yueyang, amount=1_000_000, on=D(2026, 10, 20), name=f"项目{i}")
        for i in range(6)
    ]
    # the same queries whatever the number of projects in the batch (6 here): the projects,
    # facts (4), open findings, people, names, the rows and events of findings and notices
    with clock.frozen(D(2028, 7, 20)), django_assert_max_num_queries(29):
        counts = recheck.run(D(2028, 7, 20))
    assert counts["projects"] == 6 and counts["new_findings"] == 6
    assert counts["notices"] == 12  # the unit's clerk and leader, for each project
    for project in projects:
        assert codes(project) == ["RULEBOOK_EXPIRED"]
        assert verify_stream(f"project:{project.pk}") == []
        kinds = list(
            Event.objects.filter(project=project).order_by("seq").values_list("kind", flat=True)
        )
        assert kinds[-2:] == ["recheck.finding", "notification.sent"]
    note = Notification.objects.filter(project=projects[0]).first()
    assert note.body.startswith(f"{projects[0].unit.name}：按规则手册复核项目“项目0”")
    # nothing new the next night: no write at all
    with clock.frozen(D(2028, 7, 21)):
        again = recheck.run(D(2028, 7, 21))
    assert (again["new_findings"], again["cleared"], again["notices"]) == (0, 0, 0)
    assert Notification.objects.count() == 12


def test_a_run_that_meets_another_runs_rows_records_each_finding_once(yueyang, monkeypatch):
    """Another run recorded one project's finding between this run's read and its write: the
    batch's insert fails as a whole, and the projects are recorded one by one."""
    first = flows.declared(yueyang, amount=1_000_000, on=D(2026, 10, 20), name="项目一")
    second = flows.declared(yueyang, amount=1_000_000, on=D(2026, 10, 20), name="项目二")
    real = recheck._record_batch

    def other_run_first(actor, changes, *args):
        project, rb, new, gone = next(c for c in changes if c[0].pk == first.pk)
        recheck._record(actor, project, rb.id, new, gone, *args)
        return real(actor, changes, *args)

    monkeypatch.setattr(recheck, "_record_batch", other_run_first)
    with clock.frozen(D(2028, 7, 20)):
        counts = recheck.run(D(2028, 7, 20))
    assert counts["new_findings"] == 1  # this run's own: the second project's
    assert codes(first) == codes(second) == ["RULEBOOK_EXPIRED"]
    told = list(Notification.objects.values_list("user_id", "key"))
    assert len(told) == len(set(told)) == 4
    assert verify_stream(f"project:{first.pk}") == verify_stream(f"project:{second.pk}") == []
