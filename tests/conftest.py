"""Shared fixtures: a fixed judgment date and a one-line way to ask decide()."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from govit.policy.decide import decide

ON = dt.date(2026, 11, 23)


def ask(rulebook: str, on: dt.date = ON, **facts: Any) -> dict[str, Any]:
    """decide() for a rulebook and keyword facts (total_investment defaults to 1,000,000 元)."""
    facts.setdefault("total_investment", 1_000_000)
    return decide(rulebook, facts, on)


def kinds(answer: dict[str, Any]) -> list[str]:
    return [step["kind"] for step in answer["steps"]]


def step(answer: dict[str, Any], kind: str) -> dict[str, Any]:
    matches = [s for s in answer["steps"] if s["kind"] == kind]
    assert len(matches) == 1, f"{kind} in {kinds(answer)}"
    return matches[0]


def codes(answer: dict[str, Any]) -> list[str]:
    return [f["code"] for f in answer["findings"]]


def finding(answer: dict[str, Any], code: str) -> dict[str, Any]:
    matches = [f for f in answer["findings"] if f["code"] == code]
    assert len(matches) == 1, f"{code} in {codes(answer)}"
    return matches[0]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``@pytest.mark.postgres`` tests need PostgreSQL: skipped, with the reason, on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason=f"needs PostgreSQL, the database is {connection.vendor}: "
        "run with DATABASE_URL=postgres://… (`make test` does)"
    )
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


@pytest.fixture
def on() -> dt.date:
    return ON


@pytest.fixture(autouse=True)
def fixed_clock():
    """Every test runs on 2026-11-23 (China time) unless it moves the clock itself: a test's
    outcome never depends on the day it is run."""
    from govit.core import clock

    with clock.frozen(ON):
        yield
