"""URL map."""

from django.contrib import admin
from django.urls import include, path

from govit.api.api import api
from govit.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("rulebooks/<slug:rulebook_id>/", views.rulebook_detail, name="rulebook-detail"),
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
