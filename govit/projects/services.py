"""Writes about projects: create, declare, submit a step, act on a task, urge, reassign, delegate.

Every function checks the actor's permission, asks the rulebook engine what is allowed, changes
state, appends events — in one transaction. A refusal changes nothing and names its article.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_noop

from govit.access.policy import authorize, may_act_on_task, works
from govit.core import clock
from govit.core.errors import Conflict, InvalidInput, PermissionDenied, RuleRefused
from govit.events.phrases import Day, Money, Step, Word, maybe, said
from govit.events.services import record
from govit.jurisdictions.selectors import confirmation_of
from govit.organizations.models import Organization, User
from govit.policy.classify import classify
from govit.policy.decide import decide
from govit.projects import hooks, selectors, workflow
from govit.projects.models import (
    Action,
    ConstructionType,
    Delegation,
    FundingSource,
    Opinion,
    PartyRole,
    Project,
    ProjectClass,
    ProjectParty,
    ProjectStatus,
    ProjectStep,
    StepStatus,
    Task,
    TaskStatus,
)
from govit.projects.visibility import task_for

EDITABLE_FIELDS = (
    "name",
    "summary",
    "plan_year",
    "total_investment",
    "funding_source",
    "classified",
    "involves_crypto",
    "construction_type",
    "simple_scope",
    "merge_feasibility_and_design",
    "approval_required",
    "intranet",
    "project_class",
    "national_code",
    "data_sharing_supported",
    "listed_in_system_catalog",
)


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate project fields; bad input is refused with the field named, in Chinese."""
    out = dict(fields)
    if "name" in out:
        out["name"] = str(out["name"]).strip()
        if not out["name"]:
            raise InvalidInput("项目名称不能为空", code="INVALID_NAME")
    if "total_investment" in out:
        try:
            amount = Decimal(str(out["total_investment"]))
        except (InvalidOperation, ValueError):
            raise InvalidInput("总投资应为数字（单位：元）", code="INVALID_AMOUNT") from None
        if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e13"):
            raise InvalidInput("总投资应为大于0的金额（单位：元）", code="INVALID_AMOUNT")
        out["total_investment"] = amount.quantize(Decimal("0.01"))
    if "plan_year" in out:
        year = out["plan_year"]
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            raise InvalidInput("计划年度应为四位年份", code="INVALID_PLAN_YEAR")
    if "funding_source" in out and out["funding_source"] not in FundingSource.values:
        raise InvalidInput(
            f"资金来源不正确：{out['funding_source']}", code="INVALID_FUNDING_SOURCE"
        )
    if "project_class" in out and out["project_class"] not in ProjectClass.values:
        raise InvalidInput(f"项目类别不正确：{out['project_class']}", code="INVALID_PROJECT_CLASS")
    if "construction_type" in out and out["construction_type"] not in ConstructionType.values:
        raise InvalidInput(
            f"建设性质不正确：{out['construction_type']}", code="INVALID_CONSTRUCTION_TYPE"
        )
    if out.get("national_code"):
        import re

        if not re.fullmatch(r"\d{4}-\d{6}-\d{2}-\d{2}-\d{6}", out["national_code"]):
            raise InvalidInput(
                "投资项目在线审批监管平台代码格式应为 ####-######-##-##-######",
                code="INVALID_NATIONAL_CODE",
            )
    return out


@transaction.atomic
def project_create(
    *, actor: User, name: str, plan_year: int, total_investment: Any, **fields: Any
) -> Project:
    authorize(actor, "project.create", actor.organization)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"未知的字段：{', '.join(sorted(unknown))}", code="UNKNOWN_FIELD")
    if fields.get("project_class") is None:  # unstated: by who declares it (below)
        fields.pop("project_class", None)
    values = _clean(
        {"name": name, "plan_year": plan_year, "total_investment": total_investment, **fields}
    )
    values.setdefault("funding_source", FundingSource.LOCAL_FISCAL)
    values.setdefault("construction_type", ConstructionType.NEW)
    unit = actor.organization
    assert unit is not None
    # an authority is a project's unit only for what the regulation gives it (连平第四条第（一）项:
    # 公共类项目); check_unit_fits_class below says so when the class does not fit
    values.setdefault(
        "project_class",
        ProjectClass.PROFESSIONAL if unit.kind == "construction_unit" else ProjectClass.PUBLIC,
    )
    if unit.jurisdiction.rulebook_id is None:
        raise RuleRefused(
            f"“{unit.jurisdiction.name}”尚未启用规则手册，不能受理项目", code="NO_RULEBOOK"
        )
    project = Project(jurisdiction=unit.jurisdiction, unit=unit, created_by=actor, **values)
    workflow.check_unit_fits_class(project)  # 公共类 / 专业类: who may be the unit (连平第四条)
    project.save()
    record(
        "project.created",
        actor=actor,
        project=project,
        summary=said(gettext_noop("创建项目草稿“%(name)s”"), name=project.name),
        after=_snapshot(project),
    )
    return project


