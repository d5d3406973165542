"""The ``govit`` console command.

The rulebook, calendar and decide subcommands use only the pure engine (no Django, fast to start);
``govit manage …`` hands the rest to Django's manage.py.

Exit codes: 0 done; 1 a check found problems (invalid rulebook, coverage gap); 2 bad input.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from govit.policy import calendar as cal
from govit.policy import render
from govit.policy.articles import CitationError
from govit.policy.calendar import CalendarError
from govit.policy.decide import decide, today
from govit.policy.facts import FactsError, parse_facts
from govit.policy.loader import (
    RulebookError,
    UnknownRulebook,
    get_rulebook,
    load_rulebook,
    rulebook_paths,
)
from govit.settings.env import SettingsError, database_from_url

EXIT_OK, EXIT_PROBLEMS, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(Exception):
    """Input the user must fix; the message is Chinese and names what is wrong."""


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"不是有效日期（格式 YYYY-MM-DD）：{value}") from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits with 2 too, but in Chinese here
        self.print_usage(sys.stderr)
        print(f"govit: 参数错误：{message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="govit", description="GovIT 政务信息化项目全生命周期管理平台")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("decide", help="按规则手册判断项目须经的环节、时限和依据（输出 JSON）")
    p.add_argument("--rulebook", required=True, help="规则手册编号，如 yueyang")
    p.add_argument("facts", help="项目事实 JSON 文件（- 表示标准输入）")
    p.add_argument("--on", type=_date, help="判断日期 YYYY-MM-DD（默认今天，北京时间）")

    rb = sub.add_parser("rulebooks", help="规则手册：校验、查看、比对、条文覆盖").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    rb.add_parser("list", help="列出规则手册")
    v = rb.add_parser("validate", help="校验规则手册（结构、引用条文、适用条件）")
    v.add_argument("ids", nargs="*", help="规则手册编号（默认全部）")
    s = rb.add_parser("show", help="以中文展示一部规则手册")
    s.add_argument("id")
    d = rb.add_parser("diff", help="逐条比对两部规则手册的不同")
    d.add_argument("a")
    d.add_argument("b")
    d.add_argument("--all", action="store_true", help="相同之处也列出")
    c = rb.add_parser("coverage", help="列出原文每一条及编码它的规则（或未编码的理由）")
    c.add_argument("ids", nargs="*", help="规则手册编号（默认全部）")
    c.add_argument("--json", action="store_true", help="以 JSON 输出")
    a = rb.add_parser("article", help="显示引用的条文原文，如 第二十七条第（二）项")
    a.add_argument("id")
    a.add_argument("cite")

    cal = sub.add_parser("calendar", help="法定节假日工作日历").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    cal.add_parser("validate", help="校验全部年度节假日安排文件")
    cs = cal.add_parser("show", help="显示某年的节假日和调休上班日")
    cs.add_argument("year", type=int)
    ca = cal.add_parser("add-days", help="计算 N 个工作日后的到期日（起始日不计）")
    ca.add_argument("start", type=_date)
    ca.add_argument("days", type=int)
    ci = cal.add_parser(
        "import",
        help="从软件包导入年度安排：chinese-calendar 写入 calendar/；holidays 写成草稿",
    )
    ci.add_argument("years", nargs="*", type=int, help="年份（默认软件包中的全部年份）")
    ci.add_argument(
        "--from",
        dest="package",
        choices=("chinese-calendar", "holidays"),
        default="chinese-calendar",
        help="holidays：按法定节日推算的草稿，写入 calendar/drafts/，须与国务院办公厅通知逐日核对",
    )
    ci.add_argument("--dir", type=Path, help="写入目录（默认 calendar/，草稿为 calendar/drafts/）")

    db = sub.add_parser("db", help="数据库").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    dr = db.add_parser("ready", help="检查 PostgreSQL 能否连接（make test 据此决定是否在其上测试）")
    dr.add_argument("url", nargs="?", help="postgres://用户@主机:端口/库名（默认取 DATABASE_URL）")
    dr.add_argument("--timeout", type=int, default=3, help="连接超时秒数（默认 3）")

    demo = sub.add_parser("demo", help="演示数据").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    demo.add_parser("load", help="向空数据库装入演示数据（已装入则不做更改），并列出演示账号和密码")

    jobs = sub.add_parser(
        "jobs", help="后台任务（无 Redis 时由 cron 运行 run-due）"
    ).add_subparsers(dest="action", required=True, parser_class=_Parser)
    jobs.add_parser("list", help="列出后台任务、运行时间和最近一次成功运行")
    jr = jobs.add_parser("run", help="立即运行一个后台任务（本时段已运行过也再运行）")
    jr.add_argument("name", help="任务名称，如 deadline_scan")
    jobs.add_parser(
        "run-due", help="运行到时而本时段尚未成功运行的全部任务（每几分钟由 cron 调用）"
    )

    sub.add_parser("check", help="检查生产环境配置（密钥、域名、数据库、Redis、存储、邮件……）")
    bk = sub.add_parser("backup", help="备份数据库和上传文件，附 SM3 摘要清单")
    bk.add_argument("dir", nargs="?", type=Path, help="备份目录（默认 var/backups/govit-时间）")
    rs = sub.add_parser("restore", help="从备份恢复：先校验全部摘要，目标数据库须为空")
    rs.add_argument("dir", type=Path, help="备份目录（含 manifest.json）")
    rs.add_argument("--force", action="store_true", help="目标数据库有数据时也恢复（全部替换）")

    ch = sub.add_parser("cache", help="缓存：留存的页面、用户与统计").add_subparsers(
        dest="action", required=True
    )
    ch.add_parser("clear", help="清空缓存（在 GovIT 之外直接修改了数据库之后）")

    g = sub.add_parser("gen", help="向空数据库生成省级规模的基准测试数据（项目、事件、材料等）")
    g.add_argument("--projects", type=int, required=True, help="项目数，如 50000")
    g.add_argument("--seed", type=int, default=1, help="随机种子（相同种子生成相同数据，默认 1）")
    g.add_argument("--events", type=int, help="项目事件总数（默认每个项目 20 条）")
    g.add_argument("--database-url", help="目标数据库（默认取 DATABASE_URL；须为空库且已迁移）")

    m = sub.add_parser("manage", help="运行 Django 管理命令（migrate、runserver 等）")
    m.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "decide":
            return _decide(args)
        if args.command == "rulebooks":
            return _rulebooks(args)
        if args.command == "calendar":
            return _calendar(args)
        if args.command == "db":
            return _db_ready(args)
        if args.command == "demo":
            return _demo(args)
        if args.command == "jobs":
            return _jobs(args)
        if args.command == "check":
            return _check()
        if args.command in ("backup", "restore"):
            return _backup_restore(args)
        if args.command == "gen":
            return _gen(args)
        if args.command == "cache":
            return _cache_clear()
        if args.command == "manage":
            return _manage(args.args)
    except BadInput as exc:
        print(f"govit: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    raise AssertionError(args.command)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _read_facts(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"无法读取事实文件“{source}”：{exc.strerror}") from None
    except UnicodeDecodeError:
        raise BadInput(f"事实文件“{source}”不是 UTF-8 编码") from None
    try:
        return json.loads(text, parse_float=_parse_float, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise BadInput(
            f"事实文件不是有效的 JSON（第{exc.lineno}行第{exc.colno}列）：{exc.msg}"
        ) from None


def _reject_constant(name: str) -> Any:
    raise BadInput(f"事实文件含有 JSON 不允许的数值：{name}")


def _decide(args: argparse.Namespace) -> int:
    try:
        rulebook = get_rulebook(args.rulebook)
    except UnknownRulebook as exc:
        raise BadInput(str(exc)) from None
    except RulebookError as exc:
        print(f"govit: 规则手册无效：\n{exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    raw = _read_facts(args.facts)
    try:
        facts = parse_facts(_floats_as_numbers(raw))
    except FactsError as exc:
        raise BadInput("事实有误：\n" + "\n".join(f"  - {p}" for p in exc.problems)) from None
    try:
        _print_json(decide(rulebook, facts, args.on))
    except CalendarError as exc:
        print(f"govit: 工作日历无效：{exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def _floats_as_numbers(value: Any) -> Any:
    """JSON floats were parsed as strings to keep them exact; turn them into Decimals here so
    that a quoted number in the file (a real string) still fails validation."""
    from decimal import Decimal

    if isinstance(value, dict):
        return {k: _floats_as_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats_as_numbers(v) for v in value]
    if isinstance(value, _FloatText):
        return Decimal(value)
    return value


class _FloatText(str):
    """A JSON float literal kept as its exact text."""


def _parse_float(text: str) -> _FloatText:
    return _FloatText(text)


def _rulebooks(args: argparse.Namespace) -> int:
    paths = rulebook_paths()

    def pick(ids: list[str]) -> list[str]:
        for rid in ids:
            if rid not in paths:
                raise BadInput(str(UnknownRulebook(rid, sorted(paths))))
        return ids or sorted(paths)

    def loaded(rid: str):
        try:
            return get_rulebook(rid)
        except UnknownRulebook as exc:
            raise BadInput(str(exc)) from None

    try:
        if args.action == "list":
            for rid in sorted(paths):
                rb = loaded(rid)
                print(f"{rid}\t{rb.title}\t{rb.model.jurisdiction.name}\t{rb.status_on(_today())}")
            return EXIT_OK
        if args.action == "validate":
            bad = 0
            for rid in pick(args.ids):
                try:
                    rb = load_rulebook(paths[rid])
                except RulebookError as exc:
                    bad += 1
                    print(exc, file=sys.stderr)
                    continue
                print(f"✓ {rid}: {len(list(rb.rules()))}条规则，引用有效（{paths[rid]}）")
            return EXIT_PROBLEMS if bad else EXIT_OK
        if args.action == "show":
            print(render.show(loaded(args.id)))
            return EXIT_OK
        if args.action == "diff":
            print(render.diff_text(loaded(args.a), loaded(args.b), include_same=args.all))
            return EXIT_OK
        if args.action == "article":
            rb = loaded(args.id)
            try:
                print(rb.cite_text(args.cite))
            except CitationError as exc:
                raise BadInput(str(exc)) from None
            return EXIT_OK
        if args.action == "coverage":
            ids = pick(args.ids)
            missing = 0
            if args.json:
                data = {
                    rid: [
                        row.__dict__ | {"rules": list(row.rules)}
                        for row in render.coverage(loaded(rid))
                    ]
                    for rid in ids
                }
                _print_json(data)
                missing = sum(
                    1 for rows in data.values() for r in rows if not (r["rules"] or r["reason"])
                )
            else:
                total = 0
                for rid in ids:
                    rb = loaded(rid)
                    rows = render.coverage(rb)
                    total += len(rows)
                    missing += sum(1 for r in rows if not r.covered)
                    print(render.coverage_text(rb))
                    print()
                print(f"合计：{len(ids)}部规则手册，{total}条，缺漏{missing}条")
            return EXIT_PROBLEMS if missing else EXIT_OK
    except RulebookError as exc:
        print(f"govit: 规则手册无效：\n{exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    raise AssertionError(args.action)


def _today() -> dt.date:
    return today()


def _calendar(args: argparse.Namespace) -> int:
    if args.action == "validate":
        try:
            work = cal.load_calendar()
        except cal.CalendarError as exc:
            print(f"govit: {exc}", file=sys.stderr)
            return EXIT_PROBLEMS
        print(f"✓ 已录入 {work.years[0]}–{work.years[-1]} 年（共{len(work.years)}年）")
        missing = [y for y in range(work.years[0], work.years[-1] + 1) if y not in work.schedules]
        if missing:
            print(f"缺少年份：{missing}", file=sys.stderr)
            return EXIT_PROBLEMS
        return EXIT_OK
    work = cal.default_calendar()
    if args.action == "show":
        schedule = work.schedules.get(args.year)
        if schedule is None:
            raise BadInput(str(cal.CalendarYearMissing(args.year)))
        print(f"{args.year}年（{schedule.source}）")
        data = schedule.to_file()
        for name, days in data.holidays.items():
            print(f"  放假 {name}：{'、'.join(d.isoformat() for d in days)}")
        for name, days in data.workdays.items():
            print(f"  调休上班 {name}：{'、'.join(d.isoformat() for d in days)}")
        return EXIT_OK
    if args.action == "add-days":
        if args.days < 0:
            raise BadInput("工作日天数不能为负数")
        try:
            print(work.add_working_days(args.start, args.days).isoformat())
        except cal.CalendarYearMissing as exc:
            raise BadInput(str(exc)) from None
        return EXIT_OK
    if args.action == "import" and args.package == "holidays":
        if not args.years:
            raise BadInput("请指明草稿的年份，如 govit calendar import --from holidays 2027")
        directory = args.dir or cal.DEFAULT_CALENDAR_DIR / "drafts"
        directory.mkdir(parents=True, exist_ok=True)
        for year in args.years:
            try:
                path = cal.write_schedule_file(cal.draft_from_holidays(year), directory)
            except cal.CalendarYearMissing:
                raise BadInput(f"holidays 软件包中没有{year}年的节假日") from None
            print(
                f"写入草稿 {path}（不参与计算）：请与国务院办公厅关于{year}年部分节假日安排的通知"
            )
            print("  逐日核对，再在“管理 → 节假日”页面录入，或经审核后移入 calendar/")
        return EXIT_OK
    if args.action == "import":
        directory = args.dir or cal.DEFAULT_CALENDAR_DIR
        directory.mkdir(parents=True, exist_ok=True)
        for year in args.years or cal.package_years():
            try:
                path = cal.write_schedule_file(cal.schedule_from_package(year), directory)
            except cal.CalendarYearMissing as exc:
                raise BadInput(f"chinese-calendar 软件包中没有{year}年的安排：{exc}") from None
            print(f"写入 {path}")
        cal.reset_default_calendar()
        return EXIT_OK
    raise AssertionError(args.action)


def _db_ready(args: argparse.Namespace) -> int:
    """Exit 0 when the PostgreSQL server answers, 1 (one line on stderr saying why) when not.

    Tries the named database, then ``postgres`` — the one Django's test runner connects to when
    it creates ``test_<name>`` — so a server without the application database still counts."""
    import os

    url = args.url or os.environ.get("DATABASE_URL", "")
    if not url:
        raise BadInput("请给出数据库地址 postgres://用户@主机:端口/库名，或设置 DATABASE_URL")
    try:
        db = database_from_url(url, Path.cwd())
    except SettingsError as exc:
        raise BadInput(str(exc)) from None
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BadInput("db ready 只检查 PostgreSQL（postgres://…）")
    import psycopg

    where = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    params = {
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
        "connect_timeout": max(1, args.timeout),
    }
    problem = ""
    for name in dict.fromkeys([db["NAME"], "postgres"]):
        try:
            with psycopg.connect(dbname=name, **params) as conn:
                version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        except psycopg.Error as exc:
            problem = problem or (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            continue
        print(f"✓ PostgreSQL {version}（{where}）可以连接")
        return EXIT_OK
    print(f"无法连接 PostgreSQL（{where}）：{problem}", file=sys.stderr)
    return EXIT_PROBLEMS


def _demo(args: argparse.Namespace) -> int:
    """Django is set up as for ``govit manage``; the work is govit.demo.load's."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govit.settings.dev")
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("govit: 数据库尚未迁移到最新，请先运行 govit manage migrate", file=sys.stderr)
        return EXIT_PROBLEMS
    # deferred: imports Django models, loadable only after django.setup() above
    from govit.demo.load import DOCS, load

    return load(sys.stdout, docs=DOCS)


