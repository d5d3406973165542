"""``govit gen``: a small province (200 projects, 5,000 project events) generated once for the
module, inside a transaction rolled back at the end, and checked the way the platform reads it."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from govit.core import clock
from govit.events.models import Event
from govit.events.services import verify_stream
from govit.gen.run import GenRefused, generate
from govit.jurisdictions.models import Jurisdiction
from govit.organizations.models import Organization
from govit.planning.models import PlanEntry
from govit.policy.classify import classify
from govit.policy.decide import decide
from govit.policy.facts import Facts
from govit.projects import workflow
from govit.projects.models import (
    DONE_STEP_STATUSES,
    Project,
    ProjectStatus,
    ProjectStep,
    StepStatus,
    Task,
    TaskStatus,
)
from govit.reviews.models import ExpertDraw, ReviewMeeting
from govit.reviews.selectors import draw_verify

PROJECTS, EVENTS, SEED = 200, 5_000, 7
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker, tmp_path_factory):
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = io.StringIO()
            cache.set("kept-before-gen", "a board of the data before")
            with clock.frozen(TODAY):
                summary = generate(projects=PROJECTS, seed=SEED, events=EVENTS, out=out)
            yield summary, out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


pytestmark = pytest.mark.django_db


def _declaration_facts(project: Project) -> dict:
    return {
        "total_investment": project.total_investment,
        "funding_source": project.funding_source,
        "classified": project.classified,
        "involves_crypto": project.involves_crypto,
        "construction_type": project.construction_type,
        "simple_scope": project.simple_scope,
        "plan_year": project.plan_year,
        "declared_on": project.declared_on,
        "unfinished_prior_year_projects": 0,
        "approved_budget": project.total_investment,
    }


def test_counts_as_asked(generated):
    summary, out = generated
    assert Project.objects.count() == PROJECTS == summary.projects
    on_projects = Event.objects.filter(stream__startswith="project:").count()
    assert on_projects == EVENTS == summary.events
    assert f"完成：{PROJECTS}个项目，项目事件{EVENTS}条" in out
    # the five jurisdictions bound to a rulebook all have projects, units, vendors and experts
    for code in ("430600", "430682", "433100", "230000", "441623"):
        j = Jurisdiction.objects.get(code=code)
        assert Project.objects.filter(jurisdiction=j).exists(), j.name
        kinds = set(Organization.objects.filter(jurisdiction=j).values_list("kind", flat=True))
        assert {"construction_unit", "contractor", "supervisor", "competent_department"} <= kinds
        assert j.experts.count() >= 12
    statuses = Counter(Project.objects.values_list("status", flat=True))
    assert set(statuses) == {"draft", "active", "rejected", "completed"}, statuses
    # documents have versions, every version the shared placeholder with its real digest
    assert Project.objects.filter(documents__versions__isnull=False).distinct().count() == PROJECTS


def test_every_projects_steps_are_its_rulebooks(generated):
    declared = Project.objects.exclude(status=ProjectStatus.DRAFT).select_related("rulebook")
    assert declared.count() > 150
    steps_of: dict[int, list[ProjectStep]] = {}
    for step in ProjectStep.objects.order_by("project_id", "seq"):
        steps_of.setdefault(step.project_id, []).append(step)
    rulebooks = {}
    for project in declared:
        rb = rulebooks.setdefault(project.rulebook_id, project.rulebook.load())
        cls = classify(rb, _declaration_facts(project))
        expected = [
            (s.kind, s.name, s.actor, list(t["co_actors"]), s.working_days, s.start_mode, s.cite)
            for s, t in cls.steps
        ]
        stored = steps_of.get(project.pk, [])
        assert [
            (s.kind, s.name, s.actor, s.co_actors, s.working_days, s.start_mode, s.cite)
            for s in stored
        ] == expected, project.code
        assert [s.seq for s in stored] == list(range(1, len(stored) + 1))
        assert [dict(d) for _, t in cls.steps for d in t["documents"]] == [
            d for s in stored for d in s.documents
        ]
    assert not ProjectStep.objects.filter(project__status=ProjectStatus.DRAFT).exists()


def test_every_declaration_would_have_been_accepted(generated):
    """decide() on the day of each declaration: no block finding but a rulebook status the
    administrator confirmed, and ``declared_late`` exactly when the rulebook says late."""
    status_findings = {"RULEBOOK_DRAFT", "RULEBOOK_EXPIRED", "RULEBOOK_NOT_YET_EFFECTIVE"}
    rulebooks = {}
    late = 0
    declared = Project.objects.exclude(status=ProjectStatus.DRAFT).select_related("confirmation")
    for project in declared:
        rb = rulebooks.setdefault(project.rulebook_id, project.rulebook.load())
        answer = decide(rb, Facts(**_declaration_facts(project)), project.declared_on)
        blocks = {f["code"] for f in answer["findings"] if f["severity"] == "block"}
        assert blocks <= status_findings, (project.code, blocks)
        if blocks:
            assert project.confirmation is not None, project.code
        on_time = (answer["declaration"] or {}).get("on_time")
        assert project.declared_late == (on_time is False), project.code
        late += project.declared_late
    assert late > 0  # late declarations go ahead with the rulebook's warning where it allows


def test_states_are_consistent(generated):
    today = TODAY
    for project in Project.objects.exclude(status=ProjectStatus.DRAFT).prefetch_related("steps"):
        steps = sorted(project.steps.all(), key=lambda s: s.seq)
        statuses = [s.status for s in steps]
        if project.status == ProjectStatus.COMPLETED:
            assert set(statuses) == {StepStatus.PASSED} and project.stage == ""
            continue
        current = next(i for i, s in enumerate(steps) if s.status not in DONE_STEP_STATUSES)
        assert project.stage == steps[current].kind
        assert all(s == StepStatus.PASSED for s in statuses[:current]), project.code
        assert all(s == StepStatus.PENDING for s in statuses[current + 1 :]), project.code
        if project.status == ProjectStatus.REJECTED:
            assert statuses[current] == StepStatus.REJECTED
        for s in steps:
            if s.started_on and s.closed_at:
                assert s.started_on <= s.closed_at.astimezone(clock.CHINA).date() <= today
    # open tasks: only on steps in review, the lead task for the step's actor
    open_tasks = Task.objects.filter(status=TaskStatus.OPEN).select_related(
        "step", "organization", "project"
    )
    assert open_tasks.count() > 50
    for task in open_tasks:
        assert task.step.status == StepStatus.IN_REVIEW and task.project.status == "active"
        assert task.round == task.step.round and task.due_on == task.step.due_on
        if task.actor in ("construction_unit",):
            assert task.organization_id == task.project.unit_id
        elif task.actor not in ("contractor", "supervisor"):
            kind = "competent_department" if task.actor == "experts" else task.actor
            assert task.organization.kind == kind
            assert task.organization.jurisdiction_id == task.project.jurisdiction_id
    in_review = ProjectStep.objects.filter(status=StepStatus.IN_REVIEW).exclude(kind="annual_plan")
    for step in in_review:
        assert step.tasks.filter(round=step.round).exists(), (step.project_id, step.kind)
    overdue = open_tasks.filter(due_on__lt=today).count()
    assert 0 < overdue < open_tasks.count()
    # a passed annual plan step means an approved plan lists the project (the gate holds)
    for step in ProjectStep.objects.filter(kind="annual_plan", status=StepStatus.PASSED)[:40]:
        assert workflow.requirement_met(step.project, "in_annual_plan")
    assert PlanEntry.objects.filter(plan__status="approved").exists()


def test_event_chains_verify(generated):
    streams = list(Event.objects.order_by("stream").values_list("stream", flat=True).distinct())
    assert len([s for s in streams if s.startswith("project:")]) == PROJECTS
    for stream in streams:
        assert verify_stream(stream) == [], stream
    # each project's events are in time order and begin with its creation
    first = Event.objects.filter(stream__startswith="project:", seq=1)
    assert set(first.values_list("kind", flat=True)) == {"project.created"}
    previous: dict[str, tuple[int, dt.datetime]] = {}
    for stream, seq, at in Event.objects.filter(stream__startswith="project:").values_list(
        "stream", "seq", "at"
    ):
        if stream in previous:
            assert previous[stream] < (seq, at) and previous[stream][1] <= at, stream
        previous[stream] = (seq, at)


def test_expert_draws_verify(generated):
    draws = ExpertDraw.objects.select_related("meeting")
    assert draws.exists()
    for draw in draws:
        assert draw_verify(draw.meeting).ok
    concluded = ReviewMeeting.objects.filter(status="concluded")
    for meeting in concluded:
        assert meeting.opinions.count() == meeting.size


def test_nothing_kept_from_before_the_bulk_write_is_served(generated):
    # the rows were written beside the services, which say when a kept page is stale
    assert cache.get("kept-before-gen") is None


def test_refuses_a_database_with_projects(generated):
    before = Event.objects.count()
    with pytest.raises(GenRefused, match="数据库中已有200个项目"):
        generate(projects=10)
    assert Event.objects.count() == before


def test_cli_refuses_in_chinese(generated, capsys):
    from govit.cli import main

    assert main(["gen", "--projects", "10"]) == 1
    assert "govit gen 只向空数据库生成数据" in capsys.readouterr().err
    assert main(["gen", "--projects", "0"]) == 2
