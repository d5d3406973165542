"""Kept reads behind a load balancer: two app servers (gunicorn, production settings) over one
database and one Redis. A read kept by one server is answered by the other, and a write on either
is seen by the next read on both."""

from __future__ import annotations

import http.client
import json
import subprocess
from pathlib import Path

import redis

from tests.ops.procs import BIN, ROOT, production, run
from tests.ops.test_serving import free_port, wait_until_up

SETUP = """
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management import call_command
from importlib import import_module

from govit.demo.cast import add_unit, build_tree, staff
from govit.access.services import token_create

call_command("migrate", verbosity=0)
cast = staff(build_tree()["yueyang"], prefix="yueyang")
add_unit(cast, "岳阳市教育局", key="unit", prefix="yueyang")
clerk, leader = cast.user("unit"), cast.user("unit.leader")
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(clerk.pk)
store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
store[HASH_SESSION_KEY] = clerk.get_session_auth_hash()
store.save()
print("SESSION", store.session_key)
print("TOKEN", token_create(actor=leader, name="对接系统")[1])
"""


def request(port: int, method: str, path: str, body: dict | None = None, **headers: str):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        data = json.dumps(body).encode() if body is not None else None
        extra = {"Content-Type": "application/json"} if data else {}
        conn.request(method, path, body=data, headers={"Host": "localhost", **extra, **headers})
        response = conn.getresponse()
        return response.status, response.getheader("X-GovIT-Kept"), response.read().decode()
    finally:
        conn.close()


def test_two_app_servers_share_kept_reads_and_see_each_others_writes(tmp_path, redis_url):
    redis.Redis.from_url(redis_url).flushdb()
    env = production(
        tmp_path,
        tmp_path,
        REDIS_URL=redis_url,
        GOVIT_SSL_REDIRECT="false",
        GOVIT_SECURE_COOKIES="false",
        GUNICORN_WORKERS="1",
    )
    done = run(["python", "-c", "import django; django.setup()\n" + SETUP], env, timeout=300)
    assert done.returncode == 0, done.stderr
    said = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    browser = {"Cookie": f"sessionid={said['SESSION']}"}
    system = {"Authorization": f"Bearer {said['TOKEN']}"}

    ports, servers = [free_port(), free_port()], []
    logs = [open(tmp_path / f"server{i}.log", "w+") for i in range(2)]  # noqa: SIM115
    try:
        for port, log in zip(ports, logs, strict=True):
            servers.append(
                subprocess.Popen(
                    [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "govit.wsgi"],
                    cwd=ROOT,
                    env=env | {"GUNICORN_BIND": f"127.0.0.1:{port}"},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        for port, server in zip(ports, servers, strict=True):
            wait_until_up(port, server)
        one, two = ports

        status, kept, body = request(one, "GET", "/api/v1/projects", **browser)
        assert (status, kept) == (200, "miss") and json.loads(body)["count"] == 0
        # the other server answers from what the first one kept
        assert request(two, "GET", "/api/v1/projects", **browser)[:2] == (200, "hit")

        # a write on the second server (another person of the unit, through the API)
        status, _, body = request(
            two,
            "POST",
            "/api/v1/projects",
            {"name": "教育城域网升级", "plan_year": 2027, "total_investment": "900000"},
            **system,
        )
        assert status == 201, body

        # the next read on the first server is worked out anew and shows it
        status, kept, body = request(one, "GET", "/api/v1/projects", **browser)
        assert (status, kept) == (200, "miss")
        assert [p["name"] for p in json.loads(body)["items"]] == ["教育城域网升级"]
        assert request(two, "GET", "/api/v1/projects", **browser)[:2] == (200, "hit")
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        for log in logs:
            log.close()
    for i in range(2):
        text = Path(tmp_path / f"server{i}.log").read_text(encoding="utf-8")
        assert "Traceback" not in text and "warm-up failed" not in text, text


def test_the_redis_cache_keeps_one_client_a_process(redis_url):
    """Django's own builds a client (and its ~170 reply callbacks) for every read and write."""
    from govit.core.cache import RedisCache

    cache = RedisCache(redis_url, {})
    cache.set("govit-test:client", {"读": 1})
    assert cache.get("govit-test:client") == {"读": 1}
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    cache.set_many({"govit-test:a": 1, "govit-test:b": 2})
    assert cache.get_many(["govit-test:a", "govit-test:b"]) == {
        "govit-test:a": 1,
        "govit-test:b": 2,
    }
    assert cache._cache.get_client() is client
    cache.delete_many(["govit-test:client", "govit-test:a", "govit-test:b"])
