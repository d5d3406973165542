"""What the workflow does on its own — a step passing when its last task is approved, the next
step opening — is recorded as done by the system, naming the act that set it going; the act
itself stays the person's, and the SM3 chain holds."""

from __future__ import annotations

import pytest

from govit.events.models import Event
from govit.events.selectors import actor_text
from govit.events.services import automatic, record, verify_stream
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixture
from tests.workflow.flows import yueyang_in_expert_review, yueyang_in_scheme_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tree):  # noqa: F811 - tree is the fixture imported above
    return make_cast(tree, "yueyang")


def _event(project, kind: str, **after) -> Event:
    events = Event.objects.filter(project=project, kind=kind).select_related("cause")
    return next(
        e for e in events.order_by("-id") if all(e.after.get(k) == v for k, v in after.items())
    )


def test_the_next_step_is_opened_by_the_system_because_of_the_approval(cast):
    project = yueyang_in_expert_review(cast)
    clerk = cast.user("competent_department")
    approval = Event.objects.get(project=project, kind="task.approved")
    assert approval.actor == clerk  # the act is the clerk's

    passed = _event(project, "step.passed", step="scheme_review")
    opened = _event(project, "step.opened", step="expert_review")
    for event in (passed, opened):
        assert (event.actor_id, event.actor_name, event.actor_org_name, event.actor_roles) == (
            None,
            "系统",
            "",
            "",
        )
        assert event.cause == approval
    who = f"{clerk.display_name}（{clerk.organization.name}）"
    assert actor_text(opened) == f"系统（因{who}的“通过”而自动开始）"
    assert actor_text(passed) == f"系统（因{who}的“通过”而自动办结）"
    assert actor_text(approval) == who
    assert verify_stream(f"project:{project.pk}") == []


def test_a_plan_approval_passes_the_projects_plan_step_as_the_system_and_a_submission_is_the_units(
    cast,
):
    project = yueyang_in_scheme_review(cast)
    approved = Event.objects.get(kind="plan.approved")
    passed = _event(project, "step.passed", step="annual_plan")
    assert (passed.actor_id, passed.cause_id) == (None, approved.pk)
    assert "而自动办结" in actor_text(passed) and "“计划批准”" in actor_text(passed)
    # the declaration passed its own step on the system's account too, because of the declaration
    declared = Event.objects.get(project=project, kind="project.declared")
    assert declared.actor == cast.user("unit")
    assert _event(project, "step.passed", step="declaration").cause == declared
    # the unit's submission opened the scheme review: that is the unit's own act
    submitted = _event(project, "step.opened", step="scheme_review", status="in_review")
    assert (submitted.actor, submitted.cause) == (cast.user("unit"), None)
    assert verify_stream(f"project:{project.pk}") == []


def test_a_cause_is_digested_and_a_changed_cause_breaks_the_chain(cast):
    person = cast.user("unit")
    act = record(
        "project.updated", actor=person, jurisdiction=cast.jurisdiction, summary="一次操作"
    )
    with automatic(act):
        consequence = record(
            "step.opened", actor=person, jurisdiction=cast.jurisdiction, summary="随之而来"
        )
    assert (consequence.actor_id, consequence.cause_id) == (None, act.pk)
    stream = f"jurisdiction:{cast.jurisdiction.pk}"
    assert verify_stream(stream) == []
    # outside the block the person is credited again
    later = record(
        "project.updated", actor=person, jurisdiction=cast.jurisdiction, summary="又一次"
    )
    assert (later.actor_id, later.cause_id) == (person.pk, None)

    from govit.events.services import _content, event_digest

    stored = Event.objects.get(pk=consequence.pk)
    assert event_digest(_content(stored)) == stored.digest
    stored.cause_id = later.pk  # another cause: the digest no longer matches
    assert event_digest(_content(stored)) != stored.digest


def test_events_recorded_before_causes_existed_keep_their_digests(cast):
    """The cause is digested only when there is one: an event without it digests as before."""
    from govit.events.services import _content

    event = record(
        "project.updated", actor=cast.user("unit"), jurisdiction=cast.jurisdiction, summary="x"
    )
    assert "cause" not in _content(event)


def test_the_api_shows_who_did_it_in_words(client, cast):
    project = yueyang_in_expert_review(cast)
    client.force_login(cast.user("unit"))
    body = client.get(f"/api/v1/projects/{project.pk}/events", {"page_size": 100}).json()
    rows = body["items"]
    approval = next(r for r in rows if r["kind"] == "task.approved")
    opened = next(
        r for r in rows if r["kind"] == "step.opened" and r["after"]["step"] == "expert_review"
    )
    clerk = cast.user("competent_department")
    assert (approval["actor_name"], approval["cause_id"]) == (clerk.display_name, None)
    assert (opened["actor_name"], opened["cause_id"], opened["kind_label"]) == (
        "系统",
        approval["id"],
        "环节开始办理",
    )
    assert opened["actor_text"] == (
        f"系统（因{clerk.display_name}（{clerk.organization.name}）的“通过”而自动开始）"
    )
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))


def test_the_cause_is_the_act_itself_not_what_the_person_did_before_it_in_the_same_request(
    cast,
):
    """The service that passes the step hands its own event down as the cause: an earlier write
    of the same request (an upload, a note) is not what passed the step."""
    from govit.events.services import correlation
    from govit.projects.models import Task, TaskStatus
    from tests.workflow.flows import approve_all

    project = yueyang_in_scheme_review(cast)
    clerk = cast.user("competent_department")
    open_task = Task.objects.get(project=project, status=TaskStatus.OPEN, lead=True)
    with correlation():  # one request
        earlier = record("project.updated", actor=clerk, project=project, summary="先做的一件事")
        approve_all(cast, project, "scheme_review")
    approval = Event.objects.get(project=project, kind="task.approved")
    assert approval.correlation_id == earlier.correlation_id
    assert approval.after["task"] == open_task.pk
    assert _event(project, "step.passed", step="scheme_review").cause == approval
    assert _event(project, "step.opened", step="expert_review").cause == approval
