"""/healthz for the load balancer: 200 when the database, the cache and the broker answer; 503 with
the Chinese reason of each that does not (and only the reason: the page is public)."""

from __future__ import annotations

import json

import pytest

from govit.settings.env import caches_from_url
from tests.ops.procs import environment, run

pytestmark = pytest.mark.django_db

DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture(autouse=True)
def no_redis(settings):
    settings.REDIS_URL = settings.CELERY_BROKER_URL = ""
    settings.CACHES = caches_from_url("")


def test_healthy_without_redis_the_broker_is_reported_as_not_configured(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == "ok" and body["problems"] == []
    assert body["checks"]["database"]["ok"] is body["checks"]["cache"]["ok"] is True
    assert body["checks"]["broker"] == {
        "ok": True,
        "configured": False,
        "note": "未配置任务队列，定时任务在进程内运行",
    }


def test_healthy_with_redis_as_cache_and_broker(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    settings.CACHES = caches_from_url(redis_url)
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["broker"]["ok"] is True
    assert "configured" not in response.json()["checks"]["broker"]


def test_redis_down_is_503_naming_the_cache_and_the_broker(client, settings):
    settings.REDIS_URL = DOWN
    settings.CACHES = caches_from_url(DOWN)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"]["ok"] is True
    assert body["problems"] == [
        "缓存无法读写（ConnectionError）",
        "任务队列（Redis）无法连接（ConnectionError）",
    ]
    assert "127.0.0.1" not in response.content.decode()  # no addresses on a public page


def test_a_broker_of_its_own_is_checked_on_its_own(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    settings.CACHES = caches_from_url(redis_url)
    settings.CELERY_BROKER_URL = DOWN
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["problems"] == ["任务队列（Redis）无法连接（ConnectionError）"]


def test_database_down_is_503_with_the_reason(tmp_path):
    """A real unreachable PostgreSQL, in a process of its own: the database and the database
    cache both fail."""
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code); print(r.content.decode())"
    )
    env = environment(
        tmp_path,
        DJANGO_SETTINGS_MODULE="govit.settings.dev",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/govit?connect_timeout=2",
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="CRITICAL",
    )
    result = run(["python", "-c", script], env)
    status, body = result.stdout.split("\n", 1)
    assert status == "503", result.stderr
    report = json.loads(body)
    assert report["checks"]["database"]["ok"] is False
    assert report["checks"]["database"]["reason"] == "数据库无法连接或无法查询（OperationalError）"
    assert report["checks"]["cache"]["ok"] is False


def test_healthz_needs_no_sign_in_and_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/login/").status_code == 301
