"""The platform's notion of now: aware datetimes, and dates in China's time zone.

Tests and demo data move the clock with :func:`frozen`; nothing else reads the system time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return _frozen if _frozen is not None else dt.datetime.now(CHINA)


def today() -> dt.date:
    return now().astimezone(CHINA).date()


@contextmanager
def frozen(at: dt.datetime | dt.date) -> Iterator[None]:
    """Run with the clock fixed at ``at`` (a date means 09:00 China time that day)."""
    global _frozen
    previous = _frozen
    if isinstance(at, dt.datetime):
        _frozen = at if at.tzinfo else at.replace(tzinfo=CHINA)
    else:
        _frozen = dt.datetime.combine(at, dt.time(9, 0), tzinfo=CHINA)
    try:
        yield
    finally:
        _frozen = previous
