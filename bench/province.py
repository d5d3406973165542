"""`make bench`, province scale (issue 6): GovIT on PostgreSQL with 50,000 generated projects.

1. A fresh database ``govit_bench`` on 127.0.0.1:5432 (user postgres), migrated and filled by
   ``govit gen --projects N`` (timed). ``--reuse`` keeps a database already generated at that size.
2. The ten main pages and the main API endpoints, each requested in-process through Django's full
   stack (middleware, session, templates, serialisation) as the role that uses it: p50 / p95 server
   time and the number of queries; and for each the hand-written SQL that returns the same rows,
   timed with psycopg directly — the ratio says how much the application adds to the data's cost.
3. Throughput: gunicorn (deploy/gunicorn.conf.py, production settings) on loopback under a mixed
   read load of 50 simulated users (an asyncio HTTP client in this process).
4. The background jobs over the whole province: the deadline scan and the nightly re-check.

Prints a Markdown report (with the load average beside every measurement: the machine is shared)
and writes it to var/bench/province.md; docs/benchmarks.md records dated runs. Exit 0 when every
target holds, 1 when one is missed (the report says which), 2 when the benchmark could not run.

    .venv/bin/python bench/province.py [--projects 50000] [--reuse] [--keep] [--runs 30]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SERVER = "postgres://postgres@127.0.0.1:5432"
# --database and --redis-db change these (one engineer's copy of the data, one Redis db each)
DATABASE = "govit_bench"
URL = f"{SERVER}/{DATABASE}"
REDIS = "redis://127.0.0.1:6379/5"
VAR = ROOT / "var" / "bench" / "province"

TARGET_P95_MS = 50.0
TARGET_QUERIES = 10
TARGET_RATIO = 3.0
TARGET_RPS = 300.0
TARGET_JOBS_S = 10.0


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- 1. the database ------------------------------------------------------------------------------


def admin_connection():
    import psycopg

    return psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=5)


def generated_projects() -> int | None:
    """Projects in an existing bench database (None when there is none)."""
    import psycopg

    with admin_connection() as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            return None
    try:
        with psycopg.connect(URL, connect_timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM projects_project").fetchone()[0]
    except psycopg.Error:
        return None


def redis_for_bench() -> str | None:
    """A Redis database of the benchmark's own, emptied; None where no Redis answers (the cache
    is then the database's, as on a deployment without Redis)."""
    import redis

    client = redis.Redis.from_url(REDIS, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.RedisError:
        say(f"== no Redis at {REDIS}: cache and sessions in the database")
        return None
    return REDIS


def drop_database() -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def prepare(projects: int, reuse: bool, env: dict[str, str]) -> dict[str, Any]:
    existing = generated_projects()
    govit = str(BIN / "govit")
    if reuse and existing == projects:
        say(f"== reusing {DATABASE} ({existing} projects), migrated to this checkout")
        subprocess.run([govit, "manage", "migrate", "--noinput", "-v", "0"], check=True, env=env)
        return {"reused": True, "seconds": None, "load": load()}
    say(f"== creating {DATABASE}")
    drop_database()
    shutil.rmtree(VAR, ignore_errors=True)
    VAR.mkdir(parents=True, exist_ok=True)
    with admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    subprocess.run([govit, "manage", "migrate", "--noinput", "-v", "0"], check=True, env=env)
    before = load()
    started = time.perf_counter()
    subprocess.run([govit, "gen", "--projects", str(projects)], check=True, env=env)
    seconds = time.perf_counter() - started
    return {"reused": False, "seconds": seconds, "load": f"{before} → {load()}"}


# --- 2. pages and endpoints, against their SQL ----------------------------------------------------


@dataclass
class Target:
    label: str
    kind: str  # page / api
    user: Any
    url: str
    sql: list[tuple[str, dict[str, Any]]]  # the statements that return the same rows
    note: str = ""


@dataclass
class Timing:
    """One way of reading a page: ``fresh`` (worked out anew: the first read after a change,
    what ``Cache-Control: no-cache`` asks for) or ``kept`` (answered from the kept reads while
    nothing it shows has changed: govit/kept/reads.py)."""

    p50: float = 0.0
    p95: float = 0.0
    queries: int = 0
    answered: str = ""  # the X-GovIT-Kept header of the last answer (hit / miss / absent)
    slowest: list[tuple[float, str]] = field(default_factory=list)


@dataclass
class Result:
    target: Target
    status: int = 0
    fresh: Timing = field(default_factory=Timing)
    kept: Timing = field(default_factory=Timing)
    sql_p50: float | None = None
    load: str = ""

    def ratio(self, timing: Timing) -> float | None:
        return timing.p50 / self.sql_p50 if self.sql_p50 else None

    def verdicts(self) -> list[str]:
        """Every target on both ways of reading: the fresh read is what a reader meets after
        every change, the kept one what they meet the rest of the time."""
        missed = []
        if self.status != 200:
            missed.append(f"HTTP {self.status}")
        for way in ("fresh", "kept"):
            timing = getattr(self, way)
            if timing.p95 > TARGET_P95_MS:
                missed.append(f"p95 ({way})")
            if timing.queries > TARGET_QUERIES:
                missed.append(f"queries ({way})")
            ratio = self.ratio(timing)
            if ratio is not None and ratio > TARGET_RATIO:
                missed.append(f"ratio ({way})")
        return missed


NOT_DRAFT = "status <> 'draft'"


def visible(alias: str = "p") -> str:
    """What a competent department (and an auditor) sees: its jurisdiction's declared projects."""
    return f"{alias}.jurisdiction_id = %(j)s AND {alias}.{NOT_DRAFT}"


def targets(today: dt.date) -> tuple[list[Target], dict[str, Any]]:
    from django.db.models import Count

    from govit.events.models import Event
    from govit.organizations.models import Role, User
    from govit.projects.models import Project

    def user(username: str) -> User:
        return User.objects.select_related("organization").get(username=username)

    place = "heilongjiang"  # the largest jurisdiction: a third of the province's projects
    competent = user(f"{place}.competent_department.clerk")
    admin = User.objects.filter(
        username=f"{place}.competent_department.leader", roles__role=Role.ADMIN
    ).get()
    j = competent.organization.jurisdiction_id
    busiest_unit = (
        Project.objects.filter(jurisdiction_id=j)
        .values("unit_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["unit_id"]
    )
    unit = User.objects.filter(organization_id=busiest_unit, username__endswith=".clerk").first()
    # the project page's worst case: the active project with the longest history
    busiest = (
        Event.objects.filter(project__jurisdiction_id=j, project__status="active")
        .values("project_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["project_id"]
    )
    yueyang = user("yueyang.competent_department.clerk")
    yj = yueyang.organization.jurisdiction_id
    ctx = {
        "j": j,
        "org": competent.organization_id,
        "p": busiest,
        "today": today,
        "year": today.year + 1,
        "unit": busiest_unit,
        "yj": yj,
    }

    def q(sql: str, **extra: Any) -> tuple[str, dict[str, Any]]:
        return sql, {**ctx, **extra}

    tasks_of_org = f"""
        SELECT t.id, t.status, t.due_on, t.round, t.lead, t.actor, t.version, t.opened_at,
               p.id, p.code, p.name, s.kind, s.name, s.cite, s.filing, o.id, o.name, o.kind
        FROM projects_task t
        JOIN projects_project p ON p.id = t.project_id
        JOIN projects_projectstep s ON s.id = t.step_id
        JOIN organizations_organization o ON o.id = t.organization_id
        WHERE t.organization_id = %(org)s AND t.status = 'open' AND {visible()}
        ORDER BY t.due_on ASC NULLS LAST, t.id"""
    project_page = [
        q(
            """SELECT p.*, j.name, u.name, r.rulebook_id, r.version FROM projects_project p
            JOIN jurisdictions_jurisdiction j ON j.id = p.jurisdiction_id
            JOIN organizations_organization u ON u.id = p.unit_id
            LEFT JOIN jurisdictions_rulebookversion r ON r.id = p.rulebook_id
            WHERE p.id = %(p)s AND p.jurisdiction_id = %(j)s"""
        ),
        q("SELECT * FROM projects_projectstep WHERE project_id = %(p)s ORDER BY seq"),
        q(
            """SELECT t.*, o.name FROM projects_task t
            JOIN organizations_organization o ON o.id = t.organization_id
            WHERE t.project_id = %(p)s ORDER BY t.step_id, t.round, t.lead DESC, t.id"""
        ),
    ]
    return [
        Target(
            "工作台 / workbench (home)",
            "page",
            competent,
            "home",
            [
                q(tasks_of_org + " LIMIT 200"),
                q(f"SELECT count(*) FROM projects_project p WHERE {visible()}"),
            ],
        ),
        Target(
            "项目列表 / project-list",
            "page",
            competent,
            "project-list",
            [
                q(f"SELECT count(*) FROM projects_project p WHERE {visible()}"),
                q(
                    f"""SELECT p.id, p.code, p.name, p.status, p.stage, p.plan_year,
                    p.total_investment, p.declared_on, u.name, j.name FROM projects_project p
                    JOIN organizations_organization u ON u.id = p.unit_id
                    JOIN jurisdictions_jurisdiction j ON j.id = p.jurisdiction_id
                    WHERE {visible()} ORDER BY p.id DESC LIMIT 25"""
                ),
                q(
                    f"""SELECT DISTINCT t.project_id FROM projects_task t WHERE t.status = 'open'
                    AND t.due_on < %(today)s AND t.project_id IN (SELECT p.id FROM
                    projects_project p WHERE {visible()} ORDER BY p.id DESC LIMIT 25)"""
                ),
                q(
                    f"""SELECT id, name FROM organizations_organization WHERE id IN
                    (SELECT p.unit_id FROM projects_project p WHERE {visible()}) ORDER BY name"""
                ),
            ],
        ),
        Target(
            "项目页 / project-detail (busiest project)",
            "page",
            competent,
            "project-detail",
            [
                *project_page,
                q(
                    """SELECT op.*, us.real_name, o.name FROM projects_opinion op
                    JOIN organizations_user us ON us.id = op.user_id
                    LEFT JOIN organizations_organization o ON o.id = op.organization_id
                    WHERE op.project_id = %(p)s ORDER BY op.step_id, op.at"""
                ),
                q(
                    """SELECT d.id, d.name, v.id, v.number, v.filename, v.size, v.sm3,
                    v.uploaded_at, us.real_name FROM documents_document d
                    LEFT JOIN documents_documentversion v ON v.document_id = d.id
                    LEFT JOIN organizations_user us ON us.id = v.uploaded_by_id
                    WHERE d.project_id = %(p)s ORDER BY d.name, v.number"""
                ),
                q(
                    "SELECT * FROM events_event WHERE project_id = %(p)s ORDER BY seq DESC LIMIT 100"
                ),
                q("SELECT count(*) FROM events_event WHERE project_id = %(p)s"),
                q(
                    """SELECT c.*, o.name FROM contracts_contract c
                    JOIN organizations_organization o ON o.id = c.vendor_id
                    WHERE c.project_id = %(p)s ORDER BY c.signed_on"""
                ),
                q(
                    "SELECT * FROM delivery_progressreport WHERE project_id = %(p)s ORDER BY id DESC LIMIT 10"
                ),
            ],
        ),
        Target(
            "年度计划 / plan-board (next year)",
            "page",
            competent,
            "plan-board",
            [
                q("SELECT DISTINCT year FROM planning_annualplan WHERE jurisdiction_id = %(j)s"),
                q(f"SELECT DISTINCT plan_year FROM projects_project p WHERE {visible()}"),
                q(
                    f"""SELECT p.id, p.code, p.name, p.stage, p.status, p.total_investment, u.name
                    FROM projects_project p JOIN organizations_organization u ON u.id = p.unit_id
                    WHERE {visible()} AND p.plan_year = %(year)s ORDER BY p.code, p.id"""
                ),
                q(
                    f"""SELECT s.project_id, s.status FROM projects_projectstep s
                    WHERE s.kind = 'annual_plan' AND s.project_id IN (SELECT p.id FROM
                    projects_project p WHERE {visible()} AND p.plan_year = %(year)s)"""
                ),
                q(
                    """SELECT pl.*, e.id, e.amount, e.project_id, pr.code, pr.name, u.name
                    FROM planning_annualplan pl
                    LEFT JOIN planning_planentry e ON e.plan_id = pl.id
                    LEFT JOIN projects_project pr ON pr.id = e.project_id
                    LEFT JOIN organizations_organization u ON u.id = pr.unit_id
                    WHERE pl.jurisdiction_id = %(j)s AND pl.year = %(year)s
                    ORDER BY pl.kind, pl.number, e.id"""
                ),
            ],
        ),
        Target(
            "专家抽取 / expert-draws (岳阳市)",
            "page",
            yueyang,
            "expert-draws",
            [
                q(
                    """SELECT s.*, p.code, p.name, u.name FROM projects_projectstep s
                    JOIN projects_project p ON p.id = s.project_id
                    JOIN organizations_organization u ON u.id = p.unit_id
                    WHERE p.jurisdiction_id = %(yj)s AND p.status <> 'draft'
                    AND s.status = 'in_review'
                    AND (s.kind = 'expert_review' OR s.co_actors::jsonb ? 'experts')
                    AND NOT EXISTS (SELECT 1 FROM reviews_reviewmeeting m WHERE m.step_id = s.id
                                    AND m.status IN ('planned', 'drawn'))
                    ORDER BY s.due_on, s.started_on, s.id"""
                ),
                q(
                    """SELECT m.*, p.code, p.name, s.name, d.id, d.seed, d.drawn, d.drawn_at
                    FROM reviews_reviewmeeting m
                    JOIN projects_project p ON p.id = m.project_id
                    JOIN projects_projectstep s ON s.id = m.step_id
                    LEFT JOIN reviews_expertdraw d ON d.meeting_id = m.id
                    WHERE p.jurisdiction_id = %(yj)s AND p.status <> 'draft'
                    ORDER BY m.id DESC LIMIT 200"""
                ),
            ],
        ),
        Target(
            "合规自检 / selfcheck",
            "page",
            unit,
            "selfcheck",
            [
                q(
                    """SELECT j.id, r.rulebook_id, r.version FROM jurisdictions_jurisdiction j
                    JOIN jurisdictions_rulebookversion r ON r.id = j.rulebook_id
                    WHERE j.id = %(j)s"""
                )
            ],
            note="the page is the rulebook's form and decide(): one row from the database",
        ),
        Target(
            "统计 / dashboard",
            "page",
            competent,
            "dashboard",
            [
                q(
                    f"""SELECT p.status, p.stage, count(*), sum(p.total_investment)
                    FROM projects_project p WHERE {visible()} GROUP BY 1, 2"""
                ),
                q(
                    f"""SELECT p.unit_id, u.name, count(*), sum(p.total_investment)
                    FROM projects_project p JOIN organizations_organization u ON u.id = p.unit_id
                    WHERE {visible()} GROUP BY 1, 2 ORDER BY 4 DESC, 2"""
                ),
                q(
                    f"""SELECT p.plan_year, count(*), sum(p.total_investment)
                    FROM projects_project p WHERE {visible()} GROUP BY 1 ORDER BY 1"""
                ),
                q(
                    f"""SELECT t.organization_id, o.name, count(*) FROM projects_task t
                    JOIN organizations_organization o ON o.id = t.organization_id
                    WHERE t.status = 'open' AND t.due_on < %(today)s AND t.project_id IN
                    (SELECT p.id FROM projects_project p WHERE {visible()})
                    GROUP BY 1, 2 ORDER BY 3 DESC, 2"""
                ),
                q(
                    f"""SELECT s.kind, s.started_on, (s.closed_at AT TIME ZONE 'Asia/Shanghai')::date,
                    s.working_days, count(*) FROM projects_projectstep s
                    WHERE s.status = 'passed' AND s.started_on IS NOT NULL
                    AND s.closed_at IS NOT NULL AND s.project_id IN
                    (SELECT p.id FROM projects_project p WHERE {visible()}) GROUP BY 1, 2, 3, 4"""
                ),
            ],
        ),
        Target(
            "规则手册 / rulebook-list",
            "page",
            competent,
            "rulebook-list",
            [],
            note="read from the rulebook files, not the database",
        ),
        Target(
            "规则手册条文 / rulebook-detail",
            "page",
            competent,
            "rulebook-detail:heilongjiang",
            [],
            note="read from the rulebook files, not the database",
        ),
        Target(
            "管理 / admin-home",
            "page",
            admin,
            "admin-home",
            [
                q(
                    """SELECT count(*), count(*) FILTER (WHERE is_active)
                    FROM organizations_organization WHERE jurisdiction_id = %(j)s"""
                ),
                q(
                    """SELECT count(*), count(*) FILTER (WHERE u.is_active) FROM organizations_user u
                    JOIN organizations_organization o ON o.id = u.organization_id
                    WHERE o.jurisdiction_id = %(j)s"""
                ),
            ],
        ),
        Target(
            "GET /api/v1/projects",
            "api",
            competent,
            "/api/v1/projects",
            [
                q(f"SELECT count(*) FROM projects_project p WHERE {visible()}"),
                q(
                    f"""SELECT p.*, u.id, u.name, u.kind, r.rulebook_id, r.version
                    FROM projects_project p JOIN organizations_organization u ON u.id = p.unit_id
                    LEFT JOIN jurisdictions_rulebookversion r ON r.id = p.rulebook_id
                    WHERE {visible()} ORDER BY p.id DESC LIMIT 20"""
                ),
            ],
        ),
        Target(
            "GET /api/v1/projects/{id}",
            "api",
            competent,
            f"/api/v1/projects/{busiest}",
            [
                *project_page,
                q(
                    """SELECT data FROM events_event WHERE project_id = %(p)s
                    AND kind = 'project.declared' ORDER BY id DESC LIMIT 1"""
                ),
            ],
        ),
        Target(
            "GET /api/v1/tasks",
            "api",
            competent,
            "/api/v1/tasks",
            [
                q(
                    f"""SELECT count(*) FROM projects_task t JOIN projects_project p
                    ON p.id = t.project_id WHERE t.organization_id = %(org)s
                    AND t.status = 'open' AND {visible()}"""
                ),
                q(tasks_of_org + " LIMIT 20"),
            ],
        ),
        Target(
            "GET /api/v1/projects/{id}/events",
            "api",
            competent,
            f"/api/v1/projects/{busiest}/events",
            [
                project_page[0],
                q("SELECT count(*) FROM events_event WHERE project_id = %(p)s"),
                q("SELECT * FROM events_event WHERE project_id = %(p)s ORDER BY id LIMIT 20"),
            ],
        ),
        Target(
            "GET /api/v1/projects/{id}/documents",
            "api",
            competent,
            f"/api/v1/projects/{busiest}/documents",
            [
                project_page[0],
                q(
                    """SELECT d.id, d.step_kind, d.name, v.id, v.number, v.filename, v.size,
                    v.content_type, v.sm3, v.uploaded_at, us.real_name FROM documents_document d
                    LEFT JOIN documents_documentversion v ON v.document_id = d.id
                    LEFT JOIN organizations_user us ON us.id = v.uploaded_by_id
                    WHERE d.project_id = %(p)s ORDER BY d.project_id, d.step_kind, d.name, v.number"""
                ),
            ],
        ),
    ], ctx


def resolve(target: Target, ctx: dict[str, Any]) -> str:
    from django.urls import reverse

    if target.kind == "api":
        return target.url
    name, _, arg = target.url.partition(":")
    if name == "project-detail":
        return reverse(name, args=[ctx["p"]])
    return reverse(name, args=[arg] if arg else [])


FRESH = {"HTTP_CACHE_CONTROL": "no-cache"}  # a hard reload: never answered from kept reads


def _timed(client, url: str, runs: int, headers: dict[str, str]) -> Timing:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from govit.kept.reads import HEADER

    timing = Timing()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url, **headers)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    timing.answered = response.get(HEADER, "—")
    timing.queries = len(queries)
    timing.slowest = sorted(
        ((float(q["time"]) * 1000, q["sql"]) for q in queries.captured_queries), reverse=True
    )[:3]
    timing.p50 = statistics.median(times)
    timing.p95 = statistics.quantiles(times, n=20)[-1]
    return timing


def measure_target(target: Target, url: str, runs: int, sql_conn) -> Result:
    from django.test import Client

    client = Client()
    client.force_login(target.user)
    result = Result(target, load=load())
    for _ in range(3):  # the first also gives the browser its CSRF cookie
        result.status = client.get(url).status_code
    result.fresh = _timed(client, url, runs, FRESH)
    result.kept = _timed(client, url, runs, {})
    if target.sql:
        sql_times = []
        for i in range(runs + 3):
            started = time.perf_counter()
            with sql_conn.cursor() as cursor:
                for sql, params in target.sql:
                    cursor.execute(sql, params)
                    cursor.fetchall()
            if i >= 3:
                sql_times.append((time.perf_counter() - started) * 1000)
        result.sql_p50 = statistics.median(sql_times)
    return result


def profile(target: Target, url: str) -> None:
    """Where the time of three requests goes, by cumulative time, on standard error."""
    import cProfile
    import io
    import pstats

    from django.test import Client

    client = Client()
    client.force_login(target.user)
    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        client.get(url, **FRESH)  # the view's own work, not the kept answer
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    say(f"== profile of {target.label} ({url}), 3 requests\n{out.getvalue()}")


# --- 3. throughput --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(
    env: dict[str, str], workers: int, kept: bool = True
) -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    server_env = {
        **env,
        "GOVIT_KEPT_READS": "1" if kept else "0",
        "DJANGO_SETTINGS_MODULE": "govit.settings.prod",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "GOVIT_SSL_REDIRECT": "false",
        "GOVIT_SECURE_COOKIES": "false",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
    }
    subprocess.run(
        [str(BIN / "govit"), "manage", "collectstatic", "--noinput", "-v", "0"],
        check=True,
        env=server_env,
    )
    log = VAR / "gunicorn.log"
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "govit.wsgi"],
        env=server_env,
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(300):
        try:
            status, _ms, _kept = asyncio.run(request(port, "/healthz", ""))
            if status:
                return process, port, log
        except OSError:
            pass
        time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"gunicorn did not answer on port {port}; see {log}")


