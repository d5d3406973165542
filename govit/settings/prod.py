"""Production: everything from the environment; refuses to start with the development key."""

from govit.settings.base import *  # noqa: F403
from govit.settings.base import SECRET_KEY
from govit.settings.env import SettingsError, env_bool

DEBUG = False
if SECRET_KEY.startswith("govit-development-key"):
    raise SettingsError("生产环境必须通过环境变量 SECRET_KEY 设置密钥")

SESSION_COOKIE_SECURE = env_bool("GOVIT_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("GOVIT_SECURE_COOKIES", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
