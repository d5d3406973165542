"""On PostgreSQL a big deadline scan hands each batch (whole projects, so that no two batches
append to one stream) to a writer thread with its own connection and prepares the next one
meanwhile: what it tells and records is what the scan tells batch by batch, and a writer that
fails keeps the batches it committed — the next run tells the rest, nobody twice.

PostgreSQL only: the writer's connection must see committed data, as in production."""

from __future__ import annotations

import threading

import pytest

from govit.core import clock
from govit.events.models import Event
from govit.events.services import verify_stream
from govit.jobs import deadlines
from govit.notifications.models import Notification
from govit.notifications.services import NoticeBatch
from tests.jobs.conftest import D, told
from tests.workflow import flows
from tests.workflow.conftest import make_cast

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
OVERDUE = D(2026, 6, 24)


@pytest.fixture
def projects(tree):
    """Four 联合审核 steps overdue: three tasks each (the competent department leads)."""
    cast = make_cast(tree, "heilongjiang")
    return [
        flows.declared(cast, amount=30_000_000, on=D(2026, 6, 15), name=f"项目{i}")
        for i in range(4)
    ]


@pytest.fixture
def writes(monkeypatch):
    """Two tasks a batch (so whole projects of three); the threads that wrote each batch."""
    monkeypatch.setattr(deadlines, "BATCH", 2)
    monkeypatch.setattr(deadlines.os, "cpu_count", lambda: 2)
    threads = []
    real = NoticeBatch.write

    def write(batch):
        threads.append(
            (threading.current_thread().name, sorted({n.project_id for n in batch.notices}))
        )
        return real(batch)

    monkeypatch.setattr(NoticeBatch, "write", write)
    return threads


def scan() -> dict[str, int]:
    with clock.frozen(OVERDUE):
        return deadlines.run(OVERDUE)


def test_the_writer_thread_writes_whole_projects_and_tells_what_the_scan_tells(projects, writes):
    counts = scan()
    assert (counts["tasks"], counts["notices"], counts["escalations"]) == (12, 24, 20)
    assert [name for name, _ in writes] == ["deadline-scan-writer"] * 4
    assert sorted(ids for _, ids in writes) == sorted([p.pk] for p in projects)
    rows = told()
    assert len(rows) == len(set(rows)) == 4 * 11
    for project in projects:
        events = Event.objects.filter(project=project, kind="notification.sent")
        assert events.count() == 6  # 3 tasks × (overdue, escalation)
        assert len({e.correlation_id for e in events}) == 1
        assert verify_stream(f"project:{project.pk}") == []
    note = Notification.objects.filter(project=projects[0], kind="task_overdue").first()
    assert note.body.startswith(f"{note.task.organization.name}：项目“项目0”")
    assert "依据" in note.body and note.cite
    again = scan()  # nothing new: nobody told twice, nothing handed to the writer
    assert (again["notices"], again["escalations"]) == (0, 0)
    assert len(writes) == 4 and len(told()) == 4 * 11


def test_a_writer_that_fails_keeps_what_it_committed_and_the_next_run_tells_the_rest(
    projects, writes, monkeypatch
):
    real = NoticeBatch.write

    def failing(batch):
        if len(writes) == 2:  # the third batch
            raise ConnectionError("数据库连接中断")
        return real(batch)

    monkeypatch.setattr(NoticeBatch, "write", failing)
    with pytest.raises((ConnectionError, RuntimeError)):
        scan()
    assert len(told()) == 2 * 11  # two projects' batches were committed, the third was not
    monkeypatch.undo()
    counts = scan()
    assert (counts["notices"], counts["escalations"]) == (12, 10)  # the other two projects
    rows = told()
    assert len(rows) == len(set(rows)) == 4 * 11
    keys = [e.data["key"] for e in Event.objects.filter(kind="notification.sent")]
    assert len(keys) == len(set(keys)) == 4 * 6
    for project in projects:
        assert verify_stream(f"project:{project.pk}") == []


def test_a_small_scan_or_one_inside_a_transaction_writes_on_its_own_connection(
    projects, monkeypatch
):
    monkeypatch.setattr(deadlines.os, "cpu_count", lambda: 2)
    assert not deadlines._pipelined(deadlines.BATCH)  # one batch: nothing to overlap
    assert deadlines._pipelined(deadlines.BATCH + 1)
    from django.db import transaction

    with transaction.atomic():
        assert not deadlines._pipelined(deadlines.BATCH + 1)
    monkeypatch.setattr(deadlines.os, "cpu_count", lambda: 1)
    assert not deadlines._pipelined(deadlines.BATCH + 1)
