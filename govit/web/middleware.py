"""Every page needs a signed-in user, except those marked ``login_not_required`` and the paths
that authenticate their own way (the API's tokens, Django's admin) or serve no data."""

from __future__ import annotations

from django.contrib.auth.middleware import LoginRequiredMiddleware

OPEN_PREFIXES = ("/api/", "/static/", "/i18n/", "/django-admin/", "/media/")


class PagesNeedSignIn(LoginRequiredMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(OPEN_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
