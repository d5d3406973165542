"""A new app-server process made ready before it takes its first request."""

from __future__ import annotations

import logging

from django.urls import get_resolver

from govit.jurisdictions.models import RulebookVersion
from govit.kept import reads

log = logging.getLogger("govit.ops")


def warm_up() -> None:
    """Import every view and the API's schemas (the URLs), load the stored rulebook versions (a
    few a jurisdiction: the projects are pinned to them) and work out the release digest of kept
    reads: ~0.7 s a process, which the first request of every new worker paid — under load, long
    enough for a client to give up on it. Nothing here is needed for correctness: a failure is
    logged and the worker starts anyway."""
    try:
        get_resolver().url_patterns  # noqa: B018 — importing them is the point
        reads.release()
        for version in RulebookVersion.objects.all():
            version.load()
    except Exception:
        log.warning("warm-up failed; the first requests will do it", exc_info=True)
