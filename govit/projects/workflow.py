"""The workflow machinery: asks the rulebook engine what applies, materialises the steps, opens
tasks with their working-day due dates, passes steps and advances the project.

What the back half does at a step (construction, acceptance, obligations), what a gate's
requirement says and the values the facts read come from what the apps registered (``hooks.py``):
this module names step kinds and requirements, never the apps above it.

Internal: no permission checks here. Public writes go through ``services.py`` (and the planning
and reviews services), which check permissions, call into this module and record events, all in
one transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils.translation import gettext_noop

from govit.core import clock
from govit.core.errors import Conflict, RuleRefused
from govit.events.models import Event
from govit.events.phrases import Day, Phrase, Step, maybe, said
from govit.events.services import automatic, record
from govit.jurisdictions.models import RulebookVersion
from govit.jurisdictions.selectors import confirmation_of, status_cite
from govit.organizations.models import Organization, User
from govit.organizations.selectors import assigned_organizations
from govit.policy.calendar import CalendarYearMissing, add_months, default_calendar
from govit.policy.classify import Classification, classify
from govit.policy.conditions import money
from govit.policy.decide import decide
from govit.policy.facts import Facts
from govit.policy.loader import LoadedRulebook, get_rulebook
from govit.policy.schema import Gate
from govit.policy.vocab import STATUS_LABELS, actor_label
from govit.projects import hooks
from govit.projects.models import (
    DONE_STEP_STATUSES,
    Project,
    ProjectStatus,
    ProjectStep,
    StepStatus,
    Task,
    TaskStatus,
)

# --- what the rulebook says about this project -------------------------------------------------


def rulebook_of(project: Project) -> LoadedRulebook:
    version = project.rulebook or project.jurisdiction.rulebook
    if version is None:
        raise RuleRefused(
            f"“{project.jurisdiction.name}”尚未启用规则手册，不能受理项目", code="NO_RULEBOOK"
        )
    return version.load()


def unfinished_prior_year_projects(project: Project) -> int:
    """The unit's projects of last year's approved plan that are not yet built (湘西第十六条第（一）项:
    未完成); a built one that awaits acceptance is the business of 第（二）项."""
    return (
        Project.objects.filter(
            unit_id=project.unit_id,
            plan_entries__plan__year=project.plan_year - 1,
            plan_entries__plan__status="approved",
            status__in=(ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED),
            completed_on__isnull=True,
        )
        .exclude(pk=project.pk)
        .distinct()
        .count()
    )


def column_facts(project: Project) -> dict[str, Any]:
    """The decide() facts that are the project's own columns: what ``project_facts`` and the
    nightly re-check's batch reader (govit/jobs/facts.py) both take from the row as it is."""
    return {
        "total_investment": project.total_investment,
        "funding_source": project.funding_source,
        "classified": project.classified,
        "involves_crypto": project.involves_crypto,
        "construction_type": project.construction_type,
        "simple_scope": project.simple_scope,
        "merge_feasibility_and_design": project.merge_feasibility_and_design,
        "data_sharing_supported": project.data_sharing_supported,
        "approval_required": project.approval_required,
        "intranet": project.intranet,
        "project_class": project.project_class,
        "plan_year": project.plan_year,
        "declared_on": project.declared_on,
        "approved_budget": project.approved_budget or project.total_investment,
        "completed_on": project.completed_on,
        "operation_started_on": project.operation_started_on,
    }


def project_facts(project: Project, *, declared_on: dt.date | None = None) -> Facts:
    """The decide() facts the platform knows about a project."""
    started = {
        step.kind: step.started_on
        for step in project.steps.all()
        if step.started_on is not None and step.status not in DONE_STEP_STATUSES
    }
    main = (
        project.contracts.live().filter(kind="main").order_by("id").first() if project.pk else None
    )
    return Facts(
        **column_facts(project) | {"declared_on": declared_on or project.declared_on},
        unfinished_prior_year_projects=unfinished_prior_year_projects(project),
        contract_amount=hooks.get("contract_amount", project) if project.pk else None,
        om_period_years=main.om_period_years if main is not None else None,
        prior_changes=hooks.get("agreed_changes", project) if project.pk else 0,
        step_started_on=started or None,
    )


