"""Fixtures for the jobs: a 黑龙江 project whose 联合审核 (第十条: 5 working days) was opened on
2026-06-15 and is due on 2026-06-23 — 端午 (06-19) and a weekend lie in between."""

from __future__ import annotations

import datetime as dt

import pytest

from govit.core import clock
from govit.jobs.runner import run_job
from govit.notifications.models import Notification
from tests.workflow import flows
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixture

D = dt.date
JOINT_REVIEW_DUE = D(2026, 6, 23)


@pytest.fixture
def heilongjiang(tree):  # noqa: F811 - the fixture imported above
    return make_cast(tree, "heilongjiang")


@pytest.fixture
def joint_review(heilongjiang):
    """A 3000万元 project declared on 2026-06-15: its joint review's three tasks (the competent
    department leads; cyberspace and crypto administration countersign) are due 2026-06-23."""
    project = flows.declared(heilongjiang, amount=30_000_000, on=D(2026, 6, 15))
    assert {t.due_on for t in project.tasks.filter(status="open")} == {JOINT_REVIEW_DUE}
    return project


def run(name: str, on: dt.date | dt.datetime):
    """Run one job with the clock at ``on`` (a date means 09:00 China time)."""
    with clock.frozen(on):
        return run_job(name, force=True)


def told(**filters) -> list[tuple[str, str, str]]:
    """(username, kind, key) of the notifications matching ``filters``, sorted."""
    return sorted(
        Notification.objects.filter(**filters).values_list("user__username", "kind", "key")
    )
