"""Carry a project forward through its own rulebook's steps, doing what each role would do, through
the same services people use. The demo data and the tests use it to reach a given stage."""

from __future__ import annotations

import datetime as dt
import io
import zlib
from decimal import Decimal

from govit.contracts import services as contracts
from govit.core import clock
from govit.delivery.services import evaluation_record
from govit.demo.cast import Cast
from govit.documents.materials import missing_materials
from govit.documents.services import document_upload
from govit.organizations.models import Organization, User
from govit.planning import services as planning
from govit.planning.models import AnnualPlan, PlanKind, PlanStatus
from govit.projects import selectors as project_selectors
from govit.projects import services as projects
from govit.projects import workflow
from govit.projects.models import Project, ProjectStatus, ProjectStep, StepStatus, Task, TaskStatus
from govit.reviews import services as reviews
from govit.reviews.models import Expert
from govit.reviews.selectors import current_panel


class Stuck(RuntimeError):
    """The project cannot move on by itself (it needs something the driver does not do)."""


def user_of(cast: Cast, organization: Organization) -> User:
    for user in cast.users.values():
        if user.organization_id == organization.pk:
            return user
    raise Stuck(f"no user of {organization.name} in the cast")


def reviewer_of(cast: Cast, step: ProjectStep, task: Task, prefer: User | None = None) -> User:
    """Who of the task's office does it: ``prefer`` or the office's first person — but not the
    one who submitted the step when the office reviews its own project (连平公共类项目)."""
    people = [u for u in cast.users.values() if u.organization_id == task.organization_id]
    if prefer is not None:
        people.insert(0, prefer)
    for user in people:
        if project_selectors.self_review(user, step, task) is None:
            return user
    return user_of(cast, task.organization)


def demo_pdf(title: str) -> bytes:
    """A small, valid one-page PDF (its text is ASCII: the built-in PDF fonts have no Chinese)."""
    text = f"GovIT demonstration document {zlib.crc32(title.encode()):08x}"
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def upload_missing(user: User, project: Project, step: ProjectStep) -> None:
    """Upload, into its slot, each material of the step the unit owes and has not yet given
    (documents/materials.py): the document takes the material's key, name and step, as the
    page's 上传 does. What is there already is left alone, so running it again adds nothing."""
    for material in missing_materials(step):
        if material.issued_elsewhere:
            continue
        document_upload(
            actor=user,
            project=project,
            name=material.name,
            material=material.key,
            upload=io.BytesIO(demo_pdf(material.name)),
            filename=material.name.replace("/", "／")[:80] + ".pdf",
        )


def block_checks(step: ProjectStep) -> list[str]:
    return [c["code"] for c in step.checks if c["severity"] == "block"]


def plan_in(cast: Cast, project: Project) -> AnnualPlan:
    """List the project in an approved plan of its year (a 增补 plan when declared late or when
    the annual plan is already approved)."""
    rb = workflow.rulebook_of(project)
    rule = next(s for s in rb.model.steps if s.kind == "annual_plan")
    compiler = cast.user(rule.actor)
    annual = AnnualPlan.objects.filter(
        jurisdiction=project.jurisdiction, year=project.plan_year, kind=PlanKind.ANNUAL
    ).first()
    kind = PlanKind.ANNUAL
    if project.declared_late or (annual is not None and annual.status != PlanStatus.DRAFT):
        kind = PlanKind.SUPPLEMENT
    plan = annual if (kind == PlanKind.ANNUAL and annual is not None) else None
    if plan is None:
        plan = planning.plan_create(
            actor=compiler, jurisdiction=project.jurisdiction, year=project.plan_year, kind=kind
        )
    note = "根据上级要求急需建设" if kind == PlanKind.SUPPLEMENT else ""
    planning.plan_add_project(actor=compiler, plan=plan, project=project, note=note)
    plan = planning.plan_submit(actor=compiler, plan=plan)
    for signoff in plan.signoffs.filter(round=plan.round).select_related("organization"):
        planning.plan_countersign(
            actor=cast.user(signoff.organization.kind), plan=plan, decision="approve"
        )
    # the compiling office approves its own plan by another hand (its leader): not the compiler
    approver = cast.user(rule.approver) if rule.approver else cast.user(f"{rule.actor}.leader")
    return planning.plan_approve(actor=approver, plan=plan)


def meeting(cast: Cast, project: Project, step: ProjectStep, pool: list[Expert]) -> None:
    competent = cast.user("competent_department")
    specialty = pool[0].specialties[0]
    size = min(3, len(pool))
    held = reviews.meeting_create(
        actor=competent, project=project, step_kind=step.kind, specialty=specialty, size=size
    )
    reviews.draw_make(actor=competent, meeting=held)
    for expert in current_panel(held):
        reviews.opinion_submit(
            actor=expert.user, meeting=held, text="同意", score="90", conclusion="approve"
        )
    reviews.meeting_conclude(
        actor=competent,
        meeting=held,
        conclusion="approve",
        text="专家组同意",
        confirmed_checks=block_checks(step),
    )


