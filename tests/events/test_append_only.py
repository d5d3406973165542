"""On PostgreSQL the database itself refuses to rewrite history: the trigger installed by
events/migrations/0003 rejects UPDATE and DELETE on events_event, whatever the client."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from govit.demo.cast import build_tree
from govit.events.models import Event
from govit.events.services import verify_stream

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_trigger_is_installed():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'events_event'::regclass"
            " AND NOT tgisinternal"
        )
        assert [row[0] for row in cursor.fetchall()] == ["events_event_append_only"]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE events_event SET summary = 'rewritten' WHERE id = %s",
        "UPDATE events_event SET digest = repeat('0', 64), prev_digest = digest WHERE id = %s",
        "DELETE FROM events_event WHERE id = %s",
        "DELETE FROM events_event",
    ],
)
def test_raw_sql_cannot_update_or_delete_an_event(sql):
    build_tree()
    event = Event.objects.order_by("id").first()
    assert event is not None  # building the jurisdictions recorded events
    count = Event.objects.count()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk] if "%s" in sql else None)
    assert Event.objects.count() == count
    again = Event.objects.get(pk=event.pk)
    assert (again.summary, again.digest, again.prev_digest) == (
        event.summary,
        event.digest,
        event.prev_digest,
    )
    assert verify_stream(event.stream) == []
