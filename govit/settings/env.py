"""Read deployment settings from the environment, with Chinese errors for bad values."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse


class SettingsError(RuntimeError):
    pass


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"环境变量 {name} 应为 true/false，实为“{value}”")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_url(url: str, base_dir: Path) -> dict[str, Any]:
    """``sqlite:///path`` (relative to the project) or ``postgres://user:pw@host:port/name``."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if path.startswith("//"):
            name = path[1:]  # sqlite:////abs/path
        elif path in ("", "/"):
            raise SettingsError("DATABASE_URL 的 SQLite 路径为空")
        else:
            name = str(base_dir / path.lstrip("/"))
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name}
    if parsed.scheme in ("postgres", "postgresql", "pgsql"):
        options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        # a server that does not answer fails a request (and /healthz) in seconds, not minutes
        options.setdefault("connect_timeout", "5")
        # JIT compiles a query the planner over-estimates (a province's large tables) for tens of
        # milliseconds: a loss for the short queries of pages and API calls
        options.setdefault("options", "-c jit=off")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "govit",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise SettingsError(
        f"不支持的 DATABASE_URL：{parsed.scheme}://…（可用 sqlite:/// 或 postgres://）"
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise SettingsError(f"环境变量 {name} 应为整数，实为“{value}”") from None


# The database cache's table: created by the migration govit/ops/migrations/0001 (so `migrate`,
# which `make run`, the tests and a deployment run anyway, makes it on a fresh database).
CACHE_TABLE = "govit_cache"


def caches_from_url(redis_url: str) -> dict[str, Any]:
    """Redis when REDIS_URL is set, otherwise the database: never a per-process memory cache,
    which another app server behind the same load balancer could not see."""
    if not redis_url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": CACHE_TABLE,
            }
        }
    scheme = urlparse(redis_url).scheme
    if scheme not in ("redis", "rediss", "unix"):
        raise SettingsError(
            f"不支持的 REDIS_URL：{scheme}://…（可用 redis://主机:端口/库号、rediss:// 或 unix://）"
        )
    return {
        "default": {
            "BACKEND": "govit.core.cache.RedisCache",  # one client a process (govit/core/cache.py)
            "LOCATION": redis_url,
            "KEY_PREFIX": "govit",
            # a Redis that is down must fail a request quickly, not hang it
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }


def email_from_env() -> dict[str, Any]:
    """The outgoing mail settings: ``EMAIL_URL`` (``smtp://user:password@host:587?tls=1``,
    ``smtps://…:465`` for implicit TLS, ``console://`` to print mail) or the separate
    ``EMAIL_HOST`` / ``EMAIL_PORT`` / ``EMAIL_HOST_USER`` / ``EMAIL_HOST_PASSWORD`` /
    ``EMAIL_USE_TLS`` / ``EMAIL_USE_SSL``. Neither: mail is printed to the console (development;
    ``govit check`` reports it as a problem for production)."""
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    console = "django.core.mail.backends.console.EmailBackend"
    result: dict[str, Any] = {
        "EMAIL_BACKEND": console,
        "EMAIL_HOST": "",
        "EMAIL_PORT": 25,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": env_int("EMAIL_TIMEOUT", 10),
    }
    url = env_str("EMAIL_URL")
    if url:
        parsed = urlparse(url)
        if parsed.scheme == "console":
            return result
        if parsed.scheme not in ("smtp", "smtps"):
            raise SettingsError(
                f"不支持的 EMAIL_URL：{parsed.scheme}://…（可用 smtp://、smtps:// 或 console://）"
            )
        if not parsed.hostname:
            raise SettingsError("EMAIL_URL 缺少发信服务器主机名")
        options = {k: v[-1].lower() for k, v in parse_qs(parsed.query).items()}
        ssl = parsed.scheme == "smtps"
        try:
            port = parsed.port or (465 if ssl else 25)
        except ValueError:
            raise SettingsError("EMAIL_URL 的端口不是有效数字") from None
        return result | {
            "EMAIL_BACKEND": smtp,
            "EMAIL_HOST": parsed.hostname,
            "EMAIL_PORT": port,
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_SSL": ssl,
            "EMAIL_USE_TLS": not ssl and options.get("tls") in {"1", "true", "yes", "on"},
        }
    host = env_str("EMAIL_HOST")
    if not host:
        return result
    ssl = env_bool("EMAIL_USE_SSL", False)
    tls = env_bool("EMAIL_USE_TLS", False)
    if ssl and tls:
        raise SettingsError("EMAIL_USE_TLS 与 EMAIL_USE_SSL 只能设置其一")
    return result | {
        "EMAIL_BACKEND": smtp,
        "EMAIL_HOST": host,
        "EMAIL_PORT": env_int("EMAIL_PORT", 465 if ssl else 25),
        "EMAIL_HOST_USER": env_str("EMAIL_HOST_USER"),
        "EMAIL_HOST_PASSWORD": env_str("EMAIL_HOST_PASSWORD"),
        "EMAIL_USE_TLS": tls,
        "EMAIL_USE_SSL": ssl,
    }


S3_BACKEND = "storages.backends.s3.S3Storage"
# environment variable → S3Storage option (django-storages); unset ones are left to boto3, which
# also finds credentials in its own places (instance profile, ~/.aws)
S3_OPTIONS = {
    "AWS_STORAGE_BUCKET_NAME": "bucket_name",
    "AWS_S3_ENDPOINT_URL": "endpoint_url",
    "AWS_S3_REGION_NAME": "region_name",
    "AWS_ACCESS_KEY_ID": "access_key",
    "AWS_SECRET_ACCESS_KEY": "secret_key",
    "AWS_LOCATION": "location",
    "AWS_S3_ADDRESSING_STYLE": "addressing_style",
}


def file_storage_from_env() -> dict[str, Any]:
    """Uploaded files: the local MEDIA_ROOT (``GOVIT_STORAGE=local``, the default; shared by
    several app servers only on a shared volume) or an S3-compatible object store
    (``GOVIT_STORAGE=s3``: MinIO, 阿里云 OSS, 华为云 OBS … through django-storages, installed
    with ``pip install 'govit[s3]'``; imported only when used)."""
    kind = env_str("GOVIT_STORAGE", "local").lower()
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind == "s3":
        options: dict[str, Any] = {
            option: os.environ[name] for name, option in S3_OPTIONS.items() if os.environ.get(name)
        }
        # uploads are named by their digest: never silently renamed or overwritten, never public
        options |= {"file_overwrite": False, "default_acl": None, "querystring_auth": True}
        return {"BACKEND": S3_BACKEND, "OPTIONS": options}
    raise SettingsError(f"不支持的 GOVIT_STORAGE：“{kind}”（可用 local 或 s3）")
