"""The submit, declare and task pages show the step's required materials as a checklist, one upload
slot per material, each saying whether it is satisfied and by which version; an upload into a slot
comes back to the page it was made on."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse

from govit.core import clock
from govit.demo.driver import advance_to
from govit.projects import services as projects
from tests.workflow.flows import declared

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def rows(html: str) -> dict[str, str]:
    """material key → the row's satisfied flag."""
    return dict(re.findall(r'data-material="([^"]+)" data-satisfied="(yes|no)"', html))


def pdf(name="材料.pdf"):
    upload = io.BytesIO(b"%PDF-1.7 test")
    upload.name = name
    return upload


def test_the_submit_page_has_a_slot_per_material_and_an_upload_fills_it(client, cast):
    project = declared(cast, amount=1_000_000)
    unit = cast.user("unit")
    client.force_login(unit)
    url = reverse("step-submit", args=[project.pk, "scheme_review"])
    html = client.get(url).content.decode()
    assert rows(html) == {"scheme_review.1": "no"}
    assert 'name="material" value="scheme_review.1"' in html and 'type="file"' in html
    assert "项目建设方案" in html and "尚缺" in html

    response = client.post(
        reverse("document-add", args=[project.pk]),
        {"material": "scheme_review.1", "next": url, "file": pdf("方案终稿.pdf")},
    )
    assert response.status_code == 302 and response["Location"] == url
    html = client.get(url).content.decode()
    assert rows(html) == {"scheme_review.1": "yes"}
    assert "方案终稿.pdf" in html and "第 1 版" in html
    document = project.documents.get(material="scheme_review.1")
    assert document.name == "项目建设方案"


def test_an_off_site_next_goes_back_to_the_project_instead(client, cast):
    project = declared(cast, amount=1_000_000)
    client.force_login(cast.user("unit"))
    response = client.post(
        reverse("document-add", args=[project.pk]),
        {"material": "scheme_review.1", "next": "https://evil.example/", "file": pdf()},
    )
    assert response["Location"].startswith(reverse("project-detail", args=[project.pk]))


def test_the_declare_page_lists_the_declaration_materials_with_slots(client, cast):
    unit = cast.user("unit")
    with clock.frozen(dt.date(2026, 10, 20)):
        project = projects.project_create(
            actor=unit, name="岳阳市草稿项目", plan_year=2027, total_investment=1_000_000
        )
        client.force_login(unit)
        url = reverse("project-declare", args=[project.pk])
        client.post(
            reverse("document-add", args=[project.pk]),
            {"material": "declaration.1", "next": url, "file": pdf()},
        )
        html = client.get(url).content.decode()
    assert rows(html) == {
        "declaration.1": "yes",
        "declaration.2": "no",
        "declaration.3": "no",
        "declaration.4": "no",
        "declaration.5": "no",
    }


def test_the_approval_task_shows_the_bureaus_opinion_as_the_material(client, cast):
    project = declared(cast, amount=1_000_000)
    with clock.frozen(dt.date(2026, 11, 2)):
        project = advance_to(cast, project, "project_approval")
        projects.step_submit(
            actor=cast.user("unit"), step=project.steps.get(kind="project_approval")
        )
    task = project.tasks.get(step__kind="project_approval")
    reviewer = cast.user("development_reform")
    client.force_login(reviewer)
    html = client.get(reverse("task-act", args=[project.pk, task.pk])).content.decode()
    assert rows(html) == {"project_approval.1": "yes"}
    assert "市行政审批服务局评审意见" in html and "已出具" in html and "建设方案评审" in html
    assert 'type="file"' not in html  # 发改委 reads; the unit uploads
