"""A read-only auditor — the audit bureau, or an account with the 审计人员 role in any office —
reads the project, its tasks, the plan board and the expert draws, and is offered no form to
act; typed by hand, the action pages answer 403 and a submitted action changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govit.organizations.models import Role
from govit.projects.models import Task, TaskStatus
from tests.workflow.flows import colleague, open_task, yueyang_in_expert_review

pytestmark = pytest.mark.django_db


def body(html: str) -> str:
    """The page without its header (whose sign-out and language buttons are forms)."""
    return html.split('<main id="main">', 1)[1]


def post_forms(html: str) -> int:
    return body(html).count('method="post"')


@pytest.fixture
def project(cast):
    return yueyang_in_expert_review(cast)


@pytest.fixture
def readers(cast):
    inspector = colleague(cast, "competent_department", "稽查员", roles=(Role.AUDITOR,))
    return [inspector, cast.user("audit")]


def test_a_clerk_is_offered_the_forms_an_auditor_is_not(client, cast, project, readers):
    clerk = cast.user("competent_department")
    # the competent department's own task on the project (the expert review's)
    task = open_task(project, "expert_review")
    assert task.organization == clerk.organization
    pages = {
        "project": reverse("project-detail", args=[project.pk]),
        "task": reverse("task-act", args=[project.pk, task.pk]),
        "draws": reverse("expert-draws"),
    }
    client.force_login(clerk)
    seen = {name: client.get(url).content.decode() for name, url in pages.items()}
    assert reverse("task-act", args=[project.pk, task.pk]) in seen["project"]
    assert post_forms(seen["task"]) >= 1 and "发起评审会" in seen["draws"]

    inspector = readers[0]
    client.force_login(inspector)
    detail = client.get(pages["project"]).content.decode()
    assert reverse("task-act", args=[project.pk, task.pk]) not in body(detail)
    assert post_forms(detail) == 0 and "只读" in detail
    page = client.get(pages["task"]).content.decode()
    assert post_forms(page) == 0 and "只读：您可以查看此待办，不能办理。" in page
    draws = client.get(pages["draws"])
    assert draws.status_code == 200 and "发起评审会" not in draws.content.decode()

    # the server refuses what the page no longer offers, and nothing changes
    client.post(pages["task"], {"action": "approve", "opinion": "同意", "version": task.version})
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


@pytest.mark.parametrize("which", [0, 1])
def test_action_pages_typed_by_hand_answer_403_to_an_auditor(client, cast, project, readers, which):
    client.force_login(readers[which])
    for url in (
        reverse("project-action", args=[project.pk, "change-decide"]),
        reverse("step-submit", args=[project.pk, "expert_review"]),
        reverse("project-edit", args=[project.pk]),
        reverse("project-declare", args=[project.pk]),
    ):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 403, url
            assert "只读账号（审计人员）可以查看，不能办理此事项" in response.content.decode()
    board = client.get(reverse("plan-board"))
    assert board.status_code == 200 and post_forms(board.content.decode()) == 0


@pytest.mark.parametrize("which", [0, 1])
def test_the_registers_show_an_auditor_no_form(client, cast, readers, which):
    """The expert pool, penalties and credit, 委托: read, if at all, without a form to act."""
    client.force_login(readers[which])
    for name in ("expert-pool", "supervision", "delegations", "plan-board", "expert-draws"):
        response = client.get(reverse(name))
        assert response.status_code in (200, 403, 404), name
        if response.status_code == 200:
            assert post_forms(response.content.decode()) == 0, name
