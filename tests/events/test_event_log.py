"""The event log: appended per stream with seq 1, 2, 3 and an SM3 chain; never rewritten; tampering
named by verify_stream(); actors snapshotted; one correlation id per action."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest
from django.db import connection

from govit.access.services import jurisdiction_create, organization_create, user_create
from govit.core import clock
from govit.core.digest import canonical_json, sm3
from govit.demo.cast import DEMO_PASSWORD
from govit.events.models import AppendOnly, Event
from govit.events.registry import UnknownEventKind
from govit.events.services import GENESIS, correlation, record, verify_stream
from govit.organizations.models import Role, User, UserRole
from govit.organizations.services import system_user
from tests.api.conftest import Api
from tests.workflow import flows
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

CHINA = clock.CHINA


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded files go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def place(db):
    """A jurisdiction with one department and one clerk, and a second, empty jurisdiction."""
    system = system_user()
    home = jurisdiction_create(actor=system, code="990100", name="测试市", level="city")
    org = organization_create(
        actor=system, jurisdiction=home, kind="competent_department", name="测试市数据局"
    )
    clerk = user_create(
        actor=system,
        organization=org,
        username="test.clerk",
        password=DEMO_PASSWORD,
        real_name="张三",
        roles=[Role.LEADER, Role.CLERK],
    )
    other = jurisdiction_create(actor=system, code="990200", name="测试县", level="county")
    return {"home": home, "org": org, "clerk": clerk, "other": other}


def note(actor, jurisdiction, summary: str, **fields):
    return record(
        "project.updated", actor=actor, jurisdiction=jurisdiction, summary=summary, **fields
    )


def stream_of(jurisdiction) -> str:
    return f"jurisdiction:{jurisdiction.pk}"


def rows(stream: str) -> list[tuple]:
    return list(
        Event.objects.filter(stream=stream)
        .order_by("seq")
        .values_list("seq", "kind", "summary", "prev_digest", "digest")
    )


def raw(sql: str, params: list) -> None:
    """Tampering as someone with database access would do it. SQLite has no trigger; on
    PostgreSQL a superuser can switch the append-only trigger off for the transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


# --- appending -----------------------------------------------------------------------------------


def test_each_stream_numbers_its_events_from_one_and_chains_them(place):
    clerk, home, other = place["clerk"], place["home"], place["other"]
    with clock.frozen(dt.datetime(2026, 11, 23, 10, 15, 30, 123456, tzinfo=CHINA)):
        a = note(clerk, other, "第一条")
        b = note(clerk, home, "另一事件流")
        c = note(clerk, other, "第二条", before={"x": 1}, after={"x": 2}, data={"名": "值"})
        d = note(clerk, other, "第三条", cite="第十条")
    # the other jurisdiction's stream had only its own creation; the home stream three setup rows
    assert [(e.stream, e.seq) for e in (a, b, c, d)] == [
        (stream_of(other), 2),
        (stream_of(home), 4),
        (stream_of(other), 3),
        (stream_of(other), 4),
    ]
    chain = rows(stream_of(other))
    assert [(seq, kind, summary) for seq, kind, summary, _, _ in chain] == [
        (1, "jurisdiction.created", "登记辖区“测试县”（990200）"),
        (2, "project.updated", "第一条"),
        (3, "project.updated", "第二条"),
        (4, "project.updated", "第三条"),
    ]
    assert chain[0][3] == GENESIS
    for (_, _, _, _, previous), (_, _, _, prev_digest, _) in itertools.pairwise(chain):
        assert prev_digest == previous
    assert len({digest for *_, digest in chain}) == 4
    # the digest is SM3 over the canonical content, which anyone can recompute
    stored = Event.objects.get(pk=c.pk)
    content = {
        "stream": stream_of(other),
        "seq": 3,
        "at": "2026-11-23T02:15:30.123456+00:00",
        "correlation_id": str(stored.correlation_id),
        "kind": "project.updated",
        "jurisdiction": other.pk,
        "project": None,
        "actor": clerk.pk,
        "actor_name": "张三",
        "actor_org": place["org"].pk,
        "actor_org_name": "测试市数据局",
        "actor_roles": "clerk,leader",
        "summary": "第二条",
        "cite": "",
        "before": {"x": 1},
        "after": {"x": 2},
        "data": {"名": "值"},
        "prev": a.digest,
    }
    assert stored.digest == sm3(canonical_json(content))
    assert (stored.before, stored.after, stored.data, stored.cite) == (
        {"x": 1},
        {"x": 2},
        {"名": "值"},
        "",
    )
    assert verify_stream(stream_of(other)) == []
    assert verify_stream(stream_of(home)) == []


def test_an_event_with_neither_project_nor_jurisdiction_goes_to_the_platform_stream(place):
    event = record("rulebook.registered", actor=None, summary="平台事件")
    assert (event.stream, event.seq, event.actor_name, event.actor_org_name, event.actor_roles) == (
        "jurisdiction:0",
        1,
        "系统",
        "",
        "",
    )
    assert event.prev_digest == GENESIS