@transaction.atomic
def project_update(*, actor: User, project: Project, **fields: Any) -> Project:
    authorize(actor, "project.edit", project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != ProjectStatus.DRAFT:
        raise Conflict("项目已申报，基本信息不能再直接修改", code="PROJECT_NOT_DRAFT")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"未知的字段：{', '.join(sorted(unknown))}", code="UNKNOWN_FIELD")
    values = _clean(fields)
    before = _snapshot(project)
    for name, value in values.items():
        setattr(project, name, value)
    workflow.check_unit_fits_class(project)
    project.save()
    after = _snapshot(project)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if changed:
        record(
            "project.updated",
            actor=actor,
            project=project,
            summary=said(
                gettext_noop("修改项目信息：%(fields)s"),
                fields=[Word(str(Project._meta.get_field(k).verbose_name)) for k in changed],
            ),
            before={k: before[k] for k in changed},
            after=changed,
        )
    return project


def _snapshot(project: Project) -> dict[str, Any]:
    return {
        "name": project.name,
        "plan_year": project.plan_year,
        "total_investment": str(project.total_investment),
        "funding_source": project.funding_source,
        "classified": project.classified,
        "involves_crypto": project.involves_crypto,
        "construction_type": project.construction_type,
        "simple_scope": project.simple_scope,
        "merge_feasibility_and_design": project.merge_feasibility_and_design,
        "approval_required": project.approval_required,
        "intranet": project.intranet,
        "project_class": project.project_class,
        "status": project.status,
    }


_STATUS_FINDINGS = {"RULEBOOK_DRAFT", "RULEBOOK_EXPIRED", "RULEBOOK_NOT_YET_EFFECTIVE"}


@transaction.atomic
def project_declare(*, actor: User, project: Project) -> Project:
    """申报: pin the rulebook version, check the window and the gates, assign the project code,
    materialise the procedure, and file or complete the declaration step."""
    authorize(actor, "project.declare", project)
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to the
    # rulebook; only the project row needs the lock.
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("jurisdiction__rulebook", "unit")
        .get(pk=project.pk)
    )
    if project.status != ProjectStatus.DRAFT:
        raise Conflict("项目已申报", code="ALREADY_DECLARED")
    today = clock.today()
    version = project.jurisdiction.rulebook
    project.rulebook = version
    workflow.require_rulebook_usable(project, today)
    workflow.check_unit_fits_class(project)
    rb = version.load()
    facts = workflow.project_facts(project, declared_on=today)
    answer = decide(rb, facts, today, companions=workflow.companion_rulebooks(project))
    # a gate that holds back later steps only (its finding names them) does not refuse the
    # declaration: it goes with it as a warning, and refuses those steps when they come
    first_kind = answer["steps"][0]["kind"] if answer["steps"] else None
    later = [
        f
        for f in answer["findings"]
        if f["severity"] == "block" and f.get("blocks") and first_kind not in f["blocks"]
    ]
    blocks = [
        f
        for f in answer["findings"]
        if f["severity"] == "block" and f["code"] not in _STATUS_FINDINGS and f not in later
    ]
    if blocks:
        first = blocks[0]
        raise RuleRefused(first["message"], code=first["code"], cite=first["cite"])
    record_findings = workflow.unit_record_findings(project)
    for finding in record_findings:
        if finding["severity"] == "block":
            raise RuleRefused(finding["message"], code=finding["code"], cite=finding["cite"])

    declaration = answer["declaration"]
    project.declared_on = today
    project.declared_late = bool(declaration and declaration["on_time"] is False)
    project.status = ProjectStatus.ACTIVE
    project.confirmation = confirmation_of(
        project.jurisdiction_id, project.rulebook, rb.status_on(today)
    )
    _assign_code(project)
    hooks.notify("board_changed", project, declared=True)  # a new card on the plan board
    given = {k: v for k, v in facts.__dict__.items() if v is not None}
    cls = classify(rb, given)
    steps = workflow.materialize_steps(project, cls)
    first_step = steps[0]
    workflow.refuse_if_documents_missing(first_step)
    warnings = [f for f in answer["findings"] if f["severity"] == "warn"] + later + record_findings
    declared = record(
        "project.declared",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("申报%(year)s年度项目“%(name)s”，项目编码%(code)s"),
            year=project.plan_year,
            name=project.name,
            code=project.code,
        )
        + maybe(project.declared_late, gettext_noop("（逾期申报）")),
        cite=declaration["cite"] if declaration else first_step.cite,
        before={"status": ProjectStatus.DRAFT},
        after={
            "status": project.status,
            "code": project.code,
            "rulebook": f"{version.rulebook_id}@v{version.version}",
            "track": cls.track,
            "steps": [s.kind for s in steps],
        },
        data={"warnings": warnings, "confirmation": project.confirmation_id},
    )
    if first_step.start_mode == "on_submission":
        workflow.open_step(first_step, actor, today)
        project.stage = first_step.kind
        project.save()
        # the declaration is the submission of the first step's materials: who made it is known
        # to the step (an office receiving its own declaration does not acknowledge it itself)
        _opinion(actor, first_step, None, Action.SUBMIT, "")
    elif first_step.co_actors:
        # the unit declares to several bodies at once (湘西第六条: 涉密系统同时向保密局申报)
        tasks = workflow.open_step(first_step, actor, today)
        project.stage = first_step.kind
        project.save()
        own = next(t for t in tasks if t.lead)
        workflow.claim(own, TaskStatus.COMPLETED, actor)
        _opinion(actor, first_step, own, Action.SUBMIT, "")
    else:
        first_step.round = 1
        first_step.started_on = today
        first_step.save(update_fields=["round", "started_on"])
        _opinion(actor, first_step, None, Action.SUBMIT, "")
        workflow.pass_step(
            first_step,
            actor,
            said(gettext_noop("“%(step)s”已报送"), step=Step.of(first_step)),
            cause=declared,
        )
    return project


