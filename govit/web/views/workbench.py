"""工作台: everything the signed-in user owes (govit/web/duties.py), by due date in working days."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from govit.web import selectors
from govit.web.context import expert_only


def home(request: HttpRequest) -> HttpResponse:
    context = selectors.workbench(request.user, request.GET.get("page"))
    request.duties_owed = context["duty_count"]  # the header's figure, counted once
    context["expert_only"] = expert_only(request.user)  # its meetings, not an office's tasks
    return render(request, "web/workbench/home.html", context)


urlpatterns = [path("", home, name="home")]
