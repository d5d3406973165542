"""Kept reads: the main pages and API reads, and the signed-in user, answered from the cache while
nothing they were read from has changed.

Everything a page or an API read shows a reader comes from the reader's jurisdiction (access.policy:
nobody sees another's), from the reader's own account and from the platform itself. Each has a
stamp (``govit.core.stamps``), renewed whenever it changes (govit/kept/receivers.py, on the
signals the writers send without naming kept reads):

- ``jurisdiction:<id>`` — every event recorded in the jurisdiction (``events.signals.data_changed``,
  sent by the event recorder: every change to a project, a plan, a meeting, an organization or an
  account records one): the lists, the workbench, the plan board, the statistics;
- a project's own reads (``PROJECT_VIEWS``: its page, its parts, the API's detail, steps, events
  and documents) depend instead on ``project:<id>`` — the events on its stream — and on
  ``jurisdiction:<id>:outside-projects`` — the jurisdiction's events on no project's stream
  (plans, organizations, accounts, delegations, experts, vendors' credit);
- ``jurisdiction:0`` — events outside any jurisdiction (calendars, rulebook versions), which every
  kept read depends on;
- ``user:<id>`` — the account (``User.save``), its roles and expert entry, its notifications,
  new or read (``organizations.signals.account_changed``: every page's header counts the unread);
  the signed-in user is read before the middleware runs, so a page is kept under the token that
  user was read under (``kept_user``), not one read later;
- the day (overdue and working days left move with it), the last year of holidays the process
  counts working days with (calendars/sync.py loads a year another server stored), the language
  and the release (a new version of the code, templates, translations, rulebooks or calendar
  files keeps nothing of the old one).

A response is kept (``KeptReads``) for a reader, an address with its query, the language, the
htmx header and the browser's CSRF cookie (a page's forms carry a token for it), with the tokens
of those scopes read (in the same read of the cache) before the view reads anything, and used
only while they are still the current ones, for ``GOVIT_KEPT_SECONDS`` at most. Only a ``200``
that sets no cookie and leaves the session as it was is kept. A browser's hard reload
(``Cache-Control: no-cache``) is always answered fresh. Off unless ``GOVIT_KEPT_READS`` (on by
default where Redis is the cache: docs/deployment.md).
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from functools import cache as once
from functools import lru_cache
from pathlib import Path
from typing import Any

import django
import ninja
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.crypto import salted_hmac

from govit.access.policy import jurisdiction_id
from govit.core import clock, stamps
from govit.core.middleware import API_PREFIX
from govit.organizations.selectors import token_user
from govit.policy.calendar import default_calendar

log = logging.getLogger("govit.kept")

# The signed-in user of the request, and the token of its account's stamp it was read under
# (kept_user): a page is kept under that token, not under one read after the user was — a role
# taken away in between would otherwise be kept under the new token with the old roles.
_user_read_under: ContextVar[tuple[str, str] | None] = ContextVar("kept_user", default=None)

HEADER = "X-GovIT-Kept"  # hit / miss on every kept read's answer (for operators and benchmarks)

# The reads kept, by URL name: the pages people come back to all day and the API's reads.
# Each is a GET without side effects whose answer depends only on what the docstring lists.
VIEWS = frozenset(
    {
        "home",
        "project-list",
        "project-detail",
        "project-section",
        "plan-board",
        "expert-draws",
        "dashboard",
        "rulebook-list",
        "rulebook-detail",
        "rulebook-compare",
        "selfcheck",
        "admin-home",
        "api-v1:projects",
        "api-v1:project_detail",
        "api-v1:steps",
        "api-v1:events",
        "api-v1:documents",
        "api-v1:tasks",
    }
)


def enabled() -> bool:
    return bool(getattr(settings, "GOVIT_KEPT_READS", False))


# The reads of one project: they depend on its own events and on the jurisdiction's events that
# belong to no project (plans, organizations, accounts, experts, vendors' credit), not on the
# other projects' — a busy jurisdiction's project pages stay kept while other projects change.
# The URL name and the argument that names the project.
PROJECT_VIEWS = {
    "project-detail": "pk",
    "project-section": "pk",
    "api-v1:project_detail": "project_id",
    "api-v1:steps": "project_id",
    "api-v1:events": "project_id",
    "api-v1:documents": "project_id",
}


def jurisdiction_scope(jurisdiction_id: int | None) -> str:
    return f"jurisdiction:{jurisdiction_id or 0}"


GLOBAL = jurisdiction_scope(
    None
)  # events outside any jurisdiction: every kept read depends on them


def outside_projects_scope(jurisdiction_id: int | None) -> str:
    return f"jurisdiction:{jurisdiction_id or 0}:outside-projects"


def project_scope(project_id: int) -> str:
    return f"project:{project_id}"


def user_scope(user_id: int) -> str:
    return f"user:{user_id}"


def data_scopes(where: Iterable[tuple[int | None, int | None]]) -> set[str]:
    """The scopes stale once events were recorded at these (jurisdiction, project) — None:
    outside any: everything of the jurisdiction, and the project's own reads or, for an event of
    no project, every project's reads of the jurisdiction."""
    scopes = set()
    for where_jurisdiction, project_id in where:
        scopes.add(jurisdiction_scope(where_jurisdiction))
        if project_id is None:
            scopes.add(outside_projects_scope(where_jurisdiction))
        else:
            scopes.add(project_scope(project_id))
    return scopes