def _assign_code(project: Project) -> None:
    prefix = f"{project.jurisdiction.code}-{project.plan_year}-"
    taken = Project.objects.filter(code__startswith=prefix).count()
    for attempt in range(20):
        project.code = f"{prefix}{taken + 1 + attempt:04d}"
        try:
            with transaction.atomic():
                project.save()
            return
        except IntegrityError:
            continue
    raise Conflict("项目编码分配冲突，请重试", code="CODE_CONFLICT")


@transaction.atomic
def step_submit(
    *, actor: User, step: ProjectStep, note: str = "", document_ids: Sequence[int] = ()
) -> ProjectStep:
    """报送: the construction unit submits (or resubmits after 退回修改) a step's materials."""
    project = step.project
    authorize(actor, "step.submit", project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    step = ProjectStep.objects.select_for_update().select_related("project").get(pk=step.pk)
    workflow.require_active(project)
    if step.status not in (StepStatus.READY, StepStatus.RETURNED):
        if step.status == StepStatus.PENDING:
            workflow.refuse_if_gated(project, step.kind)
            workflow.require_previous_done(step)
        raise Conflict(
            f"“{step.name}”当前{step.get_status_display()}，不能报送", code="STEP_NOT_READY"
        )
    workflow.require_rulebook_usable(project, clock.today())
    workflow.refuse_if_gated(project, step.kind)  # a gate's own article says more than "not yet"
    workflow.require_previous_done(step)
    materials = workflow.refuse_if_documents_missing(step)
    hooks.run_step("before_submit", step, actor)
    resubmission = step.status == StepStatus.RETURNED
    documents = _document_versions(project, document_ids)
    # the submission carries the version of each required material it was made with
    documents += [m.version for m in materials if m.version and m.version not in documents]
    workflow.open_step(step, actor, clock.today())
    opinion = _opinion(actor, step, None, Action.SUBMIT, note, documents=documents)
    record(
        "step.resubmitted" if resubmission else "step.submitted",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("重新报送“%(step)s”的材料，第%(round)s轮")
            if resubmission
            else gettext_noop("报送“%(step)s”的材料，第%(round)s轮"),
            step=Step.of(step),
            round=step.round,
        ),
        cite=step.cite,
        after={"step": step.kind, "status": step.status, "round": step.round},
        data={"opinion": opinion.pk, "documents": [d.pk for d in documents]},
    )
    return step


def _document_versions(project: Project, ids: Sequence[int]) -> list[Any]:
    if not ids:
        return []
    versions = list(hooks.get("document_versions", project, ids))
    if len(versions) != len(set(ids)):
        raise InvalidInput("所附材料不存在或不属于本项目", code="INVALID_DOCUMENT")
    return versions


