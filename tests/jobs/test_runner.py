"""One code path, two schedulers: what is due, a run that dies in the middle, and Celery's beat
schedule generated from the same registry."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from govit.core import clock
from govit.core.clock import CHINA
from govit.events.models import Event
from govit.jobs import registry, runner
from govit.jobs.models import JobRun, RunStatus
from govit.notifications import services as notification_services
from govit.notifications.models import Notification
from tests.jobs.conftest import D, told

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA)


def due_names(now: dt.datetime) -> list[str]:
    with clock.frozen(now):
        return [job.name for job in runner.due_jobs()]


def test_run_due_runs_each_job_once_per_window(tree):
    monday = D(2026, 11, 23)
    every = [job.name for job in registry.JOBS]
    assert due_names(at(monday, 9)) == every  # nothing has ever run
    with clock.frozen(at(monday, 9)):
        outcomes = runner.run_due()
    assert [(o.job, o.status) for o in outcomes] == [(name, "done") for name in every]
    assert {(r.job, r.window) for r in JobRun.objects.filter(status=RunStatus.DONE)} == {
        ("recheck", "2026-11-23T01:00"),
        ("rulebook_expiry", "2026-11-23T06:30"),
        ("calendar_missing", "2026-11-23T06:40"),
        ("deadline_scan", "2026-11-23T07:00"),
        ("obligations", "2026-11-23T07:15"),
        ("notification_email", "2026-11-23T08:05"),
    }
    with clock.frozen(at(monday, 9, 4)):
        assert runner.run_due() == []  # the same windows: nothing is due
    assert due_names(at(monday, 10, 5)) == ["notification_email"]  # a new hour
    assert due_names(at(monday + dt.timedelta(days=1), 0, 59)) == ["notification_email"]
    assert due_names(at(monday + dt.timedelta(days=1), 1, 0)) == ["recheck", "notification_email"]
    assert due_names(at(monday + dt.timedelta(days=1), 7, 0)) == [
        "recheck",
        "rulebook_expiry",
        "calendar_missing",
        "deadline_scan",
        "notification_email",
    ]


def broken(today):
    raise RuntimeError("数据库连接中断")


def test_a_job_that_failed_stays_due_and_the_others_still_run(tree, monkeypatch):
    jobs = tuple(
        dataclasses.replace(job, target="tests.jobs.test_runner:broken")
        if job.name == "rulebook_expiry"
        else job
        for job in registry.JOBS
    )
    monkeypatch.setattr(registry, "JOBS", jobs)
    with clock.frozen(at(D(2026, 11, 23), 9)):
        outcomes = {o.job: o for o in runner.run_due()}
        assert outcomes["rulebook_expiry"].status == "failed"
        assert "数据库连接中断" in outcomes["rulebook_expiry"].error
        assert {o.status for name, o in outcomes.items() if name != "rulebook_expiry"} == {"done"}
        failed = JobRun.objects.get(job="rulebook_expiry")
        assert (failed.status, failed.attempts) == (RunStatus.FAILED, 1)
        assert "数据库连接中断" in failed.error
        assert [j.name for j in runner.due_jobs()] == ["rulebook_expiry"]
        monkeypatch.undo()
        assert runner.run_due()[0].status == "done"
        assert JobRun.objects.get(job="rulebook_expiry").attempts == 2
        assert runner.due_jobs() == []


def test_a_run_left_running_by_a_killed_worker_is_taken_over_after_the_lease(tree):
    now = at(D(2026, 11, 23), 9)
    JobRun.objects.create(
        job="rulebook_expiry",
        window="2026-11-23T06:30",
        status=RunStatus.RUNNING,
        attempts=1,
        started_at=now - dt.timedelta(minutes=10),
    )
    with clock.frozen(now):
        assert runner.run_job("rulebook_expiry").status == "busy"
    with clock.frozen(now + runner.LEASE):
        assert runner.run_job("rulebook_expiry").status == "done"
    assert JobRun.objects.get(job="rulebook_expiry").attempts == 2


@pytest.mark.parametrize("where", ["between two objects", "inside one object's transaction"])
def test_a_run_killed_in_the_middle_loses_nothing_and_repeats_nothing(
    joint_review, heilongjiang, monkeypatch, mailoutbox, where
):
    """The job dies on its third task (overdue: 3 tasks, each reminded and escalated; one task a
    batch here, so that a finished batch is kept); the run again notifies exactly the people a
    clean run would have, each once, with one event each."""
    for key in ("cyberspace", "competent_department.leader"):
        user = heilongjiang.user(key)
        user.email = f"{user.username}@example.gov.cn"
        user.save(update_fields=["email"])
    monkeypatch.setattr("govit.jobs.deadlines.BATCH", 1)
    calls = {"n": 0}

    class Killed(BaseException):
        """Like SIGKILL for the purpose of the test: nothing catches it."""

    if where == "between two objects":
        real = notification_services.notify_many

        def dying_notify(**kwargs):
            calls["n"] += 1
            if calls["n"] == 3:
                raise Killed
            return real(**kwargs)

        monkeypatch.setattr("govit.jobs.deadlines.notify_many", dying_notify)
    else:
        real_flush = notification_services.EventBatch.flush

        def dying_flush(self):
            calls["n"] += 1
            if calls["n"] == 3:  # after the rows were inserted, before the transaction commits
                raise Killed
            return real_flush(self)

        monkeypatch.setattr(notification_services.EventBatch, "flush", dying_flush)

    with clock.frozen(D(2026, 6, 24)), pytest.raises(Killed):
        runner.run_job("deadline_scan")
    run = JobRun.objects.get(job="deadline_scan")
    assert run.status == RunStatus.FAILED  # not done: the window is still due
    assert 0 < Notification.objects.count() < 11
    assert mailoutbox == []  # mail goes out after the notifications, from the table

    monkeypatch.undo()
    with clock.frozen(D(2026, 6, 24)):
        assert [j.name for j in runner.due_jobs()].count("deadline_scan") == 1
        again = runner.run_job("deadline_scan")
    assert again.status == "done"
    assert JobRun.objects.get(job="deadline_scan").status == RunStatus.DONE

    rows = told()
    assert len(rows) == len(set(rows)) == 11  # 6 overdue + 5 escalations, each exactly once
    keys = [e.data["key"] for e in Event.objects.filter(kind="notification.sent")]
    assert len(keys) == len(set(keys)) == 6  # 3 tasks × (overdue, escalation)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [
            "heilongjiang.cyberspace.clerk@example.gov.cn",  # its task is overdue
            "heilongjiang.competent_department.leader@example.gov.cn",  # its own task overdue
            "heilongjiang.competent_department.leader@example.gov.cn",  # escalation: cyberspace
            "heilongjiang.competent_department.leader@example.gov.cn",  # escalation: crypto
            "heilongjiang.competent_department.leader@example.gov.cn",  # escalation: its own
        ]
    )


def test_celery_beat_lists_every_registered_job():
    from celery.schedules import crontab

    from govit.celery import app

    schedule = app.conf.beat_schedule
    assert set(schedule) == {f"govit.jobs.{job.name}" for job in registry.JOBS}
    for job in registry.JOBS:
        entry = schedule[f"govit.jobs.{job.name}"]
        assert entry["task"] in app.tasks
        assert entry["schedule"] == crontab(**job.schedule.crontab())
    assert schedule["govit.jobs.deadline_scan"]["schedule"] == crontab(hour=7, minute=0)
    assert schedule["govit.jobs.notification_email"]["schedule"] == crontab(minute=5)
    assert app.conf.timezone == "Asia/Shanghai"
    assert app.conf.task_acks_late is True


def test_a_celery_task_runs_the_same_job(tree):
    from govit.celery import app

    app.conf.task_always_eager = True
    try:
        result = app.tasks["govit.jobs.rulebook_expiry"].delay().get()
    finally:
        app.conf.task_always_eager = False
    assert result["status"] == "done" and result["window"] == "2026-11-23T06:30"
    run = JobRun.objects.get(job="rulebook_expiry")
    assert (run.status, run.window) == (RunStatus.DONE, "2026-11-23T06:30")
    # a second delivery of the same message (acks_late after a lost worker) does nothing again
    assert app.tasks["govit.jobs.rulebook_expiry"].apply().get()["status"] == "skipped"