def test_an_unregistered_kind_is_refused_and_nothing_is_written(place):
    before = Event.objects.count()
    with pytest.raises(UnknownEventKind) as refused:
        record("project.deleted", actor=place["clerk"], jurisdiction=place["home"], summary="x")
    assert str(refused.value) == "未登记的事件类型：project.deleted"
    assert Event.objects.count() == before


def test_the_actor_name_organization_and_roles_are_snapshotted(place):
    clerk, org = place["clerk"], place["org"]
    event = note(clerk, place["home"], "办理")
    clerk.real_name = "张三丰"
    clerk.save()
    org.name = "测试市政务服务和数据管理局"
    org.save()
    UserRole.objects.filter(user=clerk, role=Role.LEADER).delete()
    stored = Event.objects.get(pk=event.pk)
    assert (stored.actor_name, stored.actor_org_name, stored.actor_roles) == (
        "张三",
        "测试市数据局",
        "clerk,leader",
    )
    assert (stored.actor_id, stored.actor_org_id) == (clerk.pk, org.pk)
    assert verify_stream(stream_of(place["home"])) == []
    later = note(User.objects.get(pk=clerk.pk), place["home"], "改名之后")
    assert (later.actor_name, later.actor_org_name, later.actor_roles) == (
        "张三丰",
        "测试市政务服务和数据管理局",
        "clerk",
    )


# --- correlation ---------------------------------------------------------------------------------


def test_events_of_one_correlation_block_share_its_id_and_others_do_not(place):
    clerk, home, other = place["clerk"], place["home"], place["other"]
    with correlation() as action:
        first = note(clerk, home, "一")
        second = note(clerk, other, "二")  # another stream, the same action
        with correlation() as inner:
            third = note(clerk, home, "三")
    assert isinstance(action, uuid.UUID) and inner == action
    assert {e.correlation_id for e in (first, second, third)} == {action}
    assert {
        e.correlation_id for e in Event.objects.filter(pk__in=[first.pk, second.pk, third.pk])
    } == {action}
    alone, apart = note(clerk, home, "四"), note(clerk, home, "五")
    assert len({alone.correlation_id, apart.correlation_id, action}) == 3
    with correlation() as next_action:
        fourth = note(clerk, home, "六")
    assert next_action != action and fourth.correlation_id == next_action


def test_the_rows_one_request_writes_share_a_correlation_id(tree):  # noqa: F811
    cast = make_cast(tree, "yueyang")
    project = flows.yueyang_in_scheme_review(cast)
    task = flows.open_task(project, "scheme_review")
    last = Event.objects.filter(project=project).order_by("-seq").first().seq
    reply = (
        Api()
        .as_(cast.user("competent_department"))
        .post(
            f"/tasks/{task.pk}/actions",
            {
                "action": "approve",
                "opinion": "同意",
                "confirmed_checks": flows.block_checks(task.step),  # 岳阳第七条: 须依托
            },
        )
    )
    assert reply.status == 200, reply.body
    written = list(
        Event.objects.filter(project=project, seq__gt=last)
        .order_by("seq")
        .values_list("kind", "correlation_id")
    )
    assert [kind for kind, _ in written] == ["task.approved", "step.passed", "step.opened"]
    assert len({cid for _, cid in written}) == 1


def test_an_existing_correlation_id_is_taken_over_and_then_given_back(place):
    clerk, home = place["clerk"], place["home"]
    job = uuid.UUID("12345678-1234-5678-1234-567812345678")
    with correlation() as outer:
        with correlation(job) as taken:
            inside = note(clerk, home, "后台任务")
        after = note(clerk, home, "回到请求")
    assert taken == job and inside.correlation_id == job
    assert after.correlation_id == outer != job


# --- append-only ---------------------------------------------------------------------------------


def _stored(event: Event) -> tuple:
    return Event.objects.filter(pk=event.pk).values_list("summary", "seq", "digest").get()


@pytest.fixture
def logged(place):
    clerk, home = place["clerk"], place["home"]
    events = [note(clerk, home, "一"), note(clerk, home, "二"), note(clerk, home, "三")]
    return {"events": events, "stream": stream_of(home), "rows": rows(stream_of(home))}


def _unchanged(logged) -> None:
    assert rows(logged["stream"]) == logged["rows"]
    assert verify_stream(logged["stream"]) == []


def test_saving_an_existing_event_is_refused(logged):
    event = Event.objects.get(pk=logged["events"][1].pk)
    event.summary = "改写"
    with pytest.raises(AppendOnly) as refused:
        event.save()
    assert str(refused.value) == "事件记录只能追加，不能修改"
    with pytest.raises(AppendOnly):
        event.save(update_fields=["summary"])
    _unchanged(logged)


def test_deleting_an_event_is_refused(logged):
    with pytest.raises(AppendOnly) as refused:
        Event.objects.get(pk=logged["events"][1].pk).delete()
    assert str(refused.value) == "事件记录只能追加，不能删除"
    _unchanged(logged)