def _opinion(
    user: User,
    step: ProjectStep,
    task: Task | None,
    action: str,
    text: str,
    *,
    documents: Sequence[Any] = (),
    on_behalf_of: User | None = None,
    confirmed_checks: Sequence[str] = (),
    amount: Decimal | None = None,
) -> Opinion:
    opinion = Opinion.objects.create(
        amount=amount,
        project=step.project,
        step=step,
        task=task,
        action=action,
        text=text,
        user=user,
        organization=user.organization,
        on_behalf_of=on_behalf_of,
        confirmed_checks=list(confirmed_checks),
        at=clock.now(),
    )
    if documents:
        opinion.documents.set(documents)
    return opinion


TASK_ACTIONS = ("approve", "return", "reject", "acknowledge", "complete")
_TASK_EVENTS = {
    "approve": "task.approved",
    "acknowledge": "task.acknowledged",
    "complete": "task.completed",
    "return": "task.returned",
    "reject": "task.rejected",
}


@transaction.atomic
def task_act(
    *,
    actor: User,
    task_id: int,
    action: str,
    opinion: str = "",
    expected_version: int | None = None,
    confirmed_checks: Sequence[str] = (),
    document_ids: Sequence[int] = (),
    via_meeting: bool = False,
    approved_budget: Any = None,
    rectify_by: dt.date | None = None,
) -> Task:
    """通过 / 退回修改 / 不予通过 / 确认收到（备案）/ 办结 on one task, with opinion and documents.

    ``approved_budget`` records the 批复概算 when an approval step is approved; ``rectify_by`` is
    the 整改期限 when an acceptance is returned as failed."""
    task = task_for(actor, task_id)
    authorize(actor, "task.act", task)
    _, on_behalf_of = may_act_on_task(actor, task)
    task = workflow.lock_task(task.pk, expected_version)
    step = ProjectStep.objects.select_for_update().select_related("project").get(pk=task.step_id)
    project = step.project
    workflow.require_active(project)
    if action not in TASK_ACTIONS:
        raise InvalidInput(f"未知的办理操作：{action}", code="INVALID_ACTION")
    _check_action_fits(step, task, action, via_meeting)
    _refuse_self_review(actor, step, task)
    if action in ("return", "reject") and not opinion.strip():
        raise InvalidInput("退回修改或不予通过须填写意见", code="OPINION_REQUIRED")
    if action in ("approve", "acknowledge", "complete") and task.lead:
        _require_checks(step, confirmed_checks)
    if action == "complete":
        workflow.refuse_if_documents_missing(step)
    if action in ("approve", "acknowledge", "complete") and task.lead:
        hooks.run_step("before_complete", step, actor)
    budget = _approved_budget(step, action, approved_budget)
    _require_what_the_act_produces(step, task, action, opinion, budget)
    if step.sign == "lead" and task.lead and action == "approve":
        _require_co_opinions(step)
    documents = _document_versions(project, document_ids)
    status = {
        "approve": TaskStatus.APPROVED,
        "acknowledge": TaskStatus.ACKNOWLEDGED,
        "complete": TaskStatus.COMPLETED,
        "return": TaskStatus.RETURNED,
        "reject": TaskStatus.REJECTED,
    }[action]
    workflow.claim(task, status, actor)
    entry = _opinion(
        actor,
        step,
        task,
        action,
        opinion,
        documents=documents,
        on_behalf_of=on_behalf_of,
        confirmed_checks=confirmed_checks,
        amount=budget,
    )
    label = Action(action).label
    act = record(
        _TASK_EVENTS[action],
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("%(office)s对“%(step)s”%(action)s"),
            office=task.organization.name,
            step=Step.of(step),
            action=Word(str(label)),
        )
        + maybe(opinion, gettext_noop("：%(opinion)s"), opinion=opinion),
        cite=step.cite,
        before={"task": task.pk, "status": TaskStatus.OPEN},
        after={"task": task.pk, "status": status},
        data={
            "opinion": entry.pk,
            "on_behalf_of": on_behalf_of.pk if on_behalf_of else None,
            "confirmed_checks": list(confirmed_checks),
        },
    )
    if budget is not None and step.kind in APPROVAL_KINDS:
        before_budget = project.approved_budget
        project.approved_budget = budget
        project.save(update_fields=["approved_budget", "updated_at"])
        record(
            "project.budget_approved",
            actor=actor,
            project=project,
            summary=said(
                gettext_noop("“%(step)s”批复概算总投资%(amount)s"),
                step=Step.of(step),
                amount=Money(budget),
            ),
            cite=step.cite,
            before={"approved_budget": str(before_budget) if before_budget is not None else None},
            after={"approved_budget": str(budget)},
        )
    # a co-reviewer of a step its organiser consolidates gives its opinion; the organiser decides
    # (黑龙江第十条: 省营商环境局组织联合审核): its 退回 or 不予通过 does not close the step
    co_opinion = step.sign == "lead" and not task.lead and action in ("return", "reject")
    if action == "approve" and step.sign == "sequence" and not task.lead:
        workflow.next_in_sequence(step, actor)  # passed on: the next body acts (报……审定)
    if action in ("approve", "acknowledge", "complete"):
        round_open = Task.objects.filter(step=step, round=step.round, status=TaskStatus.OPEN)
        if step.sign == "any" or not round_open.exists():
            workflow.pass_step(
                step, actor, said(gettext_noop("“%(step)s”办结"), step=Step.of(step)), cause=act
            )
    elif co_opinion:
        pass  # recorded above as the co-reviewer's opinion; the organiser consolidates it
    elif action == "return":
        _close_round(step, TaskStatus.CANCELLED)
        step.status = StepStatus.RETURNED
        step.save(update_fields=["status"])
        hooks.run_step("returned", step, actor, opinion, rectify_by)
        record(
            "step.returned",
            actor=actor,
            project=project,
            summary=said(
                gettext_noop("“%(step)s”退回建设单位修改：%(opinion)s"),
                step=Step.of(step),
                opinion=opinion,
            ),
            cite=step.cite,
            before={"step": step.kind, "status": StepStatus.IN_REVIEW},
            after={"step": step.kind, "status": step.status},
        )
    else:
        _close_round(step, TaskStatus.CANCELLED)
        step.status = StepStatus.REJECTED
        step.closed_at = clock.now()
        step.save(update_fields=["status", "closed_at"])
        project.status = ProjectStatus.REJECTED
        project.save(update_fields=["status", "updated_at"])
        record(
            "project.rejected",
            actor=actor,
            project=project,
            summary=said(
                gettext_noop("“%(step)s”不予通过，项目终结：%(opinion)s"),
                step=Step.of(step),
                opinion=opinion,
            ),
            cite=step.cite,
            before={"status": ProjectStatus.ACTIVE},
            after={"status": project.status},
        )
    return task


