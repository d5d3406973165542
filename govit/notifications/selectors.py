"""Reads of notifications: only ever the signed-in user's own."""

from __future__ import annotations

from django.db.models import QuerySet

from govit.notifications.models import Notification
from govit.organizations.models import User


def notification_list(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=user).select_related("project")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_for(user: User) -> QuerySet[Notification]:
    return notification_list(user, unread_only=True)


def unread_count(user: User, *, at_most: int | None = None) -> int:
    """How many unread notifications the user has: one COUNT on the (user, read_at) index.
    With ``at_most`` (the header's badge), counting stops there: a clerk the deadline scan has
    sent thousands of reminders costs the same as one with a hundred."""
    if not user.is_authenticated:
        return 0
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if at_most is not None:
        return unread.order_by()[:at_most].count()
    return unread.count()
