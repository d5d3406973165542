"""The e-mail copies of notifications, sent from the table (an outbox): a notification is
committed first and mailed afterwards, so a crash between the two delays a mail, never loses it."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from govit.core import clock
from govit.notifications.models import EmailState, Notification

log = logging.getLogger(__name__)
BATCH = 200


def send_pending(limit: int | None = None) -> int:
    """Send the pending e-mails, each in its own short transaction; returns how many were sent.

    On PostgreSQL rows another worker is sending are skipped (SKIP LOCKED). A mail server that
    refuses one message leaves it pending for the next run and goes on with the others."""
    sent = 0
    failed: set[int] = set()
    while limit is None or sent < limit:
        ids = list(
            Notification.objects.filter(email_state=EmailState.PENDING)
            .exclude(pk__in=failed)
            .order_by("id")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            break
        for pk in ids:
            if limit is not None and sent >= limit:
                break
            try:
                if _send_one(pk):
                    sent += 1
            except Exception:  # one bad address must not stop the others
                log.exception("notification %s: e-mail not sent", pk)
                failed.add(pk)
    return sent


def _send_one(pk: int) -> bool:
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("user")
            .filter(pk=pk, email_state=EmailState.PENDING)
            .first()
        )
        if row is None:
            return False  # sent meanwhile, or being sent by another worker
        send_mail(
            subject=f"【GovIT】{row.title}",
            message=row.body + (f"\n\n依据：{row.cite}" if row.cite else ""),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[row.user.email],
        )
        row.email_state, row.emailed_at = EmailState.SENT, clock.now()
        row.save(update_fields=["email_state", "emailed_at"])
    return True
