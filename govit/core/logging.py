"""JSON logs: one object a line (time, level, logger, message, request_id), for Django and gunicorn.

The request id comes from the ``RequestId`` middleware (govit/core/middleware.py) through a
context variable, so every line a request causes, in any module, carries it without being passed
along; a load balancer's ``X-Request-ID`` ties the lines of several app servers together.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import sys
from typing import Any
from zoneinfo import ZoneInfo

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# what a LogRecord always has; anything else on it came in through ``extra=`` and is logged too
_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request"}


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record is emitted, not to the stream that was
    sys.stderr when logging was configured (a test runner swaps and closes its capture streams;
    a thread logging later would otherwise write to a closed file)."""

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object on one line (newlines in the message are escaped)."""

    def __init__(self, tz: str = "Asia/Shanghai") -> None:
        super().__init__()
        self.tz = ZoneInfo(tz)

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, self.tz).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": _request_id_of(record),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and key not in entry and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _request_id_of(record: logging.LogRecord) -> str | None:
    explicit = getattr(record, "request_id", None)
    if explicit:
        return str(explicit)
    # django.request logs errors with extra={"request": request}, outside the middleware's scope
    request = getattr(record, "request", None)
    return getattr(request, "id", None) or request_id.get()


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """The ``LOGGING`` of the settings and the ``logconfig_dict`` of deploy/gunicorn.conf.py:
    everything to standard error as JSON, Django's and gunicorn's loggers included (their own
    plain-text handlers are replaced)."""
    # Django's loggers lose their own handlers and pass their records up to the root's;
    # gunicorn's do not propagate (gunicorn sets that), so they get the handler themselves
    to_root = {"handlers": [], "propagate": True}
    own = {"handlers": ["json"], "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "govit.core.logging.JsonFormatter"}},
        "handlers": {"json": {"class": "govit.core.logging.StderrHandler", "formatter": "json"}},
        "root": {"handlers": ["json"], "level": level},
        "loggers": {
            "django": to_root | {"level": level},
            "django.server": to_root | {"level": level},
            "gunicorn.error": own | {"level": level},
            "gunicorn.access": own | {"level": "INFO"},
        },
    }
