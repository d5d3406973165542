"""Writes about organizations that no policy guards: the system account setup and jobs act as.
The administration writes (organizations, users, roles, tokens) are ``govit.access.services``."""

from __future__ import annotations

from govit.organizations.models import User

SYSTEM_USERNAME = "system"


def system_user() -> User:
    """The account that setup commands and background jobs act as ("系统")."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"real_name": "系统", "is_superuser": True, "is_staff": True},
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user