def classification(project: Project) -> Classification:
    facts = project_facts(project)
    given = {k: v for k, v in facts.__dict__.items() if v is not None}
    return classify(rulebook_of(project), given)


def column_classification(project: Project) -> Classification:
    """What applies to the project by its own columns alone (no query: a draft, or a page that
    needs who acts and which readings apply, not the dates of its steps); memoised per band."""
    given = {k: v for k, v in column_facts(project).items() if v is not None}
    return classify(rulebook_of(project), given)


def performed_by(project: Project) -> dict[str, Any] | None:
    """Who does the unit's part of this project when the regulation gives it to another body
    (rulebook ``acting``: 连平第四条第（一）项, 公共类项目 by 县政务服务数据管理局), else None."""
    for _, template in column_classification(project).steps:
        if template["actor"] == "construction_unit" and template["performed_by"]:
            return dict(template["performed_by"])
    return None


def procurement_cite(project: Project) -> str | None:
    """The article of the project's procurement step as the project's rulebook gives it (连平:
    第十五条 for a 公共类 project, 第十六条 for a 专业类 one)."""
    found = column_classification(project).step("procurement")
    return found[0].cite if found else None


def check_unit_fits_class(project: Project) -> None:
    """A unit declares only what the regulation gives it: a 公共类 project is the 县政务服务数据管理局's
    (连平第四条第（一）项), a construction unit states its needs to it instead (第（二）项); and an
    authority is a project's unit only where the regulation makes it one."""
    acting = performed_by(project)
    unit = project.unit
    rb = rulebook_of(project)
    if unit.kind == "construction_unit":
        if acting is not None:
            raise RuleRefused(
                f"{acting['note']}；建设单位不能申报此类项目，可向{acting['name']}提出本单位的需求",
                code="PROJECT_CLASS_UNIT",
                cite=acting["cite"],
            )
        return
    if acting is None or acting["actor"] != unit.kind:
        own = next((a for a in rb.model.acting if a.by == unit.kind), None)
        cite = own.cite if own else None
        raise RuleRefused(
            f"“{unit.name}”只代行下列项目的建设单位职责：{own.note}"
            if own
            else f"“{unit.name}”不是建设单位，不能申报项目",
            code="PROJECT_CLASS_UNIT",
            cite=cite,
        )


def decision(project: Project, on: dt.date | None = None) -> dict[str, Any]:
    return decide(
        rulebook_of(project),
        project_facts(project),
        on or clock.today(),
        companions=companion_rulebooks(project),
    )


# --- rulebook status: draft or expired needs the administrator's recorded confirmation ----------


def require_rulebook_usable(project: Project, on: dt.date) -> None:
    version = project.rulebook or project.jurisdiction.rulebook
    rb = rulebook_of(project)
    status = rb.status_on(on)
    if status == "in_force" or confirmation_of(project.jurisdiction_id, version, status):
        return
    raise RuleRefused(
        f"《{rb.model.title}》{STATUS_LABELS[status]}，须由本辖区管理员确认后方可按其办理",
        code={"draft": "RULEBOOK_DRAFT", "expired": "RULEBOOK_EXPIRED"}.get(
            status, "RULEBOOK_NOT_YET_EFFECTIVE"
        ),
        cite=status_cite(rb, status),
    )


# --- gates that only the platform can test -----------------------------------------------------
# Each requirement a gate names (policy.schema.Gate.requires) is tested by what its app registered
# (hooks.requirement): the project's own columns here, the plan in planning, the unit's record in
# delivery.


def requirement_met(project: Project, requirement: str) -> bool:
    return not hooks.shortfalls(requirement, project)


def companion_rulebooks(project: Project) -> list[LoadedRulebook]:
    """The jurisdiction's other regulations that apply beside the project's own (``companions``:
    临湘's data-resource regulation beside its project regulation): the latest version the
    platform stores, else the rulebook file."""
    out = []
    for rulebook_id in rulebook_of(project).model.companions:
        version = (
            RulebookVersion.objects.filter(rulebook_id=rulebook_id).order_by("-version").first()
        )
        out.append(version.load() if version is not None else get_rulebook(rulebook_id))
    return out


