"""The site's own Chinese error pages (templates 404.html, 403.html, 500.html) where Django
would show its debug pages: under ``make run`` (dev settings, DEBUG on) a mistyped address shows
the 404 a user would see in production, not Django's list of URL patterns. The dev settings add
``DebugShowsSitePages`` unless GOVIT_DEBUG_PAGES=1 asks for Django's debug pages. With DEBUG off
(production) Django renders the same templates itself."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import Resolver404, resolve
from django.views import defaults

logger = logging.getLogger("django.request")

API_PREFIX = "/api/"  # the API answers its own errors as JSON


class DebugShowsSitePages:
    """Last in the stack: a path no URL pattern matches, an Http404 or PermissionDenied raised by
    a view, and any other error of a view are answered with the site's pages (the error logged)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(API_PREFIX):
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as missing:
                return defaults.page_not_found(request, missing)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return defaults.permission_denied(request, exception)
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"request": request},
        )
        return defaults.server_error(request)