APPROVAL_KINDS = ("feasibility_approval", "preliminary_design_approval", "project_approval")
# the acts that decide an amount: an approval its 批复概算, a funds review its 核定金额
FUNDS_KINDS = ("funds_review", "budget_review")
AMOUNT_KINDS = APPROVAL_KINDS + FUNDS_KINDS


def _approved_budget(step: ProjectStep, action: str, value: Any) -> Decimal | None:
    if value is None:
        return None
    if step.kind not in AMOUNT_KINDS or action != "approve":
        raise InvalidInput(
            "批复概算（核定金额）只能在立项、可研、初步设计批复或资金审核环节通过时填写",
            code="INVALID_FIELD",
        )
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput("批复概算应为数字（单位：元）", code="INVALID_AMOUNT") from None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e13"):
        raise InvalidInput("批复概算应为大于0的金额（单位：元）", code="INVALID_AMOUNT")
    return amount


def _refuse_self_review(user: User, step: ProjectStep, task: Task) -> None:
    reason = selectors.self_review(user, step, task)
    if reason:
        acting = workflow.performed_by(step.project)
        raise PermissionDenied(reason, code="SELF_REVIEW", cite=acting["cite"] if acting else None)


def _require_what_the_act_produces(
    step: ProjectStep, task: Task, action: str, opinion: str, amount: Decimal | None
) -> None:
    """A review passes with the opinion it issues (黑龙江第十条: 网信 出具网络安全审核意见, 密码 出具
    密码应用审核意见), an approval with the amount it approves (批复概算), a funds review with the
    amount it sets (核定金额): the act cannot pass without what the text says it produces."""
    if action != "approve" or task.actor == "construction_unit":
        return
    if not opinion.strip():
        raise InvalidInput(
            f"“{step.name}”通过须填写{task.organization.name}的审核意见",
            code="OPINION_REQUIRED",
            cite=step.cite,
        )
    if task.lead and step.kind in AMOUNT_KINDS and amount is None:
        what = "批复概算（批复的总投资）" if step.kind in APPROVAL_KINDS else "核定金额"
        raise InvalidInput(f"“{step.name}”通过须写明{what}", code="AMOUNT_REQUIRED", cite=step.cite)


