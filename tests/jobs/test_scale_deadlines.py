"""The deadline scan at scale: the same number of queries for one project's overdue tasks or
many, a night with nothing new reads only (no insert, no per-task query), and what it tells and
records is what telling each task on its own did."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govit.core import clock
from govit.events.models import Event
from govit.events.services import verify_stream
from govit.jobs import deadlines
from govit.notifications.models import Notification
from tests.jobs.conftest import D
from tests.workflow import flows

pytestmark = pytest.mark.django_db
OVERDUE = D(2026, 6, 24)


def scan() -> tuple[dict[str, int], list[str]]:
    with clock.frozen(OVERDUE), CaptureQueriesContext(connection) as queries:
        counts = deadlines.run(OVERDUE)
    return counts, [q["sql"] for q in queries.captured_queries]


def declare(cast, n: int):
    return [
        flows.declared(cast, amount=30_000_000, on=D(2026, 6, 15), name=f"项目{i}")
        for i in range(n)
    ]


def test_more_overdue_tasks_take_no_more_queries(heilongjiang):
    (one,) = declare(heilongjiang, 1)
    first, few = scan()
    assert (first["tasks"], first["notices"], first["escalations"]) == (3, 6, 5)
    many = declare(heilongjiang, 4)
    second, more = scan()
    assert (second["tasks"], second["notices"], second["escalations"]) == (15, 24, 20)
    assert len(more) <= len(few)
    for project in [one, *many]:
        events = Event.objects.filter(project=project, kind="notification.sent")
        assert events.count() == 6  # 3 tasks × (overdue, escalation)
        assert verify_stream(f"project:{project.pk}") == []
    told = list(Notification.objects.values_list("user_id", "key"))
    assert len(told) == len(set(told)) == 5 * 11


def test_a_night_with_nothing_new_only_reads(heilongjiang):
    declare(heilongjiang, 3)
    scan()
    rows, events = Notification.objects.count(), Event.objects.count()
    again, sql = scan()
    assert (again["notices"], again["escalations"]) == (0, 0)
    assert not [q for q in sql if q.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    # the candidates, the competent departments, the people (3), the assignees, what was told,
    # the system account and the pending e-mails: nothing per task
    assert len(sql) <= 9
    assert (Notification.objects.count(), Event.objects.count()) == (rows, events)
