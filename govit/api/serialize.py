"""Model → API dict. Explicit, so that what the API shows is what this file says."""

from __future__ import annotations

from typing import Any

from govit.documents.materials import material_key
from govit.documents.models import Document
from govit.planning.models import AnnualPlan
from govit.projects.models import Project, ProjectStep, Task
from govit.projects.selectors import days_left, declaration_warnings


def org(o: Any) -> dict[str, Any]:
    return {"id": o.pk, "name": o.name, "kind": o.kind}


def project(p: Project) -> dict[str, Any]:
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "unit": org(p.unit),
        "jurisdiction_id": p.jurisdiction_id,
        "plan_year": p.plan_year,
        "total_investment": p.total_investment,
        "funding_source": p.funding_source,
        "classified": p.classified,
        "involves_crypto": p.involves_crypto,
        "construction_type": p.construction_type,
        "status": p.status,
        "stage": p.stage,
        "declared_on": p.declared_on,
        "declared_late": p.declared_late,
        "rulebook": f"{p.rulebook.rulebook_id}@v{p.rulebook.version}" if p.rulebook_id else None,
    }


def task(t: Task) -> dict[str, Any]:
    return {
        "id": t.pk,
        "project_id": t.project_id,
        "project_code": t.project.code,
        "project_name": t.project.name,
        "step_kind": t.step.kind,
        "step_name": t.step.name,
        "organization": org(t.organization),
        "actor": t.actor,
        "lead": t.lead,
        "round": t.round,
        "status": t.status,
        "assignee": t.assignee.display_name if t.assignee_id else None,
        "opened_at": t.opened_at,
        "due_on": t.due_on,
        "days_left": days_left(t) if t.status == "open" else None,
        "closed_at": t.closed_at,
        "urge_count": t.urge_count,
        "version": t.version,
        "filing": t.step.filing,
        "cite": t.step.cite,
    }


def step(s: ProjectStep, tasks: list[Task]) -> dict[str, Any]:
    return {
        "id": s.pk,
        "seq": s.seq,
        "kind": s.kind,
        "name": s.name,
        "actor": s.actor,
        "co_actors": s.co_actors,
        "sign": s.sign,
        "working_days": s.working_days,
        "start_mode": s.start_mode,
        "filing": s.filing,
        "cite": s.cite,
        "status": s.status,
        "round": s.round,
        "started_on": s.started_on,
        "due_on": s.due_on,
        "due_note": s.due_note,
        # each material with its key: the upload endpoint takes it (documents/materials.py)
        "documents": [
            {**d, "key": material_key(s.kind, n)} for n, d in enumerate(s.documents, start=1)
        ],
        "checks": s.checks,
        "tasks": [task(t) for t in tasks],
    }


def project_detail(p: Project) -> dict[str, Any]:
    steps = list(p.steps.order_by("seq"))
    # the project and its steps are in hand: join only the task's own organization and assignee
    step_of = {s.pk: s for s in steps}
    by_step: dict[int, list[Task]] = {}
    for t in (
        Task.objects.filter(project=p).select_related("organization", "assignee").order_by("id")
    ):
        t.project, t.step = p, step_of[t.step_id]
        by_step.setdefault(t.step_id, []).append(t)
    return {
        **project(p),
        "summary": p.summary,
        "national_code": p.national_code,
        "simple_scope": p.simple_scope,
        "merge_feasibility_and_design": p.merge_feasibility_and_design,
        "approval_required": p.approval_required,
        "intranet": p.intranet,
        "project_class": p.project_class,
        "joint_units": [
            org(party.organization)
            for party in p.parties.filter(role="joint_unit").select_related("organization")
        ],
        "declaration_warnings": declaration_warnings(p),
        "steps": [step(s, by_step.get(s.pk, [])) for s in steps],
    }


def opinion(o: Any) -> dict[str, Any]:
    return {
        "id": o.pk,
        "step_kind": o.step.kind,
        "action": o.action,
        "text": o.text,
        "amount": o.amount,
        "user": o.user.display_name,
        "organization": o.organization.name if o.organization_id else None,
        "at": o.at,
        "documents": [d.pk for d in o.documents.all()],
    }


def document(d: Document) -> dict[str, Any]:
    return {
        "id": d.pk,
        "step_kind": d.step_kind,
        "name": d.name,
        "material": d.material,
        "versions": [
            {
                "id": v.pk,
                "number": v.number,
                "filename": v.filename,
                "size": v.size,
                "content_type": v.content_type,
                "sm3": v.sm3,
                "uploaded_by": v.uploaded_by.display_name,
                "uploaded_at": v.uploaded_at,
            }
            for v in sorted(d.versions.all(), key=lambda v: v.number)
        ],
    }


def _who(user: Any) -> str | None:
    """张三（某局）: a person as the pages name them."""
    if user is None:
        return None
    org = user.organization
    return f"{user.display_name}（{org.name}）" if org is not None else user.display_name


def plan(p: AnnualPlan) -> dict[str, Any]:
    p.refresh_from_db()
    entries = p.entries.select_related("project__unit").order_by("id")
    return {
        "id": p.pk,
        "jurisdiction_id": p.jurisdiction_id,
        "year": p.year,
        "kind": p.kind,
        "number": p.number,
        "title": p.title,
        "status": p.status,
        "due_on": p.due_on,
        "due_cite": p.due_cite,
        "round": p.round,
        "returned_at": p.returned_at,
        "returned_by": _who(p.returned_by),
        "return_opinion": p.return_opinion,
        "entries": [
            {
                "project_id": e.project_id,
                "project_code": e.project.code,
                "project_name": e.project.name,
                "unit": e.project.unit.name,
                "amount": e.amount,
                "note": e.note,
            }
            for e in entries
        ],
        "signoffs": [
            {
                "organization": s.organization.name,
                "round": s.round,
                "status": s.status,
                "opinion": s.opinion,
                "signed_at": s.signed_at,
            }
            for s in p.signoffs.select_related("organization").order_by("round", "id")
        ],
    }