def project_gates(project: Project) -> list[tuple[Gate, str]]:
    """Every gate that governs the project with the citation to show: its own rulebook's, then
    its companions' (their article named with their regulation, 《…》第十一条第三款)."""
    gates = [(gate, gate.cite) for gate in rulebook_of(project).model.gates]
    for companion in companion_rulebooks(project):
        title = companion.model.title
        gates += [(gate, f"《{title}》{gate.cite}") for gate in companion.model.gates]
    return gates


def unit_record_findings(project: Project) -> list[dict[str, str]]:
    """What the unit's earlier projects say against a new one, per the rulebook's gates: a block
    refuses the declaration (湘西第十六条), a warning goes with it to the reviewers (临湘第三十三条:
    评价结果与后续项目建设挂钩)."""
    findings = []
    for gate, cite in project_gates(project):
        if gate.effect != "no_new_projects" or gate.requires is None:
            continue
        names = hooks.shortfalls(gate.requires, project)
        if names:
            listed = "、".join(f"“{n}”" for n in names[:5]) + ("等" if len(names) > 5 else "")
            findings.append(
                {
                    "code": gate.code,
                    "severity": gate.severity,
                    "message": f"{gate.message}（{listed}）",
                    "cite": cite,
                }
            )
    return findings


def own_requirements() -> dict[str, Any]:
    """The requirements the project's own columns answer (registered by projects/apps.py)."""
    return {
        "declared_on_time": lambda p: [p.name] if p.declared_late else [],
        "data_sharing_supported": lambda p: [] if p.data_sharing_supported else [p.name],
        "listed_in_system_catalog": (
            lambda p: [p.name] if p.listed_in_system_catalog is False else []
        ),
    }


def gates_unmet(project: Project, kind: str) -> list[tuple[Gate, str]]:
    """The gates on steps of ``kind`` whose requirement the project does not meet, with their
    citations: a block stops the step; a warning (原则上) does not, and is shown to whoever acts."""
    return [
        (gate, cite)
        for gate, cite in project_gates(project)
        if gate.effect == "blocks_steps"
        and kind in gate.blocks
        and gate.requires is not None
        and not requirement_met(project, gate.requires)
    ]


def gates_blocking(project: Project, kind: str) -> list[tuple[Gate, str]]:
    return [(gate, cite) for gate, cite in gates_unmet(project, kind) if gate.severity == "block"]


def refuse_if_gated(project: Project, kind: str) -> None:
    blocking = gates_blocking(project, kind)
    if blocking:
        gate, cite = blocking[0]
        raise RuleRefused(gate.message, code=gate.code, cite=cite)


# --- materialising the steps -------------------------------------------------------------------


def materialize_steps(project: Project, cls: Classification) -> list[ProjectStep]:
    steps = []
    for seq, (step, template) in enumerate(cls.steps, start=1):
        steps.append(
            ProjectStep(
                project=project,
                seq=seq,
                kind=step.kind,
                name=step.name,
                actor=step.actor,
                co_actors=list(template["co_actors"]),
                copied=list(template["copied"]),
                sign=step.sign,
                working_days=step.working_days,
                start_mode=step.start_mode,
                filing=step.filing,
                cite=step.cite,
                documents=[dict(d) for d in template["documents"]],
                checks=[dict(c) for c in template["checks"]],
                every=step.every or "",
            )
        )
    return ProjectStep.objects.bulk_create(steps)


# --- organizations and due dates ---------------------------------------------------------------


def _optional_co_actors(project: Project, step: ProjectStep) -> set[str]:
    return {
        c.actor
        for s in rulebook_of(project).model.steps
        if s.kind == step.kind
        for c in s.co_actors
        if c.optional
    }


def _unstated(project: Project, step: ProjectStep) -> bool:
    return any(
        s.kind == step.kind and "actor" in s.unstated for s in rulebook_of(project).model.steps
    )


