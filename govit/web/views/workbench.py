"""工作台: the signed-in user's open tasks by due date, in working days, a page at a time."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from govit.web import selectors


def home(request: HttpRequest) -> HttpResponse:
    context = selectors.workbench(request.user, request.GET.get("page"))
    return render(request, "web/workbench/home.html", context)


urlpatterns = [path("", home, name="home")]
