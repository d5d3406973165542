"""``EventBatch``: a job's events appended together — written with COPY on PostgreSQL and with
``bulk_create`` elsewhere, without model instances — are the events ``record`` appends: the same
columns, chained after each stream's last event, checked by ``verify_stream``. A batch that
collides with another writer's event fails whole, with Django's ``IntegrityError``."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from govit.access.services import jurisdiction_create
from govit.events.models import Event
from govit.events.services import EventBatch, _content, event_digest, record, verify_stream
from govit.organizations.services import system_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(db):
    system = system_user()
    return [
        jurisdiction_create(actor=system, code=code, name=name, level="city")
        for code, name in (("990100", "测试市"), ("990200", "测试县"))
    ]


def test_a_batch_chains_after_each_streams_last_event_and_stores_every_column(places):
    home, other = places
    system = system_user()
    first = record("project.updated", actor=system, jurisdiction=home, summary="此前的事件")
    batch = EventBatch(system)
    batch.record(
        "notification.sent",
        jurisdiction_id=home.pk,
        summary="提醒：第一件\t含制表符\\与反斜杠",
        cite="第十条",
        data={"kind": "task_overdue", "users": [1, 2], "说明": "中文"},
    )
    batch.record(
        "notification.sent",
        jurisdiction_id=home.pk,
        summary="提醒：第二件",
        after={"due_on": "2026-11-27"},
    )
    batch.record("notification.sent", jurisdiction_id=other.pk, summary="另一辖区")
    with transaction.atomic():
        appended = batch.flush()
    assert batch.pending == []
    assert [(e.stream, e.seq) for e in appended] == [
        (f"jurisdiction:{home.pk}", first.seq + 1),
        (f"jurisdiction:{home.pk}", first.seq + 2),
        (f"jurisdiction:{other.pk}", 2),  # after the jurisdiction's own creation event
    ]
    assert appended[0].prev_digest == first.digest
    assert appended[1].prev_digest == appended[0].digest
    stored = Event.objects.get(stream=f"jurisdiction:{home.pk}", seq=first.seq + 1)
    assert stored.summary == "提醒：第一件\t含制表符\\与反斜杠"
    assert stored.data == {"kind": "task_overdue", "users": [1, 2], "说明": "中文"}
    assert (stored.before, stored.after, stored.cite) == (None, None, "第十条")
    assert (stored.actor_id, stored.actor_name) == (system.pk, "系统")
    assert stored.correlation_id == appended[0].correlation_id == appended[2].correlation_id
    assert event_digest(_content(stored)) == stored.digest == appended[0].digest
    second = Event.objects.get(stream=f"jurisdiction:{home.pk}", seq=first.seq + 2)
    assert (second.before, second.after, second.data) == (None, {"due_on": "2026-11-27"}, {})
    for place in places:
        assert verify_stream(f"jurisdiction:{place.pk}") == []


def test_a_batch_that_meets_another_writers_event_fails_whole(places, monkeypatch):
    home, other = places
    system = system_user()
    from govit.events import services

    real = services._heads

    def stale(streams):
        heads = real(streams)
        stream = f"jurisdiction:{home.pk}"
        seq, digest = heads[stream]
        heads[stream] = (seq - 1, digest)  # read before another writer's event
        return heads

    monkeypatch.setattr(services, "_heads", stale)
    batch = EventBatch(system)
    batch.record("notification.sent", jurisdiction_id=other.pk, summary="另一辖区")
    batch.record("notification.sent", jurisdiction_id=home.pk, summary="撞上了")
    before = Event.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        batch.flush()
    assert Event.objects.count() == before  # nothing of the batch, not even the other stream's
    record("project.updated", actor=system, jurisdiction=home, summary="之后照常追加")
    assert verify_stream(f"jurisdiction:{home.pk}") == []
