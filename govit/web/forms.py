"""Forms shared by several pages."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    error_messages: ClassVar[dict] = {
        "invalid_login": _("用户名或密码不正确。"),
        "inactive": _("该账号已停用，请联系本单位管理员。"),
    }
