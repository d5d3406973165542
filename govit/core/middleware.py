"""Request middleware."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

NUL = "\x00"
NUL_MESSAGE = "请求中含有空字符（U+0000），不能受理"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def request_has_nul(request: HttpRequest) -> bool:
    """Whether the path, the query, a form field, an uploaded file's name or a string anywhere
    in a JSON body holds U+0000."""
    if NUL in request.path or any(_has_nul(v) for v in request.GET.lists()):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            return _has_nul(json.loads(request.body or b"null"))
        except ValueError:
            return False  # not JSON: the API answers that itself
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return any(_has_nul(v) for v in request.POST.lists()) or any(
            _has_nul(f.name or "") for f in request.FILES.values()
        )
    return False


class RefuseNulCharacters:
    """PostgreSQL text cannot hold U+0000: psycopg refuses the whole query, and the request ended
    in a 500 (SQLite stored the character). Such requests are refused before any view runs, on
    every database, with the API's error shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request_has_nul(request):
            return JsonResponse(
                {"code": "INVALID_INPUT", "message": NUL_MESSAGE, "cite": None},
                status=422,
                json_dumps_params={"ensure_ascii": False},
            )
        return self.get_response(request)


class CorrelateEvents:
    """Every event one request writes shares one correlation id (events.services.correlation),
    so the history shows one user action as one action."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from govit.events.services import correlation

        with correlation() as correlation_id:
            request.correlation_id = correlation_id  # type: ignore[attr-defined]
            return self.get_response(request)
