"""The re-check of a province decides every other batch in a forked helper process (PostgreSQL,
a second core, enough projects): what it records is what deciding every batch here records, and a
helper that fails leaves its batches to the main process — nothing lost, nothing twice.

PostgreSQL only: the helper reads on its own connection, which needs committed data."""

from __future__ import annotations

import pickle

import pytest

from govit.core import clock
from govit.events.models import Event
from govit.events.services import verify_stream
from govit.jobs import recheck
from govit.jobs.models import ProjectFinding
from govit.notifications.models import Notification
from tests.jobs.conftest import D
from tests.workflow import flows
from tests.workflow.conftest import make_cast

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
EXPIRED = D(2028, 7, 20)  # 岳阳's rulebook has expired and nobody confirmed it: a block finding


@pytest.fixture
def projects(tree):
    cast = make_cast(tree, "yueyang")
    return [
        flows.declared(cast, amount=1_000_000, on=D(2026, 10, 20), name=f"项目{i}")
        for i in range(5)
    ]


@pytest.fixture
def helped(monkeypatch):
    """One project a batch, forked from two projects on: returns what the helper delivered."""
    monkeypatch.setattr(recheck, "BATCH", 1)
    monkeypatch.setattr(recheck, "PARALLEL_FROM", 2)
    monkeypatch.setattr(recheck.os, "cpu_count", lambda: 2)
    delivered = []
    real = recheck._Helper.results

    def results(self):
        out = real(self)
        delivered.append(out)
        return out

    monkeypatch.setattr(recheck._Helper, "results", results)
    return delivered


def recorded(projects) -> dict[str, object]:
    return {
        "findings": sorted(ProjectFinding.objects.values_list("project__name", "code")),
        "told": sorted(Notification.objects.values_list("user__username", "key")),
        "events": sorted(
            Event.objects.filter(kind__in=["recheck.finding", "notification.sent"]).values_list(
                "project__name", "kind", "summary"
            )
        ),
        "chains": [verify_stream(f"project:{p.pk}") for p in projects],
    }


def expected(projects) -> dict[str, object]:
    names = [p.name for p in projects]
    return {
        "findings": [(name, "RULEBOOK_EXPIRED") for name in names],
        "chains": [[] for _ in projects],
    }


def test_the_helper_decides_every_other_batch_and_the_records_are_the_same(projects, helped):
    with clock.frozen(EXPIRED):
        counts = recheck.run(EXPIRED)
    # the helper decided batches 1 and 3 (one project each) and sent them back
    assert [[len(pairs) for pairs, _ in out] for out in helped] == [[1, 1]]
    assert (counts["projects"], counts["new_findings"], counts["errors"]) == (5, 5, 0)
    assert counts["notices"] == 10  # the unit's clerk and leader, for each project
    found = recorded(projects)
    assert {k: found[k] for k in ("findings", "chains")} == expected(projects)
    assert len(found["told"]) == len(set(found["told"])) == 10
    assert len(found["events"]) == 10  # a finding and a notice for each project
    # the next night: decided in two processes again, nothing new recorded
    with clock.frozen(D(2028, 7, 21)):
        again = recheck.run(D(2028, 7, 21))
    assert len(helped) == 2
    assert (again["new_findings"], again["cleared"], again["notices"]) == (0, 0, 0)
    assert recorded(projects)["told"] == found["told"]


def test_a_helper_that_fails_leaves_its_batches_to_the_main_process(projects, helped, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("管道写入失败")

    monkeypatch.setattr(pickle, "dump", broken)  # only the helper pickles
    with clock.frozen(EXPIRED):
        counts = recheck.run(EXPIRED)
    assert helped == [[]]  # it delivered nothing
    assert (counts["projects"], counts["new_findings"], counts["notices"]) == (5, 5, 10)
    found = recorded(projects)
    assert {k: found[k] for k in ("findings", "chains")} == expected(projects)
    assert len(found["told"]) == len(set(found["told"])) == 10


def test_a_small_run_or_one_inside_a_transaction_is_not_forked(projects, monkeypatch):
    monkeypatch.setattr(recheck, "BATCH", 1)
    monkeypatch.setattr(recheck.os, "cpu_count", lambda: 2)
    batches = [[p] for p in projects]
    assert not recheck._parallel(batches)  # 5 projects: below PARALLEL_FROM
    monkeypatch.setattr(recheck, "PARALLEL_FROM", 2)
    assert recheck._parallel(batches)
    from django.db import transaction

    with transaction.atomic():
        assert not recheck._parallel(batches)  # the helper could not see this transaction
    monkeypatch.setattr(recheck.os, "cpu_count", lambda: 1)
    assert not recheck._parallel(batches)
