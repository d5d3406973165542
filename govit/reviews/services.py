"""Expert pool, review meetings, draws, replacements, opinions and the meeting's conclusion."""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_noop

from govit.access.policy import authorize
from govit.access.services import user_create
from govit.core import clock
from govit.core.errors import Conflict, InvalidInput, RuleRefused
from govit.events.phrases import Word, maybe, said
from govit.events.services import record
from govit.jurisdictions.models import Jurisdiction
from govit.organizations.models import Organization, User
from govit.organizations.signals import account_changed
from govit.policy.vocab import STEP_LABELS
from govit.projects import workflow
from govit.projects.models import Project, ProjectStep, StepStatus, Task, TaskStatus
from govit.projects.services import task_act
from govit.reviews import draw as algorithm
from govit.reviews.models import (
    DrawReplacement,
    Expert,
    ExpertDraw,
    ExpertOpinion,
    MeetingStatus,
    ReviewMeeting,
    Seat,
)
from govit.reviews.selectors import (
    current_panel,
    eligibility,
    pool_cite,
    pool_refusal,
    pool_too_small,
    time_refusal,
)


def _valid_entry(
    name: str, specialties: list[str], employer: Organization | None, jurisdiction_id: int
) -> list[str]:
    """An expert's entry as registered or corrected: a name, at least one specialty (returned
    trimmed, each once), an employer of the pool's own jurisdiction."""
    specialties = list(dict.fromkeys(s.strip() for s in specialties if s.strip()))
    if not name.strip() or not specialties:
        raise InvalidInput("请填写专家姓名和至少一个专业领域", code="INVALID_EXPERT")
    if employer is not None and employer.jurisdiction_id != jurisdiction_id:
        raise InvalidInput("工作单位须为本辖区登记的单位", code="INVALID_EMPLOYER")
    return specialties


@transaction.atomic
def expert_register(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    name: str,
    specialties: list[str],
    employer_name: str,
    employer: Organization | None = None,
    title: str = "",
    user: User | None = None,
    username: str = "",
    password: str = "",
) -> Expert:
    """专家入库. ``user`` is the expert's existing account; or ``username`` (and ``password``)
    opens one for them in the same transaction — which only the jurisdiction's administrator
    may (access.services.user_create): the entry and its account, both or neither."""
    authorize(actor, "expert.manage", jurisdiction.pk)
    specialties = _valid_entry(name, specialties, employer, jurisdiction.pk)
    if username.strip():
        user = user_create(
            actor=actor,
            organization=None,
            jurisdiction=jurisdiction,
            username=username.strip(),
            password=password,
            real_name=name.strip(),
            roles=[],
        )
    expert = Expert.objects.create(
        jurisdiction=jurisdiction,
        name=name,
        title=title,
        specialties=specialties,
        employer=employer,
        employer_name=employer_name or (employer.name if employer else ""),
        user=user,
    )
    if user is not None:
        # the account is now an expert's (the header says so)
        account_changed.send(sender=User, user_ids=(user.pk,))
    record(
        "expert.registered",
        actor=actor,
        jurisdiction=jurisdiction,
        summary=said(
            gettext_noop("专家%(name)s入库（%(specialties)s；%(employer)s）"),
            name=name,
            specialties=list(specialties),
            employer=expert.employer_name,
        ),
        after={"expert": expert.pk},
    )
    return expert


@transaction.atomic
def expert_set_availability(
    *, actor: User, expert: Expert, available: bool, reason: str = ""
) -> Expert:
    authorize(actor, "expert.manage", expert.jurisdiction_id)
    if not available and not reason.strip():
        raise InvalidInput("请说明不可抽取的原因", code="REASON_REQUIRED")
    before = expert.available
    expert.available = available
    expert.unavailable_reason = "" if available else reason
    expert.save(update_fields=["available", "unavailable_reason"])
    if expert.user_id is not None:
        account_changed.send(sender=User, user_ids=(expert.user_id,))
    record(
        "expert.availability_changed",
        actor=actor,
        jurisdiction=expert.jurisdiction,
        summary=said(gettext_noop("专家%(name)s恢复可抽取"), name=expert.name)
        if available
        else said(
            gettext_noop("专家%(name)s暂停抽取：%(reason)s"), name=expert.name, reason=reason
        ),
        before={"available": before},
        after={"available": available},
    )
    return expert


