"""`govit db ready`: how `make test` decides whether to run the suite on PostgreSQL too."""

from __future__ import annotations

import os
import socket

import pytest

from tests.policy.test_cli import run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_server_exits_1_with_one_line_saying_why(capsys):
    port = free_port()
    code, out, err = run(capsys, "db", "ready", f"postgres://postgres@127.0.0.1:{port}/govit")
    assert code == 1 and out == ""
    assert err.startswith(f"无法连接 PostgreSQL（127.0.0.1:{port}）：")
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sqlite:///var/x.sqlite3"], "只检查 PostgreSQL"),
        (["mysql://root@localhost/govit"], "不支持的 DATABASE_URL"),
    ],
)
def test_a_url_that_is_not_postgres_exits_2(capsys, argv, message):
    code, _, err = run(capsys, "db", "ready", *argv)
    assert code == 2 and message in err


def test_without_a_url_or_DATABASE_URL_exits_2(capsys, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    code, _, err = run(capsys, "db", "ready")
    assert code == 2 and "DATABASE_URL" in err


@pytest.mark.postgres
def test_the_server_the_suite_runs_on_is_ready(capsys):
    code, out, _ = run(capsys, "db", "ready", os.environ["DATABASE_URL"])
    assert code == 0 and out.startswith("✓ PostgreSQL ")
