"""辖区和规则手册: the platform administrator's pages — the jurisdictions with the rulebook version
each is bound to, setting up a new jurisdiction (its authorities and first administrator),
storing the current text of a rulebook file as a version, and binding a jurisdiction to another
version.

Who: the platform administrator (a superuser), as access.services requires — a jurisdiction
sits above its own administrator, and which regulation governs it is a decision above the
jurisdiction's staff; the jurisdiction administrator then staffs it on the 管理 pages. A project
declared under one version keeps it: binding another applies to new declarations only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govit.access.services import jurisdiction_bind, jurisdiction_setup, rulebook_register
from govit.core import clock, errors
from govit.jurisdictions import selectors
from govit.jurisdictions.models import Jurisdiction, Level, RulebookVersion
from govit.organizations.models import OrgKind, Role, User
from govit.policy.loader import rulebook_paths
from govit.policy.vocab import AUTHORITY_KINDS, STATUS_LABELS
from govit.projects.models import Project
from govit.web.forms import translated
from govit.web.refusals import refusal_text, refuse

FIELD_OF = {
    "INVALID_CODE": "code",
    "DUPLICATE_CODE": "code",
    "INVALID_LEVEL": "level",
    "INVALID_KIND": "authorities",
    "NO_COMPETENT": "authorities",
    "DUPLICATE_USERNAME": "admin_username",
    "WEAK_PASSWORD": "admin_password",
}


def _platform(request: HttpRequest) -> User:
    if not request.user.is_superuser:
        raise PermissionDenied(_("只有平台管理员可以维护辖区和规则手册"))
    return request.user


def _version_label(v: RulebookVersion) -> str:
    return _("《%(title)s》第%(n)s版（%(id)s）") % {
        "title": v.title,
        "n": v.version,
        "id": v.rulebook_id,
    }


class JurisdictionForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("行政区划代码"), max_length=6, min_length=6)
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    level = forms.ChoiceField(label=gettext_lazy("层级"), choices=translated(Level.choices))
    parent = forms.ModelChoiceField(
        label=gettext_lazy("上级辖区"), queryset=Jurisdiction.objects.none(), required=False
    )
    version = forms.ModelChoiceField(
        label=gettext_lazy("适用的规则手册版本"),
        queryset=RulebookVersion.objects.none(),
        required=False,
        help_text=gettext_lazy("不选择时本辖区不受理项目（仅作上级层级），以后可再启用"),
    )
    authorities = forms.MultipleChoiceField(
        label=gettext_lazy("设立的主管部门和有关部门"),
        choices=translated((k, OrgKind(k).label) for k in AUTHORITY_KINDS),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "不勾选时按所选规则手册列出的部门设立（另加审计部门和本级人民政府）；名称按规则手册的称谓"
        ),
    )
    admin_username = forms.RegexField(
        label=gettext_lazy("辖区管理员用户名"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": gettext_lazy("用户名只能包含字母、数字和 @ . + - _")},
    )
    admin_real_name = forms.CharField(label=gettext_lazy("辖区管理员姓名"), max_length=50)
    admin_password = forms.CharField(
        label=gettext_lazy("初始密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "至少8位，不能是常见密码；管理员设在主管部门，登录后登记本辖区的单位和用户"
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Jurisdiction.objects.order_by("code")
        self.fields["version"].queryset = selectors.versions()
        self.fields["version"].label_from_instance = _version_label


class BindForm(forms.Form):
    version = forms.ModelChoiceField(
        label=gettext_lazy("启用的规则手册版本"), queryset=RulebookVersion.objects.none()
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = selectors.versions()
        self.fields["version"].label_from_instance = _version_label


class RegisterForm(forms.Form):
    rulebook_id = forms.ChoiceField(label=gettext_lazy("规则手册文件"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["rulebook_id"].choices = [
            (rid, f"rulebooks/{rid}.yaml") for rid in sorted(rulebook_paths())
        ]


def _listing(request: HttpRequest, form: JurisdictionForm, register: RegisterForm, status=200):
    today = clock.today()
    jurisdictions = list(Jurisdiction.objects.select_related("rulebook", "parent").order_by("code"))
    for j in jurisdictions:
        j.state = selectors.rulebook_state(j, today)
        j.status_label = STATUS_LABELS.get(j.state["status"], "") if j.state else ""
    versions = list(selectors.versions().annotate(project_count=Count("projects")))
    return render(
        request,
        "web/platform/jurisdictions.html",
        {
            "jurisdictions": jurisdictions,
            "versions": versions,
            "form": form,
            "register": register,
        },
        status=status,
    )


def jurisdictions(request: HttpRequest) -> HttpResponse:
    actor = _platform(request)
    form = JurisdictionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        version = data["version"]
        authorities = data["authorities"] or selectors.named_authorities(
            version.load() if version else None
        )
        try:
            jurisdiction = jurisdiction_setup(
                actor=actor,
                code=data["code"],
                name=data["name"],
                level=data["level"],
                parent=data["parent"],
                version=version,
                authorities=authorities,
                admin_username=data["admin_username"],
                admin_real_name=data["admin_real_name"],
                admin_password=data["admin_password"],
            )
        except errors.DomainError as error:
            refuse(form, error, FIELD_OF)
        else:
            messages.success(
                request,
                _("已设立辖区“%(name)s”，管理员%(admin)s可登录登记本辖区的单位和用户。")
                % {"name": jurisdiction.name, "admin": data["admin_real_name"]},
            )
            return redirect("platform-jurisdiction", jurisdiction.pk)
    status = 422 if request.method == "POST" else 200
    return _listing(request, form, RegisterForm(), status)


@require_POST
def rulebook_store(request: HttpRequest) -> HttpResponse:
    actor = _platform(request)
    register = RegisterForm(request.POST)
    if register.is_valid():
        rid = register.cleaned_data["rulebook_id"]
        known = set(RulebookVersion.objects.filter(rulebook_id=rid).values_list("pk", flat=True))
        try:
            version = rulebook_register(actor=actor, rulebook_id=rid)
        except errors.DomainError as error:
            register.add_error("rulebook_id", refusal_text(error))
        else:
            if version.pk in known:
                messages.info(
                    request,
                    _("文件内容与已登记的第%(n)s版相同，未新增版本。") % {"n": version.version},
                )
            else:
                messages.success(
                    request, _("已登记%(label)s。") % {"label": _version_label(version)}
                )
            return redirect("platform-jurisdictions")
    return _listing(request, JurisdictionForm(), register, status=422)


def jurisdiction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _platform(request)
    jurisdiction = Jurisdiction.objects.select_related("rulebook", "parent").filter(pk=pk).first()
    if jurisdiction is None:
        raise Http404(_("辖区不存在"))
    form = BindForm(request.POST or None, initial={"version": jurisdiction.rulebook_id})
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        if version.pk == jurisdiction.rulebook_id:
            form.add_error("version", _("本辖区已在适用此版本"))
        else:
            try:
                jurisdiction_bind(actor=actor, jurisdiction=jurisdiction, version=version)
            except errors.DomainError as error:
                form.add_error("version", refusal_text(error))
            else:
                messages.success(
                    request,
                    _(
                        "“%(name)s”自即日起新申报的项目适用%(label)s；已申报的项目仍按申报时的版本办理。"
                    )
                    % {"name": jurisdiction.name, "label": _version_label(version)},
                )
                return redirect("platform-jurisdiction", jurisdiction.pk)
    pinned = (
        Project.objects.filter(jurisdiction=jurisdiction, rulebook__isnull=False)
        .values("rulebook__rulebook_id", "rulebook__version", "rulebook__title")
        .annotate(n=Count("id"))
        .order_by("rulebook__rulebook_id", "rulebook__version")
    )
    return render(
        request,
        "web/platform/jurisdiction.html",
        {
            "jurisdiction": jurisdiction,
            "state": selectors.rulebook_state(jurisdiction, clock.today()),
            "authorities": jurisdiction.organizations.filter(kind__in=AUTHORITY_KINDS).order_by(
                "kind"
            ),
            "admins": User.objects.filter(
                organization__jurisdiction=jurisdiction, roles__role=Role.ADMIN
            ).select_related("organization"),
            "pinned": pinned,
            "form": form,
        },
        status=422 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("platform/jurisdictions/", jurisdictions, name="platform-jurisdictions"),
    path("platform/jurisdictions/<int:pk>/", jurisdiction_detail, name="platform-jurisdiction"),
    path("platform/rulebooks/", rulebook_store, name="platform-rulebook-register"),
]
