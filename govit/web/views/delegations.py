"""委托: a clerk or leader lets a colleague of the same office act on the tasks assigned to them for a
period (leave, a business trip), with the reason; sees and revokes the delegations they gave; and
sees the delegations they received, with the delegators' open tasks they may now act on.

Writes go through projects.services (delegation_create, delegation_revoke), permission by
access.policy ("delegation.create": colleagues of one office who work; "delegation.revoke": the
delegator or the office's leader). A refusal is shown at its field and changes nothing: the dates are checked by the service
(in order, not already over), for the API alike."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govit.access.policy import works
from govit.core import clock, errors
from govit.organizations.models import Role, User
from govit.projects import services
from govit.projects.models import Delegation, Task, TaskStatus
from govit.web.forms import DateField
from govit.web.refusals import refusal_text, refuse

FIELD_OF = {
    "INVALID_PERIOD": "ends_on",
    "INVALID_DELEGATE": "delegate",
    "FORBIDDEN": "delegate",
}


def _worker(request: HttpRequest) -> User:
    user: User = request.user
    if user.organization_id is None or not works(user):
        raise PermissionDenied(_("只有经办人或负责人可以委托"))
    return user


class DelegationForm(forms.Form):
    delegate = forms.ModelChoiceField(label=gettext_lazy("被委托人（本单位同事）"), queryset=None)
    starts_on = DateField(label=gettext_lazy("开始日期"))
    ends_on = DateField(label=gettext_lazy("结束日期"))
    reason = forms.CharField(label=gettext_lazy("事由"), max_length=200)

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = (
            User.objects.filter(
                organization_id=user.organization_id,
                is_active=True,
                roles__role__in=[Role.CLERK, Role.LEADER],
            )
            .exclude(pk=user.pk)
            .distinct()
            .order_by("real_name", "username")
        )
        self.fields["delegate"].label_from_instance = lambda u: u.display_name


def delegations(request: HttpRequest) -> HttpResponse:
    user = _worker(request)
    today = clock.today()
    form = DelegationForm(request.POST or None, user=user, initial={"starts_on": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.delegation_create(
                actor=user,
                delegate=data["delegate"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
            )
        except errors.DomainError as error:
            refuse(form, error, FIELD_OF)
        else:
            messages.success(
                request,
                _("已委托%(name)s于%(start)s至%(end)s代为办理。")
                % {
                    "name": data["delegate"].display_name,
                    "start": data["starts_on"].isoformat(),
                    "end": data["ends_on"].isoformat(),
                },
            )
            return redirect("delegations")
    given = list(
        Delegation.objects.filter(delegator=user).select_related("delegate").order_by("-id")
    )
    received = list(
        Delegation.objects.filter(delegate=user).select_related("delegator").order_by("-id")
    )
    for d in given + received:
        d.state = (
            "revoked"
            if d.revoked_at
            else "ended"
            if d.ends_on < today
            else "pending"
            if d.starts_on > today
            else "active"
        )
    running = [d.delegator_id for d in received if d.state == "active"]
    tasks = (
        Task.objects.filter(
            assignee_id__in=running, status=TaskStatus.OPEN, organization_id=user.organization_id
        )
        .select_related("project", "step", "assignee")
        .order_by("due_on", "id")
        if running
        else []
    )
    return render(
        request,
        "web/delegations/page.html",
        {"form": form, "given": given, "received": received, "tasks": tasks},
        status=422 if request.method == "POST" else 200,
    )


@require_POST
def delegation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _worker(request)
    delegation = Delegation.objects.filter(pk=pk, organization_id=user.organization_id).first()
    if delegation is None:
        raise Http404(_("委托不存在或不属于本单位"))
    reason = request.POST.get("reason", "")
    try:
        services.delegation_revoke(actor=user, delegation=delegation, reason=reason)
    except errors.PermissionDenied as error:
        raise PermissionDenied(error.message) from None
    except errors.DomainError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("已撤销委托。"))
    return redirect("delegations")


urlpatterns = [
    path("delegations/", delegations, name="delegations"),
    path("delegations/<int:pk>/revoke/", delegation_revoke, name="delegation-revoke"),
]
