"""处理和信用: the penalties imposed in the jurisdiction (on which project, which measures, by whom,
under which article) and the vendors' credit record with the blacklist in force.

Public within the jurisdiction: everyone signed in there reads it (access.policy
"jurisdiction.read"). Only the departments the rulebook's penalty rule names impose a penalty or
record a vendor's credit ("penalty.impose", "credit.record"); only the office that imposed a
penalty lifts it. Writes go through govit.supervision.services, whose refusals carry the article;
a refusal is shown at its field and changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govit.access.policy import authorize, jurisdiction_id, org_kind, works
from govit.core import clock, errors
from govit.jurisdictions.models import Jurisdiction
from govit.organizations.models import VENDOR_KINDS, Organization, User
from govit.projects.models import ProjectStatus
from govit.projects.visibility import visible_projects
from govit.supervision import services
from govit.supervision.models import CreditKind, CreditRecord, Penalty
from govit.supervision.selectors import assignments, credit_rules, imposers, penalty_rules
from govit.web.forms import DateField, WanYuanField, translated
from govit.web.refusals import refusal_text, refuse


def _jurisdiction(request: HttpRequest) -> Jurisdiction:
    jid = jurisdiction_id(request.user)
    if jid is None:
        raise PermissionDenied(_("处理和信用记录在本辖区内公开，须以本辖区账号登录查看"))
    try:
        authorize(request.user, "jurisdiction.read", jid)
    except errors.PermissionDenied as error:
        raise PermissionDenied(error.message) from None
    return Jurisdiction.objects.select_related("rulebook").get(pk=jid)


def _rule_label(rule: Any) -> str:
    triggers = "、".join(rule.triggers)
    return f"{rule.cite}：{triggers}"


def _project_label(project: Any) -> str:
    return f"{project.code} {project.name}" if project.code else project.name


def _imposes(user: User, rules: list[Any], jurisdiction: Jurisdiction) -> list[Any]:
    """The rules whose departments include the user's office (a working user): as the rulebook
    names them, or as the jurisdiction assigned a body the text leaves open."""
    if not works(user):
        return []
    kind = org_kind(user)
    assigned = assignments(jurisdiction.pk, jurisdiction.rulebook)  # once for all the rules
    return [r for r in rules if kind in imposers(r, assigned)]


class PenaltyForm(forms.Form):
    project = forms.ModelChoiceField(label=gettext_lazy("项目"), queryset=None)
    code = forms.ChoiceField(label=gettext_lazy("依据"))
    measures = forms.MultipleChoiceField(
        label=gettext_lazy("处理措施"), widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=gettext_lazy("事实与理由"), widget=forms.Textarea(attrs={"rows": 3})
    )
    amount_wan = WanYuanField(  # typed in 万元, cleaned to 元 exactly
        label=gettext_lazy("收回金额（万元）"),
        required=False,
        help_text=gettext_lazy("选择“收回已拨付资金”时填写，精确到分（0.000001万元＝0.01元）"),
    )

    def __init__(self, *args: Any, user: User, rules: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = (
            visible_projects(user)
            .exclude(
                status__in=[ProjectStatus.DRAFT, ProjectStatus.TERMINATED, ProjectStatus.REJECTED]
            )
            .only("name", "code")
            .order_by("-id")
        )
        self.fields["project"].label_from_instance = _project_label
        self.fields["code"].choices = [(r.code, _rule_label(r)) for r in rules]
        measures = dict.fromkeys(m for r in rules for m in r.measures)
        self.fields["measures"].choices = [(m, services.MEASURE_LABELS.get(m, m)) for m in measures]

    def amount_yuan(self) -> Decimal | None:
        return self.cleaned_data.get("amount_wan")  # WanYuanField cleans it to 元


class CreditForm(forms.Form):
    vendor = forms.ModelChoiceField(label=gettext_lazy("服务机构"), queryset=None)
    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=translated(CreditKind.choices))
    code = forms.ChoiceField(label=gettext_lazy("依据"))
    reason = forms.CharField(
        label=gettext_lazy("不良行为"), widget=forms.Textarea(attrs={"rows": 3})
    )
    project = forms.ModelChoiceField(label=gettext_lazy("涉及项目"), queryset=None, required=False)
    until = DateField(
        label=gettext_lazy("有效期至"),
        required=False,
        help_text=gettext_lazy("不填为长期有效，直至撤销"),
    )

    def __init__(self, *args: Any, user: User, jurisdiction: Jurisdiction, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = Organization.objects.filter(
            jurisdiction=jurisdiction, kind__in=VENDOR_KINDS
        ).order_by("kind", "name")
        self.fields["code"].choices = [(r.code, _rule_label(r)) for r in rules]
        self.fields["project"].queryset = (
            visible_projects(user)
            .exclude(status=ProjectStatus.DRAFT)
            .only("name", "code")
            .order_by("-id")
        )
        self.fields["project"].label_from_instance = _project_label

    def clean_until(self):
        until = self.cleaned_data.get("until")
        if until is not None and until < clock.today():
            raise forms.ValidationError(_("有效期不能早于今天"))
        return until


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("理由"), max_length=500)


PENALTY_FIELDS = {
    "MEASURES_REQUIRED": "measures",
    "MEASURE_NOT_ALLOWED": "measures",
    "AMOUNT_REQUIRED": "amount_wan",
    "UNKNOWN_RULE": "code",
}
CREDIT_FIELDS = {
    "NOT_A_VENDOR": "vendor",
    "MEASURE_NOT_ALLOWED": "kind",
    "INVALID_PROJECT": "project",
    "UNKNOWN_RULE": "code",
    "INVALID_KIND": "kind",
}


def _page(request: HttpRequest, jurisdiction: Jurisdiction, **forms_: Any) -> HttpResponse:
    user: User = request.user
    rb = jurisdiction.rulebook.load() if jurisdiction.rulebook_id else None
    project_rules = _imposes(user, penalty_rules(rb), jurisdiction) if rb else []
    vendor_rules = _imposes(user, credit_rules(rb), jurisdiction) if rb else []
    penalty_form = forms_.get("penalty_form")
    if penalty_form is None and project_rules:
        penalty_form = PenaltyForm(user=user, rules=project_rules, prefix="penalty")
    credit_form = forms_.get("credit_form")
    if credit_form is None and vendor_rules:
        credit_form = CreditForm(
            user=user, jurisdiction=jurisdiction, rules=vendor_rules, prefix="credit"
        )
    penalties = list(
        Penalty.objects.filter(jurisdiction=jurisdiction)
        .select_related("project", "imposed_org", "imposed_by", "lifted_by")
        .order_by("-imposed_at", "-id")
    )
    for p in penalties:
        p.measure_labels = [services.MEASURE_LABELS.get(m, m) for m in p.measures]
        p.may_lift = (
            p.lifted_at is None
            and "terminate" not in p.measures
            and works(user)
            and user.organization_id == p.imposed_org_id
        )
    today = clock.today()
    credits = list(
        CreditRecord.objects.filter(vendor__jurisdiction=jurisdiction)
        .select_related("vendor", "project", "recorded_by")
        .order_by("-recorded_at", "-id")
    )
    for c in credits:
        c.in_force = c.in_force_on(today)
    blacklist = [c for c in credits if c.kind == CreditKind.BLACKLIST and c.in_force]
    return render(
        request,
        "web/supervision/page.html",
        {
            "jurisdiction": jurisdiction,
            "penalties": penalties,
            "credits": credits,
            "blacklist": blacklist,
            "penalty_form": penalty_form,
            "credit_form": credit_form,
            "may_revoke": bool(vendor_rules),
            "rules": (penalty_rules(rb) + credit_rules(rb)) if rb else [],
            "rb": rb,
        },
        status=forms_.get("status", 200),
    )


def supervision(request: HttpRequest) -> HttpResponse:
    return _page(request, _jurisdiction(request))


@require_POST
def penalty_impose(request: HttpRequest) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    rb = jurisdiction.rulebook.load() if jurisdiction.rulebook_id else None
    rules = _imposes(request.user, penalty_rules(rb), jurisdiction) if rb else []
    if not rules:
        raise PermissionDenied(_("办法规定的实施机关才能作出此处理"))
    form = PenaltyForm(request.POST, user=request.user, rules=rules, prefix="penalty")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.penalty_impose(
                actor=request.user,
                project=data["project"],
                code=data["code"],
                measures=data["measures"],
                reason=data["reason"],
                amount=form.amount_yuan(),
            )
        except errors.DomainError as error:
            refuse(form, error, PENALTY_FIELDS)
        else:
            messages.success(
                request, _("已对“%(name)s”作出处理。") % {"name": data["project"].name}
            )
            return redirect("supervision")
    return _page(request, jurisdiction, penalty_form=form, status=422)


@require_POST
def penalty_lift(request: HttpRequest, pk: int) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    penalty = Penalty.objects.filter(pk=pk, jurisdiction=jurisdiction).first()
    if penalty is None:
        raise Http404(_("处理措施不存在或不在本辖区"))
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明解除理由（如整改到位）"))
        return redirect("supervision")
    try:
        services.penalty_lift(
            actor=request.user, penalty=penalty, reason=form.cleaned_data["reason"]
        )
    except errors.PermissionDenied as error:
        raise PermissionDenied(error.message) from None
    except errors.DomainError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("已解除处理措施。"))
    return redirect("supervision")


@require_POST
def credit_record(request: HttpRequest) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    rb = jurisdiction.rulebook.load() if jurisdiction.rulebook_id else None
    rules = _imposes(request.user, credit_rules(rb), jurisdiction) if rb else []
    if not rules:
        raise PermissionDenied(_("只有办法规定的部门可以记录供应商的不良行为"))
    form = CreditForm(
        request.POST, user=request.user, jurisdiction=jurisdiction, rules=rules, prefix="credit"
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.credit_record(
                actor=request.user,
                vendor=data["vendor"],
                kind=data["kind"],
                reason=data["reason"],
                code=data["code"],
                project=data["project"],
                until=data["until"],
            )
        except errors.DomainError as error:
            refuse(form, error, CREDIT_FIELDS)
        else:
            messages.success(
                request,
                _("已将“%(name)s”%(kind)s。")
                % {"name": data["vendor"].name, "kind": CreditKind(data["kind"]).label},
            )
            return redirect("supervision")
    return _page(request, jurisdiction, credit_form=form, status=422)


@require_POST
def credit_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    entry = CreditRecord.objects.filter(Q(pk=pk) & Q(vendor__jurisdiction=jurisdiction)).first()
    if entry is None:
        raise Http404(_("信用记录不存在或不在本辖区"))
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明撤销理由"))
        return redirect("supervision")
    try:
        services.credit_revoke(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
    except errors.PermissionDenied as error:
        raise PermissionDenied(error.message) from None
    except errors.DomainError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("已撤销该信用记录。"))
    return redirect("supervision")


urlpatterns = [
    path("supervision/", supervision, name="supervision"),
    path("supervision/penalties/", penalty_impose, name="supervision-penalty"),
    path("supervision/penalties/<int:pk>/lift/", penalty_lift, name="supervision-penalty-lift"),
    path("supervision/credit/", credit_record, name="supervision-credit"),
    path("supervision/credit/<int:pk>/revoke/", credit_revoke, name="supervision-credit-revoke"),
]
