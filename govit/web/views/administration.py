"""管理: a jurisdiction administrator's pages — organizations, users and roles, the official
holiday calendar (the years it covers; next year's schedule added from the screen), and the
rulebook: its status today and the administrator's confirmation to proceed under a draft or
expired one (who may record it: access.policy "rulebook.confirm"). Setting up jurisdictions and
binding rulebook versions is the platform administrator's (views/platform.py).

Only users with the administrator role of a jurisdiction (access.policy "jurisdiction.admin") open
them, for their own jurisdiction. Writes go through access.services and calendars.services;
a refusal is shown with its reason and changes nothing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govit.access import services as admin_services
from govit.access.policy import authorize, jurisdiction_id
from govit.access.services import assignment_set, rulebook_confirm
from govit.calendars import selectors as calendar_selectors
from govit.calendars import sync as calendar_sync
from govit.calendars.forms import CalendarYearForm
from govit.calendars.services import calendar_year_add
from govit.core import clock, errors
from govit.jurisdictions import selectors as jurisdiction_selectors
from govit.jurisdictions.models import Jurisdiction
from govit.organizations import selectors as organization_selectors
from govit.organizations.models import VENDOR_KINDS, Organization, OrgKind, Role, User
from govit.policy import render as rulebook_render
from govit.policy.calendar import CalendarYearMissing, default_calendar, draft_from_holidays
from govit.policy.vocab import AUTHORITY_KINDS, STATUS_LABELS
from govit.web.forms import translated
from govit.web.refusals import refuse

# --- who and where ---------------------------------------------------------------------------------


def _jurisdiction(request: HttpRequest) -> Jurisdiction:
    """The jurisdiction the signed-in administrator administers; anyone else is refused."""
    jid = jurisdiction_id(request.user)
    if jid is None:
        raise PermissionDenied(_("管理功能仅供辖区管理员使用"))
    try:
        authorize(request.user, "jurisdiction.admin", jid)
    except errors.PermissionDenied as error:
        raise PermissionDenied(error.message) from None
    return Jurisdiction.objects.get(pk=jid)


def _page(request: HttpRequest, template: str, jurisdiction: Jurisdiction, **context: Any):
    context.update(jurisdiction=jurisdiction, here=request.resolver_match.url_name)
    return render(request, f"web/administration/{template}", context)


# --- forms -----------------------------------------------------------------------------------------


class OrganizationForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类别"))
    name = forms.CharField(label=gettext_lazy("单位名称"), max_length=200)
    credit_code = forms.CharField(
        label=gettext_lazy("统一社会信用代码"), max_length=18, min_length=18, required=False
    )

    def __init__(self, *args: Any, taken: set[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        # one authority of each kind per jurisdiction: a kind already registered is not offered
        self.fields["kind"].choices = [
            (value, label)
            for value, label in translated(OrgKind.choices)
            if not (value in AUTHORITY_KINDS and value in taken)
        ]


class UserForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=gettext_lazy("所属单位"), queryset=Organization.objects.none()
    )
    real_name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    username = forms.RegexField(
        label=gettext_lazy("用户名"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": gettext_lazy("用户名只能包含字母、数字和 @ . + - _")},
    )
    password = forms.CharField(
        label=gettext_lazy("初始密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("至少8位，不能是常见密码；请告知本人登录后修改"),
    )
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("角色"),
        choices=translated(Role.choices),
        widget=forms.CheckboxSelectMultiple,
        initial=[Role.CLERK],
    )

    def __init__(self, *args: Any, jurisdiction: Jurisdiction, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            jurisdiction=jurisdiction, is_active=True
        ).order_by("kind", "name")


# --- pages -----------------------------------------------------------------------------------------


def admin_home(request: HttpRequest) -> HttpResponse:
    if request.user.is_superuser and jurisdiction_id(request.user) is None:
        return redirect("platform-jurisdictions")  # the platform's administrator
    jurisdiction = _jurisdiction(request)
    orgs = Organization.objects.filter(jurisdiction=jurisdiction).aggregate(
        total=Count("id"), active=Count("id", filter=Q(is_active=True))
    )
    users = User.objects.filter(organization__jurisdiction=jurisdiction).aggregate(
        total=Count("id"), active=Count("id", filter=Q(is_active=True))
    )
    calendar_sync.load_into_engine()
    years = default_calendar().years
    rulebook = jurisdiction_selectors.rulebook_state(jurisdiction, clock.today())
    return _page(
        request,
        "home.html",
        jurisdiction,
        orgs=orgs,
        users=users,
        first_year=years[0] if years else None,
        last_year=years[-1] if years else None,
        next_year=calendar_selectors.next_year_to_add(),
        rulebook=rulebook,
        rulebook_status=STATUS_LABELS.get(rulebook["status"], "") if rulebook else "",
    )


def organizations(request: HttpRequest) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    listed = (
        Organization.objects.filter(jurisdiction=jurisdiction)
        .annotate(user_count=Count("users"))
        .order_by("kind", "name")
    )
    taken = {o.kind for o in listed}
    form = OrganizationForm(request.POST or None, taken=taken)
    if request.method == "POST" and form.is_valid():
        try:
            org = admin_services.organization_create(
                actor=request.user, jurisdiction=jurisdiction, **form.cleaned_data
            )
        except errors.DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, _("已登记单位“%(name)s”。") % {"name": org.name})
            return redirect("admin-organizations")
    return _page(request, "organizations.html", jurisdiction, organizations=listed, form=form)


def users(request: HttpRequest) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    form = UserForm(request.POST or None, jurisdiction=jurisdiction)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = admin_services.user_create(
                actor=request.user,
                organization=data["organization"],
                username=data["username"],
                password=data["password"],
                real_name=data["real_name"],
                roles=data["roles"],
            )
        except errors.DomainError as error:
            refuse(form, error)
        else:
            messages.success(
                request,
                _("已创建用户%(name)s（%(username)s）。")
                % {"name": user.real_name, "username": user.username},
            )
            return redirect("admin-users")
    listed = (
        User.objects.filter(organization__jurisdiction=jurisdiction)
        .select_related("organization")
        .prefetch_related("roles")
        .order_by("organization__kind", "organization__name", "username")
    )
    return _page(request, "users.html", jurisdiction, users=listed, form=form)


class UserEditForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("角色"),
        choices=translated(Role.choices),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=gettext_lazy("启用"), required=False)
    reason = forms.CharField(label=gettext_lazy("理由"), max_length=500)


def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    user = (
        User.objects.filter(pk=pk, organization__jurisdiction=jurisdiction)
        .select_related("organization")
        .first()
    )
    if user is None:
        raise Http404(_("用户不存在或不属于本辖区"))
    current = sorted(user.role_codes())
    form = UserEditForm(
        request.POST or None, initial={"roles": current, "is_active": user.is_active}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if sorted(data["roles"]) != current:
                    admin_services.user_roles_change(
                        actor=request.user, user=user, roles=data["roles"], reason=data["reason"]
                    )
                if data["is_active"] != user.is_active:
                    admin_services.user_active_set(
                        actor=request.user,
                        user=user,
                        active=data["is_active"],
                        reason=data["reason"],
                    )
        except errors.DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, _("已保存%(name)s的变更。") % {"name": user.display_name})
            return redirect("admin-users")
    return _page(request, "user.html", jurisdiction, edited=user, form=form)


def holiday_calendar(request: HttpRequest) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    calendar_sync.load_into_engine()  # what any server stored, not only this process
    year = calendar_selectors.next_year_to_add()
    form = CalendarYearForm(request.POST or None, year=year) if year is not None else None
    draft = None
    if form is not None and request.method == "GET" and request.GET.get("draft") == "holidays":
        try:
            draft = draft_from_holidays(year).to_file()
        except CalendarYearMissing:
            messages.error(request, _("holidays 软件包中没有%(year)s年的节假日。") % {"year": year})
        else:
            form.prefill(draft.holidays, draft.workdays)
    if request.method == "POST" and form is not None and form.is_valid():
        holidays, workdays = form.schedule()
        try:
            calendar_year_add(
                actor=request.user,
                year=year,
                source=form.cleaned_data["source"],
                holidays=holidays,
                workdays=workdays,
                reason=form.cleaned_data["reason"],
            )
        except errors.DomainError as error:
            refuse(form, error)
        else:
            messages.success(
                request,
                _("已录入%(year)s年的节假日安排，各服务器按此计算工作日。") % {"year": year},
            )
            return redirect("admin-calendar")
    return _page(
        request,
        "calendar.html",
        jurisdiction,
        years=calendar_selectors.covered_years(),
        next_year=year,
        form=form,
        draft=draft,
    )


# --- the rulebook: the administrator's confirmation ------------------------------------------------


class ConfirmationForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("确认理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("如：正式文件印发前按征求意见稿试行，经局务会研究同意"),
    )


class ValidityForm(forms.Form):
    """A validity the text does not state, with its basis (access.services.rulebook_validity_set)."""

    years = forms.IntegerField(label=gettext_lazy("有效期（年）"), min_value=1, max_value=50)
    source = forms.CharField(
        label=gettext_lazy("依据"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "写明文件名称和条款，如：《湖南省规范性文件管理办法》关于规范性文件有效期的规定"
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("录入理由"), widget=forms.Textarea(attrs={"rows": 2})
    )


def _with_label(confirmation: Any) -> Any:
    confirmation.status_label = STATUS_LABELS.get(confirmation.status, confirmation.status)
    return confirmation


def rulebook_confirmation(request: HttpRequest) -> HttpResponse:
    """The jurisdiction's rulebook today and, where it is a draft, not yet in force or expired,
    the administrator's recorded confirmation that declarations proceed under it
    (workflow.require_rulebook_usable refuses them until then), with the past confirmations."""
    jurisdiction = _jurisdiction(request)
    state = jurisdiction_selectors.rulebook_state(jurisdiction, clock.today())
    may_confirm = True
    try:
        authorize(request.user, "rulebook.confirm", jurisdiction.pk)
    except errors.PermissionDenied as error:
        may_confirm, why_not = False, error.message
    else:
        why_not = ""
    validity_post = request.method == "POST" and request.POST.get("form") == "validity"
    validity_form = ValidityForm(request.POST if validity_post else None, prefix="validity")
    if validity_post:
        if not may_confirm:
            raise PermissionDenied(why_not)
        if validity_form.is_valid():
            data = validity_form.cleaned_data
            try:
                admin_services.rulebook_validity_set(
                    actor=request.user,
                    jurisdiction=jurisdiction,
                    years=data["years"],
                    source=data["source"],
                    reason=data["reason"],
                )
            except errors.DomainError as error:
                refuse(validity_form, error)
            else:
                messages.success(request, _("已录入有效期，记入事件记录。"))
                return redirect("admin-rulebook")
    form = ConfirmationForm(
        request.POST if request.method == "POST" and not validity_post else None
    )
    if request.method == "POST" and not validity_post:
        if not may_confirm:
            raise PermissionDenied(why_not)
        if form.is_valid():
            try:
                rulebook_confirm(
                    actor=request.user,
                    jurisdiction=jurisdiction,
                    reason=form.cleaned_data["reason"],
                )
            except errors.DomainError as error:
                refuse(form, error)
            else:
                messages.success(request, _("已记录确认：本辖区的项目可按此规则手册申报和办理。"))
                return redirect("admin-rulebook")
    return _page(
        request,
        "rulebook.html",
        jurisdiction,
        state=state,
        status_label=STATUS_LABELS.get(state["status"], state["status"]) if state else "",
        form=form,
        validity_form=validity_form,
        may_confirm=may_confirm,
        why_not=why_not,
        confirmations=[_with_label(c) for c in jurisdiction_selectors.confirmations(jurisdiction)],
    )


class AssignmentForm(forms.Form):
    rule = forms.CharField(widget=forms.HiddenInput)
    organization = forms.ChoiceField(label=gettext_lazy("指定的单位"))
    reason = forms.CharField(
        label=gettext_lazy("指定理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("如局务会纪要、文件文号；记入事件记录"),
    )

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", _("（请选择）"))] + [
            (o.pk, o.name) for o in organizations
        ]


def assignments(request: HttpRequest) -> HttpResponse:
    """The bodies the jurisdiction's regulation leaves open (the rulebook's ``unstated``: who
    organises the 档案验收, who approves a change …): what the platform uses until the
    administrator assigns one, the assignment in effect and its history, and the form to assign."""
    jurisdiction = _jurisdiction(request)
    version = jurisdiction.rulebook
    rb = version.load() if version is not None else None
    orgs = list(  # the jurisdiction's public bodies: a regulation's duty is not a company's
        jurisdiction.organizations.filter(is_active=True)
        .exclude(kind__in=VENDOR_KINDS)
        .order_by("kind", "name")
    )
    posted = AssignmentForm(request.POST or None, organizations=orgs)
    if request.method == "POST" and posted.is_valid():
        try:
            assignment_set(
                actor=request.user,
                jurisdiction=jurisdiction,
                rule=posted.cleaned_data["rule"],
                organization=next(
                    o for o in orgs if str(o.pk) == posted.cleaned_data["organization"]
                ),
                reason=posted.cleaned_data["reason"],
            )
        except errors.DomainError as error:
            refuse(posted, error)
        else:
            messages.success(request, _("已记录指定：此后该事项由所指定的单位办理。"))
            return redirect("admin-assignments")
    in_effect = (
        organization_selectors.assigned_organizations(jurisdiction.pk, version.rulebook_id)
        if version is not None
        else {}
    )
    rows = []
    for n, rule in enumerate(rulebook_render.unstated_rules(rb) if rb is not None else [], 1):
        current = in_effect.get(rule.key)
        initial = {"rule": rule.key, "organization": current.organization_id if current else ""}
        if posted.is_bound and posted.data.get("rule") == rule.key:
            form = posted
            form.auto_id = f"id_{n}_%s"  # each row's fields have ids of their own
        else:
            form = AssignmentForm(initial=initial, organizations=orgs, auto_id=f"id_{n}_%s")
        rows.append(
            {"rule": rule, "default": rb.actor_name(rule.default), "current": current, "form": form}
        )
    return _page(request, "assignments.html", jurisdiction, rb=rb, rows=rows)


urlpatterns = [
    path("admin/", admin_home, name="admin-home"),
    path("admin/organizations/", organizations, name="admin-organizations"),
    path("admin/users/", users, name="admin-users"),
    path("admin/users/<int:pk>/", user_edit, name="admin-user"),
    path("admin/calendar/", holiday_calendar, name="admin-calendar"),
    path("admin/rulebook/", rulebook_confirmation, name="admin-rulebook"),
    path("admin/assignments/", assignments, name="admin-assignments"),
]