def assigned_to(project: Project, rule: str) -> Organization | None:
    """The organization the jurisdiction's administrator assigned for ``rule`` (a body the
    regulation leaves open: access.services.assignment_set), or None: the rulebook's default."""
    version = project.rulebook or project.jurisdiction.rulebook
    if version is None:
        return None
    found = assigned_organizations(project.jurisdiction_id, version.rulebook_id).get(rule)
    return found.organization if found is not None else None


def organization_for(project: Project, actor: str, step_name: str) -> Organization:
    if actor == "construction_unit":
        return project.unit
    kind = "competent_department" if actor == "experts" else actor
    if actor in ("contractor", "supervisor"):
        party = project.parties.filter(role=actor).select_related("organization").first()
        if party is None:
            raise RuleRefused(
                f"本项目尚未登记{actor_label(actor)}，无法分派“{step_name}”", code="PARTY_MISSING"
            )
        return party.organization
    org = Organization.objects.filter(
        jurisdiction_id=project.jurisdiction_id, kind=kind, is_active=True
    ).first()
    if org is None:
        raise RuleRefused(
            f"本辖区尚未登记“{actor_label(kind)}”，无法分派“{step_name}”的待办；请辖区管理员先登记该单位",
            code="ORG_MISSING",
        )
    return org


def due_date(started_on: dt.date, working_days: int | None) -> tuple[dt.date | None, str]:
    if working_days is None:
        return None, ""
    try:
        return default_calendar().add_working_days(started_on, working_days), ""
    except CalendarYearMissing as exc:
        return None, str(exc)


def window_end(project: Project, step: ProjectStep) -> dt.date | None:
    """The last day of a step's window counted in months from a date of the project (黑龙江第三十三条:
    自评价 within 6 to 12 months after operation starts), or None: no window, or the date unknown."""
    rule = next(
        (
            s
            for s in rulebook_of(project).model.steps
            if s.kind == step.kind and s.cite == step.cite
        ),
        None,
    )
    if rule is None or rule.window is None:
        return None
    start = getattr(project, rule.window.after)
    return add_months(start, rule.window.to_months) if start else None


def open_step(step: ProjectStep, actor: User | None, today: dt.date) -> list[Task]:
    """Start the clock on a step and give each organization that must act its task."""
    project = step.project
    step.round += 1
    step.status = StepStatus.IN_REVIEW
    step.started_on = today
    step.due_on, step.due_note = due_date(today, step.working_days)
    if step.due_on is None and not step.due_note:  # a limit in months (黑龙江第三十三条)
        step.due_on = window_end(project, step)
    if step.every:  # a yearly step is due when the year's duty it carries is (the O&M report)
        step.due_on = hooks.get("carried_due", step) or step.due_on
    step.save(update_fields=["round", "status", "started_on", "due_on", "due_note"])
    tasks: list[Task] = []
    if step.kind == "annual_plan":
        return tasks  # passed when the government approves a plan that lists the project
    hooks.run_step("opened", step, actor)
    actors = [step.actor, *step.co_actors]
    if step.sign == "sequence":  # one after another: only the first acts now (next_in_sequence)
        actors = actors[1:2] or actors[:1]
    now = clock.now()
    assigned: set[int] = set()
    # where the regulation names no body for the step, the one the jurisdiction assigned leads it
    named = assigned_to(project, f"steps.{step.kind}.actor") if _unstated(project, step) else None
    optional = _optional_co_actors(project, step)
    for kind in actors:
        lead = kind == step.actor and (step.sign != "sequence" or not step.co_actors)
        if not lead and kind in optional and not project.parties.filter(role=kind).exists():
            continue  # 根据实际需要: no 监理 commissioned, none to sign
        organization = named if lead and named else organization_for(project, kind, step.name)
        if organization.pk in assigned:
            continue  # experts sit through the organizer's meeting, not as a second task for it
        assigned.add(organization.pk)
        tasks.append(give_task(step, organization, kind, lead=lead, at=now))
    record(
        "step.opened",
        actor=actor,
        project=project,
        summary=said(gettext_noop("“%(step)s”开始办理"), step=Step.of(step))
        + (
            said(
                gettext_noop("，%(days)s个工作日内办结（%(due)s前）"),
                days=step.working_days,
                due=Day(step.due_on),
            )
            if step.due_on and step.working_days
            else maybe(step.due_on, gettext_noop("，应于%(due)s前办结"), due=Day(step.due_on))
        ),
        cite=step.cite,
        after={
            "step": step.kind,
            "status": step.status,
            "round": step.round,
            "due_on": _iso(step.due_on),
        },
        data={
            "tasks": [
                {"id": t.pk, "organization": t.organization.name, "lead": t.lead} for t in tasks
            ]
        },
    )
    return tasks


