"""What renews the stamps kept reads are read under: the signals the writers send — the event
recorder's ``data_changed``, organizations' ``account_changed`` — which name no kept read, so
the writers below this layer do not import it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from govit.core import stamps
from govit.events.signals import data_changed
from govit.kept import reads
from govit.organizations import backends
from govit.organizations.signals import account_changed

DATA_CHANGED = "govit.kept.receivers.renew_data"
ACCOUNT_CHANGED = "govit.kept.receivers.renew_accounts"


def renew_data(
    sender: Any, *, where: Iterable[tuple[int | None, int | None]], **kwargs: Any
) -> None:
    """Events were recorded at these (jurisdiction, project): what was kept from them is stale."""
    if reads.enabled():
        stamps.renew(reads.data_scopes(where))


def renew_accounts(sender: Any, *, user_ids: Iterable[int], **kwargs: Any) -> None:
    """These accounts changed (saved, roles, expert entry) or read their notifications: their
    kept copies and the pages kept for them are stale."""
    if reads.enabled():
        stamps.renew(reads.user_scope(pk) for pk in user_ids)


def connect() -> None:
    """At ready (KeptConfig): the receivers, and the signed-in user read through kept reads."""
    data_changed.connect(renew_data, dispatch_uid=DATA_CHANGED)
    account_changed.connect(renew_accounts, dispatch_uid=ACCOUNT_CHANGED)
    backends.read_signed_in_through(reads.kept_user)
