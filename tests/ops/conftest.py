"""A small world for the backup tests, built through the real services: a 岳阳 project declared
and advanced with its uploads (a material revised at a time with microseconds, a submission
with attached versions: a many-to-many table), and a second, fresh database to restore into."""

from __future__ import annotations

import datetime as dt
import io
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.utils import load_backend

from govit.core import clock
from govit.demo.driver import advance_to, upload_missing
from govit.documents.models import DocumentVersion
from govit.documents.services import document_upload
from govit.projects import services as projects
from govit.projects import workflow
from tests.workflow import flows
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixture

MOMENT = dt.datetime(2026, 11, 20, 10, 15, 30, 123456, tzinfo=clock.CHINA)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(tree, media):  # noqa: F811
    cast = make_cast(tree, "yueyang")
    project = flows.declared(cast, amount=1_000_000, name="岳阳市不动产登记数据共享平台")
    project = advance_to(cast, project, "scheme_review")
    step = workflow.current_step(project)
    unit = cast.user("unit")
    with clock.frozen(MOMENT):  # an event whose time has microseconds
        upload_missing(unit, project, step)
        revised = document_upload(
            actor=unit,
            project=project,
            name="项目建设方案",
            upload=io.BytesIO(
                b"%PDF-1.7\n% revised \xe6\x96\xb9\xe6\xa1\x88\n" + bytes(range(256))
            ),
            filename="建设方案（修订）.pdf",
        )
        attached = list(DocumentVersion.objects.filter(document__project=project))
        projects.step_submit(
            actor=unit, step=step, note="报送建设方案", document_ids=[v.pk for v in attached]
        )
    return {"cast": cast, "project": project, "revised": revised}


@pytest.fixture
def fresh_database(tmp_path) -> Iterator[str]:
    """A second, empty database beside the test database, as the alias ``restore``: a SQLite
    file, or on PostgreSQL a database of its own (test_<name>_restore), dropped afterwards."""
    alias = "restore"
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
        settings_dict["TEST"] = dict(settings_dict.get("TEST") or {}) | {"NAME": None}
        created = None
    else:
        import psycopg

        created = f"{connection.settings_dict['NAME']}_restore"
        params = {
            "host": settings_dict["HOST"] or None,
            "port": settings_dict["PORT"] or None,
            "user": settings_dict["USER"] or None,
            "password": settings_dict["PASSWORD"] or None,
        }
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{created}"')
            admin.execute(f'CREATE DATABASE "{created}"')
        settings_dict["NAME"] = created
    # made by hand, not listed in settings.DATABASES: the test runner lets a test use such a
    # connection, and creates no test database for it
    connections[alias] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        if created:
            with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_url() -> str:
    """The machine's Redis (a database number of its own); skipped, saying so, where none runs."""
    from govit.ops.health import ping_redis

    try:
        ping_redis(REDIS_URL, timeout=1)
    except Exception as exc:
        pytest.skip(f"needs Redis at {REDIS_URL}: {exc}")
    return REDIS_URL


class _FakeSmtp(socketserver.StreamRequestHandler):
    """Just enough SMTP for a connection check: a greeting, EHLO, NOOP, QUIT."""

    def handle(self) -> None:
        self.wfile.write(b"220 fake.example ESMTP\r\n")
        for line in self.rfile:
            verb = line.strip().split(b" ")[0].upper()
            if verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            self.wfile.write(
                b"250 fake.example\r\n" if verb in (b"EHLO", b"HELO") else b"250 ok\r\n"
            )


@pytest.fixture
def smtp_server() -> Iterator[tuple[str, int]]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _FakeSmtp)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[:2]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    """A var directory whose static/ holds what `collectstatic` gathers with the production
    settings (hashed, compressed, with its manifest): made once for the session."""
    from tests.ops.procs import PROD, environment, production_key, run

    var = tmp_path_factory.mktemp("var")
    env = environment(
        var, DJANGO_SETTINGS_MODULE=PROD, SECRET_KEY=production_key(), ALLOWED_HOSTS="localhost"
    )
    result = run(["govit", "manage", "collectstatic", "--noinput", "-v0"], env, timeout=300)
    assert result.returncode == 0, result.stderr
    return var