def _require_co_opinions(step: ProjectStep) -> None:
    """The organiser of a step it consolidates (sign ``lead``) decides last: every co-reviewer's
    opinion is in, and none asks for revision (that is returned to the unit, or supplemented and
    reviewed again)."""
    latest: dict[int, Task] = {}  # an office that reviewed again after a 补正: its latest task
    for t in (
        Task.objects.filter(step=step, round=step.round, lead=False)
        .select_related("organization")
        .order_by("pk")
    ):
        latest[t.organization_id] = t
    others = list(latest.values())
    pending = [t.organization.name for t in others if t.status == TaskStatus.OPEN]
    if pending:
        raise Conflict(
            f"尚待{'、'.join(pending)}出具审核意见；牵头单位汇总各方意见后再作决定",
            code="OPINIONS_PENDING",
            cite=step.cite,
        )
    asked = [t for t in others if t.status in (TaskStatus.RETURNED, TaskStatus.REJECTED)]
    if asked:
        words = Opinion.objects.filter(task__in=asked).order_by("-id")
        said_by = {o.task_id: o.text for o in words}
        raise RuleRefused(
            "；".join(
                f"{t.organization.name}的审核意见要求补正：{said_by.get(t.pk, '')}" for t in asked
            )
            + "。请退回建设单位修改，或待建设单位补正后由其重新审核",
            code="CO_REVIEW_ASKS",
            cite=step.cite,
        )


def _check_action_fits(step: ProjectStep, task: Task, action: str, via_meeting: bool) -> None:
    if step.kind == "expert_review" and task.lead and not via_meeting:
        raise RuleRefused(
            "专家评审环节须通过评审会形成结论", code="MEETING_REQUIRED", cite=step.cite
        )
    unit_task = task.actor == "construction_unit"
    if unit_task:
        if action != "complete":
            raise InvalidInput("建设单位自行办理的环节只能“办结”", code="INVALID_ACTION")
        return
    if action == "complete":
        raise InvalidInput("“办结”只用于建设单位自行办理的环节", code="INVALID_ACTION")
    if step.filing and action in ("approve", "reject"):
        raise InvalidInput("备案环节应“确认收到”或“退回修改”", code="INVALID_ACTION")
    if not step.filing and action == "acknowledge":
        raise InvalidInput("“确认收到”只用于备案环节", code="INVALID_ACTION")


def _require_checks(step: ProjectStep, confirmed: Sequence[str]) -> None:
    missing = [
        c for c in step.checks if c["severity"] == "block" and c["code"] not in set(confirmed)
    ]
    if missing:
        raise RuleRefused(
            "须确认以下核查事项：" + "；".join(c["text"] for c in missing),
            code="CHECK_NOT_CONFIRMED",
            cite=missing[0]["cite"],
        )


def _close_round(step: ProjectStep, status: str) -> None:
    Task.objects.filter(step=step, round=step.round, status=TaskStatus.OPEN).update(
        status=status, closed_at=clock.now(), version=F("version") + 1
    )


@transaction.atomic
def task_reassign(*, actor: User, task_id: int, to_user: User, note: str = "") -> Task:
    """转办: hand the task to a colleague in the same organization."""
    task = task_for(actor, task_id)
    authorize(actor, "task.reassign", task)
    task = workflow.lock_task(task.pk, None)
    if to_user.organization_id != task.organization_id or not to_user.is_active:
        raise InvalidInput("只能转办给本单位的在岗人员", code="INVALID_ASSIGNEE")
    if not works(to_user):
        raise InvalidInput(f"“{to_user.display_name}”不是经办人或负责人", code="INVALID_ASSIGNEE")
    before = task.assignee_id
    Task.objects.filter(pk=task.pk).update(assignee=to_user, version=task.version + 1)
    task.assignee, task.version = to_user, task.version + 1
    _opinion(actor, task.step, task, Action.REASSIGN, note)
    record(
        "task.reassigned",
        actor=actor,
        project=task.project,
        summary=said(
            gettext_noop("“%(step)s”转办给%(person)s"),
            step=Step.of(task.step),
            person=to_user.display_name,
        )
        + maybe(note, gettext_noop("：%(note)s"), note=note),
        before={"task": task.pk, "assignee": before},
        after={"task": task.pk, "assignee": to_user.pk},
    )
    return task


@transaction.atomic
def task_urge(*, actor: User, task_id: int, text: str = "") -> Task:
    """催办: remind the organization that holds the task; recorded, and counted."""
    task = task_for(actor, task_id)
    authorize(actor, "task.urge", task)
    task = (
        Task.objects.select_for_update()
        .select_related("step", "project", "organization")
        .get(pk=task.pk)
    )
    if task.status != TaskStatus.OPEN:
        raise Conflict("此待办已办结，无需催办", code="TASK_CLOSED")
    Task.objects.filter(pk=task.pk).update(urge_count=task.urge_count + 1)
    task.urge_count += 1
    _opinion(actor, task.step, task, Action.URGE, text)
    record(
        "task.urged",
        actor=actor,
        project=task.project,
        summary=said(
            gettext_noop("催办%(office)s办理“%(step)s”（第%(count)s次）"),
            office=task.organization.name,
            step=Step.of(task.step),
            count=task.urge_count,
        )
        + maybe(text, gettext_noop("：%(note)s"), note=text),
        cite=task.step.cite,
        data={"task": task.pk, "due_on": task.due_on.isoformat() if task.due_on else None},
    )
    return task