@transaction.atomic
def expert_update(
    *,
    actor: User,
    expert: Expert,
    name: str,
    title: str,
    specialties: list[str],
    employer_name: str,
    employer: Organization | None,
    reason: str,
) -> Expert:
    """修改专家信息: the fields the draw uses (specialties; the employer the conflict exclusion
    compares with the project's unit and vendors), with the reason; before and after recorded. The
    draw records a snapshot of the pool, so a correction never changes a past draw."""
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    authorize(actor, "expert.manage", expert.jurisdiction_id)
    specialties = _valid_entry(name, specialties, employer, expert.jurisdiction_id)
    if not reason.strip():
        raise InvalidInput("请说明修改理由", code="REASON_REQUIRED")
    fields = ("name", "title", "specialties", "employer_id", "employer_name")
    before = {f: getattr(expert, f) for f in fields}
    expert.name, expert.title, expert.specialties = name.strip(), title.strip(), specialties
    expert.employer = employer
    expert.employer_name = employer_name.strip() or (employer.name if employer else "")
    after = {f: getattr(expert, f) for f in fields}
    if after == before:
        return expert
    expert.save(update_fields=["name", "title", "specialties", "employer", "employer_name"])
    if expert.user_id is not None:
        account_changed.send(sender=User, user_ids=(expert.user_id,))
    changed = [f for f in fields if before[f] != after[f]]
    record(
        "expert.updated",
        actor=actor,
        jurisdiction=expert.jurisdiction,
        summary=said(
            gettext_noop("修改专家%(name)s的信息：%(reason)s"), name=expert.name, reason=reason
        ),
        before={f: before[f] for f in changed} | {"expert": expert.pk},
        after={f: after[f] for f in changed} | {"expert": expert.pk},
    )
    return expert


MAX_PANEL = 25
OPEN_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.DRAWN)