@once
def release() -> str:
    """A digest of what a page is made of besides the data: the code, templates, translations,
    static files, rulebooks, calendars and regulations of this checkout, and the framework's
    versions. Computed once a process (~10 ms); GOVIT_RELEASE, when set, is used instead."""
    given = getattr(settings, "GOVIT_RELEASE", "")
    if given:
        return given
    digest = hashlib.blake2b(f"{django.__version__}:{ninja.__version__}".encode(), digest_size=8)
    base = Path(settings.BASE_DIR)
    for root in ("govit", "rulebooks", "calendar", "regulations"):
        for path in sorted((base / root).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


# --- the signed-in user ------------------------------------------------------------------------


def _user_key(user_id: Any) -> str:
    return f"kept:user:{user_id}"


def kept_user(user_id: Any, read: Callable[[], Any]) -> Any:
    """The user ``read()`` would return, from the cache while the account's stamp is the one it
    was kept under. The kept copy carries the HMACs sessions are checked against instead of the
    password's hash (``User.keepable``), and refuses to be saved. Without kept reads, ``read()``."""
    if not enabled():
        return read()
    scope = user_scope(user_id)
    try:
        found = cache.get_many([_user_key(user_id), stamps.key(scope)])
    except Exception:
        log.warning("kept: the cache did not answer", exc_info=True)
        return read()
    token = (stamps.settle([scope], found) or {}).get(scope)
    if token is not None:
        _user_read_under.set((str(user_id), token))
    entry = found.get(_user_key(user_id))
    valid = (token, release(), _secrets())
    if token is not None and entry is not None and entry[:3] == valid:
        return entry[3]
    user = read()  # after the token: what it reads is at least as new as the token
    if user is not None and token is not None:
        try:
            cache.set(_user_key(user_id), (*valid, user.keepable()), _seconds())
        except Exception:
            log.warning("kept: could not keep user %s", user_id, exc_info=True)
    return user


def _secrets() -> str:
    """Which secret keys the kept HMACs were made with (an HMAC of nothing under each, not the
    keys): a copy kept under other keys is read again instead of signing its sessions out."""
    return _fingerprint((settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])))


@lru_cache(maxsize=4)
def _fingerprint(keys: tuple[str, ...]) -> str:  # once a process, not once a request
    # the salt is the name this module had when kept users were first stored: a new one would
    # only make every process read its users once more
    return ":".join(salted_hmac("govit.core.kept", "", secret=k).hexdigest()[:16] for k in keys)


# --- kept responses ------------------------------------------------------------------------------


def _seconds() -> int:
    return int(getattr(settings, "GOVIT_KEPT_SECONDS", 600))


def _bearer_token(request: HttpRequest) -> str | None:
    """The API's bearer token, exactly as ninja's HttpBearer reads it; None without one (and on
    pages, which know only the session)."""
    parts = request.headers.get("Authorization", "").split(" ")
    if request.path.startswith(API_PREFIX) and parts[0].lower() == "bearer":
        return " ".join(parts[1:])
    return None


def _reader(request: HttpRequest, token: str | None) -> Any:
    """Who asks, as the view will see it: the bearer token's user when there is a token (the API
    tries it first), else the session's."""
    if token is not None:
        return token_user(token)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _messages_pending(request: HttpRequest) -> bool:
    return bool(request.COOKIES.get(CookieStorage.cookie_name)) or "_messages" in request.session


