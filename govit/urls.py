"""URL map: the pages (govit/web/urls.py), the REST API, language switching and Django's admin."""

from django.contrib import admin
from django.urls import include, path

from govit.api.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("", include("govit.web.urls")),
]
