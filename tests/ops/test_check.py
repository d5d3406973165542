"""`govit check`: each production misconfiguration is reported in Chinese with what to do, and
the command exits 1 while anything is wrong, 0 when nothing is."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.db import connection

from govit.ops import checks
from govit.settings.env import caches_from_url
from tests.ops.procs import PROD, environment, production_key, run

GOOD_KEY = production_key()


def statuses(findings) -> list[tuple[str, str]]:
    return [(f.area, f.status) for f in findings]


def only(check, status: str):
    found = [f for f in check() if f.status == status]
    assert found, f"no {status} from {check.__name__}"
    return found[0]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("govit-development-key-not-for-production", "SECRET_KEY 仍是开发用密钥"),
        ("", "SECRET_KEY 仍是开发用密钥"),
        ("short-but-random-31-characters!", "SECRET_KEY 太短或太简单（31个字符）"),
        ("a" * 60, "SECRET_KEY 太短或太简单"),
    ],
)
def test_a_development_short_or_simple_key_is_a_problem(settings, key, message):
    settings.SECRET_KEY = key
    finding = only(checks.check_secret_key, "problem")
    assert message in finding.message
    assert "secrets.token_urlsafe(50)" in finding.fix


def test_a_good_key_is_fine(settings):
    settings.SECRET_KEY = GOOD_KEY
    assert statuses(checks.check_secret_key()) == [("密钥", "ok")]


@pytest.mark.parametrize(
    ("hosts", "message"),
    [([], "ALLOWED_HOSTS 为空"), (["govit.example.gov.cn", "*"], "ALLOWED_HOSTS 含通配符 *")],
)
def test_empty_or_wildcard_hosts_are_a_problem(settings, hosts, message):
    settings.ALLOWED_HOSTS = hosts
    assert message in only(checks.check_hosts, "problem").message


def test_debug_on_is_a_problem(settings):
    settings.DEBUG = True
    assert "DEBUG 已打开" in only(checks.check_debug, "problem").message
    settings.DEBUG = False
    assert statuses(checks.check_debug()) == [("调试模式", "ok")]


@pytest.mark.django_db
def test_sqlite_is_a_problem_postgresql_is_fine():
    findings = list(checks.check_database())
    if connection.vendor == "sqlite":
        assert findings[0].status == "problem"
        assert (
            "使用 SQLite" in findings[0].message and "DATABASE_URL=postgres://" in findings[0].fix
        )
    else:
        assert statuses(findings) == [("数据库", "ok")]
        assert findings[0].message.startswith("PostgreSQL ")
        assert "已迁移到最新" in findings[0].message


@pytest.mark.django_db
def test_redis_configured_but_unreachable_is_a_problem(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = caches_from_url(settings.REDIS_URL)
    finding = only(checks.check_cache, "problem")
    assert finding.area == "Redis"
    assert finding.message.startswith("已设置 REDIS_URL，但无法连接：")


def test_a_broker_of_its_own_that_is_unreachable_is_a_problem(settings):
    settings.REDIS_URL, settings.CELERY_BROKER_URL = "", "redis://127.0.0.1:1/1"
    finding = only(checks.check_broker, "problem")
    assert finding.message.startswith("无法连接任务队列：")
    settings.CELERY_BROKER_URL = ""
    assert list(checks.check_broker()) == []  # no broker: the jobs run in-process


@pytest.mark.parametrize(
    ("redis", "kept", "status", "says"),
    [
        ("redis://127.0.0.1:6379/0", True, "ok", "已开启：页面和接口的读取至多留存 600 秒"),
        ("redis://127.0.0.1:6379/0", False, "note", "已关闭"),
        ("", True, "note", "缓存在数据库中"),
    ],
)
def test_kept_reads_are_reported_with_where_they_pay(settings, redis, kept, status, says):
    settings.REDIS_URL, settings.GOVIT_KEPT_READS, settings.GOVIT_KEPT_SECONDS = redis, kept, 600
    finding = only(checks.check_kept_reads, status)
    assert finding.area == "留存的读取" and says in finding.message


def test_kept_reads_off_without_redis_are_not_worth_a_line(settings):
    settings.REDIS_URL, settings.GOVIT_KEPT_READS = "", False
    assert list(checks.check_kept_reads()) == []


@pytest.mark.django_db
def test_without_redis_the_database_cache_must_work(settings):
    settings.REDIS_URL = ""
    settings.CACHES = caches_from_url("")
    assert statuses(checks.check_cache()) == [("Redis", "note"), ("缓存", "ok")]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "no_such_table",
        }
    }
    finding = only(checks.check_cache, "problem")
    assert finding.message.startswith("缓存无法读写") and "govit manage migrate" in finding.fix


def test_an_upload_directory_that_cannot_be_written_is_a_problem(settings, tmp_path):
    (tmp_path / "a-file").write_text("not a directory")
    settings.MEDIA_ROOT = tmp_path / "a-file" / "media"
    finding = only(checks.check_storage, "problem")
    assert "无法写入" in finding.message and "不是目录" in finding.message
    settings.MEDIA_ROOT = tmp_path / "var" / "media"  # made on the first upload
    assert statuses(checks.check_storage()) == [("上传文件", "ok"), ("上传文件", "note")]
    assert not (tmp_path / "var").exists()  # the check writes nothing that stays


@pytest.mark.skipif(
    importlib.util.find_spec("storages") is not None, reason="django-storages is installed"
)
def test_s3_without_its_packages_is_a_problem(settings):
    settings.STORAGES = settings.STORAGES | {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"bucket_name": "b"}}
    }
    finding = only(checks.check_storage, "problem")
    assert finding.message == "GOVIT_STORAGE=s3，但未安装 django-storages / boto3"
    assert finding.fix == "pip install 'govit[s3]'"


def test_mail_printed_to_the_console_is_a_problem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert "未配置发信服务器" in only(checks.check_email, "problem").message


def test_an_unreachable_mail_server_is_a_problem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    settings.DEFAULT_FROM_EMAIL = "GovIT <govit@example.gov.cn>"
    finding = only(checks.check_email, "problem")
    assert finding.message.startswith("无法连接或登录发信服务器 127.0.0.1:1：")


def test_a_reachable_mail_server_with_a_real_sender_is_fine(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.DEFAULT_FROM_EMAIL = "GovIT <govit@example.gov.cn>"
    assert statuses(checks.check_email()) == [("邮件", "ok")]
    settings.DEFAULT_FROM_EMAIL = "GovIT <noreply@localhost>"
    assert "收件方会拒收" in only(checks.check_email, "problem").message


def test_static_files_not_collected_are_a_problem(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    }
    finding = only(checks.check_static, "problem")
    assert "静态文件尚未收集" in finding.message and "collectstatic" in finding.fix


def test_djangos_deployment_warnings_are_included_in_chinese(settings):
    settings.SECURE_HSTS_SECONDS = 0
    settings.SECURE_SSL_REDIRECT = False
    messages = [f.message for f in checks.check_django_deploy() if f.status == "problem"]
    assert "未启用 HSTS（SECURE_HSTS_SECONDS）（Django 检查 security.W004）" in messages
    assert "未将 HTTP 重定向到 HTTPS（GOVIT_SSL_REDIRECT）（Django 检查 security.W008）" in messages


def test_the_command_on_a_development_setup_lists_every_problem_and_exits_1(tmp_path):
    result = run(["govit", "check"], environment(tmp_path, DJANGO_SETTINGS_MODULE=PROD))
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert out.startswith(f"GovIT 生产环境检查（配置 {PROD}）")
    for expected in [
        "✗ 密钥：SECRET_KEY 仍是开发用密钥",
        "✗ 域名：ALLOWED_HOSTS 为空",
        "✗ 数据库：使用 SQLite",
        "✗ 数据库：数据库尚未迁移到最新",
        "✗ 邮件：未配置发信服务器",
        "✗ 静态文件：静态文件尚未收集",
        "    → 设置 DATABASE_URL=postgres://",
    ]:
        assert expected in out, expected
    assert out.rstrip().endswith("发现 7 个问题")


def test_settings_that_cannot_load_are_reported_not_a_crash(tmp_path):
    env = environment(tmp_path, REDIS_URL="memcached://127.0.0.1")
    result = run(["govit", "check"], env)
    assert result.returncode == 1
    assert "✗ 配置：不支持的 REDIS_URL：memcached://" in result.stdout


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_complete_production_setup_has_no_problem_and_exits_0(
    collected_static: Path, smtp_server, redis_url
):
    """PostgreSQL (this run's test database, migrated), Redis, a mail server, collected static
    files, a writable upload directory and HTTPS settings: nothing to report."""
    db = connection.settings_dict
    host, port = smtp_server
    env = environment(
        collected_static,
        DJANGO_SETTINGS_MODULE=PROD,
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="govit.example.gov.cn",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}",
        REDIS_URL=redis_url,
        EMAIL_URL=f"smtp://{host}:{port}",
        DEFAULT_FROM_EMAIL="GovIT <govit@example.gov.cn>",
        GOVIT_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    result = run(["govit", "check"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✗" not in result.stdout
    assert result.stdout.rstrip().endswith("没有发现问题")
