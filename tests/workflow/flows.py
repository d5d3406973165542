"""Projects driven to a known step through the service functions, as their users would."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from govit.access.services import rulebook_confirm, user_create
from govit.core import clock
from govit.demo.cast import DEMO_PASSWORD, Cast
from govit.demo.driver import amount_for
from govit.documents.services import document_upload
from govit.organizations.models import Role, User
from govit.organizations.services import system_user
from govit.planning import services as planning
from govit.projects import services as projects
from govit.projects.models import Project, ProjectStep, Task, TaskStatus
from tests.workflow.conftest import PDF


def upload_all(user: User, project: Project, documents: list[Any]) -> None:
    """Upload every document the construction unit itself must provide."""
    for doc in documents:
        name = doc["name"] if isinstance(doc, dict) else doc.name
        by = doc.get("by", "construction_unit") if isinstance(doc, dict) else doc.by
        if (by or "construction_unit") == "construction_unit":
            document_upload(
                actor=user, project=project, name=name, upload=io.BytesIO(PDF), filename="a.pdf"
            )


def declared(
    cast: Cast,
    *,
    unit: str = "unit",
    name: str = "政务信息化测试项目",
    amount: int = 2_500_000,
    on: dt.date = dt.date(2026, 10, 20),
    plan_year: int = 2027,
    **fields: Any,
) -> Project:
    """A project created and declared on ``on``, its declaration documents uploaded."""
    user = cast.user(unit)
    with clock.frozen(on):
        project = projects.project_create(
            actor=user, name=name, plan_year=plan_year, total_investment=amount, **fields
        )
        upload_all(user, project, list(cast.jurisdiction.rulebook.load().model.steps[0].documents))
        return projects.project_declare(actor=user, project=project)


def planned(cast: Cast, listed: list[Project], *, on: dt.date = dt.date(2026, 10, 22)) -> None:
    """The annual plan compiled, countersigned where the rulebook says so, and approved."""
    steps = cast.jurisdiction.rulebook.load().model.steps
    annual = next(s for s in steps if s.kind == "annual_plan")
    compiler = cast.user(annual.actor)
    with clock.frozen(on):
        plan = planning.plan_create(actor=compiler, jurisdiction=cast.jurisdiction, year=2027)
        for project in listed:
            planning.plan_add_project(actor=compiler, plan=plan, project=project)
        plan = planning.plan_submit(actor=compiler, plan=plan)
        for signoff in plan.signoffs.select_related("organization"):
            planning.plan_countersign(
                actor=cast.user(signoff.organization.kind), plan=plan, decision="approve"
            )
        approver = annual.approver or f"{annual.actor}.leader"  # not the compiler's own hand
        planning.plan_approve(actor=cast.user(approver), plan=plan)


def step(project: Project, kind: str) -> ProjectStep:
    return ProjectStep.objects.get(project=project, kind=kind)


def submitted(cast: Cast, project: Project, kind: str, *, unit: str = "unit") -> ProjectStep:
    """The construction unit uploads the step's documents and submits it."""
    user = cast.user(unit)
    upload_all(user, project, step(project, kind).documents)
    return projects.step_submit(actor=user, step=step(project, kind))


def open_task(project: Project, kind: str, org_kind: str | None = None) -> Task:
    tasks = Task.objects.filter(
        project=project, step__kind=kind, status=TaskStatus.OPEN
    ).select_related("organization", "step")
    if org_kind is not None:
        tasks = tasks.filter(organization__kind=org_kind)
    else:
        tasks = tasks.filter(lead=True)
    return tasks.get()


def block_checks(project_step: ProjectStep) -> list[str]:
    return [c["code"] for c in project_step.checks if c["severity"] == "block"]


def approve_all(cast: Cast, project: Project, kind: str) -> None:
    """Every open task of the step approved by a clerk of its organization."""
    project_step = step(project, kind)
    # the organiser who consolidates decides last; bodies that act in turn open the next's task
    for _ in range(len(project_step.co_actors) + 2):
        tasks = Task.objects.filter(step=project_step, status=TaskStatus.OPEN).select_related(
            "organization"
        )
        if not tasks:
            return
        for task in tasks.order_by("lead", "pk"):
            projects.task_act(
                actor=cast.user(task.organization.kind),
                task_id=task.pk,
                action="acknowledge" if project_step.filing else "approve",
                opinion="同意",
                confirmed_checks=block_checks(project_step) if task.lead else (),
                approved_budget=(
                    None if project_step.filing else amount_for(project, project_step, task)
                ),
            )


def yueyang_in_scheme_review(cast: Cast, **fields: Any) -> Project:
    """岳阳: declared, in the approved 2027 plan, its 建设方案 submitted for review."""
    project = declared(cast, **fields)
    planned(cast, [project])
    with clock.frozen(dt.date(2026, 11, 2)):
        submitted(cast, project, "scheme_review")
    return project


def yueyang_in_expert_review(cast: Cast, **fields: Any) -> Project:
    """岳阳, 250万元: the scheme review passed, so the 专家评审 (第十六条) is under way."""
    project = yueyang_in_scheme_review(cast, **fields)
    with clock.frozen(dt.date(2026, 11, 9)):
        approve_all(cast, project, "scheme_review")
    return project


def lianping_declared(cast: Cast, **fields: Any) -> Project:
    """连平 (a draft rulebook, confirmed by its administrator): declared on 2026-06-10."""
    with clock.frozen(dt.date(2026, 6, 10)):
        rulebook_confirm(
            actor=cast.user("admin"), jurisdiction=cast.jurisdiction, reason="按二次征求意见稿试行"
        )
    return declared(cast, amount=800_000, on=dt.date(2026, 6, 10), **fields)


def colleague(cast: Cast, key: str, username: str, *, roles=(Role.CLERK,)) -> User:
    """Another person in the organization of ``cast.user(key)``."""
    return user_create(
        actor=system_user(),
        organization=cast.user(key).organization,
        username=username,
        password=DEMO_PASSWORD,
        real_name=username,
        roles=list(roles),
    )
