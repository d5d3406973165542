"""`govit check`: what is misconfigured for production, in Chinese, each with what to do.

Every check looks at the settings actually loaded (``govit.settings.prod`` unless
DJANGO_SETTINGS_MODULE says otherwise) and at the services they name: the database, Redis, the
upload storage, the mail server. Django's own deployment checks (``check --deploy``) are included,
so one command answers "may this go live?".
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from django.conf import settings

from govit.ops.health import REDIS_SCHEMES, broker_url, ping_redis
from govit.settings.env import S3_BACKEND

Status = Literal["ok", "note", "problem"]


@dataclass(frozen=True)
class Finding:
    area: str
    status: Status
    message: str
    fix: str = ""

    def line(self) -> str:
        mark = {"ok": "✓", "note": "·", "problem": "✗"}[self.status]
        fix = f"\n    → {self.fix}" if self.fix else ""
        return f"{mark} {self.area}：{self.message}{fix}"


def ok(area: str, message: str) -> Finding:
    return Finding(area, "ok", message)


def note(area: str, message: str, fix: str = "") -> Finding:
    return Finding(area, "note", message, fix)


def problem(area: str, message: str, fix: str = "") -> Finding:
    return Finding(area, "problem", message, fix)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


PROD_SETTINGS = "govit.settings.prod"
DEV_KEY_PREFIX = "govit-development-key"


def check_settings_module() -> Iterator[Finding]:
    module = settings.SETTINGS_MODULE
    if module != PROD_SETTINGS:
        yield problem(
            "配置模块",
            f"DJANGO_SETTINGS_MODULE 为 {module}，不是生产配置",
            f"设置 DJANGO_SETTINGS_MODULE={PROD_SETTINGS}",
        )
    else:
        yield ok("配置模块", PROD_SETTINGS)


def check_secret_key() -> Iterator[Finding]:
    from django.core.exceptions import ImproperlyConfigured

    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to hand out an empty key
        key = ""
    fix = "设置环境变量 SECRET_KEY 为至少 50 个字符的随机串，如 python -c 'import secrets; print(secrets.token_urlsafe(50))' 的输出；各应用服务器须相同"
    if not key or key.startswith(DEV_KEY_PREFIX):
        yield problem("密钥", "SECRET_KEY 仍是开发用密钥（或为空）", fix)
    elif len(key) < 50 or len(set(key)) < 5:
        yield problem("密钥", f"SECRET_KEY 太短或太简单（{len(key)}个字符）", fix)
    else:
        yield ok("密钥", "SECRET_KEY 已设置")


def check_debug() -> Iterator[Finding]:
    if settings.DEBUG:
        yield problem(
            "调试模式",
            "DEBUG 已打开：出错时会向任何人显示源代码和配置",
            f"使用生产配置 {PROD_SETTINGS}（DEBUG 恒为关闭）",
        )
    else:
        yield ok("调试模式", "DEBUG 已关闭")


def check_hosts() -> Iterator[Finding]:
    hosts = list(settings.ALLOWED_HOSTS)
    fix = "设置 ALLOWED_HOSTS 为本系统的域名，逗号分隔，如 govit.example.gov.cn"
    if not hosts:
        yield problem("域名", "ALLOWED_HOSTS 为空：所有请求都会被拒绝（HTTP 400）", fix)
    elif "*" in hosts:
        yield problem(
            "域名",
            "ALLOWED_HOSTS 含通配符 *：任何 Host 头都被接受（可被用于伪造密码重置链接等）",
            fix,
        )
    else:
        yield ok("域名", "、".join(hosts))


def check_database() -> Iterator[Finding]:
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        yield problem(
            "数据库",
            f"使用 SQLite（{db['NAME']}）：只能一台服务器使用，不能支撑多台应用服务器和并发办理",
            "设置 DATABASE_URL=postgres://用户:密码@主机:5432/库名",
        )
        where = str(db["NAME"])
    else:
        where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        yield problem(
            "数据库",
            f"无法连接数据库（{where}）：{_first_line(exc)}",
            "检查 DATABASE_URL、数据库服务器是否运行、网络和口令",
        )
        return
    if plan:
        yield problem(
            "数据库",
            f"数据库尚未迁移到最新（还有{len(plan)}项迁移）",
            "运行 govit manage migrate",
        )
        return
    version = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}，"
    yield ok("数据库", f"{version}{where}，可以连接，已迁移到最新")


def check_cache() -> Iterator[Finding]:
    from django.core.cache import cache

    redis_url = settings.REDIS_URL
    if redis_url:
        try:
            ping_redis(redis_url)
        except Exception as exc:
            yield problem(
                "Redis",
                f"已设置 REDIS_URL，但无法连接：{_first_line(exc)}",
                "检查 REDIS_URL（redis://主机:6379/0）和 Redis 服务是否运行",
            )
            return
        yield ok("Redis", "可以连接（缓存与任务队列）")
    else:
        yield note(
            "Redis",
            "未设置 REDIS_URL：缓存存放在数据库中，定时任务须由 govit jobs run-due 在进程内运行",
            "多台应用服务器时建议设置 REDIS_URL（缓存更快，并可运行 Celery 任务进程）",
        )
    key = "govit-check"
    try:
        cache.set(key, "ok", timeout=10)
        works = cache.get(key) == "ok"
        cache.delete(key)
    except Exception as exc:
        yield problem(
            "缓存",
            f"缓存无法读写：{_first_line(exc)}",
            "运行 govit manage migrate（建立数据库缓存表 govit_cache）" if not redis_url else "",
        )
        return
    if not works:
        yield problem("缓存", "缓存写入后读不出")
    else:
        where = "Redis" if redis_url else "数据库表 govit_cache"
        yield ok("缓存", f"可以读写（{where}）")


def check_kept_reads() -> Iterator[Finding]:
    """Kept reads (govit/kept/reads.py) pay where the cache is Redis; over the database cache every
    read of the cache is itself a query."""
    # deferred: `govit check` imports this module before django.setup() (environment_for_check),
    # and kept reads import models
    from govit.kept import reads

    on = reads.enabled()
    if on and not settings.REDIS_URL:
        yield note(
            "留存的读取",
            "已开启，但缓存在数据库中：每次读缓存本身就是查询，省不下多少",
            "设置 REDIS_URL，或设 GOVIT_KEPT_READS=false",
        )
    elif on:
        yield ok("留存的读取", f"已开启：页面和接口的读取至多留存 {settings.GOVIT_KEPT_SECONDS} 秒")
    elif settings.REDIS_URL:
        yield note(
            "留存的读取",
            "已关闭（GOVIT_KEPT_READS=false）：每次读取都从数据库计算",
            "多人使用时建议开启（docs/deployment.md）",
        )


def check_broker() -> Iterator[Finding]:
    url = broker_url()
    if not url or url == settings.REDIS_URL or not url.startswith(REDIS_SCHEMES):
        return  # none, the same Redis as the cache (checked above), or not ours to check
    try:
        ping_redis(url)
    except Exception as exc:
        yield problem("任务队列", f"无法连接任务队列：{_first_line(exc)}", "检查 CELERY_BROKER_URL")
        return
    yield ok("任务队列", "可以连接")


def _writable_dir(path: Path) -> str:
    """'' when files can be written under ``path`` (made on first upload if missing), else why not."""
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        return f"{probe} 不是目录"
    try:
        with tempfile.NamedTemporaryFile(dir=probe, prefix=".govit-check-"):
            pass
    except OSError as exc:
        return f"{probe} 不可写（{exc.strerror}）"
    return ""


def check_storage() -> Iterator[Finding]:
    default = settings.STORAGES["default"]
    if default["BACKEND"] == S3_BACKEND:
        yield from _check_s3(default.get("OPTIONS", {}))
        return
    media = Path(settings.MEDIA_ROOT)
    why = _writable_dir(media)
    if why:
        yield problem(
            "上传文件",
            f"上传目录 MEDIA_ROOT（{media}）无法写入：{why}",
            "设置 GOVIT_VAR_DIR 为应用用户可写的目录，或改用对象存储 GOVIT_STORAGE=s3",
        )
        return
    yield ok("上传文件", f"本地目录 {media} 可写")
    yield note(
        "上传文件",
        "文件存放在本机目录：多台应用服务器须共享这一目录（NFS 等），或改用对象存储",
        "多台服务器时设置 GOVIT_STORAGE=s3 及 AWS_STORAGE_BUCKET_NAME、AWS_S3_ENDPOINT_URL 等",
    )


def _check_s3(options: dict) -> Iterator[Finding]:
    try:
        import boto3
        import storages  # noqa: F401
        from botocore.config import Config
    except ImportError:
        yield problem(
            "对象存储",
            "GOVIT_STORAGE=s3，但未安装 django-storages / boto3",
            "pip install 'govit[s3]'",
        )
        return
    bucket = options.get("bucket_name")
    if not bucket:
        yield problem(
            "对象存储", "GOVIT_STORAGE=s3，但未设置存储桶", "设置 AWS_STORAGE_BUCKET_NAME"
        )
        return
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=options.get("endpoint_url"),
        region_name=options.get("region_name"),
        aws_access_key_id=options.get("access_key"),
        aws_secret_access_key=options.get("secret_key"),
        config=Config(connect_timeout=5, read_timeout=5, retries={"max_attempts": 1}),
    )
    try:
        client.head_bucket(Bucket=bucket)
    except Exception as exc:
        yield problem(
            "对象存储",
            f"无法访问存储桶 {bucket}：{_first_line(exc)}",
            "检查 AWS_S3_ENDPOINT_URL、AWS_ACCESS_KEY_ID、AWS_SECRET_ACCESS_KEY 和存储桶权限",
        )
        return
    yield ok("对象存储", f"存储桶 {bucket} 可以访问")


CONSOLE_MAIL = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


def check_email() -> Iterator[Finding]:
    from django.core.mail import get_connection

    if settings.EMAIL_BACKEND in CONSOLE_MAIL:
        yield problem(
            "邮件",
            "未配置发信服务器：截止提醒等邮件不会发出（只打印到日志）",
            "设置 EMAIL_URL=smtp://用户:口令@smtp.example.gov.cn:587?tls=1（或 EMAIL_HOST 等）",
        )
        return
    sender = settings.DEFAULT_FROM_EMAIL
    if sender.rstrip(">").endswith("@localhost"):
        yield problem(
            "邮件",
            f"发件人 DEFAULT_FROM_EMAIL 为 {sender}，收件方会拒收",
            "设置 DEFAULT_FROM_EMAIL，如 GovIT <govit@example.gov.cn>",
        )
    where = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    try:
        mail = get_connection(timeout=min(settings.EMAIL_TIMEOUT or 10, 10))
        mail.open()
        mail.close()
    except Exception as exc:
        yield problem(
            "邮件",
            f"无法连接或登录发信服务器 {where}：{_first_line(exc)}",
            "检查 EMAIL_URL（或 EMAIL_HOST、EMAIL_PORT、EMAIL_HOST_USER、EMAIL_HOST_PASSWORD、EMAIL_USE_TLS）",
        )
        return
    yield ok("邮件", f"发信服务器 {where} 可以连接")


def check_static() -> Iterator[Finding]:
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    from django.core.files.storage import storages

    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        yield note("静态文件", "未使用带摘要的静态文件存储（生产配置才使用）")
        return
    manifest = Path(settings.STATIC_ROOT) / storage.manifest_name
    if not manifest.exists():
        yield problem(
            "静态文件",
            f"静态文件尚未收集（{manifest} 不存在）：页面会出错",
            "运行 govit manage collectstatic --noinput（每次升级后）",
        )
    else:
        yield ok("静态文件", f"已收集到 {settings.STATIC_ROOT}")


# Django's deployment checks that ours above already say better
COVERED = {"security.W009", "security.W018", "security.W020"}
DJANGO_CHECKS = {
    "security.W004": "未启用 HSTS（SECURE_HSTS_SECONDS）",
    "security.W005": "HSTS 未包含子域名",
    "security.W008": "未将 HTTP 重定向到 HTTPS（GOVIT_SSL_REDIRECT）",
    "security.W012": "会话 Cookie 未限定 HTTPS（GOVIT_SECURE_COOKIES）",
    "security.W016": "CSRF Cookie 未限定 HTTPS（GOVIT_SECURE_COOKIES）",
    "security.W021": "HSTS 未设置 preload",
}


def check_django_deploy() -> Iterator[Finding]:
    from django.core import checks

    messages = [
        m
        for m in checks.run_checks(include_deployment_checks=True)
        if m.level >= checks.WARNING and not m.is_silenced() and m.id not in COVERED
    ]
    for m in messages:
        yield problem(
            "安全设置", f"{DJANGO_CHECKS.get(m.id, m.msg)}（Django 检查 {m.id}）", m.hint or ""
        )
    if not messages:
        yield ok("安全设置", "Django 部署检查（check --deploy）没有问题")
    if getattr(settings, "SECURE_SSL_REDIRECT", False) and not getattr(
        settings, "SECURE_PROXY_SSL_HEADER", None
    ):
        yield note(
            "安全设置",
            "HTTP 请求将重定向到 HTTPS：若由负载均衡终止 HTTPS，须让应用识别转发的协议，否则页面会反复重定向",
            "把负载均衡的地址写入 GUNICORN_FORWARDED_ALLOW_IPS（gunicorn 据 X-Forwarded-Proto 识别），"
            "或设置 GOVIT_PROXY_SSL_HEADER=X-Forwarded-Proto",
        )


CHECKS: list[Callable[[], Iterator[Finding]]] = [
    check_settings_module,
    check_secret_key,
    check_debug,
    check_hosts,
    check_django_deploy,
    check_database,
    check_cache,
    check_kept_reads,
    check_broker,
    check_storage,
    check_email,
    check_static,
]


def run_checks() -> list[Finding]:
    findings: list[Finding] = []
    for check in CHECKS:
        try:
            findings.extend(check())
        except Exception as exc:  # a check that breaks is itself a finding, not a crash
            findings.append(
                problem(check.__name__, f"检查出错：{type(exc).__name__}: {_first_line(exc)}")
            )
    return findings


def environment_for_check() -> None:
    """Before Django loads the settings: production settings unless told otherwise, and let them
    load despite a development key (reported here instead of refusing to start)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", PROD_SETTINGS)
    os.environ["GOVIT_CHECK_ONLY"] = "1"
