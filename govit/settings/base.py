"""Settings shared by every environment."""

from __future__ import annotations

from pathlib import Path

from govit.core.logging import logging_config
from govit.settings.env import (
    caches_from_url,
    database_from_url,
    email_from_env,
    env_bool,
    env_int,
    env_list,
    env_str,
    file_storage_from_env,
)

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(env_str("GOVIT_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "govit-development-key-not-for-production")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "govit.jurisdictions",
    "govit.organizations",
    "govit.events",
    "govit.kept",  # kept reads: their receivers renew the stamps (connected at ready)
    "govit.projects",
    "govit.documents",
    "govit.planning",
    "govit.reviews",
    "govit.contracts",
    "govit.delivery",
    "govit.supervision",
    "govit.calendars",
    "govit.notifications",
    "govit.jobs",
    "govit.web",
    "govit.ops",  # the database cache's table; backups and production checks
]

AUTH_USER_MODEL = "organizations.User"
# ModelBackend reading the signed-in user with its organization, expert entry and roles
AUTHENTICATION_BACKENDS = ["govit.organizations.backends.GovitBackend"]

MIDDLEWARE = [
    "govit.core.middleware.RequestId",  # first: every log line of the request carries its id
    "django.middleware.security.SecurityMiddleware",
    "govit.core.middleware.ApiErrorsAsJson",  # every /api/ error is {code, message, cite}
    "govit.core.middleware.RefuseNulCharacters",  # PostgreSQL text cannot hold U+0000
    "govit.events.middleware.CorrelateEvents",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "govit.web.middleware.PagesNeedSignIn",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "govit.kept.reads.KeptReads",  # last: answers a kept read after sign-in and CSRF have run
]

ROOT_URLCONF = "govit.urls"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
WSGI_APPLICATION = "govit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "govit.web.context.navigation",
            ],
        },
    }
]

# SQLite in var/ unless DATABASE_URL names another database (PostgreSQL in production).
DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'govit.sqlite3'}", BASE_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# zh-hans first, English second; dates and times in China's time zone.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "govit" / "locale"]
# one date format per language for every page (govit/web/formats)
FORMAT_MODULE_PATH = ["govit.web.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# where HTTPS is enforced (prod.py), the load balancer's probe still speaks plain HTTP
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Several app servers behind one load balancer: nothing another server needs lives in a process's
# memory. Sessions are in the database; the cache is in Redis (REDIS_URL) or else in the
# database (table govit_cache, made by `migrate`); uploads are on a shared storage.
REDIS_URL = env_str("REDIS_URL")
CACHES = caches_from_url(REDIS_URL)
# the job broker (govit/celery.py reads the same variables): a Redis database of its own is
# better, since clearing the cache flushes the cache's database
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL
# With Redis, a session is read from the cache and written through to the database (one query
# less a request; losing Redis signs nobody out); without it, straight from the database.
# Kept reads (govit/kept/reads.py): the main pages, the API's reads and the signed-in user answered
# from the cache while nothing they were read from has changed. On where Redis is the cache (a
# cache in the database would cost the queries it saves); GOVIT_KEPT_READS=0 turns it off.
GOVIT_KEPT_READS = env_bool("GOVIT_KEPT_READS", bool(REDIS_URL))
GOVIT_KEPT_SECONDS = env_int("GOVIT_KEPT_SECONDS", 600)
# what a kept page is made of besides the data; by default a digest of the checkout (kept.release)
GOVIT_RELEASE = env_str("GOVIT_RELEASE", "")
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

STORAGES = {
    "default": file_storage_from_env(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Production serves the collected, hashed and compressed copies through WhiteNoise (prod.py);
# development's runserver serves them where they are (no collectstatic needed).

# Outgoing mail: EMAIL_URL or EMAIL_HOST/PORT/…; neither prints mail to the console.
_email = email_from_env()
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"]
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "GovIT <noreply@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# One JSON object a line on standard error, with the request id (govit/core/logging.py).
LOGGING = logging_config(env_str("LOG_LEVEL", "INFO").upper())