def _jobs(args: argparse.Namespace) -> int:
    """The same jobs Celery runs, in this process (govit/jobs/; docs/jobs.md)."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govit.settings.dev")
    import django

    django.setup()
    # deferred: imports Django models, loadable only after django.setup() above
    from govit.jobs import registry, runner

    if args.action == "list":
        last = runner.last_runs()
        for job in registry.JOBS:
            run = last[job.name]
            done = f"最近成功：{run.window}" if run else "尚未成功运行"
            print(f"{job.name}\t{job.schedule.describe()}\t{done}\t{job.title}")
        return EXIT_OK
    if args.action == "run":
        try:
            registry.get(args.name)
        except registry.UnknownJob as exc:
            raise BadInput(str(exc)) from None
        try:
            outcome = runner.run_job(args.name, force=True)
        except Exception as exc:
            print(f"✗ {args.name} 失败：{exc}", file=sys.stderr)
            return EXIT_PROBLEMS
        print(outcome.line())
        return EXIT_OK
    if args.action == "run-due":
        outcomes = runner.run_due()
        for outcome in outcomes:
            print(outcome.line())
        if not outcomes:
            print("没有到时的任务")
        return EXIT_PROBLEMS if any(o.status == "failed" for o in outcomes) else EXIT_OK
    raise AssertionError(args.action)


def _check() -> int:
    """Production settings (unless DJANGO_SETTINGS_MODULE names others); govit.ops.checks."""
    # deferred: ops.checks reads the settings, which environment_for_check() chooses first
    from govit.ops.checks import environment_for_check, run_checks

    environment_for_check()
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except (SettingsError, ImproperlyConfigured, ImportError) as exc:
        print(f"✗ 配置：{exc}")
        print("发现 1 个问题（配置无法载入，其余未检查）")
        return EXIT_PROBLEMS
    from django.conf import settings

    print(f"GovIT 生产环境检查（配置 {settings.SETTINGS_MODULE}）")
    findings = run_checks()
    for finding in findings:
        print(finding.line())
    problems = sum(1 for f in findings if f.status == "problem")
    print(f"发现 {problems} 个问题" if problems else "没有发现问题")
    return EXIT_PROBLEMS if problems else EXIT_OK


def _backup_restore(args: argparse.Namespace) -> int:
    """Django is set up as for ``govit manage``; the work is govit.ops.backup's."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govit.settings.dev")
    import django

    django.setup()
    from django.db import DatabaseError

    try:
        return _run_backup_restore(args)
    except DatabaseError as exc:
        problem = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"govit: 数据库出错：{problem}", file=sys.stderr)
        return EXIT_PROBLEMS


