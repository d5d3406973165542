"""The jobs: name, schedule and function. Pure Python, no Django: Celery beat builds its
schedule from this table, and ``govit jobs run-due`` decides from it what is due.

A job is a function ``run(today) -> dict[str, int]`` (what it did, counted) that may be run at any
time, any number of times: it works in small transactions and notifies through keys that make a
second run add nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from govit.core.clock import CHINA


@dataclass(frozen=True)
class Daily:
    """Every day at hour:minute, China time."""

    hour: int
    minute: int = 0

    def last_due(self, now: dt.datetime) -> dt.datetime:
        local = now.astimezone(CHINA)
        due = local.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        return due if due <= local else due - dt.timedelta(days=1)

    def describe(self) -> str:
        return f"每天 {self.hour:02d}:{self.minute:02d}"

    def crontab(self) -> dict[str, int | str]:
        return {"hour": self.hour, "minute": self.minute}


@dataclass(frozen=True)
class Hourly:
    """Every hour at the given minute."""

    minute: int = 0

    def last_due(self, now: dt.datetime) -> dt.datetime:
        local = now.astimezone(CHINA)
        due = local.replace(minute=self.minute, second=0, microsecond=0)
        return due if due <= local else due - dt.timedelta(hours=1)

    def describe(self) -> str:
        return f"每小时第 {self.minute:02d} 分"

    def crontab(self) -> dict[str, int | str]:
        return {"minute": self.minute}


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    schedule: Daily | Hourly
    target: str  # "module:function", imported when the job runs (Django must be set up by then)

    def window(self, now: dt.datetime) -> str:
        """The schedule window ``now`` falls in, named by its start: one successful run each."""
        return self.schedule.last_due(now).strftime("%Y-%m-%dT%H:%M")

    @property
    def function(self) -> Any:
        module, name = self.target.split(":")
        return getattr(import_module(module), name)


# In the order a night runs them: the re-check first, so the morning's reminders and the unit's
# notice of a new blocking finding arrive together at the start of the working day.
JOBS: tuple[Job, ...] = (
    Job(
        "recheck",
        "每晚复核：按规则手册复核每个在办项目，记录新发现的问题",
        Daily(1, 0),
        "govit.jobs.recheck:run",
    ),
    Job(
        "rulebook_expiry",
        "规则手册有效期：90日内到期或已过期的，提醒辖区管理员",
        Daily(6, 30),
        "govit.jobs.rulebooks:run",
    ),
    Job(
        "calendar_missing",
        "工作日历：11月起下一年度节假日安排未录入的，每周提醒辖区管理员",
        Daily(6, 40),
        "govit.jobs.calendar:run",
    ),
    Job(
        "deadline_scan",
        "待办时限：3个工作日内到期、今日到期、已逾期的提醒，逾期的报主管部门督办",
        Daily(7, 0),
        "govit.jobs.deadlines:run",
    ),
    Job(
        "obligations",
        "年度义务：运维报告、绩效评价报告、竣工验收申请期限、自评价期",
        Daily(7, 15),
        "govit.jobs.obligations:run",
    ),
    Job(
        "notification_email",
        "发送提醒邮件（补发未送出的邮件）",
        Hourly(5),
        "govit.jobs.email:run",
    ),
)


class UnknownJob(LookupError):
    def __init__(self, name: str):
        super().__init__(f"没有名为“{name}”的后台任务；可用：{'、'.join(j.name for j in JOBS)}")


def get(name: str) -> Job:
    for job in JOBS:
        if job.name == name:
            return job
    raise UnknownJob(name)
