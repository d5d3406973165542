"""The production settings, loaded as a deployment loads them (a fresh process, only the
environment): `check --deploy` is clean with just SECRET_KEY and ALLOWED_HOSTS; they refuse to
start without them; the HTTPS settings follow their variables."""

from __future__ import annotations

import json

import pytest

from tests.ops.procs import PROD, environment, production_key, run


@pytest.fixture
def prod_env(tmp_path):
    return environment(
        tmp_path,
        DJANGO_SETTINGS_MODULE=PROD,
        SECRET_KEY=production_key(),
        ALLOWED_HOSTS="govit.example.gov.cn",
    )


SHOW = (
    "import json, django; from django.conf import settings; django.setup(); print(json.dumps({"
    "k: getattr(settings, k, None) for k in ('DEBUG', 'SECURE_SSL_REDIRECT', "
    "'SECURE_PROXY_SSL_HEADER', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE', "
    "'CSRF_COOKIE_SECURE', 'CSRF_TRUSTED_ORIGINS', 'MIDDLEWARE', 'STORAGES', 'CACHES')}))"
)


def shown(env) -> dict:
    result = run(["python", "-c", SHOW], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_with_only_the_key_and_the_hosts(prod_env):
    result = run(["govit", "manage", "check", "--deploy", "--fail-level", "WARNING"], prod_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_reports_insecure_cookies_when_they_are_turned_off(prod_env):
    prod_env["GOVIT_SECURE_COOKIES"] = "false"
    result = run(["govit", "manage", "check", "--deploy", "--fail-level", "WARNING"], prod_env)
    assert result.returncode == 1
    assert "security.W012" in result.stderr and "security.W016" in result.stderr


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "生产环境必须通过环境变量 SECRET_KEY 设置密钥"),
        ("ALLOWED_HOSTS", "生产环境必须通过环境变量 ALLOWED_HOSTS 设置本系统的域名"),
    ],
)
def test_production_refuses_to_start_without_the_key_or_the_hosts(prod_env, missing, message):
    del prod_env[missing]
    result = run(["govit", "manage", "check"], prod_env)
    assert result.returncode != 0
    assert message in result.stderr


def test_the_development_key_is_refused_in_production(prod_env):
    prod_env["SECRET_KEY"] = "govit-development-key-not-for-production"
    result = run(["govit", "manage", "check"], prod_env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_https_everywhere_by_default_and_behind_a_proxy_when_told(prod_env):
    values = shown(prod_env)
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    # the static files: WhiteNoise right after the security middleware, hashed and compressed
    middleware = values["MIDDLEWARE"]
    security = middleware.index("django.middleware.security.SecurityMiddleware")
    assert middleware[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"

    behind = shown(
        prod_env
        | {
            "GOVIT_PROXY_SSL_HEADER": "X-Forwarded-Proto",
            "CSRF_TRUSTED_ORIGINS": "https://govit.example.gov.cn,https://www.example.gov.cn",
            "REDIS_URL": "redis://10.0.0.5:6379/0",
        }
    )
    assert behind["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert behind["CSRF_TRUSTED_ORIGINS"] == [
        "https://govit.example.gov.cn",
        "https://www.example.gov.cn",
    ]
    assert behind["CACHES"]["default"]["LOCATION"] == "redis://10.0.0.5:6379/0"


def test_development_and_tests_need_no_collected_static_files(settings):
    assert "whitenoise.middleware.WhiteNoiseMiddleware" not in settings.MIDDLEWARE
    assert settings.STORAGES["staticfiles"]["BACKEND"] == (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
