"""Annual plans: the department compiles declared projects into the plan, the government approves
it, and every project listed passes its annual_plan step. Urgent projects go into a 增补 plan."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_noop

from govit.access.policy import authorize
from govit.core import clock
from govit.core.errors import Conflict, InvalidInput, PermissionDenied, RuleRefused
from govit.events.phrases import Day, Word, maybe, said
from govit.events.services import record
from govit.jurisdictions.models import Jurisdiction
from govit.organizations.models import Organization, User
from govit.planning.models import (
    AnnualPlan,
    PlanEntry,
    PlanKind,
    PlanSignoff,
    PlanStatus,
    SignoffStatus,
)
from govit.planning.selectors import approver_kind, plan_step
from govit.policy.vocab import actor_label
from govit.projects import workflow
from govit.projects.models import Project, ProjectStatus, StepStatus


@transaction.atomic
def plan_create(
    *, actor: User, jurisdiction: Jurisdiction, year: int, kind: str = PlanKind.ANNUAL
) -> AnnualPlan:
    rb, step = plan_step(jurisdiction)
    authorize(actor, "plan.compile", (jurisdiction.pk, step.actor))
    if kind not in PlanKind.values:
        raise InvalidInput(f"计划类别不正确：{kind}", code="INVALID_KIND")
    existing = AnnualPlan.objects.filter(jurisdiction=jurisdiction, year=year, kind=kind)
    if kind == PlanKind.ANNUAL and existing.exists():
        raise Conflict(f"{year}年度计划已创建", code="PLAN_EXISTS")
    number = existing.count() + 1
    due_on = (
        step.deadline.in_year(year - 1) if (step.deadline and kind == PlanKind.ANNUAL) else None
    )
    label = "年度建设计划" if kind == PlanKind.ANNUAL else f"年度增补计划（第{number}批）"
    plan = AnnualPlan.objects.create(
        jurisdiction=jurisdiction,
        year=year,
        kind=kind,
        number=number,
        title=f"{jurisdiction.name}{year}年政务信息化项目{label}",
        due_on=due_on,
        due_cite=step.cite if due_on else "",
        created_by=actor,
        created_at=clock.now(),
    )
    record(
        "plan.created",
        actor=actor,
        jurisdiction=jurisdiction,
        summary=said(gettext_noop("创建“%(plan)s”"), plan=plan.title)
        + maybe(due_on, gettext_noop("，应于%(due)s前编制完成"), due=Day(due_on)),
        cite=step.cite
        if kind == PlanKind.ANNUAL
        else (
            rb.model.declaration.supplement.cite
            if rb.model.declaration and rb.model.declaration.supplement
            else step.cite
        ),
        after={"plan": plan.pk, "year": year, "kind": kind},
    )
    return plan


def _locked_plan(plan: AnnualPlan) -> AnnualPlan:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to the
    # rulebook; only the plan row needs the lock.
    return (
        AnnualPlan.objects.select_for_update(of=("self",))
        .select_related("jurisdiction__rulebook")
        .get(pk=plan.pk)
    )


@transaction.atomic
def plan_add_project(
    *, actor: User, plan: AnnualPlan, project: Project, note: str = ""
) -> PlanEntry:
    plan = _locked_plan(plan)
    rb, step = plan_step(plan.jurisdiction)
    authorize(actor, "plan.compile", (plan.jurisdiction_id, step.actor))
    if plan.status != PlanStatus.DRAFT:
        raise Conflict("计划已报送或已批准，不能再调整", code="PLAN_NOT_DRAFT")
    if project.jurisdiction_id != plan.jurisdiction_id or project.status != ProjectStatus.ACTIVE:
        raise InvalidInput("只能列入本辖区已申报、正在办理的项目", code="INVALID_PROJECT")
    if project.plan_year != plan.year:
        raise InvalidInput(
            f"项目申报的是{project.plan_year}年度，不能列入{plan.year}年度计划", code="WRONG_YEAR"
        )
    project_step = project.steps.filter(kind="annual_plan").first()
    if project_step is None:
        raise RuleRefused("按其规则手册，本项目不经过年度计划环节", code="NO_ANNUAL_PLAN_STEP")
    if project_step.status != StepStatus.IN_REVIEW:
        workflow.require_previous_done(project_step)
        raise Conflict("本项目的年度计划环节已办结", code="STEP_CLOSED")
    if (
        PlanEntry.objects.filter(project=project)
        .exclude(plan=plan)
        .exclude(plan__status=PlanStatus.APPROVED)
        .exists()
    ):
        raise Conflict("本项目已列入另一份待审定的计划", code="ALREADY_PLANNED")
    declaration = rb.model.declaration
    if plan.kind == PlanKind.ANNUAL and project.declared_late and declaration is not None:
        route = f"；{declaration.supplement.message}" if declaration.supplement else ""
        raise RuleRefused(
            f"项目逾期申报，不能列入年度计划{route}",
            code="DECLARATION_LATE",
            cite=declaration.supplement.cite if declaration.supplement else declaration.late.cite,
        )
    if plan.kind == PlanKind.SUPPLEMENT and not note.strip():
        raise InvalidInput("列入增补计划须说明急需建设的依据", code="REASON_REQUIRED")
    entry, created = PlanEntry.objects.get_or_create(
        plan=plan,
        project=project,
        defaults={
            "amount": project.total_investment,
            "note": note,
            "added_by": actor,
            "added_at": clock.now(),
        },
    )
    if created:
        record(
            "plan.entry_added",
            actor=actor,
            project=project,
            summary=said(gettext_noop("列入“%(plan)s”"), plan=plan.title)
            + maybe(note, gettext_noop("：%(note)s"), note=note),
            cite=step.cite,
            after={"plan": plan.pk},
        )
    return entry


@transaction.atomic
def plan_remove_project(*, actor: User, plan: AnnualPlan, project: Project, note: str = "") -> None:
    plan = _locked_plan(plan)
    _, step = plan_step(plan.jurisdiction)
    authorize(actor, "plan.compile", (plan.jurisdiction_id, step.actor))
    if plan.status != PlanStatus.DRAFT:
        raise Conflict("计划已报送或已批准，不能再调整", code="PLAN_NOT_DRAFT")
    entry = PlanEntry.objects.filter(plan=plan, project=project).first()
    if entry is None:
        raise InvalidInput("该项目不在此计划中", code="NOT_IN_PLAN")
    entry.delete()  # a draft plan's line; the event keeps the history
    record(
        "plan.entry_removed",
        actor=actor,
        project=project,
        summary=said(gettext_noop("移出“%(plan)s”"), plan=plan.title)
        + maybe(note, gettext_noop("：%(note)s"), note=note),
        before={"plan": plan.pk},
    )


def _co_compilers(plan: AnnualPlan, step) -> list:
    orgs = []
    for co in step.co_actors:
        org = Organization.objects.filter(
            jurisdiction_id=plan.jurisdiction_id, kind=co.actor, is_active=True
        ).first()
        if org is None:
            raise RuleRefused(
                f"本辖区尚未登记会签单位“{actor_label(co.actor)}”",
                code="ORG_MISSING",
                cite=co.cite or step.cite,
            )
        orgs.append(org)
    return orgs


@transaction.atomic
def plan_submit(*, actor: User, plan: AnnualPlan) -> AnnualPlan:
    """Send the plan on: to the co-compilers for 会签 where the rulebook names them, else to the
    approver."""
    plan = _locked_plan(plan)
    _, step = plan_step(plan.jurisdiction)
    authorize(actor, "plan.compile", (plan.jurisdiction_id, step.actor))
    if plan.status != PlanStatus.DRAFT:
        raise Conflict("计划不在编制中", code="PLAN_NOT_DRAFT")
    if not plan.entries.exists():
        raise InvalidInput("计划中还没有项目", code="PLAN_EMPTY")
    co = _co_compilers(plan, step)
    plan.version += 1
    plan.submitted_by = actor
    if co:
        plan.status = PlanStatus.COUNTERSIGNING
        plan.round += 1
        now = clock.now()
        PlanSignoff.objects.bulk_create(
            [
                PlanSignoff(plan=plan, organization=org, round=plan.round, opened_at=now)
                for org in co
            ]
        )
        summary = said(
            gettext_noop("“%(plan)s”送%(offices)s会签（%(count)s个项目）"),
            plan=plan.title,
            offices=[o.name for o in co],
            count=plan.entries.count(),
        )
    else:
        plan.status = PlanStatus.SUBMITTED
        plan.submitted_at = clock.now()
        summary = said(
            gettext_noop("“%(plan)s”报送审定（%(count)s个项目）"),
            plan=plan.title,
            count=plan.entries.count(),
        )
    plan.save()
    record(
        "plan.submitted",
        actor=actor,
        jurisdiction=plan.jurisdiction,
        summary=summary,
        cite=step.cite,
        before={"status": PlanStatus.DRAFT},
        after={"status": plan.status},
    )
    return plan


@transaction.atomic
def plan_countersign(
    *, actor: User, plan: AnnualPlan, decision: str, opinion: str = ""
) -> PlanSignoff:
    """会签: a co-compiling department agrees, or returns the plan for revision."""
    plan = _locked_plan(plan)
    _, step = plan_step(plan.jurisdiction)
    authorize(
        actor, "plan.countersign", (plan.jurisdiction_id, {co.actor for co in step.co_actors})
    )
    if plan.status != PlanStatus.COUNTERSIGNING:
        raise Conflict("计划不在会签中", code="PLAN_NOT_COUNTERSIGNING")
    signoff = (
        PlanSignoff.objects.select_for_update()
        .select_related("organization")
        .filter(
            plan=plan,
            round=plan.round,
            status=SignoffStatus.OPEN,
            organization_id=actor.organization_id,
        )
        .first()
    )
    if signoff is None:
        raise Conflict("本单位已会签此计划", code="ALREADY_COUNTERSIGNED")
    if decision not in ("approve", "return"):
        raise InvalidInput("会签意见应为同意或退回修改", code="INVALID_DECISION")
    if decision == "return" and not opinion.strip():
        raise InvalidInput("退回修改须填写意见", code="OPINION_REQUIRED")
    now = clock.now()
    signoff.status = SignoffStatus.APPROVED if decision == "approve" else SignoffStatus.RETURNED
    signoff.opinion, signoff.signed_by, signoff.signed_at = opinion, actor, now
    signoff.save()
    record(
        "plan.countersigned",
        actor=actor,
        jurisdiction=plan.jurisdiction,
        summary=said(
            gettext_noop("%(office)s会签“%(plan)s”：%(decision)s"),
            office=signoff.organization.name,
            plan=plan.title,
            decision=Word("同意" if decision == "approve" else "退回修改"),
        )
        + maybe(opinion, gettext_noop("：%(opinion)s"), opinion=opinion),
        cite=step.cite,
        after={"signoff": signoff.pk, "status": signoff.status},
    )
    if decision == "return":
        PlanSignoff.objects.filter(plan=plan, round=plan.round, status=SignoffStatus.OPEN).update(
            status=SignoffStatus.CANCELLED
        )
        plan.status = PlanStatus.DRAFT
    elif not PlanSignoff.objects.filter(
        plan=plan, round=plan.round, status=SignoffStatus.OPEN
    ).exists():
        plan.status = PlanStatus.SUBMITTED
        plan.submitted_at = now
    plan.version += 1
    plan.save()
    return signoff


@transaction.atomic
def plan_approve(*, actor: User, plan: AnnualPlan, opinion: str = "") -> AnnualPlan:
    plan = _locked_plan(plan)
    _, step = plan_step(plan.jurisdiction)
    authorize(actor, "plan.approve", (plan.jurisdiction_id, approver_kind(step)))
    if plan.status != PlanStatus.SUBMITTED:
        raise Conflict("计划尚未报送审定或已批准", code="PLAN_NOT_SUBMITTED")
    if plan.submitted_by_id == actor.pk:
        # 编制 and 批准 are two acts (连平第六条: 县政务服务数据管理局据此编制; the platform asks for
        # its approval): the person who compiled and sent the plan on does not approve it
        raise PermissionDenied(
            "编制并报送本计划的经办人不能批准同一计划（职责分离），请由本单位负责人或其他经办人审定",
            code="SELF_APPROVAL",
            cite=step.cite,
        )
    plan.status = PlanStatus.APPROVED
    plan.approved_at = clock.now()
    plan.approved_by = actor
    plan.version += 1
    plan.save()
    approved = record(
        "plan.approved",
        actor=actor,
        jurisdiction=plan.jurisdiction,
        summary=said(gettext_noop("批准“%(plan)s”"), plan=plan.title)
        + maybe(opinion, gettext_noop("：%(opinion)s"), opinion=opinion),
        cite=step.cite,
        before={"status": PlanStatus.SUBMITTED},
        after={"status": plan.status},
    )
    for entry in plan.entries.select_related("project").order_by("id"):
        project = Project.objects.select_for_update().get(pk=entry.project_id)
        project_step = project.steps.filter(kind="annual_plan", status=StepStatus.IN_REVIEW).first()
        if project_step is not None:
            workflow.pass_step(
                project_step,
                actor,
                said(gettext_noop("列入经批准的“%(plan)s”"), plan=plan.title),
                cause=approved,
            )
    return plan


@transaction.atomic
def plan_return(*, actor: User, plan: AnnualPlan, opinion: str) -> AnnualPlan:
    plan = _locked_plan(plan)
    _, step = plan_step(plan.jurisdiction)
    authorize(actor, "plan.approve", (plan.jurisdiction_id, approver_kind(step)))
    if plan.status != PlanStatus.SUBMITTED:
        raise Conflict("计划尚未报送审定", code="PLAN_NOT_SUBMITTED")
    if not opinion.strip():
        raise InvalidInput("退回须填写意见", code="OPINION_REQUIRED")
    plan.status = PlanStatus.DRAFT
    plan.returned_at, plan.returned_by, plan.return_opinion = clock.now(), actor, opinion
    plan.version += 1
    plan.save()
    record(
        "plan.returned",
        actor=actor,
        jurisdiction=plan.jurisdiction,
        summary=said(
            gettext_noop("“%(plan)s”退回修改：%(opinion)s"), plan=plan.title, opinion=opinion
        ),
        cite=step.cite,
        before={"status": PlanStatus.SUBMITTED},
        after={"status": plan.status},
    )
    return plan
