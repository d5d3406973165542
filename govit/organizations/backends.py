"""Sign-in: Django's ModelBackend, but the signed-in user of every request is read with what
every page's header asks of it — the organization (its kind and jurisdiction), "is an expert"
and the role codes — in two queries instead of four, and with kept reads on, from the cache
while the account is unchanged (``govit.core.kept.kept_user``: no query)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from govit.core import kept
from govit.organizations.models import User


def user_with_header(queryset: Any = None) -> Any:
    """Users read with their organization and expert entry (one join) and roles (one query)."""
    qs = User._default_manager.all() if queryset is None else queryset
    return qs.select_related("organization", "expert").prefetch_related("roles")


def _read(user_id: Any) -> User | None:
    try:
        return user_with_header().get(pk=user_id)
    except (User.DoesNotExist, ValueError, TypeError):
        return None


class GovitBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = kept.kept_user(user_id, lambda: _read(user_id))
        return user if user is not None and self.user_can_authenticate(user) else None
