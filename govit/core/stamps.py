"""Stamps: one token in the cache for each part of the data that is kept read (a *scope*), new
whenever that part changes.

What is kept — a rendered page, a signed-in user, the plan board's lanes — is stored with the
tokens of the scopes it was read from, and used only while they are still the current ones. The
rules that make this exact:

- The reader takes the tokens *before* it reads the data. A writer renews its scopes' tokens as it
  writes and again once its transaction has committed (``renew``). A reader that read the data
  before the commit therefore holds tokens that are no longer current once the commit is visible,
  and nobody asks for what it kept.
- A token is a random value, never a counter: a token lost from the cache (evicted, flushed,
  Redis restarted) is started afresh, and nothing kept under an older one is ever used again.
- The cache failing never fails a request or a write: reads are then simply not kept
  (``tokens`` answers None) and a write that could not renew its tokens is logged — what was kept
  before it lives at most its own time (every kept thing has one).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.cache import cache
from django.db import transaction

log = logging.getLogger("govit.stamps")

# a token lives long: what is kept under it lives for a time of its own, much shorter
STAMP_SECONDS = 7 * 24 * 3600


def key(scope: str) -> str:
    return f"stamp:{scope}"


def settle(scopes: Iterable[str], found: Mapping[str, Any]) -> dict[str, str] | None:
    """The current token of each scope, from ``found`` (a ``cache.get_many`` that included
    their keys), starting a token where there is none. None when the cache keeps nothing."""
    tokens = {}
    missing = []
    for scope in scopes:
        token = found.get(key(scope))
        if token is None:
            missing.append(scope)
        else:
            tokens[scope] = token
    if missing:
        try:
            for scope in missing:
                # add, not set: of two readers starting the same token, both use the first one
                cache.add(key(scope), uuid.uuid4().hex, STAMP_SECONDS)
            started = cache.get_many([key(scope) for scope in missing])
        except Exception:  # the cache is down: nothing is kept
            log.warning("stamps: the cache did not answer", exc_info=True)
            return None
        for scope in missing:
            token = started.get(key(scope))
            if token is None:  # a cache that keeps nothing (DummyCache)
                return None
            tokens[scope] = token
    return tokens


def tokens(scopes: Iterable[str]) -> dict[str, str] | None:
    """The current tokens of ``scopes`` (one read of the cache); None when the cache keeps
    nothing or does not answer."""
    scopes = list(scopes)
    try:
        found = cache.get_many([key(scope) for scope in scopes])
    except Exception:
        log.warning("stamps: the cache did not answer", exc_info=True)
        return None
    return settle(scopes, found)


def renew(scopes: Iterable[str]) -> None:
    """What was read from ``scopes`` is stale: new tokens now, and again when the current
    transaction commits (at once outside one)."""
    keys = [key(scope) for scope in set(scopes)]
    if not keys:
        return

    def bump() -> None:
        try:
            cache.set_many({k: uuid.uuid4().hex for k in keys}, STAMP_SECONDS)
        except Exception:
            log.warning("stamps: could not renew %s", ", ".join(keys), exc_info=True)

    bump()
    transaction.on_commit(bump)
