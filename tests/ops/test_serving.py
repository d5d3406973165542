"""One app server as production runs it: gunicorn with deploy/gunicorn.conf.py and the production
settings, WhiteNoise serving the collected static files, /healthz, the HTTPS redirect, and every
line of its log one JSON object, the access log carrying the request id."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.ops.procs import BIN, ROOT, environment, production, production_key


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": "localhost", **headers})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def wait_until_up(port: int, server: subprocess.Popen, deadline: float = 60) -> None:
    start = time.monotonic()
    while time.monotonic() - start < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start listening")


def test_gunicorn_serves_the_app_static_files_and_health_with_json_logs(
    collected_static: Path, redis_url, tmp_path
):
    port = free_port()
    env = production(
        collected_static,
        tmp_path,
        REDIS_URL=redis_url,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
    )
    out, err = open(tmp_path / "out.log", "w+"), open(tmp_path / "err.log", "w+")  # noqa: SIM115
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "govit.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=err,
    )
    try:
        wait_until_up(port, server)
        # the load balancer's probe: plain HTTP, not redirected, its request id returned
        status, headers, body = get(port, "/healthz", **{"X-Request-ID": "lb-probe-1"})
        assert status == 200, body
        assert headers["x-request-id"] == "lb-probe-1"
        assert json.loads(body)["status"] == "ok"

        # pages: HTTP is redirected to HTTPS; behind the proxy (X-Forwarded-Proto from an
        # address gunicorn trusts) they are served, HSTS on, static names hashed
        status, headers, _ = get(port, "/login/")
        assert (status, headers["location"]) == (301, "https://localhost/login/")
        status, headers, body = get(port, "/login/", **{"X-Forwarded-Proto": "https"})
        assert status == 200
        assert "max-age=31536000" in headers["strict-transport-security"]
        manifest = json.loads((collected_static / "static" / "staticfiles.json").read_text())
        hashed = manifest["paths"]["web/govit.css"]
        assert f"/static/{hashed}" in body.decode()

        # the static file itself, from WhiteNoise: cached for good, compressed
        status, headers, body = get(
            port,
            f"/static/{hashed}",
            **{"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"},
        )
        assert status == 200
        assert "immutable" in headers["cache-control"]
        assert headers.get("content-encoding") == "gzip"
    finally:
        server.terminate()
        server.wait(timeout=30)
        out.close()
        err.close()

    lines = [
        json.loads(line)
        for path in (tmp_path / "out.log", tmp_path / "err.log")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]  # every line parses: one JSON object each
    assert lines
    for line in lines:
        assert {"time", "level", "logger", "message", "request_id"} <= set(line)
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    probe = next(line for line in access if line["path"] == "/healthz")
    assert (probe["request_id"], probe["status"], probe["method"]) == ("lb-probe-1", 200, "GET")
    assert probe["duration_ms"] >= 0
    assert all(len(line["request_id"]) == 32 for line in access if line["path"] != "/healthz")
    assert any(line["logger"] == "gunicorn.error" for line in lines)


@pytest.mark.parametrize(("cpus", "expected"), [(1, 3), (2, 5), (16, 12)])
def test_workers_follow_the_cpus_unless_told(monkeypatch, cpus, expected):
    import runpy

    monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(range(cpus)))
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert config["workers"] == expected
    monkeypatch.setenv("GUNICORN_WORKERS", "4")
    assert runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))["workers"] == 4


def test_any_wsgi_server_started_without_settings_gets_production_and_refuses_no_key(tmp_path):
    """govit.wsgi is what uWSGI or mod_wsgi load too: without DJANGO_SETTINGS_MODULE it must not
    fall back to the development settings (DEBUG on, a public key) but refuse to start."""
    env = environment(tmp_path)
    code = "import govit.wsgi"
    started = subprocess.run(
        [str(BIN / "python"), "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert started.returncode != 0
    assert "SECRET_KEY" in started.stderr

    env |= {"SECRET_KEY": production_key(), "ALLOWED_HOSTS": "localhost"}
    code = "import govit.wsgi; from django.conf import settings; print(settings.DEBUG)"
    started = subprocess.run(
        [str(BIN / "python"), "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "False"