# A 200-character project name plus the step's overflows the column: PostgreSQL refuses the row
# (a 500), where SQLite silently stored it. The default title is cut to fit.
TITLE_LENGTH = ReviewMeeting._meta.get_field("title").max_length


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    project: Project,
    specialty: str,
    size: int,
    step_kind: str = "expert_review",
    title: str = "",
    scheduled_for: Any = None,
) -> ReviewMeeting:
    authorize(actor, "meeting.manage", project)
    step = project.steps.filter(kind=step_kind).first()
    if step is None:
        label = STEP_LABELS.get(step_kind, (step_kind,))[0]
        raise RuleRefused(f"按其规则手册，本项目没有“{label}”环节", code="NO_SUCH_STEP")
    if step.status != StepStatus.IN_REVIEW:
        workflow.require_previous_done(step)
        raise Conflict(
            f"“{step.name}”当前{step.get_status_display()}，不能组织评审", code="STEP_NOT_IN_REVIEW"
        )
    if not specialty.strip():
        raise InvalidInput("请填写专业领域", code="INVALID_SPECIALTY")
    if not isinstance(size, int) or not 1 <= size <= MAX_PANEL:
        raise InvalidInput(f"抽取人数应为1至{MAX_PANEL}人", code="INVALID_SIZE")
    if scheduled_for is not None and scheduled_for.tzinfo is None:
        scheduled_for = scheduled_for.replace(tzinfo=clock.CHINA)
    if (in_past := time_refusal(scheduled_for)) is not None:
        raise in_past
    if ReviewMeeting.objects.filter(step=step, status__in=OPEN_STATUSES).exists():
        raise Conflict(
            "本环节已有未结束的评审会；不能举行的，请先取消该评审会（写明原因）再重新发起",
            code="MEETING_EXISTS",
        )
    if (short := pool_refusal(project, step, specialty, size)) is not None:
        raise short
    meeting = ReviewMeeting.objects.create(
        project=project,
        step=step,
        organizer=actor.organization,
        title=(title or f"{project.name}{step.name}会")[:TITLE_LENGTH],
        specialty=specialty.strip(),
        size=size,
        scheduled_for=scheduled_for,
        created_by=actor,
        created_at=clock.now(),
    )
    record(
        "meeting.created",
        actor=actor,
        project=project,
        summary=said(
            gettext_noop("发起“%(title)s”，从%(specialty)s专业抽取%(size)s名专家"),
            title=meeting.title,
            specialty=specialty,
            size=size,
        ),
        cite=step.cite,
        after={"meeting": meeting.pk},
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: ReviewMeeting, reason: str) -> ReviewMeeting:
    """A meeting that cannot take place (a panel the pool cannot fill, a date gone by, experts
    who cannot come) is cancelled with its reason; its draw, seats and any opinions stay on
    record, and the step may convene a new meeting."""
    meeting = (
        ReviewMeeting.objects.select_for_update(of=("self",))
        .select_related("project", "step")
        .get(pk=meeting.pk)
    )
    authorize(actor, "meeting.manage", meeting.project)
    if meeting.status not in OPEN_STATUSES:
        raise Conflict(f"评审会{meeting.get_status_display()}，不能取消", code="MEETING_NOT_OPEN")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("请说明取消评审会的原因", code="REASON_REQUIRED")
    before = meeting.status
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_reason = reason[
        : ReviewMeeting._meta.get_field("cancelled_reason").max_length
    ]
    meeting.cancelled_by, meeting.cancelled_at = actor, clock.now()
    meeting.save(update_fields=["status", "cancelled_reason", "cancelled_by", "cancelled_at"])
    record(
        "meeting.cancelled",
        actor=actor,
        project=meeting.project,
        summary=said(
            gettext_noop("取消“%(title)s”：%(reason)s"), title=meeting.title, reason=reason
        ),
        cite=meeting.step.cite,
        before={"meeting": meeting.pk, "status": before},
        after={"meeting": meeting.pk, "status": meeting.status, "reason": reason},
    )
    return meeting


def _snapshot(experts: list[Expert]) -> list[dict[str, Any]]:
    return [
        {
            "id": e.pk,
            "name": e.name,
            "specialties": sorted(e.specialties),
            "employer": e.employer_name,
        }
        for e in sorted(experts, key=lambda e: e.pk)
    ]


@transaction.atomic
def draw_make(*, actor: User, meeting: ReviewMeeting) -> ExpertDraw:
    meeting = (
        ReviewMeeting.objects.select_for_update()
        .select_related("project", "step")
        .get(pk=meeting.pk)
    )
    authorize(actor, "meeting.manage", meeting.project)
    if meeting.status != MeetingStatus.PLANNED:
        raise Conflict("本次评审会已抽取专家", code="ALREADY_DRAWN")
    eligible, excluded = eligibility(meeting)
    if len(eligible) < meeting.size:
        raise RuleRefused(
            pool_too_small(meeting.specialty, len(eligible), meeting.size)
            + "；也可取消本次评审会后重新发起",
            code="EXPERT_POOL_TOO_SMALL",
            cite=pool_cite(meeting.project),
        )
    pool = _snapshot(eligible)
    seed = secrets.token_hex(16)
    ranking = algorithm.rank(seed, [e["id"] for e in pool])
    drawn = ranking[: meeting.size]
    now = clock.now()
    draw = ExpertDraw.objects.create(
        meeting=meeting,
        algorithm=algorithm.ALGORITHM,
        seed=seed,
        pool=pool,
        pool_digest=algorithm.pool_digest(pool),
        exclusions=excluded,
        ranking=ranking,
        drawn=drawn,
        drawn_by=actor,
        drawn_at=now,
    )
    Seat.objects.bulk_create(
        [
            Seat(meeting=meeting, expert_id=expert_id, position=i + 1, seated_at=now)
            for i, expert_id in enumerate(drawn)
        ]
    )
    meeting.status = MeetingStatus.DRAWN
    meeting.save(update_fields=["status"])
    names = {e["id"]: e["name"] for e in pool}
    record(
        "draw.made",
        actor=actor,
        project=meeting.project,
        summary=said(
            gettext_noop("从%(pool)s名可抽取专家中随机抽取%(size)s名：%(names)s"),
            pool=len(pool),
            size=meeting.size,
            names=[names[i] for i in drawn],
        )
        + maybe(excluded, gettext_noop("；回避或不可抽取%(count)s名"), count=len(excluded)),
        cite=pool_cite(meeting.project),
        after={"meeting": meeting.pk, "drawn": drawn},
        data={
            "seed": seed,
            "pool_digest": draw.pool_digest,
            "algorithm": draw.algorithm,
            "exclusions": excluded,
        },
    )
    return draw


