"""The project's event log on its page: every event reachable a page at a time, narrowed by kind
(in Chinese) and by person, searched, and taken away as a spreadsheet of everything that matches —
each page one bounded read, whatever the project's length."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from govit.documents.services import document_upload
from govit.events.models import Event
from govit.events.selectors import SYSTEM
from govit.web.selectors import EVENTS_SHOWN
from tests.workflow.conftest import PDF
from tests.workflow.flows import yueyang_in_expert_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_project(cast):
    """岳阳, in expert review, with sixty more uploads: more events than a page shows."""
    project = yueyang_in_expert_review(cast)
    unit = cast.user("unit")
    for i in range(60):
        document_upload(
            actor=unit,
            project=project,
            name=f"补充材料{i:02d}",
            upload=io.BytesIO(PDF),
            filename="a.pdf",
        )
    return project


def history(client, project, **params) -> str:
    url = reverse("project-section", args=[project.pk, "history"])
    response = client.get(url, params, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def test_every_event_is_reachable_a_page_at_a_time(client, cast, long_project):
    project = long_project
    client.force_login(cast.user("competent_department"))
    total = Event.objects.filter(project=project).count()
    assert total > EVENTS_SHOWN  # two pages
    pages = -(-total // EVENTS_SHOWN)
    seen: list[str] = []
    for number in range(1, pages + 1):
        fragment = history(client, project, page=number)
        assert f"共 {total} 条" in fragment and f"第 {number} / {pages} 页" in fragment
        seen += [
            e.summary
            for e in Event.objects.filter(project=project)
            if f">{e.summary}</td>" in fragment
        ]
    assert sorted(seen) == sorted(e.summary for e in Event.objects.filter(project=project))
    first = history(client, project)
    newest = Event.objects.filter(project=project).order_by("-seq").first()
    oldest = Event.objects.filter(project=project).order_by("seq").first()
    assert newest.summary in first and f">{oldest.summary}</td>" not in first
    assert "page=2" in first and "较早" in first


def test_filtered_by_kind_in_chinese_by_person_and_by_words(client, cast, long_project):
    project = long_project
    client.force_login(cast.user("competent_department"))
    whole = history(client, project)
    # the kinds are offered by their Chinese names, only those the project has
    assert '<option value="document.uploaded">上传材料</option>' in whole
    assert '<option value="task.approved">通过</option>' in whole
    assert "plan.created" not in whole  # not on the project's stream
    unit = cast.user("unit")
    assert (
        f'<option value="{unit.pk}">{unit.display_name}（{unit.organization.name}）</option>'
        in whole
    )
    assert f'<option value="{SYSTEM}">系统</option>' in whole

    approvals = history(client, project, kind="task.approved")
    approval = Event.objects.get(project=project, kind="task.approved")
    total = Event.objects.filter(project=project).count()
    assert f"共 {total} 条，符合条件 1 条" in approvals and approval.summary in approvals
    assert "补充材料" not in approvals

    by_system = history(client, project, person=SYSTEM)
    automatic = Event.objects.filter(project=project, actor__isnull=True)
    assert f"符合条件 {automatic.count()} 条" in by_system
    assert "而自动开始" in by_system and "补充材料" not in by_system

    clerk = cast.user("competent_department")
    by_clerk = history(client, project, person=str(clerk.pk))
    assert f"符合条件 {Event.objects.filter(project=project, actor=clerk).count()} 条" in by_clerk

    found = history(client, project, q="补充材料07")
    assert "符合条件 1 条" in found and "补充材料07" in found
    nothing = history(client, project, q="不存在的词", kind="task.approved")
    assert "符合条件 0 条" in nothing and "没有符合条件的事件" in nothing
    # the pages of a filtered list keep the filter, and so does the export link
    uploads = history(client, project, kind="document.uploaded")
    assert "kind=document.uploaded&amp;page=2" in uploads
    export = reverse("project-events-export", args=[project.pk])
    assert f"{export}?kind=document.uploaded" in uploads


def test_a_page_of_a_long_history_is_a_bounded_read(
    client, cast, long_project, django_assert_max_num_queries
):
    client.force_login(cast.user("competent_department"))
    history(client, long_project)  # the session, the rulebook: read once
    with django_assert_max_num_queries(14):
        history(client, long_project, page=2, kind="document.uploaded")


def test_the_export_holds_every_matching_event_with_its_digest(client, cast, long_project):
    project = long_project
    client.force_login(cast.user("competent_department"))
    url = reverse("project-events-export", args=[project.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("序号", "时间", "类型", "操作人", "操作单位", "内容", "依据条款", "SM3 摘要")
    events = list(Event.objects.filter(project=project).order_by("seq"))
    body = rows[2:]
    assert len(body) == len(events) > EVENTS_SHOWN
    assert [r[0] for r in body] == [e.seq for e in events]
    assert [r[7] for r in body] == [e.digest for e in events]
    approval = next(e for e in events if e.kind == "task.approved")
    row = body[events.index(approval)]
    assert row[2:6] == ("通过", approval.actor_name, approval.actor_org_name, approval.summary)
    opened = next(
        e for e in events if e.kind == "step.opened" and e.after["step"] == "expert_review"
    )
    assert body[events.index(opened)][3].startswith("系统（因")

    only = load_workbook(io.BytesIO(client.get(url, {"q": "补充材料1"}).content)).active
    expected = [e.summary for e in events if "补充材料1" in e.summary]
    assert len(expected) == 10
    assert [r[5] for r in list(only.iter_rows(values_only=True))[2:]] == expected


def test_no_one_else_reads_or_exports_the_log(client, casts, tree):
    from tests.workflow.conftest import make_cast

    cast = make_cast(tree, "yueyang")
    project = yueyang_in_expert_review(cast)
    client.force_login(casts["lianping"].user("competent_department"))
    assert client.get(reverse("project-events-export", args=[project.pk])).status_code == 404
    assert client.get(reverse("project-section", args=[project.pk, "history"])).status_code == 404


def test_a_project_with_thousands_of_events_reads_a_page_on_the_projects_index(
    client, cast, django_assert_max_num_queries
):
    """3,000 events: any page, filtered or not, is a bounded read, and the page's rows come from
    the (project, id) index rather than a scan of the table."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from govit.events.services import EventBatch
    from tests.workflow.flows import declared

    project = declared(cast)
    batch = EventBatch(actor=cast.user("unit"))
    for i in range(3000):
        batch.record(
            "project.updated",
            summary=f"第{i}次修改",
            project_id=project.pk,
            jurisdiction_id=project.jurisdiction_id,
        )
    with transaction.atomic():
        batch.flush()
    total = Event.objects.filter(project=project).count()
    assert total > 3000
    client.force_login(cast.user("competent_department"))
    history(client, project)
    pages = -(-total // EVENTS_SHOWN)
    with django_assert_max_num_queries(14), CaptureQueriesContext(connection) as seen:
        deep = history(client, project, page=pages - 1)
    first_on_page = Event.objects.filter(project=project).order_by("-id")[(pages - 2) * 50]
    assert f"第 {pages - 1} / {pages} 页" in deep and f">{first_on_page.summary}</td>" in deep
    with django_assert_max_num_queries(14):
        found = history(client, project, q="第2999次")
    assert "符合条件 1 条" in found
    if connection.vendor == "sqlite":
        (page_query,) = [q["sql"] for q in seen.captured_queries if " LIMIT 50" in q["sql"]]
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {page_query}")
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "USING INDEX" in plan and "SCAN events_event" not in plan.replace(
            "SCAN events_event USING INDEX", ""
        ), plan


def test_the_log_reads_in_english_in_english_mode(client, cast, long_project):
    from django.conf import settings

    client.force_login(cast.user("competent_department"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fragment = history(client, long_project, kind="document.uploaded")
    total = Event.objects.filter(project=long_project).count()
    uploads = Event.objects.filter(project=long_project, kind="document.uploaded").count()
    assert f"{total} in all, {uploads} matching" in fragment
    assert "Older" in fragment and "Export to Excel" in fragment and "All types" in fragment
    # the kinds are named in English (their registered labels translated as they are shown);
    # what each event says was written in Chinese when it was recorded and stays so
    assert ">Document uploaded</td>" in fragment and ">Document uploaded</option>" in fragment
    assert "上传材料" not in fragment
    assert "补充材料59" in fragment


def test_what_the_system_did_reads_in_english_naming_the_act(client, cast, long_project):
    from django.conf import settings

    clerk = cast.user("competent_department")
    client.force_login(clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fragment = history(client, long_project, kind="step.opened", person=SYSTEM)
    who = f"{clerk.display_name}（{clerk.organization.name}）"  # names stay as recorded
    assert f"System (opened automatically after {who}’s “Approved”)" in fragment
    assert ">System</option>" in fragment and "系统" not in fragment


def test_every_registered_event_kind_has_an_english_label():
    from django.utils import translation

    from govit.events.registry import EVENT_KINDS
    from govit.events.selectors import AUTOMATIC_VERBS
    from govit.web.labels import event_kind_label

    with translation.override("en"):
        untranslated = [k for k, label in EVENT_KINDS.items() if event_kind_label(k) == label]
        verbs = [
            v
            for v in [*AUTOMATIC_VERBS.values(), "自动记录"]
            if translation.pgettext("automatic", v) == v
        ]
    assert untranslated == [] and verbs == []
