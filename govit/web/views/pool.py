"""专家库: the jurisdiction's expert pool — the experts, their specialties and employers (what the
draw matches and excludes on), registering one, correcting an entry, and marking one unavailable
(with the reason) or available again.

The competent department keeps the pool (access.policy "expert.manage"); the audit bureau reads it
(as the API lets it). Where the one registering is also the jurisdiction's administrator (who
creates accounts), the expert's sign-in account can be created with the entry. Writes go through reviews.services (register, availability) and
reviews.services (expert_update: correction); a refusal is shown at its field and changes nothing."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govit.access.policy import authorize, is_auditor, jurisdiction_id, org_kind
from govit.core import errors
from govit.jurisdictions.models import Jurisdiction
from govit.organizations.models import Organization, User
from govit.reviews import services as review_services
from govit.reviews.models import Expert
from govit.web.refusals import refusal_text, refuse

SHOWN = 50  # experts a page
# which field a refusal is about, by its code (the rest are shown above the form)
FIELD_OF = {
    "INVALID_EMPLOYER": "employer",
    "DUPLICATE_USERNAME": "username",
    "WEAK_PASSWORD": "password",
}


def _jurisdiction(request: HttpRequest) -> Jurisdiction:
    """The pool's jurisdiction: the reader's own. The competent department and the audit bureau
    read it; anyone else is refused."""
    user: User = request.user
    jid = jurisdiction_id(user)
    if jid is None or not (org_kind(user) == "competent_department" or is_auditor(user)):
        raise PermissionDenied(_("专家库由主管部门维护，审计部门可以查阅"))
    return Jurisdiction.objects.get(pk=jid)


def _may_manage(user: User, jurisdiction: Jurisdiction) -> bool:
    try:
        authorize(user, "expert.manage", jurisdiction.pk)
    except errors.PermissionDenied:
        return False
    return True


def _may_create_accounts(user: User, jurisdiction: Jurisdiction) -> bool:
    try:
        authorize(user, "jurisdiction.admin", jurisdiction.pk)
    except errors.PermissionDenied:
        return False
    return True


def _register(actor: User, jurisdiction: Jurisdiction, data: dict[str, Any]) -> Expert:
    return review_services.expert_register(
        actor=actor,
        jurisdiction=jurisdiction,
        name=data["name"],
        title=data["title"],
        specialties=data["specialties"],
        employer=data["employer"],
        employer_name=data["employer_name"],
        username=data.get("username") or "",
        password=data.get("password") or "",
    )


def pool_rules(jurisdiction: Jurisdiction) -> tuple[Any, list[tuple[str, str]]]:
    """The jurisdiction's rulebook and what it says of the pool: (text, article) of each
    EXPERTS_FROM_POOL check, once each."""
    if jurisdiction.rulebook_id is None:
        return None, []
    rb = jurisdiction.rulebook.load()
    said = {
        (check.text, check.cite): None
        for step in rb.model.steps
        for check in step.checks
        if check.code == "EXPERTS_FROM_POOL"
    }
    return rb, list(said)


def split_specialties(text: str) -> list[str]:
    """“电子政务、网络安全, 数据” → the names, in order, each once."""
    return list(dict.fromkeys(s.strip() for s in re.split(r"[、，,;；\s]+", text) if s.strip()))


class ExpertForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    title = forms.CharField(label=gettext_lazy("职称"), max_length=50, required=False)
    specialties = forms.CharField(
        label=gettext_lazy("专业领域"),
        max_length=500,
        help_text=gettext_lazy(
            "多个领域用顿号或逗号分隔，如：电子政务、网络安全。抽取时按评审会的专业领域匹配。"
        ),
    )
    employer = forms.ModelChoiceField(
        label=gettext_lazy("工作单位（本辖区已登记的单位）"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=gettext_lazy("（未登记的单位，在下栏填写）"),
        help_text=gettext_lazy(
            "选择已登记的单位时，该单位作为建设单位或项目参与单位的项目抽取时自动回避此专家。"
        ),
    )
    employer_name = forms.CharField(
        label=gettext_lazy("工作单位名称"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("工作单位未在本辖区登记时填写；已选择单位的可不填"),
    )

    def __init__(self, *args: Any, jurisdiction: Jurisdiction, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = Organization.objects.filter(
            jurisdiction=jurisdiction, is_active=True
        ).order_by("kind", "name")

    def clean_specialties(self) -> list[str]:
        names = split_specialties(self.cleaned_data["specialties"])
        if not names:
            raise forms.ValidationError(_("请至少填写一个专业领域"))
        return names

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("employer") and not (data.get("employer_name") or "").strip():
            self.add_error("employer_name", _("请选择或填写工作单位：抽取时据此回避"))
        return data


class ExpertAccountForm(ExpertForm):
    """Registering, with a sign-in account for the expert (to read the materials of the meetings
    they are drawn for and give their opinion): offered to a jurisdiction administrator, who
    creates accounts (access.services.user_create)."""

    username = forms.RegexField(
        label=gettext_lazy("专家登录用户名"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        required=False,
        error_messages={"invalid": gettext_lazy("用户名只能包含字母、数字和 @ . + - _")},
        help_text=gettext_lazy("可不填：被抽中的专家需要账号才能查阅材料、提交评审意见"),
    )
    password = forms.CharField(
        label=gettext_lazy("初始密码"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("至少8位，不能是常见密码；请告知本人登录后修改"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("username") and not data.get("password"):
            self.add_error("password", _("请设置初始密码"))
        return data


class ExpertEditForm(ExpertForm):
    reason = forms.CharField(label=gettext_lazy("修改理由"), max_length=200)


class AvailabilityForm(forms.Form):
    available = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )
    reason = forms.CharField(label=gettext_lazy("暂停抽取的原因"), max_length=200, required=False)


def pool(request: HttpRequest) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    may_manage = _may_manage(request.user, jurisdiction)
    admin = _may_create_accounts(request.user, jurisdiction)
    form_class = ExpertAccountForm if admin else ExpertForm
    form = form_class(request.POST or None, jurisdiction=jurisdiction)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied(_("只有主管部门可以维护专家库"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                expert = _register(request.user, jurisdiction, data)
            except errors.DomainError as error:
                refuse(form, error, FIELD_OF)
            else:
                messages.success(request, _("专家%(name)s已入库。") % {"name": expert.name})
                return redirect("expert-pool")
    specialty = request.GET.get("specialty", "").strip()
    q = request.GET.get("q", "").strip()
    experts = Expert.objects.filter(jurisdiction=jurisdiction).select_related("employer")
    if q:
        experts = experts.filter(Q(name__icontains=q) | Q(employer_name__icontains=q))
    listed = list(experts.order_by("-available", "name", "id"))
    # the specialties are a JSON list: matched here, the same on SQLite and PostgreSQL
    specialties = sorted({s for e in listed for s in e.specialties})
    if specialty:
        listed = [e for e in listed if specialty in e.specialties]
    page = Paginator(listed, SHOWN).get_page(request.GET.get("page"))
    rb, rules = pool_rules(jurisdiction)
    return render(
        request,
        "web/pool/list.html",
        {
            "jurisdiction": jurisdiction,
            "page": page,
            "total": len(listed),
            "available": sum(1 for e in listed if e.available),
            "specialties": specialties,
            "specialty": specialty,
            "q": q,
            "form": form if may_manage else None,
            "may_manage": may_manage,
            "rb": rb,
            "rules": rules,
        },
        status=422 if request.method == "POST" else 200,
    )


def _expert(request: HttpRequest, pk: int) -> tuple[Jurisdiction, Expert]:
    jurisdiction = _jurisdiction(request)
    expert = (
        Expert.objects.filter(pk=pk, jurisdiction=jurisdiction).select_related("employer").first()
    )
    if expert is None:
        raise Http404(_("专家不存在或不在本辖区专家库"))
    return jurisdiction, expert


def expert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    jurisdiction, expert = _expert(request, pk)
    may_manage = _may_manage(request.user, jurisdiction)
    if request.method == "POST" and not may_manage:
        raise PermissionDenied(_("只有主管部门可以维护专家库"))
    initial = {
        "name": expert.name,
        "title": expert.title,
        "specialties": "、".join(expert.specialties),
        "employer": expert.employer_id,
        "employer_name": "" if expert.employer_id else expert.employer_name,
    }
    form = ExpertEditForm(request.POST or None, initial=initial, jurisdiction=jurisdiction)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review_services.expert_update(
                actor=request.user,
                expert=expert,
                name=data["name"],
                title=data["title"],
                specialties=data["specialties"],
                employer=data["employer"],
                employer_name=data["employer_name"],
                reason=data["reason"],
            )
        except errors.DomainError as error:
            refuse(form, error, FIELD_OF)
        else:
            messages.success(request, _("已保存专家%(name)s的信息。") % {"name": data["name"]})
            return redirect("expert-pool")
    return render(
        request,
        "web/pool/expert.html",
        {
            "jurisdiction": jurisdiction,
            "expert": expert,
            "form": form if may_manage else None,
            "availability": AvailabilityForm(initial={"available": "0"}),
            "may_manage": may_manage,
            "seats": expert.seats.select_related("meeting__project").order_by("-id")[:20],
        },
        status=422 if request.method == "POST" else 200,
    )


@require_POST
def expert_availability(request: HttpRequest, pk: int) -> HttpResponse:
    jurisdiction, expert = _expert(request, pk)
    if not _may_manage(request.user, jurisdiction):
        raise PermissionDenied(_("只有主管部门可以维护专家库"))
    form = AvailabilityForm(request.POST)
    if form.is_valid():
        try:
            review_services.expert_set_availability(
                actor=request.user,
                expert=expert,
                available=form.cleaned_data["available"],
                reason=form.cleaned_data["reason"],
            )
        except errors.DomainError as error:
            messages.error(request, refusal_text(error))
            return redirect("expert-pool-expert", expert.pk)
        if form.cleaned_data["available"]:
            messages.success(request, _("专家%(name)s恢复可抽取。") % {"name": expert.name})
        else:
            messages.success(request, _("专家%(name)s暂停抽取。") % {"name": expert.name})
    return redirect("expert-pool-expert", expert.pk)


urlpatterns = [
    # not under experts/: the header marks one section as the current one
    path("expert-pool/", pool, name="expert-pool"),
    path("expert-pool/<int:pk>/", expert_edit, name="expert-pool-expert"),
    path(
        "expert-pool/<int:pk>/availability/",
        expert_availability,
        name="expert-pool-availability",
    ),
]
