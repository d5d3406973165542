"""Projects: search and filter, the project page (the lifecycle as a timeline), and a form for every
action of the lifecycle. Reads through selectors, writes through services; a refusal is shown with
its article and changes nothing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govit.access.policy import works
from govit.core.errors import DomainError, NotFound
from govit.documents.materials import (
    change_materials,
    first_step,
    step_materials,
    uploaded_in_round,
)
from govit.documents.models import DocumentVersion
from govit.documents.services import document_upload
from govit.organizations.models import Organization
from govit.projects import selectors, services, workflow
from govit.projects.models import PartyRole, ProjectStatus, StepStatus, Task
from govit.projects.visibility import project_for
from govit.web import actions as project_actions
from govit.web import project_forms as pf
from govit.web import selectors as page_selectors
from govit.web.downloads import version_response
from govit.web.ledgers import LEDGERS
from govit.web.readonly import refuse_readers
from govit.web.refusals import refusal_text, refuse
from govit.web.views.experts import POOL_CHECK, step_panel


def refused(form: forms.Form | None, request: HttpRequest, error: DomainError) -> None:
    """Show a refusal with the article that is its reason (on the form, or as a message)."""
    if form is not None:
        refuse(form, error)
    else:
        messages.error(request, refusal_text(error))


def _project(request: HttpRequest, pk: int):
    try:
        return project_for(request.user, pk)
    except NotFound:
        raise Http404(_("项目不存在或无权查看")) from None


def listed_projects(request: HttpRequest) -> tuple[pf.ProjectFilterForm, Any]:
    """The project list's filter form and the projects it selects among those the user may
    see (the list page and its Excel export read the same)."""
    user = request.user
    visible = selectors.project_list(user)
    jurisdictions, units = page_selectors.filter_choices(user, visible)
    form = pf.ProjectFilterForm(
        request.GET or None,
        jurisdictions=jurisdictions,
        units=units,
        statuses=ProjectStatus.choices,
    )
    filters: dict[str, Any] = {}
    jurisdiction_id = None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = {
            "q": d["q"],
            "stage": d["stage"],
            "status": d["status"],
            "plan_year": d["year"],
            "unit_id": d["unit"],
            "min_investment": d["min_wan"] * 10000 if d["min_wan"] is not None else None,
            "max_investment": d["max_wan"] * 10000 if d["max_wan"] is not None else None,
            "overdue": d["overdue"],
        }
        jurisdiction_id = d["jurisdiction"]
    qs = selectors.project_list(user, **filters)
    if jurisdiction_id:
        qs = qs.filter(jurisdiction_id=jurisdiction_id)
    return form, qs


def project_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form, qs = listed_projects(request)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    rows = page_selectors.project_rows(list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "total": page.paginator.count,
        "query": query.urlencode(),
        "can_create": page_selectors.is_unit_user(user),
        "ledgers": [(ledger.slug, ledger.title) for ledger in LEDGERS.values()],
    }
    return render(request, "web/projects/list.html", context)


def _applied(project: Any) -> dict[str, dict[str, Any]]:
    """The project's own steps as the rules beside a form read them: their co-actors, and who
    does the unit's part where another body does it (连平公共类项目)."""
    acting = workflow.performed_by(project)
    return {
        s.kind: {
            "name": s.name,
            "co_actors": s.co_actors,
            "performed_by": acting if s.actor == "construction_unit" else None,
        }
        for s in project.steps.all()
    }


def _joinable(unit: Organization) -> list[Organization] | None:
    """The construction units an authority's own (公共类) project may join (连平第十五条), or None
    where the project is a unit's own: the form does not ask."""
    if unit.kind == "construction_unit":
        return None
    return list(
        Organization.objects.filter(
            jurisdiction_id=unit.jurisdiction_id, kind="construction_unit", is_active=True
        ).order_by("name")
    )


def _units(ids: list[int]) -> list[Organization]:
    return list(Organization.objects.filter(pk__in=ids))