@transaction.atomic
def delegation_create(
    *, actor: User, delegate: User, starts_on: dt.date, ends_on: dt.date, reason: str
) -> Delegation:
    """委托: let a colleague act on the tasks assigned to the actor, for a period."""
    authorize(actor, "delegation.create", delegate)
    if ends_on < starts_on:
        raise InvalidInput("委托结束日期不能早于开始日期", code="INVALID_PERIOD")
    if ends_on < clock.today():
        raise InvalidInput("委托结束日期已过，委托不会生效", code="INVALID_PERIOD")
    if delegate.pk == actor.pk:
        raise InvalidInput("不能委托给自己", code="INVALID_DELEGATE")
    if not reason.strip():
        raise InvalidInput("请填写委托事由", code="REASON_REQUIRED")
    delegation = Delegation.objects.create(
        organization=actor.organization,
        delegator=actor,
        delegate=delegate,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        created_at=clock.now(),
    )
    record(
        "delegation.created",
        actor=actor,
        jurisdiction=actor.organization.jurisdiction,
        summary=said(
            gettext_noop("%(who)s委托%(delegate)s于%(start)s至%(end)s代为办理：%(reason)s"),
            who=actor.display_name,
            delegate=delegate.display_name,
            start=Day(starts_on),
            end=Day(ends_on),
            reason=reason,
        ),
        data={"delegation": delegation.pk},
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, actor: User, delegation: Delegation, reason: str) -> Delegation:
    """撤销委托: from now on the delegate no longer acts for the delegator; what they did while
    it ran stays theirs, on the delegator's behalf."""
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    authorize(actor, "delegation.revoke", delegation)
    if delegation.revoked_at is not None:
        raise Conflict("该委托已撤销", code="ALREADY_REVOKED")
    if delegation.ends_on < clock.today():
        raise Conflict("该委托已到期，无需撤销", code="DELEGATION_ENDED")
    if not reason.strip():
        raise InvalidInput("请填写撤销理由", code="REASON_REQUIRED")
    delegation.revoked_at = clock.now()
    delegation.save(update_fields=["revoked_at"])
    record(
        "delegation.revoked",
        actor=actor,
        jurisdiction=delegation.organization.jurisdiction,
        summary=said(
            gettext_noop("撤销%(who)s对%(delegate)s的委托：%(reason)s"),
            who=delegation.delegator.display_name,
            delegate=delegation.delegate.display_name,
            reason=reason,
        ),
        data={"delegation": delegation.pk},
    )
    return delegation


@transaction.atomic
def party_add(
    *, actor: User, project: Project, organization: Organization, role: str
) -> ProjectParty:
    """登记项目参与单位 (a vendor: consultant, agent, contractor, supervisor, evaluator)."""
    authorize(actor, "party.add", project)
    if role not in PartyRole.values:
        raise InvalidInput(f"参与角色不正确：{role}", code="INVALID_ROLE")
    if role == PartyRole.JOINT_UNIT:
        return next(
            p
            for p in joint_units_set(
                actor=actor,
                project=project,
                organizations=[
                    *Organization.objects.filter(
                        parties__project=project, parties__role=PartyRole.JOINT_UNIT
                    ),
                    organization,
                ],
            )
            if p.organization_id == organization.pk
        )
    if organization.jurisdiction_id != project.jurisdiction_id or not organization.is_vendor:
        raise InvalidInput("参与单位须为本辖区登记的服务机构", code="INVALID_PARTY")
    party, created = ProjectParty.objects.get_or_create(
        project=project, organization=organization, role=role, defaults={"added_at": clock.now()}
    )
    if created:
        record(
            "project.party_added",
            actor=actor,
            project=project,
            summary=said(
                gettext_noop("登记%(role)s：%(organization)s"),
                role=Word(str(PartyRole(role).label)),
                organization=organization.name,
            ),
            after={"organization": organization.pk, "role": role},
        )
    return party


