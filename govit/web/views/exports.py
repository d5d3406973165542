"""Documents exchanged with the platform: the annex forms of a project's rulebook, filled from the
project (docx), the import of declarations from the spreadsheet template with its row-by-row
error report, and the lists taken away as spreadsheets (the project list with its filters, each
ledger, a project's event log)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govit.core import clock
from govit.core.errors import DomainError, NotFound
from govit.events.selectors import project_events
from govit.exchange import annex
from govit.exchange.common import XLSX_TYPE, safe_filename
from govit.exchange.declarations import COLUMNS, MAX_ROWS, declarations_template
from govit.exchange.imports import declarations_import
from govit.exchange.tables import table_xlsx
from govit.projects import workflow
from govit.projects.visibility import project_for
from govit.web import ledgers
from govit.web.selectors import history_filters, is_unit_user
from govit.web.views.projects import listed_projects


def _project(request: HttpRequest, pk: int):
    try:
        return project_for(request.user, pk)
    except NotFound:
        raise Http404(_("项目不存在或无权查看")) from None


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _offered(project) -> tuple[Any, list[tuple[annex.FormSpec, str]]]:
    """The project's rulebook and the annex forms it asks for (none without a rulebook)."""
    try:
        rb = workflow.rulebook_of(project)
    except DomainError:
        return None, []
    return rb, annex.forms_for(rb)


def project_forms(request: HttpRequest, pk: int) -> HttpResponse:
    """The annex forms this project's rulebook asks for, ready to download."""
    project = _project(request, pk)
    rb, offered = _offered(project)
    context = {
        "project": project,
        "rb": rb,
        "forms": offered,
        "changes": list(project.changes.order_by("number")) if offered else [],
    }
    return render(request, "web/exports/forms.html", context)


def project_form(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """One annex form filled from the project; ``?change=N`` picks the change of a 变更单 (the
    latest by default; none yet gives the form with the project's own details)."""
    project = _project(request, pk)
    spec = {s.slug: s for s, _cite in _offered(project)[1]}.get(slug)
    if spec is None:
        raise Http404(_("本项目适用的办法没有这份表格"))
    if spec.slug == "change":
        changes = project.changes.all()
        number = request.GET.get("change")
        if number:
            change = changes.filter(number=number).first() if number.isdigit() else None
            if change is None:
                raise Http404(_("没有这次变更"))
        else:
            change = changes.order_by("-number").first()
        content = annex.change_form(project, change)
    else:
        content = spec.build(project)
    return _download(content, spec.content_type, spec.filename(project))


# --- declarations from a spreadsheet -------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("填好的申报表（xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


def _require_unit(request: HttpRequest) -> None:
    if not is_unit_user(request.user):
        raise PermissionDenied(_("只有建设单位的经办人或负责人可以导入本单位的申报项目"))


def declarations_template_download(request: HttpRequest) -> HttpResponse:
    _require_unit(request)
    return _download(declarations_template(), XLSX_TYPE, "政务信息化项目申报导入模板.xlsx")


def declarations_upload(request: HttpRequest) -> HttpResponse:
    _require_unit(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            report = declarations_import(actor=request.user, file=form.cleaned_data["file"])
        except DomainError as error:
            refusal = error
    context = {
        "form": form,
        "report": report,
        "refusal": refusal,
        "columns": COLUMNS,
        "max_rows": MAX_ROWS,
        "unit": request.user.organization,
    }
    return render(request, "web/exports/import.html", context, status=200)


# --- lists as spreadsheets ---------------------------------------------------------------------


def _today() -> str:
    return clock.today().strftime("%Y%m%d")


def project_list_export(request: HttpRequest) -> HttpResponse:
    """The project list as the reader filtered it (every page of it), among the projects they
    may see."""
    _form, projects = listed_projects(request)
    content = table_xlsx(
        _("项目清单"), ledgers.project_list_columns(), ledgers.project_list_rows(projects)
    )
    return _download(content, XLSX_TYPE, f"项目清单_{_today()}.xlsx")


def ledger_export(request: HttpRequest, slug: str) -> HttpResponse:
    """One ledger over the projects the reader may see (``?project=`` narrows it to one)."""
    ledger = ledgers.LEDGERS.get(slug)
    if ledger is None:
        raise Http404(_("没有这个台账"))
    project = None
    wanted = request.GET.get("project", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404(_("项目不存在或无权查看"))
        project = _project(request, int(wanted))
    projects = ledgers.ledger_projects(request.user, project)
    title = f"{project.name}·{ledger.title}" if project is not None else ledger.title
    content = table_xlsx(
        title, ledger.columns, ledger.rows(request.user, projects, project), sheet=ledger.title
    )
    return _download(content, XLSX_TYPE, f"{safe_filename(title)}_{_today()}.xlsx")


def project_events_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Every event of the project matching the history's filter, oldest first."""
    project = _project(request, pk)
    events = project_events(project, **history_filters(request.GET)).order_by("id")
    title = f"{project.name}·事件记录"
    content = table_xlsx(title, ledgers.EVENT_COLUMNS, ledgers.event_rows(events), sheet="事件记录")
    return _download(content, XLSX_TYPE, f"{safe_filename(title)}_{_today()}.xlsx")


urlpatterns = [
    path("projects/export.xlsx", project_list_export, name="project-list-export"),
    path("ledgers/<slug:slug>.xlsx", ledger_export, name="ledger-export"),
    path("projects/<int:pk>/events.xlsx", project_events_export, name="project-events-export"),
    path("projects/<int:pk>/forms/", project_forms, name="project-forms"),
    path("projects/<int:pk>/forms/<slug:slug>/", project_form, name="project-form"),
    path("declarations/import/", declarations_upload, name="declarations-import"),
    path("declarations/template/", declarations_template_download, name="declarations-template"),
]
