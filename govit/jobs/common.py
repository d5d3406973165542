"""What the jobs share: the acting system account, Chinese dates, batches, and the notifications
already sent (so that a re-run skips a whole object without opening a transaction for it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TypeVar

from govit.notifications.models import Notification
from govit.organizations.models import User
from govit.organizations.services import system_user
from govit.policy.calendar import CalendarYearMissing, WorkCalendar

T = TypeVar("T")
BATCH = 500


def system() -> User:
    return system_user()


def day(d: dt.date) -> str:
    """2026年3月2日, as Django's date filter renders zh-hans."""
    return f"{d.year}年{d.month}月{d.day}日"


def batches(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def already_told(keys: Iterable[str]) -> set[tuple[int, str]]:
    """(user id, key) of the notifications that exist for these keys."""
    keys = list(set(keys))
    found: set[tuple[int, str]] = set()
    for chunk in batches(keys, 500):
        found.update(Notification.objects.filter(key__in=chunk).values_list("user_id", "key"))
    return found


def untold(people: Sequence[User], key: str, told: set[tuple[int, str]]) -> bool:
    return any((u.pk, key) not in told for u in people)


def working_days(cal: WorkCalendar, start: dt.date, end: dt.date) -> tuple[int, bool]:
    """Working days after ``start`` up to ``end`` and whether that is exact: past the years whose
    holidays are on record the count is of Mondays to Fridays, and the notice says so."""
    try:
        return cal.working_days_between(start, end), True
    except CalendarYearMissing:
        days = (start + dt.timedelta(days=i) for i in range(1, (end - start).days + 1))
        return sum(1 for d in days if d.weekday() < 5), False


def add_working_days(cal: WorkCalendar, start: dt.date, n: int) -> dt.date:
    try:
        return cal.add_working_days(start, n)
    except CalendarYearMissing:
        d = start
        while n > 0:
            d += dt.timedelta(days=1)
            n -= d.weekday() < 5
        return d
