"""Server time of every main page with the demo data (issue 5: p95 under 100 ms).

A fresh SQLite database in a temporary directory gets the demo data (`govit demo load`, as
`make run` does); each page is then requested in-process through Django's full request handling
(middleware, session, templates) as the role that uses it: 5 warm-up requests, then 40 timed.
Prints a Markdown table (p50, p95, queries) and writes it to var/bench/pages.md.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 100.0
RUNS, WARMUP = 40, 5


def prepare(var: Path) -> None:
    env = {**os.environ, "GOVIT_VAR_DIR": str(var)}
    env.pop("DATABASE_URL", None)
    govit = str(Path(sys.executable).parent / "govit")
    subprocess.run([govit, "manage", "migrate", "--noinput", "-v", "0"], check=True, env=env)
    subprocess.run([govit, "demo", "load"], check=True, env=env, stdout=subprocess.DEVNULL)


def pages() -> list[tuple[str, object, str]]:
    """(label, user, url) for every main page, each as the role that uses it."""
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse

    from govit.organizations.models import Role, User
    from govit.projects.models import Project

    def user(kind: str, jurisdiction: str = "岳阳市", role: str | None = None) -> User:
        qs = User.objects.filter(
            organization__kind=kind, organization__jurisdiction__name=jurisdiction, is_active=True
        )
        if role:
            qs = qs.filter(roles__role=role)
        return qs.order_by("pk").first()

    competent = user("competent_department")
    admin = user("competent_department", role=Role.ADMIN)
    auditor = user("audit")
    busiest = (
        Project.objects.filter(jurisdiction__name="岳阳市")
        .annotate(n=Count("events"))
        .order_by("-n")
        .first()
    )
    unit = User.objects.filter(organization=busiest.unit).order_by("pk").first()
    wanted = [
        ("工作台 / workbench", competent, "home", []),
        ("工作台（建设单位）", unit, "home", []),
        ("项目列表 / project list", competent, "project-list", []),
        ("项目列表 · 筛选逾期", competent, "project-list", "?overdue=on&min_wan=50"),
        ("项目页 / project page", competent, "project-detail", [busiest.pk]),
        ("项目页（审计）", auditor, "project-detail", [busiest.pk]),
        ("年度计划 / plan board", competent, "plan-board", []),
        ("专家抽取 / expert draws", competent, "expert-draws", []),
        ("合规自检 / self-check", unit, "selfcheck", []),
        ("统计 / dashboard", competent, "dashboard", []),
        ("规则手册 / rulebooks", competent, "rulebook-list", []),
        ("规则手册条文 / rulebook", competent, "rulebook-detail", ["yueyang"]),
        ("规则手册对照 / compare", competent, "rulebook-compare", "?a=yueyang&b=heilongjiang"),
        ("管理 / administration", admin, "admin-home", []),
    ]
    out = []
    for label, who, name, args in wanted:
        try:
            url = reverse(name, args=args if isinstance(args, list) else [])
        except NoReverseMatch:
            out.append((label, None, name))
            continue
        out.append((label, who, url + (args if isinstance(args, str) else "")))
    return out


def measure(client, url: str) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    status = 0
    for _ in range(WARMUP):
        status = client.get(url).status_code
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    p95 = statistics.quantiles(times, n=20)[-1]
    return statistics.median(times), p95, len(queries), status


def main() -> int:
    var = Path(tempfile.mkdtemp(prefix="govit-bench-pages-"))
    started = time.perf_counter()
    prepare(var)
    load_s = time.perf_counter() - started
    os.environ["GOVIT_VAR_DIR"] = str(var)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["DJANGO_SETTINGS_MODULE"] = "govit.settings.base"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client

    from govit.projects.models import Project

    rows, ok = [], True
    for label, user, url in pages():
        if user is None:
            rows.append(f"| {label} | — | — | — | missing (url name {url}) |")
            ok = False
            continue
        client = Client()
        client.force_login(user)
        p50, p95, queries, status = measure(client, url)
        passed = status == 200 and p95 < TARGET_MS
        ok &= passed
        verdict = "ok" if passed else (f"HTTP {status}" if status != 200 else "SLOW")
        rows.append(f"| {label} | {p50:.1f} | {p95:.1f} | {queries} | {verdict} |")
    lines = [
        f"## Pages with the demo data — {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite. Demo data: {Project.objects.count()} projects (loaded in {load_s:.0f} s). "
        f"Command: `make bench` (bench/pages.py). {RUNS} timed requests per page after {WARMUP} "
        "warm-up, in-process through the full Django stack.",
        "",
        f"| page | p50 ms | p95 ms | queries | target p95 < {TARGET_MS:.0f} ms |",
        "|---|---:|---:|---:|---|",
        *rows,
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "pages.md").write_text(report, encoding="utf-8")
    print("PASS" if ok else "BELOW TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
