"""Signing in and out (sessions in the database: any app server can serve the next request)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.urls import path

from govit.ops.health import probe
from govit.web.forms import SignInForm


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: 200 when the database, the cache and the job broker answer, 503
    with the Chinese reasons when one does not (govit/ops/health.py). Never cached."""
    report = probe()
    response = JsonResponse(
        report,
        status=200 if report["status"] == "ok" else 503,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on pages that name no icon (a download, an error page)."""
    return HttpResponsePermanentRedirect(static("web/favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/account/login.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
]