@transaction.atomic
def draw_replace(
    *, actor: User, meeting: ReviewMeeting, expert: Expert, reason: str
) -> DrawReplacement:
    # of=("self",): the reverse one-to-one to the draw is an outer join, and PostgreSQL refuses
    # FOR UPDATE on its nullable side; the meeting row is the lock.
    meeting = (
        ReviewMeeting.objects.select_for_update(of=("self",))
        .select_related("project", "draw")
        .get(pk=meeting.pk)
    )
    authorize(actor, "meeting.manage", meeting.project)
    if meeting.status != MeetingStatus.DRAWN:
        raise Conflict("评审会未抽取专家或已结束", code="NOT_DRAWN")
    if not reason.strip():
        raise InvalidInput("请说明补抽原因", code="REASON_REQUIRED")
    seat = Seat.objects.filter(meeting=meeting, expert=expert, vacated_at__isnull=True).first()
    if seat is None:
        raise InvalidInput(f"{expert.name}不在本次评审专家名单中", code="NOT_ON_PANEL")
    if ExpertOpinion.objects.filter(meeting=meeting, expert=expert).exists():
        raise Conflict(f"{expert.name}已提交评审意见，不能替换", code="OPINION_GIVEN")
    draw = meeting.draw
    used = set(draw.drawn) | set(draw.replacements.values_list("replacement_id", flat=True))
    candidate = algorithm.next_candidate(draw.ranking, used)
    if candidate is None:
        raise RuleRefused("抽取时的可抽取专家已全部用尽，无法补抽", code="EXPERT_POOL_EXHAUSTED")
    now = clock.now()
    replacement = DrawReplacement.objects.create(
        draw=draw, replaced=expert, replacement_id=candidate, reason=reason, by=actor, at=now
    )
    seat.vacated_at, seat.vacated_reason = now, reason
    seat.save(update_fields=["vacated_at", "vacated_reason"])
    Seat.objects.create(meeting=meeting, expert_id=candidate, position=seat.position, seated_at=now)
    record(
        "draw.replaced",
        actor=actor,
        project=meeting.project,
        summary=said(
            gettext_noop("%(name)s因“%(reason)s”不能参加，按抽取顺序补抽%(replacement)s"),
            name=expert.name,
            reason=reason,
            replacement=replacement.replacement.name,
        ),
        after={"meeting": meeting.pk, "replaced": expert.pk, "replacement": candidate},
    )
    return replacement


CONCLUSIONS = {"approve": "建议通过", "return": "建议修改后再审", "reject": "建议不予通过"}
DECISIONS = {"approve": "通过", "return": "退回修改", "reject": "不予通过"}


