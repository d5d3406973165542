"""``notify_many``: a batch of notices in one transaction, with the rows and events ``notify``
would have written (each recipient once per reason, one event per notice that told somebody
new, every stream's SM3 chain intact), in the same number of queries for 2 notices or 20."""

from __future__ import annotations

import pytest

from govit.events import services as event_services
from govit.events.models import Event
from govit.events.services import verify_stream
from govit.jobs.common import system
from govit.notifications import services
from govit.notifications.models import Notification
from govit.notifications.services import Notice, notify_many
from tests.jobs.conftest import D
from tests.workflow import flows
from tests.workflow.conftest import make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tree):
    return make_cast(tree, "yueyang")


@pytest.fixture
def projects(cast):
    return [
        flows.declared(cast, amount=1_000_000, on=D(2026, 10, 20), name=f"项目{i}")
        for i in range(4)
    ]


def notices(cast, projects, n: int = 2) -> list[Notice]:
    people = [cast.user("unit"), cast.user("unit.leader")]
    return [
        Notice(
            recipients=people,
            kind="finding_blocking",
            key=f"test:project:{project.pk}:{i}",
            title=f"提醒{i}：{project.name}",
            body="正文",
            cite="第四十一条",
            rulebook_id="yueyang",
            project=project,
            summary=f"提醒{i}",
        )
        for project in projects
        for i in range(n)
    ]


def sent(project) -> list[tuple[str, list[int]]]:
    return [
        (e.data["key"], e.data["users"])
        for e in Event.objects.filter(project=project, kind="notification.sent").order_by("seq")
    ]


def test_a_batch_tells_each_once_with_one_event_per_notice(cast, projects):
    batch = notices(cast, projects)
    clerk, leader = cast.user("unit"), cast.user("unit.leader")
    before = {p.pk: Event.objects.filter(project=p).count() for p in projects}
    rows = notify_many(actor=system(), notices=batch)
    assert [len(r) for r in rows] == [2] * 8
    assert Notification.objects.count() == 16
    for project in projects:
        assert sent(project) == [
            (f"test:project:{project.pk}:0", [clerk.pk, leader.pk]),
            (f"test:project:{project.pk}:1", [clerk.pk, leader.pk]),
        ]
        assert Event.objects.filter(project=project).count() == before[project.pk] + 2
        assert verify_stream(f"project:{project.pk}") == []
    event = Event.objects.filter(project=projects[0], kind="notification.sent").first()
    assert event.summary == f"提醒0（已提醒：{clerk.display_name}、{leader.display_name}）"
    assert (event.actor_name, event.cite) == ("系统", "第四十一条")
    assert event.jurisdiction_id == projects[0].jurisdiction_id
    row = Notification.objects.get(user=clerk, key=f"test:project:{projects[0].pk}:0")
    assert (row.project_id, row.jurisdiction_id, row.cite) == (
        projects[0].pk,
        projects[0].jurisdiction_id,
        "第四十一条",
    )
    # again: nobody is told twice, and nothing is recorded
    events = Event.objects.count()
    assert notify_many(actor=system(), notices=batch) == [[]] * 8
    assert Notification.objects.count() == 16 and Event.objects.count() == events


def test_only_the_people_not_yet_told_are_told(cast, projects):
    clerk, leader = cast.user("unit"), cast.user("unit.leader")
    (first,) = notices(cast, projects[:1], n=1)
    services.notify(actor=system(), **{**first.arguments(), "recipients": [clerk]})
    (rows,) = notify_many(actor=system(), notices=[first])
    assert [r.user_id for r in rows] == [leader.pk]
    assert [users for _, users in sent(projects[0])] == [[clerk.pk], [leader.pk]]


def test_the_same_number_of_queries_for_a_bigger_batch(
    cast, projects, django_assert_max_num_queries
):
    notify_many(actor=system(), notices=notices(cast, projects[:1], n=1))  # the actor's roles
    with django_assert_max_num_queries(12) as small:
        notify_many(actor=system(), notices=notices(cast, projects[:1], n=2))
    with django_assert_max_num_queries(len(small.captured_queries)):
        notify_many(actor=system(), notices=notices(cast, projects, n=5))
    assert Notification.objects.count() == 4 * 5 * 2  # every reason once for each of the two


def test_a_stream_another_writer_appended_to_is_told_one_by_one(cast, projects, monkeypatch):
    """The batch read a stream's last event, then somebody else appended to it: the batch's
    insert is refused as a whole (unique stream and seq), and each notice is told with
    ``notify`` after the other writer's event — once, chain intact."""
    real = event_services._heads

    def stale(streams):
        heads = real(streams)
        stream = f"project:{projects[1].pk}"
        seq, digest = heads[stream]
        heads[stream] = (seq - 1, digest)  # as if read before the other writer's event
        return heads

    one_by_one = []
    real_notify = services.notify

    def notify(**kwargs):
        one_by_one.append(kwargs["key"])
        return real_notify(**kwargs)

    monkeypatch.setattr(event_services, "_heads", stale)
    monkeypatch.setattr(services, "notify", notify)
    rows = notify_many(actor=system(), notices=notices(cast, projects))
    assert len(one_by_one) == 8  # the batch's insert was refused: told one by one
    assert [len(r) for r in rows] == [2] * 8
    told = list(Notification.objects.values_list("user_id", "key"))
    assert len(told) == len(set(told)) == 16
    for project in projects:
        assert len(sent(project)) == 2
        assert verify_stream(f"project:{project.pk}") == []


def test_what_the_caller_read_as_told_is_not_told_again(cast, projects):
    """The deadline scan reads what was told for the whole night and passes it on: those
    (user, key) are skipped without another read, the others told once."""
    clerk, leader = cast.user("unit"), cast.user("unit.leader")
    first, second = notices(cast, projects[:1], n=2)
    told = {(clerk.pk, first.key)}
    rows = notify_many(actor=system(), notices=[first, second], told=told)
    assert [[r.user_id for r in sent] for sent in rows] == [
        [leader.pk],
        [clerk.pk, leader.pk],
    ]
    assert told == {(clerk.pk, first.key)}  # the caller's set is left as it was
    assert sent(projects[0]) == [(first.key, [leader.pk]), (second.key, [clerk.pk, leader.pk])]
    assert sorted(Notification.objects.values_list("user_id", "key")) == sorted(
        [(leader.pk, first.key), (clerk.pk, second.key), (leader.pk, second.key)]
    )
