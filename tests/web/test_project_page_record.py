"""The project page keeps its record (the timeline with every task and opinion, and the documents
with every version) rendered between changes; a reader must still see every change at once, and
the same record whatever is cached."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govit.core import clock
from govit.demo.driver import advance_to
from govit.documents.services import document_upload
from govit.projects import services as projects
from govit.projects.models import Task, TaskStatus
from tests.workflow.flows import (
    approve_all,
    declared,
    lianping_declared,
    planned,
    step,
    submitted,
)

pytestmark = pytest.mark.django_db


def record(client, project, on: dt.date) -> str:
    """The timeline and the documents table as the competent department's clerk sees them."""
    with clock.frozen(on):
        html = client.get(reverse("project-detail", args=[project.pk])).content.decode()
    timeline = html[html.index('<ol class="timeline">') : html.index("</ol>")]
    start = html.index('id="documents-h"')
    return timeline + html[start : html.index("</table>", start)]


def fresh(client, project, on: dt.date) -> str:
    cache.clear()
    return record(client, project, on)


def test_every_change_shows_at_once_and_the_kept_record_is_the_fresh_one(client, casts):
    cast = casts["yueyang"]
    client.force_login(cast.user("competent_department"))
    project = declared(cast)
    day = dt.date(2026, 10, 21)
    seen = record(client, project, day)
    assert seen == fresh(client, project, day)

    planned(cast, [project])  # the annual plan step passes
    now = record(client, project, day)
    assert now != seen and now == fresh(client, project, day)

    with clock.frozen(dt.date(2026, 11, 2)):
        submitted(cast, project, "scheme_review")
    day = dt.date(2026, 11, 2)
    seen, now = now, record(client, project, day)
    assert "方案" in now and now != seen and now == fresh(client, project, day)

    with clock.frozen(dt.date(2026, 11, 3)):
        approve_all(cast, project, "scheme_review")  # opinions "同意" with who and when
    day = dt.date(2026, 11, 3)
    seen, now = now, record(client, project, day)
    assert now.count("同意") > seen.count("同意") and now == fresh(client, project, day)

    with clock.frozen(dt.date(2026, 11, 4)):
        upload = io.BytesIO(b"%PDF-1.7 minutes")
        upload.name = "会议纪要.pdf"
        document_upload(
            actor=cast.user("unit"), project=project, name="专家会议纪要", upload=upload
        )
    day = dt.date(2026, 11, 4)
    seen, now = now, record(client, project, day)
    assert "专家会议纪要" in now and "专家会议纪要" not in seen
    assert now == fresh(client, project, day)


def test_a_step_falls_overdue_on_the_page_the_day_it_does_without_any_change(client, casts):
    cast = casts["lianping"]
    client.force_login(cast.user("competent_department"))
    project = lianping_declared(cast)
    with clock.frozen(dt.date(2026, 9, 7)):  # 初步审核 has its time limit in working days
        advance_to(cast, project, "preliminary_review")
        submitted(cast, project, "preliminary_review")
    due = step(project, "preliminary_review").due_on
    assert due is not None
    before = record(client, project, due)
    after = record(client, project, due + dt.timedelta(days=1))
    assert "已逾期" not in before and "已逾期" in after


def test_a_reader_who_comes_back_gets_the_kept_record_and_their_own_tasks_fresh(client, casts):
    cast = casts["yueyang"]
    clerk = cast.user("competent_department")
    client.force_login(clerk)
    project = declared(cast)
    planned(cast, [project])
    with clock.frozen(dt.date(2026, 11, 2)):
        submitted(cast, project, "scheme_review")
    url = reverse("project-detail", args=[project.pk])
    with clock.frozen(dt.date(2026, 11, 2)):
        first = client.get(url).content.decode()
        with CaptureQueriesContext(connection) as again:
            client.get(url)
    tables = " ".join(q["sql"] for q in again.captured_queries)
    assert "projects_opinion" not in tables and "documents_documentversion" not in tables
    task = Task.objects.get(
        project=project, status=TaskStatus.OPEN, organization=clerk.organization
    )
    task_url = reverse("task-act", args=[project.pk, task.pk])
    assert task_url in first
    # somebody of the same office takes the task: it leaves this reader's 办理 at once
    with clock.frozen(dt.date(2026, 11, 3)):
        projects.task_act(
            actor=clerk,
            task_id=task.pk,
            action="approve",
            opinion="同意",
            confirmed_checks=[
                c["code"] for c in step(project, "scheme_review").checks if c["severity"] == "block"
            ],
        )
        assert task_url not in client.get(url).content.decode()
