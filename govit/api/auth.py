"""Authentication: a bearer token (Authorization: Bearer gvt_…) or the browser session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from govit.core.errors import PermissionDenied
from govit.organizations.selectors import token_user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class Session(SessionAuth):
    def _get_key(self, request: HttpRequest) -> Any:
        # No logged-in session: nothing for a forged cross-site request to ride on, and the
        # request is simply unauthenticated (401, not ninja's 403 for a missing CSRF token).
        # With one, a write without the CSRF token is refused in Chinese, like every error.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError:
            raise PermissionDenied(
                "浏览器会话的写操作须带 CSRF 令牌（X-CSRFToken 请求头），或改用 Authorization: Bearer 令牌",
                code="CSRF_FAILED",
            ) from None

    def authenticate(self, request: HttpRequest, key: Any) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


AUTH = [TokenAuth(), Session()]
