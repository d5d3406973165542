"""Sign-in: Django's ModelBackend, but the signed-in user of every request is read with what
every page's header asks of it — the organization (its kind and jurisdiction), "is an expert"
and the role codes — in two queries instead of four, and with kept reads on, from the cache
while the account is unchanged (``govit.kept.reads.kept_user``, registered through
``read_signed_in_through``: no query)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.backends import ModelBackend

from govit.organizations.models import User

# How a request's signed-in user is read, given its id and the read from the database: that read,
# unless a layer above registers a reader that keeps it (kept reads, at ready). The backend stays
# here because every session names its path (settings.AUTHENTICATION_BACKENDS); moved, it would
# sign everyone out.
Reader = Callable[[Any, Callable[[], User | None]], User | None]


def _read_from_database(user_id: Any, read: Callable[[], User | None]) -> User | None:
    return read()


_read_through: Reader = _read_from_database


def read_signed_in_through(reader: Reader) -> None:
    """Read the signed-in user through ``reader`` from now on (once, at ready)."""
    global _read_through
    _read_through = reader


def user_with_header(queryset: Any = None) -> Any:
    """Users read with their organization (and its jurisdiction: the regulation bound there says
    what the office may do, access.policy.acts_as_unit) and expert entry (one join) and roles
    (one query)."""
    qs = User._default_manager.all() if queryset is None else queryset
    return (
        qs.select_related("organization__jurisdiction__rulebook", "expert")
        .defer("organization__jurisdiction__rulebook__yaml_text")
        .prefetch_related("roles")
    )


def _read(user_id: Any) -> User | None:
    try:
        return user_with_header().get(pk=user_id)
    except (User.DoesNotExist, ValueError, TypeError):
        return None


class GovitBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = _read_through(user_id, lambda: _read(user_id))
        return user if user is not None and self.user_can_authenticate(user) else None
