"""专家抽取 list at scale: only the steps that need experts are read (the 专家评审 itself, or a step
experts join as co-actors) — filtered in the database on SQLite and PostgreSQL alike — and the
list comes a page at a time."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govit.projects.models import ProjectStep, StepStatus
from govit.web.views import experts as views
from tests.workflow import flows
from tests.workflow.conftest import make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tree):
    return make_cast(tree, "yueyang")


def create_link(step: ProjectStep) -> str:
    return reverse("expert-meeting-create", args=[step.pk])


def test_only_steps_that_need_experts_are_listed(client, cast):
    project = flows.yueyang_in_expert_review(cast, name="岳阳市专家评审项目")
    review = project.steps.get(kind="expert_review")
    # two more steps in review: experts join one of them, not the other
    joined, alone = project.steps.exclude(kind="expert_review").order_by("-seq")[:2]
    ProjectStep.objects.filter(pk=joined.pk).update(
        status=StepStatus.IN_REVIEW, co_actors=["finance", "experts"]
    )
    ProjectStep.objects.filter(pk=alone.pk).update(
        status=StepStatus.IN_REVIEW, co_actors=["finance", "experts_office"]
    )
    for step in ProjectStep.objects.filter(status=StepStatus.IN_REVIEW):
        assert views.needs_experts(step) == (step.pk in (review.pk, joined.pk)), step.kind
    client.force_login(cast.user("competent_department"))
    html = client.get(reverse("expert-draws")).content.decode()
    assert create_link(review) in html and create_link(joined) in html
    assert create_link(alone) not in html
    listed = ProjectStep.objects.filter(views.experts_needed(), status=StepStatus.IN_REVIEW)
    assert set(listed.values_list("pk", flat=True)) == {review.pk, joined.pk}


def test_the_pending_steps_come_a_page_at_a_time(client, cast, monkeypatch):
    monkeypatch.setattr(views, "PENDING_SHOWN", 1)
    project = flows.yueyang_in_expert_review(cast)
    review = project.steps.get(kind="expert_review")
    joined = project.steps.exclude(kind="expert_review").order_by("-seq").first()
    ProjectStep.objects.filter(pk=joined.pk).update(
        status=StepStatus.IN_REVIEW, co_actors=["experts"], due_on=None, started_on=None
    )
    client.force_login(cast.user("competent_department"))
    first = client.get(reverse("expert-draws")).content.decode()
    second = client.get(reverse("expert-draws"), {"page": 2}).content.decode()
    assert "第 1 / 2 页" in first and "?page=2" in first and "第 2 / 2 页" in second
    links = {create_link(review), create_link(joined)}
    on_first = {link for link in links if link in first}
    on_second = {link for link in links if link in second}
    assert len(on_first) == len(on_second) == 1 and on_first | on_second == links
