"""Keep the engine's calendar (govit.policy.calendar.default_calendar) holding the years stored in
the database, in every server process.

The engine is pure Python and never queries the database: the years are pushed into it with
``set_extra_schedules``. The process that stores a year pushes it when the transaction commits;
every other process re-reads the stored years at the start of a signed-in request once
``GOVIT_CALENDAR_SYNC_SECONDS`` (default 60) have passed on the platform clock since it last did.
Re-sending unchanged years keeps the loaded calendar, so a check costs one small query.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import DatabaseError

from govit.calendars.selectors import stored_schedules
from govit.core import clock
from govit.policy.calendar import set_extra_schedules

SOURCE = "database"
log = logging.getLogger(__name__)
_synced_at: dt.datetime | None = None


def load_into_engine() -> None:
    """Push the stored years into the engine's calendar now (one query). Commands and jobs that
    run outside a request call this before computing deadlines."""
    global _synced_at
    set_extra_schedules(SOURCE, stored_schedules())
    _synced_at = clock.now()


def forget() -> None:
    """Drop the stored years from the engine (tests: the database was rolled back)."""
    global _synced_at
    set_extra_schedules(SOURCE, ())
    _synced_at = None


def due(now: dt.datetime | None = None) -> bool:
    interval = getattr(settings, "GOVIT_CALENDAR_SYNC_SECONDS", 60)
    if interval is None:
        return _synced_at is None
    # the platform clock rather than time.monotonic(): tests freeze it, so a test that pins its
    # queries never meets a check that real time happened to make due; abs(): a clock moved back
    # (demo data, tests) must not postpone the next check
    now = now or clock.now()
    return _synced_at is None or abs((now - _synced_at).total_seconds()) >= interval


def _signed_in(environ: dict[str, Any]) -> bool:
    """A request that reads the database anyway (a session or an API token): an anonymous one,
    e.g. the public rulebook pages, is not made to wait on a query."""
    cookies = environ.get("HTTP_COOKIE", "")
    return f"{settings.SESSION_COOKIE_NAME}=" in cookies or "HTTP_AUTHORIZATION" in environ


def on_request(sender: Any, environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
    if environ is None or not _signed_in(environ) or not due():
        return
    global _synced_at
    try:
        load_into_engine()
    except DatabaseError:
        # e.g. the table before `migrate`: serve with the years already loaded, try again later
        _synced_at = clock.now()
        log.warning("工作日历：读取数据库中录入的年度安排失败，稍后重试", exc_info=True)
