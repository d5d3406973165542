"""Reads about experts, meetings and draws."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from govit.core import clock
from govit.core.errors import DomainError, InvalidInput, RuleRefused
from govit.policy.decide import cn_date
from govit.policy.schema import ExpertPanel
from govit.projects import workflow
from govit.projects.models import PartyRole, Project, ProjectStep
from govit.reviews import draw as algorithm
from govit.reviews.models import Expert, MeetingStatus, ReviewMeeting, Seat


def expert_panel(step: ProjectStep) -> ExpertPanel | None:
    """The step's ``experts`` entry in the project's pinned rulebook (a 验收会 whose experts come
    from the pool), found by the step's kind and name."""
    rb = workflow.rulebook_of(step.project)
    rule = next((r for r in rb.model.steps if r.kind == step.kind and r.name == step.name), None)
    return rule.experts if rule is not None else None


def offers_experts(step: ProjectStep) -> bool:
    """Whether a meeting with experts drawn from the pool belongs to this step: the 专家评审
    itself, a step experts join (co-actors), or one whose rulebook entry seats experts."""
    if step.kind == "expert_review" or "experts" in (step.co_actors or []):
        return True
    return expert_panel(step) is not None


def experts_required(step: ProjectStep) -> bool:
    """The step cannot pass without a concluded meeting of experts that approves."""
    if "experts" in (step.co_actors or []):
        return True
    panel = expert_panel(step) if step.kind != "expert_review" else None
    return bool(panel and panel.required)


def current_panel(meeting: ReviewMeeting) -> list[Expert]:
    """The experts sitting on a meeting now: the drawn ones, with replacements swapped in."""
    seats = Seat.objects.filter(meeting=meeting, vacated_at__isnull=True).select_related("expert")
    return [seat.expert for seat in seats.order_by("position")]


def holds_seat(seat: Seat) -> bool:
    """Whether a seat still gives its expert the meeting's materials: not vacated by a
    replacement, and the meeting not cancelled (its seats are then released; they stay on record
    as drawn, so the draw can still be verified)."""
    return seat.vacated_at is None and seat.meeting.status != MeetingStatus.CANCELLED


def expert_meetings(expert: Expert) -> QuerySet[ReviewMeeting]:
    seated = Seat.objects.filter(expert=expert, vacated_at__isnull=True).values("meeting_id")
    return ReviewMeeting.objects.filter(pk__in=seated).select_related("project", "step")


def eligibility(meeting: ReviewMeeting) -> tuple[list[Expert], list[dict[str, Any]]]:
    """Experts of the specialty who may sit, and those excluded with the reason."""
    project = meeting.project
    parties = {
        p.organization_id: PartyRole(p.role).label
        for p in project.parties.select_related("organization")
    }
    eligible, excluded = [], []
    candidates = Expert.objects.filter(jurisdiction_id=project.jurisdiction_id).order_by("pk")
    for expert in candidates:
        if meeting.specialty not in expert.specialties:
            continue
        reason = None
        if not expert.available:
            reason = f"不可抽取：{expert.unavailable_reason or '暂停'}"
        elif expert.employer_id is not None and expert.employer_id == project.unit_id:
            reason = "受聘于本项目建设单位，须回避"
        elif expert.employer_id in parties:
            reason = f"受聘于本项目{parties[expert.employer_id]}，须回避"
        if reason:
            excluded.append({"id": expert.pk, "name": expert.name, "reason": reason})
        else:
            eligible.append(expert)
    return eligible, excluded


def draw_verify(meeting: ReviewMeeting) -> algorithm.Verification:
    draw = meeting.draw
    return algorithm.verify(
        seed=draw.seed,
        pool=draw.pool,
        recorded_digest=draw.pool_digest,
        recorded_ranking=draw.ranking,
        drawn=draw.drawn,
        replacements=[(r.replaced_id, r.replacement_id) for r in draw.replacements.order_by("id")],
    )


# --- what convening a meeting would refuse (reviews.services.meeting_create) -------------------


def pool_too_small(specialty: str, eligible: int, size: int) -> str:
    return (
        f"{specialty}专业可抽取的专家仅{eligible}人（已除去须回避和暂停抽取的），"
        f"不足{size}人；请减少抽取人数、调整专业或扩充专家库"
    )


def pool_cite(project: Project) -> str:
    """The article that makes experts come from the pool, where the rulebook has one."""
    rb = workflow.rulebook_of(project)
    for step in rb.model.steps:
        for check in step.checks:
            if check.code == "EXPERTS_FROM_POOL":
                return check.cite
    return ""


def time_refusal(scheduled_for: Any) -> DomainError | None:
    if scheduled_for is None:
        return None
    if scheduled_for.tzinfo is None:
        scheduled_for = scheduled_for.replace(tzinfo=clock.CHINA)
    if scheduled_for >= clock.now():
        return None
    return InvalidInput(
        f"会议时间{cn_date(scheduled_for.astimezone(clock.CHINA).date())} "
        f"{scheduled_for.astimezone(clock.CHINA):%H:%M}已过，请填写今后的时间",
        code="MEETING_IN_PAST",
    )


def pool_refusal(
    project: Project, step: ProjectStep, specialty: str, size: int
) -> DomainError | None:
    """The pool must be able to fill the panel now, not only at the draw: a meeting that can
    never be drawn would hold the step (the pool may still shrink before the draw, which checks
    again)."""
    eligible, _excluded = eligibility(
        ReviewMeeting(project=project, step=step, specialty=specialty.strip())
    )
    if len(eligible) >= size:
        return None
    return RuleRefused(
        pool_too_small(specialty.strip(), len(eligible), size),
        code="EXPERT_POOL_TOO_SMALL",
        cite=pool_cite(project),
    )


def meeting_refusals(
    *, project: Project, step: ProjectStep, specialty: str, size: int, scheduled_for: Any
) -> list[DomainError]:
    """Every refusal ``meeting_create`` would give this time and panel, not only its first: a
    form shows each at its field at once."""
    return [
        r
        for r in (time_refusal(scheduled_for), pool_refusal(project, step, specialty, size))
        if r is not None
    ]
