"""The project pages: search, the lifecycle timeline, and the forms that move a project, as the
people who use them. Refusals name their article and change nothing."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse

from govit.core import clock
from govit.events.models import Event
from govit.projects.models import Project, ProjectStatus, Task, TaskStatus
from govit.web.actions import GROUPS
from govit.web.forms import yuan_as_wan
from tests.delivery.conftest import staffed
from tests.delivery.test_rules import built as built_project
from tests.workflow import flows
from tests.workflow.flows import declared, planned, submitted

pytestmark = pytest.mark.django_db


def in_review(cast, **kwargs) -> Project:
    """A project declared, listed in the approved plan, and its scheme submitted for review."""
    project = declared(cast, **kwargs)
    planned(cast, [project])
    with clock.frozen(dt.date(2026, 11, 2)):
        submitted(cast, project, "scheme_review")
    return project


def page(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def test_pages_need_a_signed_in_user(client):
    response = client.get(reverse("project-list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    html = client.post(reverse("login"), {"username": "nobody", "password": "x"}).content.decode()
    assert "用户名或密码不正确" in html


def test_a_unit_creates_a_draft_seeing_the_rules_first_and_bad_input_changes_nothing(client, casts):
    cast = casts["yueyang"]
    unit = cast.user("unit")
    rb = cast.jurisdiction.rulebook.load()
    declaration = next(s for s in rb.model.steps if s.kind == "declaration")
    html = page(client, unit, reverse("project-create"))
    assert declaration.cite in html  # the declaration rule is shown before the form is filled

    before = Project.objects.count()
    html = client.post(
        reverse("project-create"),
        {
            "name": "岳阳市教育局智慧校园",
            "plan_year": 2027,
            "total_investment": "一百万",
            "funding_source": "local_fiscal",
            "construction_type": "new",
        },
    ).content.decode()
    assert "请填写数字金额" in html and Project.objects.count() == before

    response = client.post(
        reverse("project-create"),
        {
            "name": "岳阳市教育局智慧校园",
            "plan_year": 2027,
            "total_investment": "180",  # 万元
            "funding_source": "local_fiscal",
            "construction_type": "new",
        },
    )
    project = Project.objects.get(name="岳阳市教育局智慧校园")
    assert response.status_code == 302 and response["Location"] == reverse(
        "project-detail", args=[project.pk]
    )
    assert project.status == ProjectStatus.DRAFT and project.unit == unit.organization
    assert project.total_investment == 1_800_000  # typed in 万元, stored in 元
    assert Event.objects.filter(project=project, kind="project.created", actor=unit).exists()


def test_declaring_without_the_documents_is_refused_with_its_article(client, casts):
    cast = casts["yueyang"]
    unit = cast.user("unit")
    client.force_login(unit)
    client.post(
        reverse("project-create"),
        {
            "name": "岳阳市教育局数据中台",
            "plan_year": 2027,
            "total_investment": "80",
            "funding_source": "local_fiscal",
            "construction_type": "new",
        },
    )
    project = Project.objects.get(name="岳阳市教育局数据中台")
    preview = page(client, unit, reverse("project-declare", args=[project.pk]))
    assert "确认申报" in preview
    response = client.post(reverse("project-declare", args=[project.pk]), follow=True)
    html = response.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT
    assert "依据：第" in html  # the refusal names its article


def test_the_timeline_shows_every_step_with_its_article_text_and_the_unit_cannot_see_others(
    client, casts
):
    cast = casts["yueyang"]
    project = declared(cast, amount=2_500_000)
    rb = cast.jurisdiction.rulebook.load()
    html = page(
        client, cast.user("competent_department"), reverse("project-detail", args=[project.pk])
    )
    for step in project.steps.all():
        assert step.name in html
    first = project.steps.order_by("seq").first()
    assert rb.cite_text(first.cite)[:20] in html  # the article's own words, not only its number
    assert project.unit.name in html
    # another unit of the same jurisdiction, and another jurisdiction, get "not found"
    client.force_login(cast.user("other_unit"))
    assert client.get(reverse("project-detail", args=[project.pk])).status_code == 404
    client.force_login(casts["xiangxi"].user("competent_department"))
    assert client.get(reverse("project-detail", args=[project.pk])).status_code == 404


def test_an_auditor_reads_everything_and_is_offered_nothing_to_do(client, casts):
    cast = casts["yueyang"]
    project = declared(cast)
    html = page(client, cast.user("audit"), reverse("project-detail", args=[project.pk]))
    assert "只读" in html and reverse("project-edit", args=[project.pk]) not in html
    assert "上传（新版本）" not in html


def test_the_workbench_lists_my_tasks_by_due_date_in_working_days_with_overdue_in_red(
    client, casts
):
    # 黑龙江: the joint review (联审) opens on declaration, 5 working days
    cast = casts["heilongjiang"]
    late = declared(cast, name="黑龙江省教育厅考试系统", on=dt.date(2026, 11, 2))
    fresh = declared(
        cast, name="黑龙江省卫健委监管平台", on=dt.date(2026, 11, 20), unit="other_unit"
    )
    competent = cast.user("competent_department")
    html = page(client, competent, reverse("home"))
    from govit.projects.selectors import days_left

    tasks = {
        p.pk: Task.objects.get(
            project=p, status=TaskStatus.OPEN, organization=competent.organization
        )
        for p in (late, fresh)
    }
    overdue, open_ = days_left(tasks[late.pk]), days_left(tasks[fresh.pk])
    assert overdue < 0 <= open_  # computed by the calendar, not by the test
    assert f"逾期 {-overdue} 个工作日" in html and 'class="overdue"' in html
    assert f'<td class="num">{open_}</td>' in html
    # by due date: the overdue one first, each with one click to act
    assert html.index(late.name) < html.index(fresh.name)
    for project in (late, fresh):
        assert reverse("task-act", args=[project.pk, tasks[project.pk].pk]) in html


def test_acting_on_a_task_without_the_required_checks_is_refused_and_changes_nothing(client, casts):
    cast = casts["yueyang"]
    project = in_review(cast)
    competent = cast.user("competent_department")
    task = Task.objects.get(
        project=project, status=TaskStatus.OPEN, organization=competent.organization
    )
    url = reverse("task-act", args=[project.pk, task.pk])
    html = page(client, competent, url)
    assert task.step.cite in html
    response = client.post(url, {"action": "return", "opinion": "", "version": task.version})
    assert "退回修改或不予通过须填写意见" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    response = client.post(
        url, {"action": "return", "opinion": "请补充建设方案", "version": task.version}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status != TaskStatus.OPEN
    assert project.opinions.filter(text="请补充建设方案", user=competent).exists()


def test_another_organizations_task_is_read_only(client, casts):
    cast = casts["yueyang"]
    project = in_review(cast)
    task = Task.objects.filter(project=project, status=TaskStatus.OPEN).first()
    unit = cast.user("unit")
    html = page(client, unit, reverse("task-act", args=[project.pk, task.pk]))
    assert "只能查看" in html
    response = client.post(
        reverse("task-act", args=[project.pk, task.pk]),
        {"action": "approve", "version": task.version},
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and response.status_code == 200


def test_search_and_filters(client, casts):
    cast = casts["yueyang"]
    big = declared(cast, name="岳阳市公安局雪亮工程", amount=6_000_000)
    small = declared(cast, name="岳阳市教育局排课系统", amount=300_000, unit="other_unit")
    competent = cast.user("competent_department")
    html = page(client, competent, reverse("project-list"), q="雪亮")
    assert big.name in html and small.name not in html
    html = page(client, competent, reverse("project-list"), min_wan="100")
    assert big.name in html and small.name not in html
    html = page(client, competent, reverse("project-list"), unit=small.unit_id)
    assert small.name in html and big.name not in html
    html = page(client, competent, reverse("project-list"), min_wan="abc")
    assert "请输入一个数字" in html or "Enter a number" in html or "数字" in html
    # the unit sees only its own
    html = page(client, cast.user("unit"), reverse("project-list"))
    assert big.name in html and small.name not in html


def test_a_document_uploaded_on_the_page_becomes_a_new_version(client, casts):
    cast = casts["yueyang"]
    project = declared(cast)
    unit = cast.user("unit")
    client.force_login(unit)
    for content in (b"%PDF-1.7 one", b"%PDF-1.7 two"):
        upload = io.BytesIO(content)
        upload.name = "方案.pdf"
        client.post(
            reverse("document-add", args=[project.pk]), {"name": "补充说明", "file": upload}
        )
    document = project.documents.get(name="补充说明")
    assert [v.number for v in document.versions.order_by("number")] == [1, 2]
    version = document.versions.get(number=2)
    response = client.get(reverse("document-download", args=[project.pk, version.pk]))
    assert b"".join(response.streaming_content) == b"%PDF-1.7 two"
    assert response["X-Content-SM3"] == version.sm3


def test_the_project_page_reads_in_a_bounded_number_of_queries(
    client, casts, django_assert_max_num_queries
):
    cast = casts["yueyang"]
    project = declared(cast)
    client.force_login(cast.user("competent_department"))
    with django_assert_max_num_queries(40):
        assert client.get(reverse("project-detail", args=[project.pk])).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("project-list")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("home")).status_code == 200


def test_a_change_outside_the_limits_is_refused_on_the_page_with_its_article(client, tree):
    from govit.contracts.models import ChangeRequest
    from tests.delivery.conftest import staffed
    from tests.delivery.test_rules import built

    cast = staffed(tree, "lianping")
    project = built(cast, "lianping", stage="construction")
    rb = cast.jurisdiction.rulebook.load()
    unit = cast.user("unit")
    url = reverse("project-action", args=[project.pk, "change"])
    detail = page(client, unit, reverse("project-detail", args=[project.pk]))
    assert url in detail  # offered to the construction unit while it builds
    form = page(client, unit, url)
    assert rb.model.change.cite in form  # the change rules are shown before submitting
    contract = project.contracts.get(kind="main")
    beyond = contract.amount / 10 + 1  # 连平: at most 10% of the contract
    data = {
        "reason": "technical_optimization",
        "basis": "技术优化",
        "description": "更换服务器",
        "category": "hardware",
        "original_model": "A",
        "original_quantity": "1",
        "original_unit_price": yuan_as_wan(beyond),
        "new_model": "B",
        "new_quantity": "1",
        "new_unit_price": yuan_as_wan(beyond),
    }
    html = client.post(url, data).content.decode()
    assert "依据：第二十一条第二款" in html
    assert not ChangeRequest.objects.filter(project=project).exists()
    # the competent department is not offered the unit's actions
    html = page(
        client, cast.user("competent_department"), reverse("project-detail", args=[project.pk])
    )
    assert url not in html


def test_a_task_is_handed_to_a_colleague_and_another_organization_urges_it(client, casts):
    cast = casts["heilongjiang"]
    project = declared(cast, name="黑龙江省教育厅招生系统", on=dt.date(2026, 11, 16))
    competent = cast.user("competent_department")
    leader = cast.user("competent_department.leader")
    task = Task.objects.get(
        project=project, status=TaskStatus.OPEN, organization=competent.organization
    )
    client.force_login(competent)
    response = client.post(
        reverse("task-reassign", args=[project.pk, task.pk]),
        {"to_user": leader.pk, "note": "请负责人审"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.assignee == leader
    assert Event.objects.filter(
        project=project, actor=competent, kind__contains="reassign"
    ).exists()
    # the unit cannot act on the department's task, but may urge it
    client.force_login(cast.user("unit"))
    html = client.get(reverse("task-act", args=[project.pk, task.pk])).content.decode()
    assert "催办" in html
    client.post(reverse("task-urge", args=[project.pk, task.pk]), {"text": "请尽快办理"})
    task.refresh_from_db()
    assert task.urge_count == 1


def test_the_history_and_delivery_are_read_when_reached_and_only_by_those_who_may_see(
    client, tree, casts, django_assert_max_num_queries
):
    """The project page leaves its long, rarely first-read parts — the event history and the
    procurement/contract/payment records — to be read when the reader scrolls to them (htmx);
    without JavaScript the link opens them as a page. Either way the same access rule holds."""
    from tests.delivery.conftest import staffed
    from tests.delivery.test_rules import built

    cast = staffed(tree, "lianping")
    project = built(cast, "lianping", stage="construction")
    contract = project.contracts.get(kind="main")
    newest = Event.objects.filter(project=project).order_by("-seq").first()
    clerk = cast.user("competent_department")
    detail = page(client, clerk, reverse("project-detail", args=[project.pk]))
    history = reverse("project-section", args=[project.pk, "history"])
    delivery = reverse("project-section", args=[project.pk, "delivery"])
    assert f'hx-get="{history}"' in detail and f'hx-get="{delivery}"' in detail
    assert contract.number not in detail  # not read for the page itself

    fragment = client.get(history, headers={"HX-Request": "true"}).content.decode()
    assert newest.summary in fragment and "<html" not in fragment
    total = Event.objects.filter(project=project).count()
    assert f"共 {total} 条" in fragment
    with django_assert_max_num_queries(14):  # + incident reports and trial runs (issue 13)
        fragment = client.get(delivery, headers={"HX-Request": "true"}).content.decode()
    assert contract.number in fragment and contract.vendor.name in fragment
    standalone = page(client, clerk, delivery)  # no JavaScript: a page of its own
    assert "<html" in standalone and contract.number in standalone and project.name in standalone

    client.force_login(casts["yueyang"].user("competent_department"))
    assert client.get(history, headers={"HX-Request": "true"}).status_code == 404
    assert client.get(delivery).status_code == 404
    client.force_login(clerk)
    assert client.get(reverse("project-section", args=[project.pk, "secrets"])).status_code == 404


def test_the_action_panel_groups_what_the_stage_allows(client, tree):
    """Issue 13: the 办理 panel offers an action once the project has reached its stage, in its
    group — no trial run, payment or self-evaluation for a project still at its scheme review."""
    cast = staffed(tree, "yueyang")
    early = flows.yueyang_in_scheme_review(cast)
    client.force_login(cast.user("unit"))
    html = client.get(reverse("project-detail", args=[early.pk])).content.decode()
    for slug in ("procurement", "payment-plan", "trial-run", "evaluation", "progress"):
        assert reverse("project-action", args=[early.pk, slug]) not in html
    built = built_project(cast, "yueyang", stage="construction")
    client.force_login(cast.user("unit"))
    html = client.get(reverse("project-detail", args=[built.pk])).content.decode()
    for slug in ("procurement", "contract", "payment-plan", "progress", "change"):
        assert reverse("project-action", args=[built.pk, slug]) in html, slug
    assert reverse("project-action", args=[built.pk, "trial-run"]) not in html
    groups = re.findall(r'<h3 class="action-group">([^<]+)</h3>', html)
    assert groups == [str(g) for g in GROUPS if str(g) in groups]  # in the panel's order
    assert {"采购与合同", "建设与变更", "作废与更正"} <= set(groups)


def test_the_form_asks_only_for_the_facts_the_units_regulation_tests(client, casts):
    """A 岳阳 unit is asked whether its project needs 立项审批 by law (第十八条第一款), not about
    黑龙江's 内网 (第十八条第一款) or the merge of 第十七条; a 临湘 unit whether its system shares
    data (临湘数据资源办法第十一条第三款, the companion regulation). A fact not asked keeps what
    is stored when the draft is edited."""
    asked = {
        "yueyang": ({"approval_required"}, {"intranet", "merge_feasibility_and_design"}),
        "heilongjiang": (
            {"intranet", "merge_feasibility_and_design", "data_sharing_supported"},
            {"approval_required"},
        ),
        "linxiang": ({"data_sharing_supported"}, {"intranet", "approval_required"}),
    }
    for place, (shown, hidden) in asked.items():
        html = page(client, casts[place].user("unit"), reverse("project-create"))
        for name in shown:
            assert f'name="{name}"' in html, (place, name)
        for name in hidden:
            assert f'name="{name}"' not in html, (place, name)
    cast = casts["yueyang"]
    unit = cast.user("unit")
    draft = Project.objects.create(
        jurisdiction=cast.jurisdiction,
        unit=unit.organization,
        name="岳阳市教育局数据中台",
        plan_year=2027,
        total_investment=1_000_000,
        data_sharing_supported=False,
        created_by=unit,
    )
    client.force_login(unit)
    client.post(
        reverse("project-edit", args=[draft.pk]),
        {
            "name": "岳阳市教育局数据中台（一期）",
            "plan_year": 2027,
            "total_investment": "100",
            "funding_source": "local_fiscal",
            "construction_type": "new",
            "approval_required": "on",
        },
    )
    draft.refresh_from_db()
    assert draft.name == "岳阳市教育局数据中台（一期）"
    assert draft.data_sharing_supported is False  # not asked of a 岳阳 unit: left as stored
