"""Request middleware that needs no app: request ids, refusals and the API's error shape."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase

from govit.core.logging import request_id

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


REQUEST_ID_HEADER = "X-Request-ID"
# an id from outside is kept only when it is a plain token: it goes into every log line
_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestId:
    """``request.id``: the load balancer's ``X-Request-ID`` (or a new UUID), set for the logs
    (govit.core.logging.request_id) while the request runs and returned in the response's
    ``X-Request-ID``, so a user's report, the proxy's log and every app server's log meet."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request.id = given if _REQUEST_ID_OK.match(given) else uuid.uuid4().hex  # type: ignore[attr-defined]
        token = request_id.set(request.id)  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[REQUEST_ID_HEADER] = request.id  # type: ignore[attr-defined]
        return response


API_PREFIX = "/api/"
API_ERRORS = {
    400: ("BAD_REQUEST", "请求格式有误"),
    403: ("FORBIDDEN", "无权办理此事项"),
    404: ("NOT_FOUND", "不存在或无权查看"),
    405: ("METHOD_NOT_ALLOWED", "此地址不支持该请求方法"),
    413: ("TOO_LARGE", "请求体过大"),
}


class ApiErrorsAsJson:
    """Every error under /api/ is JSON {code, message, cite} with a Chinese message (docs/api.md),
    also those no API handler writes: ninja's plain-text 405 for a method an endpoint does not
    serve, Django's HTML 404 for an unknown API address and its HTML 400 for a request body it
    cannot parse (a multipart body without a boundary, say)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        code, message = API_ERRORS.get(status) or (
            ("SERVER_ERROR", "服务器内部错误，已记录，请稍后重试或联系管理员")
            if status >= 500
            else ("HTTP_ERROR", f"请求未能受理（HTTP {status}）")
        )
        replaced = JsonResponse(
            {"code": code, "message": message, "cite": None},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
        if response.has_header("Allow"):
            replaced["Allow"] = response["Allow"]
        return replaced