def read_scopes(user: Any, view_name: str, kwargs: dict[str, Any]) -> list[str] | None:
    """The scopes a reader's read is read from; None for a reader whose reads are not kept (a
    superuser sees every jurisdiction; an account of none sees nothing). A project's read
    answered 200 is of a project of the reader's jurisdiction (any other is "not found", and a
    404 is never kept)."""
    if user.is_superuser:
        return None
    jid = jurisdiction_id(user)
    if jid is None:
        return None
    mine = [GLOBAL, user_scope(user.pk)]
    argument = PROJECT_VIEWS.get(view_name)
    if argument is not None and argument in kwargs:
        return [project_scope(int(kwargs[argument])), outside_projects_scope(jid), *mine]
    return [jurisdiction_scope(jid), *mine]


def response_key(request: HttpRequest, user: Any) -> str:
    """The key this reader's answer to this request is kept under (with the tokens it was read
    under: ``KeptReads``)."""
    parts = [
        release(),
        str(user.pk),
        request.get_full_path(),
        getattr(request, "LANGUAGE_CODE", ""),
        request.headers.get("HX-Request", ""),
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        clock.today().isoformat(),
        # the holidays this process counts working days with: years are only ever added, and a
        # server learns of a new one within a minute (calendars/sync.py), when its key moves on
        str(default_calendar().years[-1]),
    ]
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    return f"kept:response:{digest}"


def _pack(tokens: tuple[str, ...], response: HttpResponse) -> tuple[Any, ...]:
    return tokens, response.status_code, list(response.items()), zlib.compress(response.content, 1)


def _unpack(entry: tuple[Any, ...]) -> HttpResponse:
    _tokens, status, headers, body = entry
    response = HttpResponse(zlib.decompress(body), status=status)
    for name, value in headers:
        response[name] = value
    response[HEADER] = "hit"
    return response


class KeptReads:
    """Answers a kept read from the cache when its tokens are still current; keeps the view's
    answer otherwise. Last of the middleware: sign-in, CSRF and the others have run before it, and
    their answers (redirects, refusals) are never kept."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = _user_read_under.set(None)  # nothing of another request's sign-in
        try:
            response = self.get_response(request)
        finally:
            _user_read_under.reset(started)
        pending = getattr(request, "_kept", None)
        if pending is not None:
            key, tokens, reader = pending
            response[HEADER] = "miss"
            if self._keepable(request, response) and _answered_for(request) == reader:
                try:
                    cache.set(key, _pack(tokens, response), _seconds())  # type: ignore[arg-type]
                except Exception:
                    log.warning("kept: could not keep %s", request.path, exc_info=True)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not enabled() or request.method != "GET":
            return None
        match = request.resolver_match
        if match is None or match.view_name not in VIEWS:
            return None
        token = _bearer_token(request)
        user = _reader(request, token)
        if user is None or _messages_pending(request):
            return None
        scopes = read_scopes(user, match.view_name, match.kwargs)
        if scopes is None:
            return None
        key = response_key(request, user)
        # the answer and the current tokens in one read, before the view reads anything
        try:
            found = cache.get_many([key, *(stamps.key(scope) for scope in scopes)])
        except Exception:
            log.warning("kept: the cache did not answer", exc_info=True)
            return None
        current = stamps.settle(scopes, found)
        if current is None:
            return None
        if token is None:
            # the session's user was read before these tokens: its own is the one it was read
            # under (a bearer's user is read again by the view itself, after them)
            under = _user_read_under.get()
            if under is None or under[0] != str(user.pk):
                return None
            current[user_scope(user.pk)] = under[1]
        tokens = tuple(current[scope] for scope in scopes)
        entry = found.get(key)
        fresh = "no-cache" in request.headers.get("Cache-Control", "").lower()
        if entry is not None and entry[0] == tokens and not fresh:
            return _unpack(entry)
        request._kept = (key, tokens, user.pk)  # type: ignore[attr-defined]
        return None

    @staticmethod
    def _keepable(request: HttpRequest, response: HttpResponseBase) -> bool:
        return (
            response.status_code == 200
            and isinstance(response, HttpResponse)
            and not response.streaming
            and not response.cookies
            and _csrf_unchanged(request)
            and not request.session.modified
        )


def _answered_for(request: HttpRequest) -> Any:
    """Whom the view answered: the API's authenticated user (token or session), else the
    session's. An answer is kept only for the reader it was keyed for."""
    who = getattr(request, "auth", None) or getattr(request, "user", None)
    return getattr(who, "pk", None)


def _csrf_unchanged(request: HttpRequest) -> bool:
    """Whether the page's forms carry a token for the CSRF cookie the browser already has. A page
    that used the token asks for the cookie to be sent again (Django refreshes its age each time);
    that is harmless to leave out of a kept answer only if it is the same cookie."""
    if not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return True
    had = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    return bool(had) and request.META.get("CSRF_COOKIE") == had