@transaction.atomic
def joint_units_set(
    *, actor: User, project: Project, organizations: Sequence[Organization]
) -> list[ProjectParty]:
    """联合单位 of a project whose unit's part another body does (连平第十五条: 公共类项目由县政务服务
    数据管理局牵头联合县级各有关单位确定具体采购需求……分别签订合同): the units whose needs it serves.
    They see the project and sign their own contracts. One not chosen again is removed, unless a
    contract names it as its signatory; each change is recorded."""
    authorize(actor, "project.edit", project)
    project = Project.objects.select_for_update().select_related("unit").get(pk=project.pk)
    acting = workflow.performed_by(project)
    if acting is None:
        raise RuleRefused(
            "只有由主管部门代行建设单位职责的项目（如连平县公共类项目）登记联合单位",
            code="NOT_A_JOINT_PROJECT",
        )
    cite = workflow.procurement_cite(project) or acting["cite"]
    chosen = {org.pk: org for org in organizations}
    for org in chosen.values():
        if (
            org.jurisdiction_id != project.jurisdiction_id
            or org.kind != "construction_unit"
            or not org.is_active
        ):
            raise InvalidInput(
                f"联合单位须为本辖区在用的建设单位：“{org.name}”不是", code="INVALID_JOINT_UNIT"
            )
    current = {
        p.organization_id: p
        for p in project.parties.filter(role=PartyRole.JOINT_UNIT).select_related("organization")
    }
    for org_id, party in current.items():
        if org_id in chosen:
            continue
        if project.contracts.live().filter(signatory_id=org_id).exists():
            raise Conflict(
                f"“{party.organization.name}”已作为签订单位登记了合同，不能取消其联合单位",
                code="JOINT_UNIT_HAS_CONTRACT",
            )
        party.delete()
        record(
            "project.party_removed",
            actor=actor,
            project=project,
            summary=said(
                gettext_noop("取消联合单位：%(organization)s"), organization=party.organization.name
            ),
            cite=cite,
            before={"organization": org_id, "role": PartyRole.JOINT_UNIT},
        )
    for org_id, org in chosen.items():
        if org_id in current:
            continue
        ProjectParty.objects.create(
            project=project, organization=org, role=PartyRole.JOINT_UNIT, added_at=clock.now()
        )
        record(
            "project.party_added",
            actor=actor,
            project=project,
            summary=said(
                gettext_noop("登记%(role)s：%(organization)s"),
                role=Word(str(PartyRole.JOINT_UNIT.label)),
                organization=org.name,
            ),
            cite=cite,
            after={"organization": org_id, "role": PartyRole.JOINT_UNIT},
        )
    return list(project.parties.filter(role=PartyRole.JOINT_UNIT))


@transaction.atomic
def step_supplement(
    *, actor: User, step: ProjectStep, note: str, document_ids: Sequence[int] = ()
) -> Opinion:
    """陈述和补正: the unit states its case or adds materials while the step is under review
    (黑龙江第十条: 省级有关部门和单位在联合审核期间可进行陈述和补正), inside the same round. A
    co-reviewer that asked for revision reviews again: its task opens anew."""
    project = step.project
    authorize(actor, "step.submit", project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    step = ProjectStep.objects.select_for_update().select_related("project").get(pk=step.pk)
    workflow.require_active(project)
    if step.status != StepStatus.IN_REVIEW:
        raise Conflict(
            f"“{step.name}”当前{step.get_status_display()}，不在审核中，不能陈述和补正",
            code="STEP_NOT_IN_REVIEW",
        )
    if not note.strip() and not document_ids:
        raise InvalidInput("请填写陈述或补正的内容，或附上补正的材料", code="SUPPLEMENT_EMPTY")
    documents = _document_versions(project, document_ids)
    entry = _opinion(actor, step, None, Action.SUPPLEMENT, note, documents=documents)
    again = []
    asked = Task.objects.filter(
        step=step,
        round=step.round,
        lead=False,
        status__in=(TaskStatus.RETURNED, TaskStatus.REJECTED),
    ).select_related("organization")
    for task in asked:
        if Task.objects.filter(
            step=step, round=step.round, organization=task.organization, status=TaskStatus.OPEN
        ).exists():
            continue
        again.append(workflow.give_task(step, task.organization, task.actor, lead=False))
    record(
        "step.supplemented",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("对“%(step)s”陈述和补正：%(note)s"), step=Step.of(step), note=note
        )
        + maybe(
            again,
            gettext_noop("；%(offices)s重新审核"),
            offices="、".join(t.organization.name for t in again),
        ),
        cite=step.cite,
        data={
            "opinion": entry.pk,
            "documents": [d.pk for d in documents],
            "tasks": [t.pk for t in again],
        },
    )
    return entry
