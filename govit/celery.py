"""The Celery app: ``celery -A govit worker`` runs the jobs, ``celery -A govit beat`` schedules
them (China time), both with Redis at REDIS_URL as the broker. One task per registered job, named
``govit.jobs.<name>``; the beat schedule is generated from govit/jobs/registry.py, so a job added
there is scheduled here too. Without Redis, ``govit jobs run-due`` runs the same jobs from cron."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_init, worker_init

from govit.jobs import registry

# Celery's Django fix-up sets Django up in the worker when this is in the environment
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govit.settings.dev")

app = Celery("govit")
app.conf.update(
    # REDIS_URL, as for the cache; CELERY_BROKER_URL when the broker should have a Redis database of
    # its own (a cache.clear() flushes its database, queued jobs included)
    broker_url=os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or None,
    timezone="Asia/Shanghai",
    enable_utc=True,
    task_ignore_result=True,
    # a job is acknowledged when it has finished: a worker killed mid-job leaves the message to
    # be delivered again, and the job's keys make the second run add only what the first had not
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    # Redis redelivers an unacknowledged message after this long: longer than any job runs
    broker_transport_options={"visibility_timeout": 2 * 60 * 60},
    beat_schedule={
        f"govit.jobs.{job.name}": {
            "task": f"govit.jobs.{job.name}",
            "schedule": crontab(**job.schedule.crontab()),
            "options": {"expires": 60 * 60},
        }
        for job in registry.JOBS
    },
)


def _job_task(job: registry.Job):
    def run() -> dict:
        # deferred: the worker imports this module before Django's apps are loaded
        from govit.jobs.runner import run_job

        outcome = run_job(job.name)
        return {"window": outcome.window, "status": outcome.status, **outcome.result}

    run.__name__ = run.__qualname__ = job.name
    run.__doc__ = job.title
    return app.task(name=f"govit.jobs.{job.name}")(run)


tasks = {job.name: _job_task(job) for job in registry.JOBS}


@worker_init.connect
@beat_init.connect
def _require_broker(**_: object) -> None:
    if not app.conf.broker_url:
        raise RuntimeError(
            "未设置 REDIS_URL：Celery 需要 Redis 作为消息代理。没有 Redis 时请用 cron 运行 "
            "`govit jobs run-due`（见 docs/jobs.md）"
        )