def give_task(
    step: ProjectStep, organization: Organization, kind: str, *, lead: bool, at: Any = None
) -> Task:
    """A task of the step's current round for one office, due when the step is."""
    return Task.objects.create(
        project=step.project,
        step=step,
        organization=organization,
        actor=kind,
        lead=lead,
        round=step.round,
        opened_at=at or clock.now(),
        due_on=step.due_on,
    )


def next_in_sequence(step: ProjectStep, actor: User | None) -> Task | None:
    """The next body's task of a step whose bodies act one after another (sign ``sequence``:
    黑龙江第十九条, 省营商环境局 报 → 省政府 审定), opened when the one before has passed it on;
    None when every body of the sequence has a task in this round."""
    order = [*step.co_actors, step.actor]
    done = set(Task.objects.filter(step=step, round=step.round).values_list("actor", flat=True))
    kind = next((k for k in order if k not in done), None)
    if kind is None:
        return None
    project = step.project
    lead = kind == step.actor
    named = (
        assigned_to(project, f"steps.{step.kind}.actor")
        if lead and _unstated(project, step)
        else None
    )
    task = give_task(step, named or organization_for(project, kind, step.name), kind, lead=lead)
    record(
        "task.opened",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("“%(step)s”转%(office)s办理"),
            step=Step.of(step),
            office=task.organization.name,
        ),
        cite=step.cite,
        after={"task": task.pk, "organization": task.organization_id, "lead": lead},
    )
    return task


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# --- passing steps and advancing ----------------------------------------------------------------


def current_step(project: Project) -> ProjectStep | None:
    return project.steps.exclude(status__in=DONE_STEP_STATUSES).order_by("seq").first()


def pass_step(
    step: ProjectStep, actor: User | None, summary: str | Phrase, *, cause: Event
) -> None:
    """Pass a step and move on. What follows from it — the step passing, the next step opening,
    the duties it creates — is done by the system because of ``cause``, ``actor``'s act (the event
    of their 通过, 报送 or 批准): the events say so (``events.services.automatic``) instead of
    crediting ``actor``."""
    with automatic(cause):
        before = step.status
        step.status = StepStatus.PASSED
        step.closed_at = clock.now()
        step.save(update_fields=["status", "closed_at"])
        Task.objects.filter(step=step, status=TaskStatus.OPEN).update(
            status=TaskStatus.CANCELLED, closed_at=step.closed_at, version=F("version") + 1
        )
        record(
            "step.passed",
            actor=actor,
            project=step.project,
            summary=summary,
            cite=step.cite,
            before={"step": step.kind, "status": before},
            after={"step": step.kind, "status": step.status},
        )
        hooks.run_step("after_pass", step, actor)
        advance(step.project, actor)


def advance(project: Project, actor: User | None) -> ProjectStep | None:
    """Move the project to its next step and start that step if nobody needs to submit first."""
    today = clock.today()
    step = current_step(project)
    if step is None or project.stage != step.kind:
        hooks.notify("board_changed", project)  # the plan board's lanes follow the stage
    if step is None:
        project.stage = ""
        project.status = ProjectStatus.COMPLETED
        project.save(update_fields=["stage", "status", "updated_at"])
        return None
    if project.stage != step.kind:
        project.stage = step.kind
        project.save(update_fields=["stage", "updated_at"])
    if step.status != StepStatus.PENDING:
        return step
    mode = step.start_mode
    if step.kind == "annual_plan" or mode in ("self", "after_previous"):
        if mode == "after_previous" and gates_blocking(project, step.kind):
            step.status = StepStatus.READY  # waits until the unit can show the gate is passed
            step.save(update_fields=["status"])
            return step
        open_step(step, actor, today)
    else:
        step.status = StepStatus.READY
        step.save(update_fields=["status"])
        record(
            "step.opened",
            actor=actor,
            project=project,
            summary=said(gettext_noop("“%(step)s”待建设单位报送材料"), step=Step.of(step)),
            cite=step.cite,
            after={"step": step.kind, "status": step.status},
        )
    return step