def prerequisites(cast: Cast, project: Project, step: ProjectStep, unit: User) -> None:
    """What the unit records before completing its own step."""
    if step.kind == "procurement" and not project.procurements.exists():
        contractor = (
            Organization.objects.filter(jurisdiction=project.jurisdiction, kind="contractor")
            .order_by("pk")
            .first()
        )
        if contractor is None:
            raise Stuck("no contractor registered in the jurisdiction")
        contracts.procurement_record(
            actor=unit,
            project=project,
            method="open_tender",
            winner=contractor,
            awarded_on=clock.today(),
            announced_on=clock.today() - dt.timedelta(days=30),
        )
    if (
        step.kind in ("procurement", "contract_filing", "construction")
        and not project.contracts.filter(kind="main").exists()
    ):
        contractor = project.procurements.first().winner
        contracts.contract_register(
            actor=unit,
            project=project,
            kind="main",
            vendor=contractor,
            number=f"HT-{project.pk}-1",
            amount=project.total_investment * 9 / 10,
            signed_on=clock.today(),
            om_period_years=3,
            ip_ownership=True,
            termination_mechanism=True,
            equipment_matches_scheme=True,
        )
        supervisor = Organization.objects.filter(
            jurisdiction=project.jurisdiction, kind="supervisor"
        ).first()
        if supervisor is not None:
            contracts.contract_register(
                actor=unit,
                project=project,
                kind="supervision",
                vendor=supervisor,
                number=f"JL-{project.pk}-1",
                amount=project.total_investment * 3 / 100,
                signed_on=clock.today(),
            )
    if step.kind == "self_evaluation" and not project.evaluations.filter(kind="self").exists():
        evaluation_record(actor=unit, project=project, kind="self", score="88", grade="good")


def advance_to(
    cast: Cast, project: Project, kind: str, *, pool: list[Expert] | None = None, unit: str = "unit"
) -> Project:
    """Move the project until ``kind`` is its current step (or it can go no further)."""
    unit_user = cast.user(unit)
    for _ in range(60):
        project.refresh_from_db()
        if project.status != ProjectStatus.ACTIVE:
            return project
        step = workflow.current_step(project)
        if step is None or step.kind == kind:
            return project
        if step.kind == "annual_plan":
            plan_in(cast, project)
            continue
        if step.status in (StepStatus.READY, StepStatus.RETURNED):
            upload_missing(unit_user, project, step)
            projects.step_submit(actor=unit_user, step=step)
            continue
        if step.status != StepStatus.IN_REVIEW:
            raise Stuck(f"{step.kind} is {step.status}")
        if step.kind == "expert_review" or "experts" in step.co_actors:
            if pool is None:
                raise Stuck("an expert pool is needed")
            if step.kind == "expert_review":
                meeting(cast, project, step, pool)
                continue
            meeting(cast, project, step, pool)
        if step.kind == "post_evaluation" and not project.evaluations.filter(kind="post").exists():
            evaluation_record(
                actor=cast.user("competent_department"),
                project=project,
                kind="post",
                score="85",
                grade="good",
            )
        for task_id in list(
            Task.objects.filter(step=step, round=step.round, status=TaskStatus.OPEN)
            .order_by("lead", "pk")  # an organiser who consolidates decides last
            .values_list("pk", flat=True)
        ):
            task = Task.objects.select_related("organization").get(pk=task_id)
            if task.status != TaskStatus.OPEN:
                continue  # 或签: another organization's signature already passed the step
            act_on(cast, project, step, task)
    raise Stuck(f"{project} did not reach {kind}")


def act_on(cast: Cast, project: Project, step: ProjectStep, task: Task) -> None:
    """One of the office's people does the task: the unit completes its own step with every
    material and record it needs, an authority approves (or acknowledges a filing)."""
    user = reviewer_of(cast, step, task)
    if task.actor == "construction_unit":
        upload_missing(user, project, step)
        prerequisites(cast, project, step, user)
        action = "complete"
    else:
        action = "acknowledge" if step.filing else "approve"
    projects.task_act(
        actor=user,
        task_id=task.pk,
        action=action,
        opinion="同意",
        confirmed_checks=block_checks(step) if task.lead else (),
        approved_budget=amount_for(project, step, task) if action == "approve" else None,
    )


def amount_for(project: Project, step: ProjectStep, task: Task) -> Decimal | None:
    """What an approval or a funds review states when it passes (批复概算, 核定金额): the project's
    total investment, in these walks."""
    if task.lead and step.kind in projects.AMOUNT_KINDS and task.actor != "construction_unit":
        return project.approved_budget or project.total_investment
    return None
