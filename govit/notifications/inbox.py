"""The recipient's own inbox: marking notifications read.

Not a service of services.py: reading one's own messages is not a decision anyone audits, so it
records no event; it is scoped to the owner (someone else's notification is simply not found)."""

from __future__ import annotations

from collections.abc import Iterable

from govit.core import clock
from govit.notifications.models import Notification
from govit.organizations.models import User
from govit.organizations.signals import account_changed


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read (all of them when ``ids`` is None); returns how
    many changed. Ids of other users' notifications change nothing."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    changed = qs.update(read_at=clock.now())
    if changed:
        # every page's header counts the unread
        account_changed.send(sender=User, user_ids=(user.pk,))
    return changed