def require_active(project: Project) -> None:
    """Refuse work on a project that is not under way, naming the measure that stopped it."""
    if project.status == ProjectStatus.ACTIVE:
        return
    if project.status == ProjectStatus.SUSPENDED:
        penalty = next(
            (p for p in hooks.get("active_penalties", project) if "suspend" in p.measures), None
        )
        raise Conflict(
            "项目已被责令暂停建设，解除前不能办理" + (f"：{penalty.reason}" if penalty else ""),
            code="PROJECT_SUSPENDED",
            cite=penalty.cite if penalty else None,
        )
    raise Conflict(f"项目{project.get_status_display()}，不能办理", code="PROJECT_NOT_ACTIVE")


def require_previous_done(step: ProjectStep) -> None:
    pending = (
        step.project.steps.filter(seq__lt=step.seq)
        .exclude(status__in=DONE_STEP_STATUSES)
        .order_by("seq")
        .first()
    )
    if pending is not None:
        raise RuleRefused(
            f"须先完成“{pending.name}”，才能办理“{step.name}”",
            code="PREVIOUS_STEP_PENDING",
            cite=pending.cite,
        )


def required_documents_missing(step: ProjectStep) -> list[dict[str, str]]:
    """The step's required materials nothing satisfies yet (documents/materials.py: matched by
    the material's key, an older upload by exactly its name, or the issuing body's opinion)."""
    return [
        {"key": m.key, "name": m.name, "by": m.by, "cite": m.cite}
        for m in hooks.get("missing_materials", step)
    ]


def refuse_if_documents_missing(step: ProjectStep) -> list[Any]:
    """Refuse while a required material is missing, naming each with its article; else the step's
    materials, each with the version that satisfies it (what the submission carries)."""
    materials = hooks.get("step_materials", step)
    missing = [m for m in materials if not m.satisfied]
    if missing:
        rb = rulebook_of(step.project)
        names = "、".join(
            f"“{m.name}”"
            + (f"（由{rb.actor_name(m.by)}出具）" if m.issued_elsewhere else "")
            + f"（{m.cite}）"
            for m in missing
        )
        raise RuleRefused(
            f"“{step.name}”须提交的材料尚未齐全，缺少：{names}",
            code="DOCUMENT_MISSING",
            cite=missing[0].cite,
        )
    return materials


def lock_task(task_id: int, expected_version: int | None) -> Task:
    """Take the task for this action: exactly one of two concurrent actions wins."""
    task = (
        Task.objects.select_for_update()
        .select_related("step", "project", "organization")
        .get(pk=task_id)
    )
    if task.status != TaskStatus.OPEN:
        raise Conflict(f"此待办已{task.get_status_display()}，不能再办理", code="TASK_CLOSED")
    if expected_version is not None and task.version != expected_version:
        raise Conflict("此待办已被他人处理或更新，请刷新后重试", code="TASK_VERSION_CONFLICT")
    return task


def claim(task: Task, status: str, user: User) -> None:
    """Close the task with a conditional update: the linearisation point of concurrent actions."""
    now = clock.now()
    updated = Task.objects.filter(pk=task.pk, version=task.version, status=TaskStatus.OPEN).update(
        status=status, closed_at=now, closed_by=user, version=F("version") + 1
    )
    if updated != 1:
        raise Conflict("此待办已被他人处理，请刷新后重试", code="TASK_VERSION_CONFLICT")
    task.status, task.closed_at, task.closed_by, task.version = status, now, user, task.version + 1


def money_text(amount: Decimal) -> str:
    return money(amount)
