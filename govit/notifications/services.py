"""Send notifications: the platform (or a jurisdiction's administrator) tells people something,
once per reason, and the event log keeps that it did."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from govit.access.policy import authorize
from govit.core import clock
from govit.events.services import record
from govit.jurisdictions.models import Jurisdiction
from govit.notifications.models import EmailState, Notification
from govit.organizations.models import User
from govit.projects.models import Project, Task


@transaction.atomic
def notify(
    *,
    actor: User,
    recipients: Iterable[User],
    kind: str,
    key: str,
    title: str,
    body: str,
    cite: str = "",
    rulebook_id: str = "",
    project: Project | None = None,
    task: Task | None = None,
    jurisdiction: Jurisdiction | None = None,
    summary: str = "",
) -> list[Notification]:
    """Notify each recipient who has not yet been notified for ``key``; returns the new ones.

    ``key`` names the reason (kind, object and window): running the same job twice, or again
    after a crash, finds the rows already there and notifies nobody twice; the unique constraint
    (user, key) decides when two workers race. One event records who was told, only when
    somebody new was."""
    jurisdiction = jurisdiction or (project.jurisdiction if project is not None else None)
    if jurisdiction is None:
        raise ValueError("notify() needs a project or a jurisdiction")
    authorize(actor, "jurisdiction.admin", jurisdiction.pk)
    people = list({u.pk: u for u in recipients}.values())
    if not people:
        return []
    told = set(
        Notification.objects.filter(key=key, user_id__in=[u.pk for u in people]).values_list(
            "user_id", flat=True
        )
    )
    now = clock.now()
    new = []
    for user in people:
        if user.pk in told:
            continue
        row = Notification(
            user=user,
            kind=kind,
            key=key,
            project=project,
            task=task,
            jurisdiction=jurisdiction,
            title=title[:200],
            body=body,
            cite=cite or "",
            rulebook_id=rulebook_id,
            created_at=now,
            email_state=EmailState.PENDING if user.email else EmailState.NONE,
        )
        try:
            # a concurrent run that inserted the same (user, key) first wins: on PostgreSQL this
            # waits for its commit and then fails here, so exactly one of the two records it
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            continue
        new.append(row)
    if not new:
        return []
    names = "、".join(n.user.display_name for n in new)
    record(
        "notification.sent",
        actor=actor,
        project=project,
        jurisdiction=jurisdiction,
        summary=f"{summary or title}（已提醒：{names}）",
        cite=cite,
        data={"kind": kind, "key": key, "users": [n.user.pk for n in new]},
    )
    return new
