"""gunicorn for GovIT: ``gunicorn -c deploy/gunicorn.conf.py govit.wsgi`` on every app server.

Production settings unless DJANGO_SETTINGS_MODULE says otherwise. Every line gunicorn and
Django write is one JSON object (govit/core/logging.py); the access log carries the request id
the app returns in X-Request-ID. Environment (all optional):

GUNICORN_BIND              address to listen on (default 0.0.0.0:8000)
GUNICORN_WORKERS           worker processes (default 2 × CPUs + 1, at most 12)
GUNICORN_THREADS           threads per worker (default 1: sync workers; >1: gthread)
GUNICORN_TIMEOUT           seconds before a silent worker is killed and restarted (default 60)
GUNICORN_MAX_REQUESTS      requests before a worker is recycled (default 20000, with jitter; 0: never)
GUNICORN_FORWARDED_ALLOW_IPS  the load balancer's addresses, trusted for X-Forwarded-* (default
                           127.0.0.1)
LOG_LEVEL                  DEBUG / INFO / WARNING … (default INFO)
"""

from __future__ import annotations

import os

from gunicorn import glogging

from govit.core.logging import logging_config

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govit.settings.prod")


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (containers)
    except AttributeError:
        return os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _int("GUNICORN_WORKERS", min(2 * _cpus() + 1, 12))
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# a worker is replaced after this many requests: memory stays bounded over months of uptime.
# Not much sooner: a province's readers send hundreds a second, and a new worker costs a second
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# each worker opens its own database connections after the fork
preload_app = False

loglevel = os.environ.get("LOG_LEVEL", "info").lower()
accesslog = "-"
errorlog = "-"
logconfig_dict = logging_config(loglevel.upper())


class JsonAccessLogger(glogging.Logger):
    """The access log as JSON fields (method, path, status, duration_ms …) on the shared
    formatter, instead of gunicorn's Apache-style line."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        headers = dict((k.lower(), v) for k, v in resp.headers)
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        method, path = environ.get("REQUEST_METHOD", "-"), environ.get("PATH_INFO", "")
        try:
            self.access_log.info(
                "%s %s %s",
                method,
                path,
                status,
                extra={
                    "request_id": headers.get("x-request-id") or environ.get("HTTP_X_REQUEST_ID"),
                    "method": method,
                    "path": path,
                    "query": environ.get("QUERY_STRING", ""),
                    "status": int(status),
                    "duration_ms": round(request_time.total_seconds() * 1000, 1),
                    "bytes": getattr(resp, "sent", None),
                    "remote_addr": environ.get("REMOTE_ADDR"),
                    "user_agent": environ.get("HTTP_USER_AGENT"),
                },
            )
        except Exception:
            self.exception("access log failed")


logger_class = JsonAccessLogger


def post_worker_init(worker):
    """Before a new worker (at start, or replacing a recycled one) takes its first request: the
    URLs, views and rulebooks loaded (govit/ops/warm.py)."""
    from govit.ops.warm import warm_up

    warm_up()
