"""The jobs under the development server, with no Redis and no cron: one daemon thread a process
runs ``runner.run_due`` when the server starts and then every few minutes — the same registered
jobs, through the same ``run_job`` (one successful run a schedule window, whichever process runs
it), that Celery beat or ``govit jobs run-due`` run in production. So ``make run`` sends reminders
and escalations with no extra command.

Started by ``JobsConfig.ready`` only where it belongs: the setting ``GOVIT_INPROCESS_JOBS`` on
(the development settings, when REDIS_URL is not set: with Redis, Celery runs the jobs), the
command ``runserver`` (never a test, a migration or another management command), and in the
process that serves — not the autoreloader's parent, which only watches the files."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Sequence

from django.conf import settings
from django.db import close_old_connections, connections

from govit.jobs.runner import run_due

log = logging.getLogger("govit.jobs")

EVERY = 5 * 60  # seconds between two looks at what is due (the shortest schedule is hourly)
FIRST_AFTER = 3  # seconds after start: the server binds its port first

_lock = threading.Lock()
_thread: threading.Thread | None = None


def command(argv: Sequence[str]) -> str:
    """The management command of a command line: ``manage.py runserver``, ``govit manage
    runserver``, ``django-admin runserver``."""
    words = [a for a in argv[1:] if not a.startswith("-")]
    if words[:1] == ["manage"]:
        words = words[1:]
    return words[0] if words else ""


def wanted(argv: Sequence[str] | None = None, environ: dict[str, str] | None = None) -> bool:
    """Whether this process should run the jobs itself."""
    argv = sys.argv if argv is None else argv
    environ = os.environ if environ is None else environ  # type: ignore[assignment]
    if not getattr(settings, "GOVIT_INPROCESS_JOBS", False):
        return False
    if command(argv) != "runserver":
        return False
    # with the autoreloader, the parent watches the files and a child (RUN_MAIN=true) serves
    return "--noreload" in argv or environ.get("RUN_MAIN") == "true"


def tick() -> list:
    """One look: run every job whose window has no successful run yet; never raises."""
    try:
        outcomes = run_due()
    except Exception:  # the database not migrated yet, locked …: the next tick tries again
        log.exception("in-process jobs: run-due failed")
        return []
    for outcome in outcomes:
        if outcome.status in ("done", "failed"):
            log.info("in-process jobs: %s", outcome.line())
    return outcomes


def loop(stop: threading.Event, every: float = EVERY, first_after: float = FIRST_AFTER) -> None:
    if stop.wait(first_after):
        return
    while True:
        close_old_connections()
        try:
            tick()
        finally:
            connections.close_all()  # the thread's own connections: not held between ticks
        if stop.wait(every):
            return


def start(stop: threading.Event | None = None) -> threading.Thread | None:
    """Start the thread once a process (a second call does nothing)."""
    global _thread
    with _lock:
        if _thread is not None and _thread.is_alive():
            return None
        _thread = threading.Thread(
            target=loop, args=(stop or threading.Event(),), name="govit-jobs", daemon=True
        )
        _thread.start()
        log.info("in-process jobs: every %d s (no REDIS_URL: docs/jobs.md)", EVERY)
        return _thread


def start_if_wanted() -> threading.Thread | None:
    return start() if wanted() else None