@refuse_readers
def project_create(request: HttpRequest) -> HttpResponse:
    if not page_selectors.is_unit_user(request.user):
        raise Http404(_("只有建设单位可以创建项目"))
    version = request.user.organization.jurisdiction.rulebook
    rb = version.load() if version else None
    form = pf.ProjectForm(
        request.POST or None,
        initial={"plan_year": page_selectors.next_year()},
        rulebook=rb,
        units=_joinable(request.user.organization),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        joined = data.pop("joint_units", None)
        try:
            with transaction.atomic():
                project = services.project_create(actor=request.user, **data)
                if joined:
                    services.joint_units_set(
                        actor=request.user, project=project, organizations=_units(joined)
                    )
        except DomainError as error:
            refused(form, request, error)
        else:
            messages.success(request, _("已创建项目草稿。"))
            return redirect("project-detail", project.pk)
    context = {
        "form": form,
        "title": _("新建项目"),
        "rb": rb,
        "rules": page_selectors.declaration_rules(rb),
    }
    return render(request, "web/projects/edit.html", context)


@refuse_readers
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    fields = [f for f in pf.ProjectForm.base_fields if f != "joint_units"]
    initial = {f: getattr(project, f) for f in fields}
    units = _joinable(project.unit)
    if units is not None:
        initial["joint_units"] = list(
            project.parties.filter(role=PartyRole.JOINT_UNIT).values_list(
                "organization_id", flat=True
            )
        )
    form = pf.ProjectForm(
        request.POST or None,
        initial=initial,
        rulebook=workflow.rulebook_of(project),
        units=units,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        joined = data.pop("joint_units", None)
        changed = {f: v for f, v in data.items() if v != initial[f]}
        try:
            with transaction.atomic():
                services.project_update(actor=request.user, project=project, **changed)
                if joined is not None and sorted(joined) != sorted(initial["joint_units"]):
                    services.joint_units_set(
                        actor=request.user, project=project, organizations=_units(joined)
                    )
        except DomainError as error:
            refused(form, request, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("project-detail", project.pk)
    context = {
        "form": form,
        "project": project,
        "title": _("修改项目草稿"),
        "rb": workflow.rulebook_of(project),
        # the rules that apply to this draft, as declaring it now would apply them
        "rules": page_selectors.declaration_rules(
            workflow.rulebook_of(project),
            {s["kind"]: s for s in workflow.decision(project)["steps"]},
        ),
    }
    return render(request, "web/projects/edit.html", context)


@refuse_readers
def project_declare(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    if request.method == "POST":
        try:
            services.project_declare(actor=request.user, project=project)
        except DomainError as error:
            refused(None, request, error)
        else:
            messages.success(request, _("已申报。"))
            return redirect("project-detail", project.pk)
    context = page_selectors.declare_preview(project)
    if project.status == ProjectStatus.DRAFT:
        step = first_step(project)
        context |= {
            "step": step,
            "materials": checklist(step, context["rb"]),
            "can_upload": page_selectors.is_unit_user(request.user),
        }
    return render(request, "web/projects/declare.html", context)


def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    context = page_selectors.project_page(request.user, project)
    context["upload_form"] = pf.UploadForm(
        steps=upload_steps(project, context["steps"]), changes=upload_changes(project)
    )
    context["ledgers"] = [(ledger.slug, ledger.title) for ledger in LEDGERS.values()]
    return render(request, "web/projects/detail.html", context)


# parts of the project page read when the reader reaches them (htmx), or as a page of their own
SECTIONS = {
    "delivery": (
        lambda project, query: page_selectors.project_delivery(project),
        "web/projects/_delivery.html",
        gettext_lazy("采购、合同、支付、变更与评价"),
    ),
    "history": (
        page_selectors.project_history,
        "web/projects/_history.html",
        gettext_lazy("事件记录"),
    ),
}


def project_section(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    if name not in SECTIONS:
        raise Http404(_("没有这一部分"))
    project = _project(request, pk)
    read, template, title = SECTIONS[name]
    context = read(project, request.GET)
    if request.headers.get("HX-Request"):
        return render(request, template, context)
    return render(
        request, "web/projects/section.html", context | {"section": template, "title": title}
    )


@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a version: into a required material's slot (its key) or as another named document;
    back to the page the slot was on (the submit or task page), else the project's materials."""
    project = _project(request, pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    back = back or f"{project_url(project.pk)}#documents"
    form = pf.UploadForm(
        request.POST, request.FILES, steps=upload_steps(project), changes=upload_changes(project)
    )
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}：{' '.join(errors)}" if label else " ".join(errors))
        return redirect(back)
    upload = form.cleaned_data["file"]
    try:
        version = document_upload(
            actor=request.user,
            project=project,
            name=form.cleaned_data["name"],
            upload=upload,
            step_kind=form.cleaned_data["step_kind"],
            filename=upload.name,
            material=form.cleaned_data["material"],
        )
    except DomainError as error:
        refused(None, request, error)
    else:
        messages.success(
            request,
            _("已上传“%(name)s”第%(n)s版。") % {"name": version.document.name, "n": version.number},
        )
    return redirect(back)


def upload_changes(project) -> list[dict[str, Any]]:
    """The change request's materials, offered once the project is under way (a change is of an
    approved project: 连平第二十一条 项目变更单)."""
    if project.status != ProjectStatus.ACTIVE:
        return []
    return change_materials(project)


def upload_steps(project, steps=None) -> list[Any]:
    """The steps whose materials the upload form offers: a draft's, its declaration's."""
    steps = list(project.steps.all()) if steps is None else list(steps)
    if not steps and project.status == ProjectStatus.DRAFT:
        try:
            return [first_step(project)]
        except DomainError:  # no rulebook yet: named uploads only
            return []
    return steps


def checklist(step, rb) -> list[dict[str, Any]]:
    """The step's required materials, each with the local name of the body that issues it."""
    return [{"m": m, "by_name": rb.actor_name(m.by)} for m in step_materials(step)]


def project_url(pk: int) -> str:
    return reverse("project-detail", args=[pk])


def document_download(request: HttpRequest, pk: int, version_id: int) -> FileResponse:
    project = _project(request, pk)
    version = DocumentVersion.objects.filter(pk=version_id, document__project=project).first()
    if version is None:
        raise Http404(_("材料不存在或无权查看"))
    return version_response(request, version)


@refuse_readers
def step_submit(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    project = _project(request, pk)
    step = project.steps.filter(kind=kind).first()
    if step is None:
        raise Http404(_("本项目没有这个环节"))
    # while the step is under review the unit states its case or supplements (黑龙江第十条 陈述和补正)
    supplementing = step.status == StepStatus.IN_REVIEW and step.actor != "construction_unit"
    form = pf.SubmitForm(request.POST or None, supplement=supplementing)
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if supplementing:
                services.step_supplement(
                    actor=request.user,
                    step=step,
                    note=note,
                    document_ids=uploaded_in_round(step),
                )
            else:
                services.step_submit(actor=request.user, step=step, note=note)
        except DomainError as error:
            refused(form, request, error)
        else:
            done = _("已陈述和补正“%(step)s”。") if supplementing else _("已报送“%(step)s”。")
            messages.success(request, done % {"step": step.name})
            return redirect("project-detail", project.pk)
    rb = workflow.rulebook_of(project)
    materials = checklist(step, rb)
    context = {
        "project": project,
        "step": step,
        "form": form,
        "rb": rb,
        "materials": materials,
        "missing": [row["m"] for row in materials if not row["m"].satisfied],
        "can_upload": page_selectors.is_unit_user(request.user),
        "history": page_selectors.step_history(step),  # the return opinion to act on
        "supplementing": supplementing,
    }
    return render(request, "web/projects/submit.html", context)


def task_act(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    project = _project(request, pk)
    task = (
        Task.objects.filter(pk=task_id, project=project)
        .select_related("step", "organization", "assignee")
        .first()
    )
    if task is None:
        raise Http404(_("待办不存在或无权查看"))
    step = task.step
    checks = [c for c in step.checks if c["severity"] == "block"] if task.lead else []
    budget = False
    if task.lead and step.kind in services.AMOUNT_KINDS and task.actor != "construction_unit":
        budget = (
            _("批复概算（万元）") if step.kind in services.APPROVAL_KINDS else _("核定金额（万元）")
        )
    form = pf.TaskActForm(
        request.POST or None,
        initial={"version": task.version},
        actions=selectors.task_choices(task),
        checks=checks,
        budget=budget,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.task_act(
                actor=request.user,
                task_id=task.pk,
                action=d["action"],
                opinion=d["opinion"],
                expected_version=d["version"],
                confirmed_checks=d.get("confirmed_checks") or (),
                approved_budget=d.get("approved_budget"),
            )
        except DomainError as error:
            refused(form, request, error)
        else:
            messages.success(request, _("已办理“%(step)s”。") % {"step": step.name})
            return redirect("project-detail", project.pk)
    rb = workflow.rulebook_of(project)
    experts = step_panel(request.user, step)  # 专家评审, 验收会: the meetings, the draw
    context = {
        "project": project,
        "task": task,
        "step": step,
        "form": form,
        "rb": rb,
        "mine": task.organization_id == request.user.organization_id and works(request.user),
        "read_only": not works(request.user),
        # the experts panel states the pool rule with its article: not again among the 提示
        "warnings": [
            c
            for c in step.checks
            if c["severity"] != "block" and not (experts and c.get("code") == POOL_CHECK)
        ]
        # a gate worded 原则上 does not stop the step: whoever acts on it is told it is unmet
        + [
            {"text": gate.message, "cite": cite}
            for gate, cite in workflow.gates_unmet(project, step.kind)
            if gate.severity != "block"
        ],
        "materials": checklist(step, rb),
        # the unit completes its own steps: it uploads into the slots on the task page
        "can_upload": task.actor == "construction_unit"
        and task.organization_id == request.user.organization_id
        and works(request.user),
        "reassign_form": pf.ReassignForm(colleagues=page_selectors.colleagues(request.user)),
        "can_urge": works(request.user),  # an auditor reads, and does nothing
        "experts": experts,
        "history": page_selectors.step_history(step),  # 报送说明, earlier rounds' returns
        # an office reviewing its own project: the person who submitted it is told before acting
        "self_review": selectors.self_review(request.user, step, task),
        # what the decider reads first: the other bodies' opinions and the steps before
        "opinions": selectors.opinions_for_decision(task),
    }
    if context["self_review"]:
        context["self_review_cite"] = (workflow.performed_by(project) or {}).get("cite")
    if step.kind == "contract_filing":  # the filer reads every contract, voided ones marked
        context["contracts"] = list(
            project.contracts.select_related("vendor", *page_selectors.TRAIL)
        )
    return render(request, "web/projects/task.html", context)


@require_POST
def task_reassign(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """转办: hand the task to a colleague of the same organization (the service decides who may)."""
    project = _project(request, pk)
    form = pf.ReassignForm(request.POST, colleagues=page_selectors.colleagues(request.user))
    if not form.is_valid():
        messages.error(request, _("请选择转办给谁"))
        return redirect("task-act", project.pk, task_id)
    try:
        services.task_reassign(
            actor=request.user,
            task_id=task_id,
            to_user=form.cleaned_data["to_user"],
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        refused(None, request, error)
    else:
        messages.success(request, _("已转办。"))
    return redirect("task-act", project.pk, task_id)


@require_POST
def task_urge(request: HttpRequest, pk: int, task_id: int) -> HttpResponse:
    """催办: remind the organization whose task it is."""
    project = _project(request, pk)
    try:
        services.task_urge(
            actor=request.user, task_id=task_id, text=request.POST.get("text", "")[:500]
        )
    except DomainError as error:
        refused(None, request, error)
    else:
        messages.success(request, _("已催办。"))
    return redirect("task-act", project.pk, task_id)


@refuse_readers
def project_action(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    project = _project(request, pk)
    action = project_actions.BY_SLUG.get(slug)
    if action is None:
        raise Http404(_("没有这项操作"))
    form = project_actions.build_form(action, project, request.POST or None, request.GET)
    if request.method == "POST" and form.is_valid():
        try:
            action.perform(request.user, project, form.cleaned_data)
        except DomainError as error:
            refused(form, request, error)
        except ObjectDoesNotExist:  # a choice that is not (or no longer) this project's
            form.add_error(None, _("所选对象不存在或不属于本项目"))
        else:
            messages.success(request, _("已完成：%(action)s。") % {"action": action.label})
            return redirect("project-detail", project.pk)
    rb = workflow.rulebook_of(project)
    context = {
        "project": project,
        "action": action,
        "form": form,
        # the project's own steps: not the rules of other tracks, nor their 〔适用：…〕
        "rules": action.rules(rb, _applied(project)),
        "rb": rb,
    }
    return render(request, "web/projects/action.html", context)


urlpatterns = [
    path("projects/", project_list, name="project-list"),
    path("projects/new/", project_create, name="project-create"),
    path("projects/<int:pk>/", project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", project_edit, name="project-edit"),
    path("projects/<int:pk>/parts/<slug:name>/", project_section, name="project-section"),
    path("projects/<int:pk>/declare/", project_declare, name="project-declare"),
    path("projects/<int:pk>/documents/", document_add, name="document-add"),
    path(
        "projects/<int:pk>/documents/<int:version_id>/",
        document_download,
        name="document-download",
    ),
    path("projects/<int:pk>/steps/<slug:kind>/submit/", step_submit, name="step-submit"),
    path("projects/<int:pk>/tasks/<int:task_id>/", task_act, name="task-act"),
    path("projects/<int:pk>/tasks/<int:task_id>/reassign/", task_reassign, name="task-reassign"),
    path("projects/<int:pk>/tasks/<int:task_id>/urge/", task_urge, name="task-urge"),
    path("projects/<int:pk>/actions/<slug:slug>/", project_action, name="project-action"),
]