async def request(port: int, path: str, cookie: str) -> tuple[int, float]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
                "Accept-Language: zh-hans\r\nConnection: close\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
    status = int(data[9:12]) if data.startswith(b"HTTP/1.") else 0
    head = data.split(b"\r\n\r\n", 1)[0]
    return status, (time.perf_counter() - started) * 1000, b"\r\nX-GovIT-Kept: hit" in head


def sessions_and_paths(ctx: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """For each simulated person: the cookies of a signed-in browser (session and CSRF) and the
    reads they do (a competent department's clerk or a construction unit's, of every
    jurisdiction)."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from govit.gen.setup import PLACES
    from govit.organizations.models import User
    from govit.projects.visibility import visible_projects

    people = []
    for place in PLACES:
        people.append(User.objects.get(username=f"{place}.competent_department.clerk"))
        people += list(
            User.objects.filter(
                username__startswith=f"{place}.unit", username__endswith=".clerk"
            ).order_by("username")[:3]
        )
    out = []
    for person in people:
        client = Client()
        client.force_login(person)
        client.get(reverse("home"))  # as a browser's first page: the CSRF cookie its forms use
        cookie = "; ".join(
            f"{name}={client.cookies[name].value}"
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
        )
        ids = list(visible_projects(person).order_by("-id").values_list("pk", flat=True)[:300])
        if not ids:
            continue
        paths = (
            [reverse("home")] * 3
            + [f"{reverse('project-list')}?page={n}" for n in (1, 1, 2, 3, 5)]
            + [reverse("project-detail", args=[pk]) for pk in ids[:8]]
            + ["/api/v1/projects", "/api/v1/projects?page=2", "/api/v1/tasks"] * 2
            + [f"/api/v1/projects/{pk}" for pk in ids[8:14]]
            + [f"/api/v1/projects/{pk}/events" for pk in ids[14:18]]
            + [f"/api/v1/projects/{pk}/documents" for pk in ids[18:20]]
        )
        out.append((cookie, paths))
    return out


async def load_test(port: int, people, users: int, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    kept = 0
    stop = time.perf_counter() + seconds

    async def user(n: int) -> None:
        nonlocal kept
        rng = random.Random(n)
        cookie, paths = people[n % len(people)]
        while time.perf_counter() < stop:
            try:
                status, ms, hit = await request(port, rng.choice(paths), cookie)
            except OSError as exc:
                errors.append(type(exc).__name__)
                continue
            statuses[status] = statuses.get(status, 0) + 1
            latencies.append(ms)
            kept += hit

    started = time.perf_counter()
    await asyncio.gather(*(user(n) for n in range(users)))
    elapsed = time.perf_counter() - started
    ok = statuses.get(200, 0)
    return {
        "requests": len(latencies),
        "ok": ok,
        "rps": ok / elapsed,
        "statuses": statuses,
        "errors": len(errors) + sum(v for k, v in statuses.items() if k != 200),
        "p50": statistics.median(latencies) if latencies else 0,
        "p95": statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 20 else 0,
        "kept": kept,
        "seconds": elapsed,
    }


CLIENTS = {
    "wrk": "wrk, 2 threads, one connection per user",
    "asyncio": "the benchmark's asyncio client, one connection per request",
}

WRK_SCRIPT = """
local reads = {__READS__}
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  not_ok = 0
  hits = 0
  math.randomseed(id * 7919)
end
function request()
  local read = reads[math.random(#reads)]
  return wrk.format("GET", read[2], {
    ["Host"] = "127.0.0.1", ["Cookie"] = read[1], ["Accept-Language"] = "zh-hans",
  })
end
function response(status, headers, body)
  if status ~= 200 then not_ok = not_ok + 1 end
  if headers["X-GovIT-Kept"] == "hit" then hits = hits + 1 end
end
function done(summary, latency, requests)
  local bad, kept = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not_ok")
    kept = kept + thread:get("hits")
  end
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %.1f %.1f %d\\n", summary.requests,
    summary.duration, e.connect + e.read + e.write + e.timeout, bad,
    latency:percentile(50), latency:percentile(95), kept))
end
"""


def wrk_test(port: int, people, users: int, seconds: float) -> dict[str, Any]:
    """The same load with wrk (C, two threads, `users` connections): the client costs a fraction
    of the CPU the asyncio client takes from the two cores the server shares with it."""
    reads = ", ".join(
        f"{{{json.dumps(cookie)}, {json.dumps(path)}}}"
        for cookie, paths in people
        for path in paths
    )
    script = VAR / "mixed.lua"
    script.write_text(WRK_SCRIPT.replace("__READS__", reads), encoding="utf-8")
    command = ["wrk", "-t", "2", "-c", str(users), "-d", f"{seconds:.0f}s", "-s", str(script)]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}/"], capture_output=True, text=True, check=True
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    requests, micros, socket_errors, not_ok, p50, p95, hits = line.split()[1:]
    elapsed = int(micros) / 1e6
    ok = int(requests) - int(not_ok)
    return {
        "requests": int(requests),
        "ok": ok,
        "rps": ok / elapsed,
        "errors": int(socket_errors) + int(not_ok),
        "p50": float(p50) / 1000,
        "p95": float(p95) / 1000,
        "kept": int(hits),
        "seconds": elapsed,
        "client": "wrk",
    }


WRITER = """
import io, random, sys, time
import django
django.setup()
from govit.documents.services import document_upload
from govit.gen.setup import PLACES
from govit.organizations.models import User
from govit.projects.models import Project

rate, seconds = float(sys.argv[1]), float(sys.argv[2])
people = {}
for place in PLACES:  # each jurisdiction's active projects, with their unit's clerk
    office = User.objects.get(username=f"{place}.competent_department.clerk").organization
    active = Project.objects.filter(jurisdiction_id=office.jurisdiction_id, status="active")
    for project in active.order_by("-id")[:40]:
        clerks = User.objects.filter(organization_id=project.unit_id, username__endswith=".clerk")
        clerk = clerks.first()
        if clerk is not None:
            people.setdefault(place, []).append((clerk, project))
places, rng, done, n = sorted(people), random.Random(7), 0, 0
stop = time.perf_counter() + seconds
while time.perf_counter() < stop:
    started = time.perf_counter()
    clerk, project = rng.choice(people[places[n % len(places)]])
    document_upload(actor=clerk, project=project, name="进度说明",
                    upload=io.BytesIO(b"%PDF-1.7 w"), filename="进度说明.pdf")
    done, n = done + 1, n + 1
    time.sleep(max(0.0, 1 / rate - (time.perf_counter() - started)))
print("WROTE", done)
"""


def writing(env: dict[str, str], rate: float, seconds: float) -> subprocess.Popen:
    """Uploads at ``rate`` a second, the jurisdictions in turn, each recording its event: the
    kept reads of that jurisdiction are stale from then on (a busy working hour of a province)."""
    return subprocess.Popen(
        [str(BIN / "python"), "-c", WRITER, str(rate), str(seconds)],
        env={**env, "DJANGO_SETTINGS_MODULE": "govit.settings.base"},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def throughput(
    env, ctx, users: int, seconds: float, workers: int, writes: float = 0
) -> list[dict[str, Any]]:
    """The mixed read load (the target), the same people reading through the API only, and the
    mixed load again on a server that keeps nothing (every read worked out anew: what the
    kept reads buy). With wrk on the machine (Debian's package) it drives the load; otherwise the
    asyncio client here does."""
    people = sessions_and_paths(ctx)
    api_only = [(cookie, [p for p in paths if p.startswith("/api/")]) for cookie, paths in people]
    use_wrk = shutil.which("wrk") is not None
    results = []
    runs = [
        ("mixed reads (pages and API)", people, True, 0.0),
        ("API reads only", api_only, True, 0.0),
        (f"mixed reads while {writes:g} uploads a second are written", people, True, writes),
        ("mixed reads, every read fresh (kept reads off)", people, False, 0.0),
    ]
    if not writes:
        runs = [run for run in runs if not run[3]]
    for kept in (True, False):
        process, port, _log = serve(env, workers, kept=kept)
        try:
            asyncio.run(load_test(port, people, users, 3))  # warm every worker
            for mix, who, with_kept, rate in runs:
                if with_kept != kept:
                    continue
                before = load()
                writer = writing(env, rate, seconds) if rate else None
                if use_wrk:
                    result = wrk_test(port, who, users, seconds)
                else:
                    result = asyncio.run(load_test(port, who, users, seconds))
                    result["client"] = "asyncio"
                if writer is not None:
                    out, _ = writer.communicate(timeout=seconds + 120)
                    result["written"] = int(out.split()[-1]) if out.strip() else 0
                    if writer.returncode:
                        raise RuntimeError("the writer of the load failed")
                result.update(mix=mix, load=f"{before} → {load()}", workers=workers)
                results.append(result)
        finally:
            process.terminate()
            process.wait(timeout=30)
    return results


# --- 4. the jobs ----------------------------------------------------------------------------------


NIGHTS = (
    ("catch-up", "first night on the generated data: every task already due or overdue"),
    ("again", "the same night again: idempotent, nobody told twice"),
    ("next day", "the next working day: the reminders its dates bring, on top of the catch-up"),
)


def jobs(today: dt.date) -> list[dict[str, Any]]:
    """The deadline scan and the re-check, night after night: the catch-up on data where 12,000
    tasks are due at once, the same night again, and the next working day (a normal night)."""
    import importlib

    from govit.core import clock
    from govit.jobs.common import add_working_days
    from govit.policy.calendar import default_calendar

    next_day = add_working_days(default_calendar(), today, 1)
    out = []
    for night, _what in NIGHTS:
        on = next_day if night == "next day" else today
        for name, module in (
            ("deadline scan", "govit.jobs.deadlines"),
            ("nightly re-check", "govit.jobs.recheck"),
        ):
            try:
                run = importlib.import_module(module).run
            except ImportError as exc:
                out.append({"job": name, "night": night, "missing": f"{module}: {exc}"})
                continue
            before = load()
            started = time.perf_counter()
            with clock.frozen(dt.datetime.combine(on, dt.time(1, 0), tzinfo=clock.CHINA)):
                counts = run(on)
            seconds = time.perf_counter() - started
            out.append(
                {
                    "job": f"{name}, {night} ({on:%m-%d})",
                    "night": night,
                    "seconds": seconds,
                    "counts": counts,
                    "load": before,
                }
            )
    return out


# --- the report -----------------------------------------------------------------------------------


def machine() -> str:
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    import psycopg

    with psycopg.connect(URL) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0].split()[0]
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {mem}, Python {platform.python_version()}, "
        f"PostgreSQL {pg} on the same machine"
    )


def report(args, prep, counts, results, load_result, job_results, started_load) -> tuple[str, bool]:
    ok = True
    from govit.core import clock

    now = clock.now().strftime("%Y-%m-%d %H:%M 北京时间")
    gen = (
        "reused an existing generated database"
        if prep["reused"]
        else f"`govit gen --projects {args.projects}` took {prep['seconds']:.0f} s (load {prep['load']})"
    )
    lines = [
        f"## Province scale on PostgreSQL — {now}",
        "",
        f"Machine: {machine()}. Load average (1/5/15 min) at the start: {started_load}; the two "
        "cores are shared with other work, so every row carries the load average when it ran.",
        "Cache and session reads: "
        + ("Redis on the same machine." if os.environ.get("REDIS_URL") else "the database.")
        + " "
        f"Command: `.venv/bin/python bench/province.py --projects {args.projects}` (`make bench`). "
        f"Data: {gen}: {counts}.",
        "",
        f"### Pages and API endpoints ({args.runs} timed requests each way after 3 warm-up, "
        "in-process through the full Django stack)",
        "",
        "Server time in ms, each page read two ways: **fresh** (worked out anew, as after every "
        "change: the request says `Cache-Control: no-cache`) and **kept** (answered from the kept "
        "reads while nothing it shows has changed, govit/kept/reads.py). SQL = the hand-written "
        "statements returning the same rows, timed with psycopg (p50); ratio = p50 / SQL p50.",
        "",
        "| page / endpoint | as | fresh p50 | fresh p95 | queries | kept p50 | kept p95 | queries "
        f"| SQL p50 | ratio fresh / kept | load | misses (p95 ≤ {TARGET_P95_MS:.0f}, "
        f"≤ {TARGET_QUERIES} queries, ratio ≤ {TARGET_RATIO:.0f}) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for r in results:
        missed = r.verdicts()
        ok &= not missed
        ratios = " / ".join(
            f"{x:.1f}" if x is not None else "—" for x in (r.ratio(r.fresh), r.ratio(r.kept))
        )
        sql = f"{r.sql_p50:.1f}" if r.sql_p50 is not None else "—"
        f, k = r.fresh, r.kept
        kept_note = "" if k.answered == "hit" else f" ({k.answered})"
        lines.append(
            f"| {r.target.label} | {r.target.user.username} | {f.p50:.1f} | {f.p95:.1f} "
            f"| {f.queries} | {k.p50:.1f}{kept_note} | {k.p95:.1f} | {k.queries} | {sql} "
            f"| {ratios} | {r.load} | {', '.join(missed) or 'ok'} |"
        )
    lines += [
        "",
        "Slowest queries of each page or endpoint that missed a target (ms, one fresh request):",
        "",
    ]
    for r in results:
        if r.verdicts():
            lines.append(f"- **{r.target.label}**: {r.fresh.queries} queries")
            for ms, sql in r.fresh.slowest:
                text = " ".join(sql.split())
                lines.append(f"  - {ms:.1f} ms: `{text[:300]}{'…' if len(text) > 300 else ''}`")
    lines.append("")
    if load_result:
        first = load_result[0]
        lines += [
            f"### Throughput: {args.users} users, {first['seconds']:.0f} s each",
            "",
            f"gunicorn (deploy/gunicorn.conf.py, production settings, {first['workers']} sync "
            f"workers) on loopback; the load client ({CLIENTS[first['client']]}) runs on "
            "the same two cores, and so does PostgreSQL. Each simulated user is one of 20 people (the "
            "competent department's clerk and three construction units' clerks of each "
            "jurisdiction) and reads, at random: the workbench, project list pages, project pages, "
            "the API's project list, project detail, events and documents, and its tasks, with "
            "the cookies of a signed-in browser (session and CSRF). Nothing is written during "
            "the first two loads, so after each reader's first visit a kept read is current; "
            "during the third, uploads are written at the rate it says, the five jurisdictions "
            "in turn (each renews its jurisdiction's stamp: a busy working hour); the last is "
            "the same load with kept reads off, every read worked out anew.",
            "",
            f"| mix | requests | 200 OK | answered from kept reads | requests/s | errors | p50 ms | p95 ms | load | target ≥ {TARGET_RPS:.0f}/s, no error |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for i, lr in enumerate(load_result):
            passed = lr["rps"] >= TARGET_RPS and lr["errors"] == 0
            if i == 0:  # the target is the mixed load's
                ok &= passed
            lines.append(
                f"| {lr['mix']}"
                + (f" ({lr['written']} written)" if "written" in lr else "")
                + f" | {lr['requests']} | {lr['ok']} "
                f"| {lr['kept'] / max(lr['requests'], 1):.0%} | {lr['rps']:.0f} | {lr['errors']} "
                f"| {lr['p50']:.0f} | {lr['p95']:.0f} | {lr['load']} "
                f"| {('ok' if passed else 'MISSED') if i == 0 else '(for comparison)'} |"
            )
        lines.append("")
    if job_results is not None:
        lines += [
            "### Background jobs over the whole province",
            "",
            "| job | wall time s | did | load |",
            "|---|---:|---|---|",
        ]
        nights: dict[str, float] = {}
        missing = False
        for j in job_results:
            if "missing" in j:
                missing = True
                lines.append(f"| {j['job']} | — | {j['missing']} | — |")
                continue
            nights[j["night"]] = nights.get(j["night"], 0.0) + j["seconds"]
            counts = ", ".join(f"{k} {v}" for k, v in (j["counts"] or {}).items())
            lines.append(f"| {j['job']} | {j['seconds']:.1f} | {counts} | {j['load']} |")
        normal = nights.get("next day", float("inf"))
        passed = not missing and normal <= TARGET_JOBS_S
        ok &= passed
        lines += [""]
        for night, what in NIGHTS:
            lines.append(f"- {night} ({what}): scan + re-check {nights.get(night, 0):.1f} s")
        lines += [
            "",
            f"Target (the next working day's night, scan + re-check ≤ {TARGET_JOBS_S:.0f} s): "
            + ("the re-check is missing" if missing else f"{normal:.1f} s")
            + f" — {'ok' if passed else 'MISSED'}.",
            "",
        ]
    return "\n".join(lines) + "\n", ok


def counts_text(today: dt.date) -> str:
    from govit.documents.models import DocumentVersion
    from govit.events.models import Event
    from govit.organizations.models import Organization, User
    from govit.projects.models import Project, Task
    from govit.reviews.models import Expert

    tasks = Task.objects.filter(status="open")
    return (
        f"{Project.objects.count():,} projects, {Event.objects.count():,} events, "
        f"{DocumentVersion.objects.count():,} document versions, {tasks.count():,} open tasks "
        f"({tasks.filter(due_on__lt=today).count():,} overdue), "
        f"{Expert.objects.count():,} experts, "
        f"{Organization.objects.filter(kind__in=['contractor', 'supervisor', 'consultant', 'agent', 'evaluator']).count()} vendors, "
        f"{User.objects.count():,} accounts"
    )


def use_database(name: str, redis_db: int) -> None:
    global DATABASE, URL, REDIS
    DATABASE, URL = name, f"{SERVER}/{name}"
    REDIS = f"redis://127.0.0.1:6379/{redis_db}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=50_000)
    parser.add_argument("--reuse", action="store_true", help="keep an existing generated database")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30, help="load test duration")
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn workers (default: the config's)"
    )
    parser.add_argument(
        "--profile",
        metavar="TEXT",
        help="also print the cProfile of the pages whose label contains TEXT (for their owners)",
    )
    parser.add_argument(
        "--writes",
        type=float,
        default=5.0,
        help="uploads a second during the third load (0: no such load)",
    )
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-jobs", action="store_true")
    parser.add_argument("--database", default=DATABASE, help="the database's name (on 5432)")
    parser.add_argument("--redis-db", type=int, default=5, help="the Redis database's number")
    args = parser.parse_args()
    use_database(args.database, args.redis_db)
    started_load = load()
    env = {**os.environ, "DATABASE_URL": URL, "GOVIT_VAR_DIR": str(VAR)}
    env["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    # the sessions made here must be valid in gunicorn's workers: one key for both
    env["SECRET_KEY"] = "govit-bench-key-" + "b" * 40
    # as production runs (docs/deployment.md): the cache and the sessions' reads in Redis
    redis = redis_for_bench()
    if redis:
        env["REDIS_URL"] = redis
    try:
        prep = prepare(args.projects, args.reuse, env)
    except Exception as exc:  # no server, no permission: say so, do not pretend
        say(f"benchmark could not prepare the database: {exc}")
        return 2
    os.environ.update(
        {
            k: env[k]
            for k in ("DATABASE_URL", "GOVIT_VAR_DIR", "ALLOWED_HOSTS", "SECRET_KEY", "REDIS_URL")
            if k in env
        }
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "govit.settings.base"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import psycopg

    from govit.core import clock

    today = clock.today()
    try:
        found, ctx = targets(today)
        results = []
        with psycopg.connect(URL) as sql_conn:
            for target in found:
                url = resolve(target, ctx)
                say(f"== {target.label} {url}")
                results.append(measure_target(target, url, args.runs, sql_conn))
                if args.profile and args.profile in target.label:
                    profile(target, url)
        counts = counts_text(today)
        workers = args.workers or min(2 * (os.cpu_count() or 1) + 1, 12)
        load_result = (
            None
            if args.skip_load
            else throughput(env, ctx, args.users, args.seconds, workers, args.writes)
        )
        job_results = None if args.skip_jobs else jobs(today)
        text, ok = report(args, prep, counts, results, load_result, job_results, started_load)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database()
    print(text)
    VAR.parent.mkdir(parents=True, exist_ok=True)
    (VAR.parent / "province.md").write_text(text, encoding="utf-8")
    print("PASS" if ok else "BELOW TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
