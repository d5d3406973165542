"""统计: investment by stage, construction unit and plan year; projects per stage; overdue tasks by
organization; working days each kind of step took against its limit. Figures from
govit/web/stats.py, scoped to what the user may see; charts drawn by static web/dashboard.js."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from govit.access.policy import org_kind
from govit.web import stats
from govit.web.context import audience


def scope(user) -> str | None:
    """Whose figures the user may see: a jurisdiction's (its authorities and auditors, as the
    navigation says), a construction unit's own projects' (its people plan and report on them),
    or none (vendors and experts see single projects, not a jurisdiction's figures)."""
    if "authority" in audience(user):
        return "jurisdiction"
    if org_kind(user) == "construction_unit":
        return "unit"
    return None


def dashboard(request: HttpRequest) -> HttpResponse:
    where = scope(request.user)
    if where is None:
        raise PermissionDenied(_("统计供主管部门、有关部门、审计人员和建设单位使用"))
    context = stats.dashboard(request.user)
    context["scope"] = where
    return render(request, "web/dashboard/dashboard.html", context)


urlpatterns = [path("dashboard/", dashboard, name="dashboard")]
