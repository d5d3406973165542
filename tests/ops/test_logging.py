"""JSON logs with a request id: every request has one (the load balancer's X-Request-ID or a new
one), the response returns it, and every line logged while the request runs carries it."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest

from govit.core.logging import JsonFormatter, request_id
from govit.settings.env import caches_from_url

pytestmark = pytest.mark.django_db


def test_the_load_balancers_request_id_is_kept_and_returned(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.2026-11-23:01")
    assert response["X-Request-ID"] == "lb-7f3a.2026-11-23:01"


@pytest.mark.parametrize("given", ["", "two words", "x" * 129, 'a"}\n{"forged": 1'])
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_new_one(client, given):
    headers = {"HTTP_X_REQUEST_ID": given} if given else {}
    first = client.get("/healthz", **headers)["X-Request-ID"]
    second = client.get("/healthz", **headers)["X-Request-ID"]
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


def test_pages_and_api_answers_carry_the_id_too(client):
    assert len(client.get("/login/")["X-Request-ID"]) == 32
    assert len(client.get("/api/v1/nowhere")["X-Request-ID"]) == 32


def test_a_line_logged_during_a_request_carries_its_id(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_URL = ""
    settings.CACHES = caches_from_url(settings.REDIS_URL)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("govit.ops.health")
    logger.addHandler(handler)
    try:
        client.get("/healthz", HTTP_X_REQUEST_ID="trace-42")
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["message"].split("：")[1] for line in lines] == ["cache", "broker"]
    for line in lines:
        assert line["request_id"] == "trace-42"
        assert (line["level"], line["logger"]) == ("WARNING", "govit.ops.health")
    assert request_id.get() is None  # and nothing is left behind for the next request


def record(message: str, *args, **extra) -> logging.LogRecord:
    rec = logging.LogRecord("govit.jobs", logging.ERROR, __file__, 1, message, args, None)
    rec.__dict__.update(extra)
    return rec


def test_one_json_object_a_line_with_time_level_logger_message_and_request_id():
    token = request_id.set("req-1")
    try:
        line = JsonFormatter().format(record("截止提醒\n已发送 %d 条", 3))
    finally:
        request_id.reset(token)
    assert "\n" not in line
    entry = json.loads(line)
    assert list(entry)[:5] == ["time", "level", "logger", "message", "request_id"]
    assert entry["time"].endswith("+08:00") and "T" in entry["time"]
    assert (entry["level"], entry["logger"]) == ("ERROR", "govit.jobs")
    assert entry["message"] == "截止提醒\n已发送 3 条"
    assert entry["request_id"] == "req-1"


def test_extra_fields_and_exceptions_are_kept():
    try:
        raise ValueError("坏数据")
    except ValueError:
        rec = record("失败", job="deadline_scan", took=object())
        rec.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(rec))
    assert entry["job"] == "deadline_scan"
    assert entry["took"].startswith("<object object")
    assert entry["request_id"] is None
    assert "ValueError: 坏数据" in entry["exception"]


def test_the_settings_send_every_logger_through_the_json_formatter():
    root = logging.getLogger()
    assert any(isinstance(h.formatter, JsonFormatter) for h in root.handlers)
    for name in ("django", "django.request", "django.server"):
        assert logging.getLogger(name).handlers == []  # Django's own text handlers are gone
