"""The jobs under `make run` (govit/jobs/inprocess.py): the development server runs the registered
jobs itself when there is no Redis — once in the process that serves, never in a test, a migration
or the autoreloader's parent — and each tick runs what is due, telling people as production does."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.urls import reverse

from govit.core import clock
from govit.core.clock import CHINA
from govit.jobs import inprocess, registry
from govit.jobs.models import JobRun, RunStatus
from govit.notifications.models import Notification
from tests.jobs.conftest import JOINT_REVIEW_DUE

SERVER = ["/srv/govit/.venv/bin/govit", "manage", "runserver", "127.0.0.1:8000"]


@pytest.mark.parametrize(
    ("argv", "environ", "on", "runs"),
    [
        (SERVER, {"RUN_MAIN": "true"}, True, True),  # the autoreloader's child: it serves
        (SERVER, {}, True, False),  # the autoreloader's parent: it only watches the files
        ([*SERVER, "--noreload"], {}, True, True),  # no autoreloader: this process serves
        (["manage.py", "runserver"], {"RUN_MAIN": "true"}, True, True),
        (SERVER, {"RUN_MAIN": "true"}, False, False),  # REDIS_URL set: Celery runs them
        (["govit", "manage", "migrate"], {"RUN_MAIN": "true"}, True, False),
        (["govit", "manage", "shell"], {}, True, False),
        (["govit", "jobs", "run-due"], {}, True, False),  # runs them itself, once
        (["/usr/bin/pytest", "-x", "tests/jobs"], {}, True, False),
        (["gunicorn", "govit.wsgi"], {}, True, False),
    ],
)
def test_only_the_development_server_that_serves_runs_the_jobs(settings, argv, environ, on, runs):
    settings.GOVIT_INPROCESS_JOBS = on
    assert inprocess.wanted(argv, environ) is runs


def test_the_development_settings_turn_it_on_only_without_redis(monkeypatch):
    import importlib

    import govit.settings.dev as dev

    try:
        monkeypatch.delenv("REDIS_URL", raising=False)
        monkeypatch.delenv("GOVIT_INPROCESS_JOBS", raising=False)
        assert importlib.reload(dev).GOVIT_INPROCESS_JOBS is True
        monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
        assert importlib.reload(dev).GOVIT_INPROCESS_JOBS is False
    finally:
        monkeypatch.delenv("REDIS_URL", raising=False)
        importlib.reload(dev)


def test_it_is_not_started_under_the_tests(settings):
    assert not getattr(settings, "GOVIT_INPROCESS_JOBS", False)
    assert not inprocess.wanted()
    assert "govit-jobs" not in {t.name for t in threading.enumerate()}


@pytest.mark.django_db
def test_a_tick_runs_what_is_due_and_the_reminder_reaches_the_inbox_and_the_badge(
    client, heilongjiang, joint_review
):
    overdue = dt.datetime(2026, 6, 25, 9, 0, tzinfo=CHINA)  # two working days late
    with clock.frozen(overdue):
        outcomes = inprocess.tick()
    assert [(o.job, o.status) for o in outcomes] == [(job.name, "done") for job in registry.JOBS]
    assert JobRun.objects.filter(status=RunStatus.DONE).count() == len(registry.JOBS)
    clerk = heilongjiang.user("competent_department")
    mine = Notification.objects.filter(user=clerk)
    assert mine.filter(kind="task_overdue").exists()
    # 提醒 shows it and the header counts it
    client.force_login(clerk)
    with clock.frozen(overdue):
        html = client.get(reverse("notifications")).content.decode()
    assert "已逾期" in html and f"{JOINT_REVIEW_DUE:%Y年%-m月%-d日}" in html
    unread = mine.filter(read_at__isnull=True).count()
    assert f"提醒（{unread}）" in html
    # a tick in the same windows does nothing more
    with clock.frozen(overdue + dt.timedelta(minutes=4)):
        assert inprocess.tick() == []
    assert mine.count() == unread


def test_a_failing_run_does_not_stop_the_thread(monkeypatch):
    def broken():
        raise RuntimeError("no such table: jobs_jobrun")

    monkeypatch.setattr("govit.jobs.runner.run_due", broken)
    assert inprocess.tick() == []


def test_the_thread_stops_when_told_and_starts_once():
    stop = threading.Event()
    stop.set()  # stopped before its first tick: it touches no database
    thread = inprocess.start(stop)
    assert thread is not None and thread.daemon and thread.name == "govit-jobs"
    thread.join(timeout=inprocess.FIRST_AFTER + 1)
    assert not thread.is_alive()
