"""Deployment values read from the environment: each variable's forms, and a Chinese error for a
value that cannot be meant (never a silent default)."""

from __future__ import annotations

import pytest

from govit.settings.env import (
    CACHE_TABLE,
    S3_BACKEND,
    SettingsError,
    caches_from_url,
    database_from_url,
    email_from_env,
    env_int,
    file_storage_from_env,
)

MAIL_VARS = [
    "EMAIL_URL",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT",
]
S3_VARS = [
    "GOVIT_STORAGE",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_LOCATION",
    "AWS_S3_ADDRESSING_STYLE",
]


@pytest.fixture
def env(monkeypatch):
    for name in MAIL_VARS + S3_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_without_redis_the_cache_is_the_database_table_every_server_shares():
    assert caches_from_url("") == {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
        }
    }


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/0", "rediss://:pw@redis.example:6380/1", "unix:///run/r.sock"]
)
def test_with_redis_url_the_cache_is_redis_with_short_timeouts(url):
    cache = caches_from_url(url)["default"]
    assert cache["BACKEND"] == "govit.core.cache.RedisCache"
    assert cache["LOCATION"] == url
    assert cache["OPTIONS"]["socket_connect_timeout"] <= 5


def test_a_redis_url_of_another_scheme_is_refused_in_chinese():
    with pytest.raises(SettingsError, match="不支持的 REDIS_URL：memcached"):
        caches_from_url("memcached://127.0.0.1:11211")


def test_a_postgres_url_gets_a_connect_timeout_and_no_jit_unless_it_names_them(tmp_path):
    assert database_from_url("postgres://u@h:5432/g", tmp_path)["OPTIONS"] == {
        "connect_timeout": "5",
        "options": "-c jit=off",
    }
    given = database_from_url(
        "postgres://u@h/g?connect_timeout=2&sslmode=require&options=-c%20jit%3Don", tmp_path
    )
    assert given["OPTIONS"] == {
        "connect_timeout": "2",
        "sslmode": "require",
        "options": "-c jit=on",
    }


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_postgresql_connection_runs_without_jit():
    """A page's short queries must not pay tens of milliseconds of JIT compilation when the
    planner over-estimates a province's large tables."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_without_mail_settings_mail_is_printed_to_the_console(env):
    assert email_from_env()["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_email_url_with_starttls(env):
    env.setenv("EMAIL_URL", "smtp://govit%40hunan.gov.cn:p%40ss@smtp.hunan.gov.cn:587?tls=1")
    mail = email_from_env()
    assert mail["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (mail["EMAIL_HOST"], mail["EMAIL_PORT"]) == ("smtp.hunan.gov.cn", 587)
    assert (mail["EMAIL_HOST_USER"], mail["EMAIL_HOST_PASSWORD"]) == ("govit@hunan.gov.cn", "p@ss")
    assert (mail["EMAIL_USE_TLS"], mail["EMAIL_USE_SSL"]) == (True, False)


def test_smtps_url_is_implicit_tls_on_465(env):
    env.setenv("EMAIL_URL", "smtps://u:p@mail.example")
    mail = email_from_env()
    assert (mail["EMAIL_PORT"], mail["EMAIL_USE_SSL"], mail["EMAIL_USE_TLS"]) == (465, True, False)


def test_separate_email_variables(env):
    env.setenv("EMAIL_HOST", "10.0.0.25")
    env.setenv("EMAIL_PORT", "2525")
    env.setenv("EMAIL_HOST_USER", "govit")
    env.setenv("EMAIL_USE_TLS", "true")
    mail = email_from_env()
    assert mail["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (mail["EMAIL_HOST"], mail["EMAIL_PORT"], mail["EMAIL_USE_TLS"]) == (
        "10.0.0.25",
        2525,
        True,
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"EMAIL_URL": "imap://mail.example"}, "不支持的 EMAIL_URL：imap"),
        ({"EMAIL_URL": "smtp://"}, "EMAIL_URL 缺少发信服务器主机名"),
        ({"EMAIL_HOST": "m", "EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "只能设置其一"),
        ({"EMAIL_HOST": "m", "EMAIL_PORT": "twenty-five"}, "EMAIL_PORT 应为整数"),
        ({"EMAIL_HOST": "m", "EMAIL_USE_TLS": "maybe"}, "EMAIL_USE_TLS 应为 true/false"),
    ],
)
def test_mail_settings_that_cannot_be_meant_are_refused_in_chinese(env, variables, message):
    for name, value in variables.items():
        env.setenv(name, value)
    with pytest.raises(SettingsError, match=message):
        email_from_env()


def test_uploads_are_local_by_default(env):
    assert file_storage_from_env() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_s3_storage_takes_the_aws_variables_that_are_set(env):
    env.setenv("GOVIT_STORAGE", "s3")
    env.setenv("AWS_STORAGE_BUCKET_NAME", "govit-uploads")
    env.setenv("AWS_S3_ENDPOINT_URL", "https://minio.internal:9000")
    env.setenv("AWS_ACCESS_KEY_ID", "AK")
    env.setenv("AWS_SECRET_ACCESS_KEY", "SK")
    env.setenv("AWS_S3_ADDRESSING_STYLE", "path")
    storage = file_storage_from_env()
    assert storage["BACKEND"] == S3_BACKEND == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "govit-uploads",
        "endpoint_url": "https://minio.internal:9000",
        "access_key": "AK",
        "secret_key": "SK",
        "addressing_style": "path",
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
    }


def test_an_unknown_storage_is_refused(env):
    env.setenv("GOVIT_STORAGE", "ftp")
    with pytest.raises(SettingsError, match="不支持的 GOVIT_STORAGE：“ftp”"):
        file_storage_from_env()


def test_env_int(monkeypatch):
    monkeypatch.setenv("GOVIT_X", "12")
    assert env_int("GOVIT_X", 3) == 12
    monkeypatch.setenv("GOVIT_X", "")
    assert env_int("GOVIT_X", 3) == 3
