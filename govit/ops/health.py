"""The health probe behind ``/healthz``: the database, the cache and the job broker, each timed.

A load balancer takes an app server out of rotation on HTTP 503. The reasons are Chinese and name
only what is down (the page is public): the exception's details go to the log.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection

log = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    try:
        if cache.get(key) != "ok":
            raise RuntimeError("cache did not return what was stored")
    finally:
        cache.delete(key)


REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def broker_url() -> str:
    """The job broker: CELERY_BROKER_URL, else REDIS_URL ('' when neither: no broker)."""
    return getattr(settings, "CELERY_BROKER_URL", "") or settings.REDIS_URL


def ping_redis(url: str, timeout: float = 2.0) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()


def _broker() -> None:
    ping_redis(broker_url())


CHECKS: dict[str, tuple[Callable[[], None], str]] = {
    "database": (_database, "数据库无法连接或无法查询"),
    "cache": (_cache, "缓存无法读写"),
    "broker": (_broker, "任务队列（Redis）无法连接"),
}


def probe() -> dict[str, Any]:
    """``{"status": "ok"|"error", "checks": {name: {"ok", "ms"[, "reason"]}}, "problems": [...]}``.
    Without a broker (no REDIS_URL) the jobs run in-process (`govit jobs run-due`): the broker
    is then reported as not configured, which is not a failure."""
    checks: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for name, (check, reason) in CHECKS.items():
        if name == "broker" and not broker_url():
            checks[name] = {
                "ok": True,
                "configured": False,
                "note": "未配置任务队列，定时任务在进程内运行",
            }
            continue
        if name == "broker" and not broker_url().startswith(REDIS_SCHEMES):
            checks[name] = {"ok": True, "configured": True, "note": "任务队列不是 Redis，未检查"}
            continue
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:
            # the load balancer asks every few seconds: one line each time, not a traceback
            log.warning("健康检查失败：%s：%s: %s", name, type(exc).__name__, exc)
            checks[name] = {"ok": False, "reason": f"{reason}（{type(exc).__name__}）"}
            problems.append(checks[name]["reason"])
        else:
            checks[name] = {"ok": True}
        checks[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return {"status": "error" if problems else "ok", "checks": checks, "problems": problems}