@pytest.mark.parametrize(
    "rewrite",
    [
        lambda pk: Event.objects.update(summary="改写"),
        lambda pk: Event.objects.filter(pk=pk).update(summary="改写"),
        lambda pk: Event.objects.filter(pk=pk).select_for_update().update(summary="改写"),
        lambda pk: Event.objects.delete(),
        lambda pk: Event.objects.all().delete(),
        lambda pk: Event.objects.filter(pk=pk).delete(),
        lambda pk: Event.objects.bulk_update([Event(pk=pk, summary="改写")], fields=["summary"]),
        lambda pk: Event.objects.update_or_create(pk=pk, defaults={"summary": "改写"}),
    ],
    ids=[
        "update",
        "filter-update",
        "locked-update",
        "delete",
        "all-delete",
        "filter-delete",
        "bulk_update",
        "update_or_create",
    ],
)
def test_rewriting_events_through_the_queryset_is_refused(logged, rewrite):
    with pytest.raises(AppendOnly):
        rewrite(logged["events"][1].pk)
    _unchanged(logged)


def test_a_new_object_carrying_an_existing_events_id_does_not_overwrite_it(logged):
    """Django saves an object whose primary key is set with an UPDATE first: an 'append' must not
    be able to overwrite the row that has that id."""
    victim = logged["events"][1]
    forged = Event.objects.get(pk=victim.pk)
    forged._state.adding = True  # what Event(pk=…, …) looks like to save()
    forged.summary = "伪造"
    with pytest.raises(AppendOnly):
        forged.save()
    copy = Event(**{f.attname: getattr(victim, f.attname) for f in Event._meta.concrete_fields})
    copy.summary = "伪造"
    with pytest.raises(AppendOnly):
        copy.save()
    _unchanged(logged)


def test_bulk_create_cannot_overwrite_events(logged):
    victim = logged["events"][1]
    copy = Event(**{f.attname: getattr(victim, f.attname) for f in Event._meta.concrete_fields})
    copy.summary = "伪造"
    with pytest.raises(AppendOnly):
        Event.objects.bulk_create(
            [copy], update_conflicts=True, update_fields=["summary"], unique_fields=["id"]
        )
    with pytest.raises(AppendOnly):
        Event.objects.bulk_create([copy], ignore_conflicts=True)
    _unchanged(logged)


def test_the_base_manager_refuses_rewrites_too(logged):
    pk = logged["events"][1].pk
    with pytest.raises(AppendOnly):
        Event._base_manager.filter(pk=pk).update(summary="改写")
    with pytest.raises(AppendOnly):
        Event._base_manager.filter(pk=pk).delete()
    _unchanged(logged)


# --- tampering -----------------------------------------------------------------------------------


def test_verify_names_an_event_whose_content_was_changed(logged):
    stream, second = logged["stream"], logged["events"][1]
    raw("UPDATE events_event SET summary = %s WHERE id = %s", ["改写的内容", second.pk])
    assert verify_stream(stream) == [f"{stream}#{second.seq}: 内容与摘要不符（被改动过）"]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor_name", "李四"),
        ("actor_roles", "admin"),
        ("cite", "第一条"),
        ("kind", "project.declared"),
        ("data", '{"x": 1}'),
        ("at", "2026-01-01 00:00:00"),
        ("correlation_id", "00000000000000000000000000000000"),
    ],
)
def test_verify_notices_a_change_to_any_column(logged, column, value):
    stream, second = logged["stream"], logged["events"][1]
    raw(f"UPDATE events_event SET {column} = %s WHERE id = %s", [value, second.pk])
    assert verify_stream(stream) == [f"{stream}#{second.seq}: 内容与摘要不符（被改动过）"]


def test_verify_names_the_break_when_a_rewritten_event_was_given_a_fresh_digest(logged):
    stream, (_, second, third) = logged["stream"], logged["events"]
    raw(
        "UPDATE events_event SET summary = %s, digest = %s WHERE id = %s",
        ["改写", "f" * 64, second.pk],
    )
    assert verify_stream(stream) == [
        f"{stream}#{second.seq}: 内容与摘要不符（被改动过）",
        f"{stream}#{third.seq}: 与前一事件的链接不符",
    ]


def test_verify_names_a_deleted_event(logged):
    stream, (_, second, third) = logged["stream"], logged["events"]
    raw("DELETE FROM events_event WHERE id = %s", [second.pk])
    assert verify_stream(stream) == [
        f"{stream}: 第{second.seq}条事件缺失",
        f"{stream}#{third.seq}: 与前一事件的链接不符",
    ]


def test_verify_names_a_rewritten_link(logged):
    stream, (_, _, third) = logged["stream"], logged["events"]
    raw(
        "UPDATE events_event SET prev_digest = %s WHERE id = %s",
        [GENESIS, third.pk],
    )
    assert verify_stream(stream) == [
        f"{stream}#{third.seq}: 与前一事件的链接不符",
        f"{stream}#{third.seq}: 内容与摘要不符（被改动过）",
    ]
