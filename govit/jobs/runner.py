"""Run jobs and remember their windows: ``run_job`` for one job (what a Celery task and
``govit jobs run NAME`` call), ``run_due`` for every job whose window has no successful run yet
(what ``govit jobs run-due`` calls from cron when there is no Redis)."""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from govit.core import clock
from govit.events.services import correlation
from govit.jobs import registry
from govit.jobs.models import JobRun, RunStatus

log = logging.getLogger(__name__)

# A run still marked running after this long died without saying so (a killed worker): its window
# is taken over. Longer than the slowest job at province scale.
LEASE = dt.timedelta(minutes=30)

COUNTED = {
    "projects": "复核项目",
    "new_findings": "新发现",
    "cleared": "已消除",
    "errors": "出错",
    "tasks": "临期待办",
    "renewed": "新增年度义务",
    "obligations": "临期义务",
    "acceptance": "临期验收申请",
    "rectifications": "临期整改",
    "plans": "临期年度计划",
    "opinions": "临期评审意见",
    "jurisdictions": "涉及辖区",
    "notices": "提醒",
    "escalations": "督办",
    "emails": "邮件",
}


@dataclass
class Outcome:
    job: str
    window: str
    status: str  # done / skipped (already done in this window) / busy (running elsewhere) / failed
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    def line(self) -> str:
        label = {"done": "完成", "skipped": "本时段已完成，跳过", "busy": "正在别处运行，跳过"}
        if self.status == "failed":
            return f"✗ {self.job}（{self.window}）失败：{self.error}"
        counts = "，".join(f"{COUNTED.get(k, k)} {v}" for k, v in self.result.items())
        return f"✓ {self.job}（{self.window}）{label[self.status]}" + (
            f"：{counts}" if counts else ""
        )


def _claim(job: registry.Job, window: str, force: bool) -> tuple[JobRun | None, str]:
    now = clock.now()
    with transaction.atomic():
        run, _ = JobRun.objects.select_for_update().get_or_create(
            job=job.name,
            window=window,
            defaults={"status": RunStatus.RUNNING, "started_at": now, "attempts": 0},
        )
        if run.attempts and run.status == RunStatus.DONE and not force:
            return None, "skipped"
        if run.attempts and run.status == RunStatus.RUNNING and now - run.started_at < LEASE:
            return None, "busy"
        run.status, run.started_at, run.finished_at, run.error = RunStatus.RUNNING, now, None, ""
        run.attempts += 1
        run.save()
    return run, ""


def run_job(name: str, *, force: bool = False) -> Outcome:
    """Run one job for the current window. Skipped when this window already has a successful
    run (unless ``force``) or another process is running it. The run is marked done only at the
    end; an exception marks it failed and is raised again, and the window stays due."""
    job = registry.get(name)
    window = job.window(clock.now())
    run, why = _claim(job, window, force)
    if run is None:
        return Outcome(job.name, window, why)
    try:
        with correlation():
            result = job.function(clock.today()) or {}
    except BaseException as exc:  # a KeyboardInterrupt or SystemExit too: the run did not finish
        JobRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            finished_at=clock.now(),
            error="".join(traceback.format_exception_only(exc)).strip()[:2000],
        )
        raise
    JobRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, finished_at=clock.now(), result=result
    )
    return Outcome(job.name, window, "done", result)


def due_jobs(now: dt.datetime | None = None) -> list[registry.Job]:
    """The jobs whose current window has no successful run."""
    now = now or clock.now()
    windows = {job.name: job.window(now) for job in registry.JOBS}
    done = set(
        JobRun.objects.filter(status=RunStatus.DONE, window__in=set(windows.values())).values_list(
            "job", "window"
        )
    )
    return [job for job in registry.JOBS if (job.name, windows[job.name]) not in done]


def run_due() -> list[Outcome]:
    """Run every due job, in registry order; one failing job does not stop the others."""
    outcomes = []
    for job in due_jobs():
        try:
            outcomes.append(run_job(job.name))
        except Exception as exc:
            log.exception("job %s failed", job.name)
            outcomes.append(Outcome(job.name, job.window(clock.now()), "failed", error=str(exc)))
    return outcomes


def last_runs() -> dict[str, JobRun | None]:
    """The latest successful run of each job (None for a job that never ran)."""
    return {
        job.name: JobRun.objects.filter(job=job.name, status=RunStatus.DONE)
        .order_by("-window")
        .first()
        for job in registry.JOBS
    }
