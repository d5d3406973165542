"""Reads about users and tokens."""

from __future__ import annotations

from typing import Any

from govit.core import clock
from govit.core.digest import sm3
from govit.organizations.models import ApiToken, Assignment, User


def token_user(key: str) -> User | None:
    """The active user a bearer key belongs to, or None."""
    if not key or not key.startswith("gvt_"):
        return None
    token = (
        ApiToken.objects.select_related("user__organization", "user__expert")
        .prefetch_related("user__roles")
        .filter(key_digest=sm3(key.encode()))
        .first()
    )
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= clock.now():
        return None
    return token.user if token.user.is_active else None


def assigned_organizations(jurisdiction_id: int, rulebook_id: str) -> dict[str, Any]:
    """The body in effect for each rule the jurisdiction's administrator has assigned (the latest
    assignment of a rule), by rule key."""
    found: dict[str, Any] = {}
    for assignment in (
        Assignment.objects.filter(jurisdiction_id=jurisdiction_id, rulebook_id=rulebook_id)
        .select_related("organization", "created_by")
        .order_by("rule", "-id")
    ):
        found.setdefault(assignment.rule, assignment)
    return found
