# ruff: noqa: F811 - the fixtures of tests/reviews/test_draw.py are imported and used by name
"""A meeting that cannot happen: refused at the door when the pool cannot fill it or its date has
gone by, and otherwise cancelled with its reason so that the step can convene a new one (岳阳,
250万元, 专家评审 第十六条; experts from the pool 第十七条)."""

from __future__ import annotations

import datetime as dt

import pytest

from govit.core import clock
from govit.core.errors import Conflict, InvalidInput, PermissionDenied, RuleRefused
from govit.projects import services as projects
from govit.projects.models import StepStatus, Task, TaskStatus
from govit.reviews import services as reviews
from govit.reviews.models import MeetingStatus, ReviewMeeting
from tests.reviews.test_draw import (  # noqa: F401 - fixtures
    SPECIALTY,
    cast,
    drawn,
    media,
    meeting_for,
    pool,
    project,
    review_state,
)
from tests.workflow.conftest import tree  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
CHINA = clock.CHINA


def test_a_panel_larger_than_the_eligible_pool_is_refused_and_the_step_stays_free(
    cast, project, pool
):
    """The issue's case: 25 experts asked of a pool that has 5 eligible, dated 2020. Before, the
    meeting was created, could never be drawn, and held the step for good."""
    competent = cast.user("competent_department")
    before = review_state(project)
    with pytest.raises(RuleRefused) as refused:
        meeting_for(cast, project, size=25)
    assert refused.value.code == "EXPERT_POOL_TOO_SMALL"
    assert "可抽取的专家仅5人" in refused.value.message
    with pytest.raises(InvalidInput) as past:
        reviews.meeting_create(
            actor=competent,
            project=project,
            specialty=SPECIALTY,
            size=3,
            scheduled_for=dt.datetime(2020, 5, 1, 9, 0, tzinfo=CHINA),
        )
    assert past.value.code == "MEETING_IN_PAST"
    assert past.value.message == "会议时间2020年5月1日 09:00已过，请填写今后的时间"
    assert review_state(project) == before
    # nothing holds the step: a meeting the pool can fill is convened, drawn and held
    meeting = drawn(cast, project, size=3)
    assert meeting.status == MeetingStatus.DRAWN


def test_a_stuck_meeting_is_cancelled_with_its_reason_and_a_new_one_passes_the_step(
    cast, project, pool
):
    competent = cast.user("competent_department")
    stuck = meeting_for(cast, project, size=5)
    for expert in pool["eligible"][:2]:  # the pool shrinks: the draw can no longer fill the panel
        reviews.expert_set_availability(
            actor=competent, expert=expert, available=False, reason="出差"
        )
    with pytest.raises(RuleRefused):
        reviews.draw_make(actor=competent, meeting=stuck)
    with pytest.raises(Conflict) as second:
        meeting_for(cast, project, size=3)
    assert second.value.code == "MEETING_EXISTS"
    # the expert-review task is decided by the meeting, never directly
    task = Task.objects.get(step__project=project, step__kind="expert_review", lead=True)
    with pytest.raises(RuleRefused):
        projects.task_act(actor=competent, task_id=task.pk, action="approve", opinion="同意")

    with pytest.raises(InvalidInput):
        reviews.meeting_cancel(actor=competent, meeting=stuck, reason="  ")
    with pytest.raises(PermissionDenied):
        reviews.meeting_cancel(actor=cast.user("unit"), meeting=stuck, reason="不开了")
    assert ReviewMeeting.objects.get(pk=stuck.pk).status == MeetingStatus.PLANNED

    reviews.meeting_cancel(actor=competent, meeting=stuck, reason="可抽取专家不足5人")
    stuck.refresh_from_db()
    assert (stuck.status, stuck.cancelled_reason, stuck.cancelled_by) == (
        MeetingStatus.CANCELLED,
        "可抽取专家不足5人",
        competent,
    )
    event = project.events.get(kind="meeting.cancelled")
    assert event.summary == f"取消“{stuck.title}”：可抽取专家不足5人"
    assert event.before["status"] == "planned"
    with pytest.raises(Conflict):
        reviews.meeting_cancel(actor=competent, meeting=stuck, reason="再取消一次")

    meeting = drawn(cast, project, size=3)
    for expert in meeting.seats.select_related("expert__user"):
        reviews.opinion_submit(
            actor=expert.expert.user,
            meeting=meeting,
            text="方案可行",
            score="85",
            conclusion="approve",
        )
    checks = [
        c["code"]
        for c in project.steps.get(kind="expert_review").checks
        if c["severity"] == "block"
    ]
    reviews.meeting_conclude(
        actor=competent,
        meeting=meeting,
        conclusion="approve",
        text="同意通过",
        confirmed_checks=checks,
    )
    step = project.steps.get(kind="expert_review")
    assert step.status == StepStatus.PASSED
    assert Task.objects.get(pk=task.pk).status == TaskStatus.APPROVED
    # the cancelled meeting stays on record beside the one that was held
    assert list(
        ReviewMeeting.objects.filter(project=project).order_by("id").values_list("status")
    ) == [("cancelled",), ("concluded",)]


def test_a_drawn_meeting_can_be_cancelled_and_its_panel_stays_on_record(cast, project, pool):
    competent = cast.user("competent_department")
    meeting = drawn(cast, project, size=3)
    seats = list(meeting.seats.values_list("expert_id", "vacated_at"))
    reviews.meeting_cancel(actor=competent, meeting=meeting, reason="会议室不可用")
    assert list(meeting.seats.values_list("expert_id", "vacated_at")) == seats
    with pytest.raises(Conflict):
        reviews.draw_make(actor=competent, meeting=meeting)
    expert_user = meeting.seats.first().expert.user
    with pytest.raises(Conflict):
        reviews.opinion_submit(
            actor=expert_user, meeting=meeting, text="x", score="80", conclusion="approve"
        )


def test_a_concluded_meeting_cannot_be_cancelled(cast, project, pool):
    competent = cast.user("competent_department")
    meeting = drawn(cast, project, size=1)
    expert_user = meeting.seats.first().expert.user
    reviews.opinion_submit(
        actor=expert_user, meeting=meeting, text="可行", score="80", conclusion="return"
    )
    reviews.meeting_conclude(actor=competent, meeting=meeting, conclusion="return", text="修改")
    with pytest.raises(Conflict) as refused:
        reviews.meeting_cancel(actor=competent, meeting=meeting, reason="重开")
    assert refused.value.code == "MEETING_NOT_OPEN"
