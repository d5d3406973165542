"""The NinjaAPI: routers, authentication, and one error handler that speaks {code, message, cite}."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from govit.api.auth import AUTH
from govit.api.renderer import Renderer
from govit.api.routers import accounts, delivery, plans, projects, reviews, rulebooks, tasks
from govit.core.errors import DomainError
from govit.events.services import correlation
from govit.policy.facts import FactsError

log = logging.getLogger("govit.api")

api = NinjaAPI(
    title="GovIT 政务信息化项目全生命周期管理平台 API",
    version="1",
    description=(
        "各辖区按本地办法（规则手册）办理政务信息化项目。所有错误返回 {code, message, cite}，"
        "message 为中文，cite 为所依据的条款。认证：Authorization: Bearer <令牌>（POST /auth/token 获取）或浏览器会话。"
    ),
    auth=AUTH,
    renderer=Renderer(),
    urls_namespace="api-v1",
)


def _error(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    cite: str | None = None,
    details=None,
) -> HttpResponse:
    body = {"code": code, "message": message, "cite": cite}
    if details:
        body["details"] = details
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.cite)


@api.exception_handler(FactsError)
def facts_error(request: HttpRequest, exc: FactsError) -> HttpResponse:
    return _error(
        request, 422, "INVALID_FACTS", "事实有误：" + "；".join(exc.problems), None, exc.problems
    )


_FIELD_ERRORS = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知的字段",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文字",
    "string_too_short": "不能为空或过短",
    "string_too_long": "过长",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "datetime_parsing": "应为日期时间",
    "datetime_from_date_parsing": "应为日期时间",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_max_digits": "位数过多",
    "decimal_max_places": "小数位过多",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "literal_error": "取值不正确",
    "list_type": "应为列表",
    "too_long": "条目过多",
    "too_short": "条目过少",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "finite_number": "应为有限的数字",
}


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = []
    for err in exc.errors:
        loc = [
            str(p)
            for p in err.get("loc", ())
            if p not in ("body", "payload", "query", "path", "form", "file")
        ]
        field = ".".join(loc) or "请求"
        text = _FIELD_ERRORS.get(err.get("type", ""), "无效")
        if err.get("type") == "literal_error" and "ctx" in err:
            text += f"（可用：{err['ctx'].get('expected', '')}）"
        details.append(f"“{field}”{text}")
    return _error(
        request, 422, "INVALID_INPUT", "请求参数有误：" + "；".join(details), None, details
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request, 401, "UNAUTHENTICATED", "请先登录，或在 Authorization 头中提供有效的令牌"
    )


@api.exception_handler(AuthorizationError)
def authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return _error(request, 403, "FORBIDDEN", "无权办理此事项")


@api.exception_handler(DjangoPermissionDenied)
def django_denied(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
    return _error(request, 403, "FORBIDDEN", "无权办理此事项")


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "NOT_FOUND", "不存在或无权查看")


_HTTP_ERRORS = {
    400: ("BAD_REQUEST", "请求格式有误"),
    403: ("FORBIDDEN", "无权办理此事项"),
    405: ("METHOD_NOT_ALLOWED", "不支持此请求方法"),
    429: ("THROTTLED", "请求过于频繁，请稍后再试"),
}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own messages are English: every status gets a Chinese one.
    code, message = _HTTP_ERRORS.get(
        exc.status_code, ("HTTP_ERROR", f"请求未能受理（HTTP {exc.status_code}）")
    )
    return _error(request, exc.status_code, code, message)


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _error(request, 500, "SERVER_ERROR", "服务器内部错误，已记录，请稍后重试或联系管理员")


api.add_router("/", accounts.router)
api.add_router("/rulebooks", rulebooks.router)
api.add_router("/projects", projects.router)
api.add_router("/tasks", tasks.router)
api.add_router("/plans", plans.router)
api.add_router("/", reviews.router)
api.add_router("/", delivery.router)

__all__ = ["api", "correlation"]
