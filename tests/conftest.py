"""Shared fixtures: a fixed judgment date and a one-line way to ask decide(). And the run leaves the
checkout as it found it: Hypothesis keeps its examples in the run's temporary directory, and a run
that leaves a new or changed file in the checkout fails."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from govit.policy.decide import decide

CHECKOUT = Path(__file__).resolve().parents[1]
STATUS_AT_START = pytest.StashKey[set[str] | None]()
# read on Hypothesis's first use of its storage (after this file is imported): not ./.hypothesis
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", str(Path(settings.TEST_RUN_DIR) / "hypothesis")
)

ON = dt.date(2026, 11, 23)


def next_version(text: str) -> str:
    """A rulebook file's text as its next version (``version: N`` → N+1): a test's later version
    whatever the file's own number is."""
    found = re.search(r"^version: (\d+)$", text, flags=re.M)
    assert found, "a rulebook states its version"
    return text.replace(found.group(0), f"version: {int(found.group(1)) + 1}", 1)


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


def checkout_status() -> set[str] | None:
    """``git status --porcelain`` lines of the checkout, untracked files one by one; None outside a
    git checkout (e.g. an unpacked sdist), where there is nothing to compare."""
    try:
        result = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=CHECKOUT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    return set(result.stdout.splitlines())


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[STATUS_AT_START] = checkout_status()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if it left a file in the checkout that was not there (or not so) at its start:
    uploads, var/ and every other output belong in the run's temporary directory (settings/test.py)."""
    before = session.config.stash.get(STATUS_AT_START, None)
    after = checkout_status()
    if before is None or after is None:
        return
    left = sorted(after - before)
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = (
            "the test run left files in the checkout (write them under settings.TEST_RUN_DIR):"
        )
        lines = [message, *(f"  {line}" for line in left)]
        if reporter is not None:
            reporter.write_line("")  # after the progress line
            reporter.write_line("\n".join(lines), red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
