"""Two workers at once (a Celery worker and a cron `run-due`, or a redelivered message): the run
goes to one of them, and even two copies of the job running side by side tell each person once.

PostgreSQL only: SQLite serialises writers by locking the whole file, so it proves nothing."""

from __future__ import annotations

import pytest

from govit.core import clock
from govit.events.models import Event
from govit.jobs import deadlines
from govit.jobs.runner import run_job
from tests.concurrency.test_task_race import race
from tests.jobs.conftest import D, told
from tests.workflow import flows
from tests.workflow.conftest import make_cast

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def overdue_project(tree):
    cast = make_cast(tree, "heilongjiang")
    return flows.declared(cast, amount=30_000_000, on=D(2026, 6, 15))


def test_two_runners_of_one_window_one_runs(overdue_project):
    with clock.frozen(D(2026, 6, 24)):
        outcomes = race([lambda: run_job("deadline_scan"), lambda: run_job("deadline_scan")])
    # the second waits for the first's claim: it is running (busy), or already done (skipped)
    assert sorted(o.status for o in outcomes) in (["busy", "done"], ["done", "skipped"])
    assert len(told()) == 11


def test_two_copies_of_a_job_side_by_side_tell_each_person_once(overdue_project):
    with clock.frozen(D(2026, 6, 24)):
        results = race([lambda: deadlines.run(D(2026, 6, 24)) for _ in range(2)])
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(r["notices"] + r["escalations"] for r in results) == 11
    rows = told()
    assert len(rows) == len(set(rows)) == 11
    keys = [e.data["key"] for e in Event.objects.filter(kind="notification.sent")]
    assert len(keys) == len(set(keys)) == 6
