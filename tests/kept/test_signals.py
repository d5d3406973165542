"""Writes renew the stamps kept reads are read under through signals — the event recorder's
``data_changed`` and organizations' ``account_changed`` — that kept reads listen to
(govit/kept/receivers.py): no writer names kept reads, and a receiver disconnected renews
nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import transaction
from django.dispatch import Signal

from govit.core import stamps
from govit.events.services import EventBatch, record
from govit.events.signals import data_changed
from govit.kept import reads, receivers
from govit.organizations import backends
from govit.organizations.signals import account_changed
from tests.architecture.test_invariants import GOVIT, imported_modules
from tests.workflow.conftest import casts, make_cast, tree  # noqa: F401 - fixtures
from tests.workflow.flows import declared

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tree):  # noqa: F811 - tree is the fixture imported above
    return make_cast(tree, "yueyang")


@contextmanager
def disconnected(signal: Signal, receiver: Callable[..., Any], uid: str) -> Iterator[None]:
    assert signal.disconnect(dispatch_uid=uid)
    try:
        yield
    finally:
        signal.connect(receiver, dispatch_uid=uid)


@contextmanager
def heard(signal: Signal) -> Iterator[list[dict[str, Any]]]:
    """What ``signal`` was sent with while the block ran."""
    sent: list[dict[str, Any]] = []

    def listen(sender: Any, **kwargs: Any) -> None:
        sent.append({"sender": sender, **kwargs})

    signal.connect(listen, weak=False)
    try:
        yield sent
    finally:
        signal.disconnect(listen)


def renewed(before: dict[str, str] | None, scopes: list[str]) -> set[str]:
    after = stamps.tokens(scopes)
    assert before is not None and after is not None
    return {scope for scope in scopes if before[scope] != after[scope]}


def scopes_of(cast, *projects) -> list[str]:
    jid = cast.jurisdiction.pk
    return [
        reads.GLOBAL,
        reads.jurisdiction_scope(jid),
        reads.outside_projects_scope(jid),
        *(reads.project_scope(p.pk) for p in projects),
    ]


def test_an_event_on_a_project_renews_its_jurisdiction_and_project_through_the_signal(
    cast, kept_on, django_capture_on_commit_callbacks
):
    project, other = declared(cast), declared(cast, name="另一个项目")
    scopes = scopes_of(cast, project, other)
    before = stamps.tokens(scopes)
    with heard(data_changed) as sent, django_capture_on_commit_callbacks(execute=True):
        record("project.updated", actor=cast.user("unit"), project=project, summary="修改")
    assert [(s["sender"].__name__, s["where"]) for s in sent] == [
        ("Event", {(cast.jurisdiction.pk, project.pk)})
    ]
    assert renewed(before, scopes) == {
        reads.jurisdiction_scope(cast.jurisdiction.pk),
        reads.project_scope(project.pk),
    }


def test_a_batch_of_events_outside_projects_renews_every_projects_reads_of_the_jurisdiction(
    cast, kept_on
):
    project = declared(cast)
    scopes = scopes_of(cast, project)
    before = stamps.tokens(scopes)
    batch = EventBatch(cast.user("competent_department"))
    batch.record("notification.sent", jurisdiction_id=cast.jurisdiction.pk, summary="提醒")
    with heard(data_changed) as sent, transaction.atomic():
        batch.flush()
    assert [s["where"] for s in sent] == [{(cast.jurisdiction.pk, None)}]
    assert renewed(before, scopes) == {
        reads.jurisdiction_scope(cast.jurisdiction.pk),
        reads.outside_projects_scope(cast.jurisdiction.pk),
    }


def test_saving_a_user_renews_its_account_stamp_and_no_one_elses(cast, kept_on):
    clerk, other = cast.user("competent_department"), cast.user("unit")
    scopes = [reads.user_scope(clerk.pk), reads.user_scope(other.pk)]
    before = stamps.tokens(scopes)
    with heard(account_changed) as sent:
        clerk.save()
    assert [(s["sender"].__name__, tuple(s["user_ids"])) for s in sent] == [("User", (clerk.pk,))]
    assert renewed(before, scopes) == {reads.user_scope(clerk.pk)}


def test_with_the_receivers_disconnected_a_write_renews_nothing(cast, kept_on):
    """The stamps are renewed by the receivers, not by the writers themselves."""
    project = declared(cast)
    clerk = cast.user("competent_department")
    scopes = [*scopes_of(cast, project), reads.user_scope(clerk.pk)]
    before = stamps.tokens(scopes)
    with (
        disconnected(data_changed, receivers.renew_data, receivers.DATA_CHANGED),
        disconnected(account_changed, receivers.renew_accounts, receivers.ACCOUNT_CHANGED),
    ):
        record("project.updated", actor=cast.user("unit"), project=project, summary="修改")
        clerk.save()
        assert renewed(before, scopes) == set()
    record("project.updated", actor=cast.user("unit"), project=project, summary="再修改")
    clerk.save()
    assert renewed(before, scopes) >= {
        reads.project_scope(project.pk),
        reads.user_scope(clerk.pk),
    }


def test_without_kept_reads_the_receivers_touch_no_stamp(cast, kept_on, settings):
    settings.GOVIT_KEPT_READS = False
    clerk = cast.user("competent_department")
    scope = reads.user_scope(clerk.pk)
    before = stamps.tokens([scope])
    clerk.save()
    assert renewed(before, [scope]) == set()


def test_the_signed_in_user_is_read_through_kept_reads():
    """Registered at ready: the sign-in backend (whose path every session names) stays in
    organizations and names no kept read."""
    assert backends._read_through is reads.kept_user


def test_no_layer_below_kept_reads_imports_them():
    """core, the event log, jurisdictions, organizations and access name neither kept reads nor
    anything above them to renew a stamp (function-body imports included)."""
    for app in ("policy", "core", "events", "jurisdictions", "organizations", "access"):
        for path in (GOVIT / app).rglob("*.py"):
            upward = {m for m in imported_modules(path) if m.startswith("govit.kept")}
            assert not upward, f"{path.relative_to(GOVIT)} imports {upward}"


def test_core_imports_no_app():
    """With kept reads and the event correlation moved out, core imports only itself and policy."""
    for path in (GOVIT / "core").rglob("*.py"):
        apps = {
            m
            for m in imported_modules(path)
            if m.startswith("govit.") and not m.startswith(("govit.core", "govit.policy"))
        }
        assert not apps, f"{path.relative_to(GOVIT)} imports {apps}"
