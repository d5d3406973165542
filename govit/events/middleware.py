"""Request middleware of the event log."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from govit.events.services import correlation


class CorrelateEvents:
    """Every event one request writes shares one correlation id (events.services.correlation),
    so the history shows one user action as one action."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with correlation() as correlation_id:
            request.correlation_id = correlation_id  # type: ignore[attr-defined]
            return self.get_response(request)
