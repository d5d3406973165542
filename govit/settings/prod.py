"""Production: everything from the environment; refuses to start with the development key or
without ALLOWED_HOSTS. HTTPS everywhere (HSTS, redirect, secure cookies), also behind a
TLS-terminating load balancer (GOVIT_PROXY_SSL_HEADER). docs/deployment.md lists every variable;
`govit check` says what is still wrong."""

from govit.settings.base import *  # noqa: F403
from govit.settings.base import MIDDLEWARE, SECRET_KEY, STORAGES
from govit.settings.env import SettingsError, env_bool, env_int, env_list, env_str

DEBUG = False

# no default hosts in production: a missing value is a mistake, not "localhost"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])

STARTUP_PROBLEMS = []
if not SECRET_KEY or SECRET_KEY.startswith("govit-development-key"):
    STARTUP_PROBLEMS.append("生产环境必须通过环境变量 SECRET_KEY 设置密钥")
if not ALLOWED_HOSTS:
    STARTUP_PROBLEMS.append("生产环境必须通过环境变量 ALLOWED_HOSTS 设置本系统的域名（逗号分隔）")
# `govit check` loads these settings to report every problem at once instead of the first
if STARTUP_PROBLEMS and not env_bool("GOVIT_CHECK_ONLY", False):
    raise SettingsError("；".join(STARTUP_PROBLEMS))

# HTTPS. Behind a load balancer that terminates TLS, name the header it sets (usually
# X-Forwarded-Proto) — only if it overwrites that header from clients.
_proxy_header = env_str("GOVIT_PROXY_SSL_HEADER")
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = env_bool("GOVIT_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("GOVIT_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GOVIT_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("GOVIT_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = env_bool("GOVIT_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("GOVIT_SECURE_COOKIES", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Every app server serves /static/ itself (no separate web server needed): the collected,
# content-hashed, compressed files (`govit manage collectstatic`), cached for good by browsers.
STORAGES = STORAGES | {
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
}
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