@transaction.atomic
def opinion_submit(
    *, actor: User, meeting: ReviewMeeting, text: str, score: Any, conclusion: str
) -> ExpertOpinion:
    authorize(actor, "opinion.submit", meeting)
    meeting = ReviewMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.DRAWN:
        raise Conflict("评审会不在评审中", code="MEETING_CLOSED")
    if conclusion not in CONCLUSIONS:
        raise InvalidInput(
            "结论应为建议通过、建议修改后再审或建议不予通过", code="INVALID_CONCLUSION"
        )
    try:
        score = Decimal(str(score))
    except (InvalidOperation, ValueError):
        raise InvalidInput("评分应为0至100的数字", code="INVALID_SCORE") from None
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise InvalidInput("评分应为0至100的数字", code="INVALID_SCORE")
    if not text.strip():
        raise InvalidInput("请填写评审意见", code="OPINION_REQUIRED")
    expert = actor.expert
    if ExpertOpinion.objects.filter(meeting=meeting, expert=expert).exists():
        raise Conflict("您已提交过本次评审意见", code="OPINION_EXISTS")
    opinion = ExpertOpinion.objects.create(
        meeting=meeting,
        expert=expert,
        text=text,
        score=score.quantize(Decimal("0.01")),
        conclusion=conclusion,
        submitted_at=clock.now(),
    )
    record(
        "opinion.recorded",
        actor=actor,
        project=meeting.project,
        summary=said(
            gettext_noop("专家%(name)s：%(conclusion)s，评分%(score)s"),
            name=expert.name,
            conclusion=Word(CONCLUSIONS[conclusion]),
            score=str(opinion.score),
        ),
        after={
            "meeting": meeting.pk,
            "expert": expert.pk,
            "score": str(opinion.score),
            "conclusion": conclusion,
        },
    )
    return opinion


@transaction.atomic
def meeting_conclude(
    *,
    actor: User,
    meeting: ReviewMeeting,
    conclusion: str,
    text: str,
    confirmed_checks: list[str] | tuple = (),
) -> ReviewMeeting:
    """The organizer records the meeting's conclusion, which decides the step (通过/退回/不予通过)."""
    meeting = (
        ReviewMeeting.objects.select_for_update()
        .select_related("project", "step")
        .get(pk=meeting.pk)
    )
    authorize(actor, "meeting.manage", meeting.project)
    if meeting.status != MeetingStatus.DRAWN:
        raise Conflict("评审会未抽取专家或已结束", code="NOT_DRAWN")
    if conclusion not in CONCLUSIONS:
        raise InvalidInput("结论应为通过、退回修改或不予通过", code="INVALID_CONCLUSION")
    if not text.strip():
        raise InvalidInput("请填写评审结论意见", code="OPINION_REQUIRED")
    panel = current_panel(meeting)
    given = set(ExpertOpinion.objects.filter(meeting=meeting).values_list("expert_id", flat=True))
    missing = [e.name for e in panel if e.pk not in given]
    if missing:
        raise RuleRefused(
            f"以下专家尚未提交评审意见：{'、'.join(missing)}", code="OPINIONS_MISSING"
        )
    step: ProjectStep = meeting.step
    task = Task.objects.filter(
        step=step, round=step.round, lead=True, status=TaskStatus.OPEN
    ).first()
    if task is None:
        raise Conflict(f"“{step.name}”没有待办的评审任务", code="NO_OPEN_TASK")
    decides_step = step.actor == "experts"  # an expert review is the meeting; an acceptance is more
    meeting.status = MeetingStatus.CONCLUDED
    meeting.conclusion = conclusion
    meeting.conclusion_text = text
    meeting.save(update_fields=["status", "conclusion", "conclusion_text"])
    record(
        "meeting.concluded",
        actor=actor,
        project=meeting.project,
        summary=said(
            gettext_noop("“%(title)s”结论：%(decision)s：%(text)s"),
            title=meeting.title,
            decision=Word(DECISIONS[conclusion]),
            text=text,
        ),
        cite=step.cite,
        after={"meeting": meeting.pk, "conclusion": conclusion},
    )
    if decides_step:
        task_act(
            actor=actor,
            task_id=task.pk,
            action=conclusion,
            opinion=text,
            via_meeting=True,
            confirmed_checks=confirmed_checks,
        )
    return meeting