def _run_backup_restore(args: argparse.Namespace) -> int:
    # deferred: the backup reads Django's settings and models, set up by the caller first
    from govit.ops import backup as ops

    if args.command == "backup":
        directory = args.dir or ops.default_directory()
        try:
            result = ops.backup(directory)
        except ops.BackupError as exc:
            raise BadInput(str(exc)) from None
        database = result.manifest["database"]
        print(
            f"✓ 已备份到 {result.directory}：数据库 {sum(database['tables'].values())} 行"
            f"（{len(database['tables'])} 张表），上传文件 {len(result.manifest['files'])} 个"
        )
        for name in result.missing:
            print(f"✗ 数据库引用的文件在存储中不存在：{name}", file=sys.stderr)
        return EXIT_PROBLEMS if result.missing else EXIT_OK

    if not args.dir.is_dir():
        raise BadInput(f"备份目录不存在：{args.dir}")
    try:
        restored = ops.restore(args.dir, force=args.force, log=sys.stdout)
    except ops.RestoreRefused as exc:
        print(f"govit: 拒绝恢复：{exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    for problem in restored.problems:
        print(f"✗ {problem}", file=sys.stderr)
    if restored.problems:
        print(f"恢复后核对发现 {len(restored.problems)} 个问题", file=sys.stderr)
        return EXIT_PROBLEMS
    print(
        f"✓ 已恢复：数据库 {sum(restored.loaded.values())} 行，上传文件 "
        f"{restored.files_written + restored.files_kept} 个；行数、事件链和文件摘要均已核对"
    )
    return EXIT_OK


def _cache_clear() -> int:
    """What the cache holds was read from the database: after the database was changed other
    than through GovIT (every change of GovIT's own records an event, which tells the kept reads),
    none of it may be served (govit/kept/reads.py)."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govit.settings.dev")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache

    cache.clear()
    where = "Redis" if settings.REDIS_URL else "数据库表 govit_cache"
    print(f"已清空缓存（{where}）：留存的页面、用户和统计将从数据库重新读取")
    return EXIT_OK


def _gen(args: argparse.Namespace) -> int:
    """Django is set up on the chosen database; the work is govit.gen.run's."""
    import os

    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    if args.projects < 1 or (args.events is not None and args.events < 0):
        raise BadInput("项目数须为正整数，事件数不能为负数")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govit.settings.dev")
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("govit: 数据库尚未迁移到最新，请先运行 govit manage migrate", file=sys.stderr)
        return EXIT_PROBLEMS
    # deferred: imports Django models, loadable only after django.setup() above
    from govit.gen.run import GenRefused, generate

    try:
        generate(projects=args.projects, seed=args.seed, events=args.events, out=sys.stdout)
    except GenRefused as exc:
        print(f"govit: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def _manage(argv: list[str]) -> int:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govit.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["govit manage", *argv])
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
