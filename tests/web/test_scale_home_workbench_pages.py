"""工作台 a page at a time: the tasks by due date (the overdue first) across pages, every task on
exactly one page, and the totals — tasks and overdue ones — those of the database, not of a page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from govit.core import clock
from govit.projects.models import Task, TaskStatus
from govit.projects.selectors import days_left
from govit.web import selectors as page_selectors
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixture
from tests.workflow.flows import declared

pytestmark = pytest.mark.django_db


def names_on(html: str, names: list[str]) -> list[str]:
    return sorted((n for n in names if n in html), key=html.index)


def test_the_tasks_are_paged_by_due_date_with_the_totals_of_the_database(
    client,
    tree,  # noqa: F811
    monkeypatch,
    django_assert_max_num_queries,
):
    # 黑龙江: the joint review (联审) opens on declaration, 5 working days
    cast = make_cast(tree, "heilongjiang")
    on = {
        "黑龙江省教育厅考试系统": dt.date(2026, 11, 2),
        "黑龙江省卫健委监管平台": dt.date(2026, 11, 20),
        "黑龙江省医保结算系统": dt.date(2026, 11, 5),
    }
    for name, day in on.items():
        declared(cast, name=name, on=day)
    competent = cast.user("competent_department")
    mine = Task.objects.filter(organization=competent.organization, status=TaskStatus.OPEN)
    expected = [t.project.name for t in mine.order_by("due_on", "id").select_related("project")]
    assert sorted(expected) == sorted(on) and len(expected) == 3
    overdue = sum(1 for t in mine if (days_left(t) or 0) < 0)
    assert overdue == 2  # the two declared early in November; computed by the calendar

    monkeypatch.setattr(page_selectors, "WORKBENCH_PAGE", 2)
    client.force_login(competent)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("home")).content.decode()
    second = client.get(reverse("home"), {"page": 2}).content.decode()
    for html in (first, second):
        # the totals are the database's, on every page
        assert f"您有 {len(expected)} 项待办" in html and f"其中 {overdue} 项已逾期" in html
        assert "第 1 / 2 页" in html or "第 2 / 2 页" in html
    assert names_on(first, expected) == expected[:2]
    assert names_on(second, expected) == expected[2:]
    assert 'href="?page=2"' in first and 'href="?page=1"' in second
    # one click to act on each task, on its page
    for task in mine:
        html = first if task.project.name in expected[:2] else second
        assert reverse("task-act", args=[task.project_id, task.pk]) in html
    # a page past the end shows the last one, not an error
    assert (
        names_on(client.get(reverse("home"), {"page": 9}).content.decode(), expected)
        == (expected[2:])
    )


def test_a_task_due_on_the_last_working_day_is_not_counted_overdue_on_the_weekend(
    client,
    tree,  # noqa: F811
):
    cast = make_cast(tree, "heilongjiang")
    declared(cast, name="黑龙江省教育厅考试系统", on=dt.date(2026, 11, 13))
    competent = cast.user("competent_department")
    task = Task.objects.get(organization=competent.organization, status=TaskStatus.OPEN)
    assert task.due_on == dt.date(2026, 11, 20)  # a Friday, 5 working days after declaration
    client.force_login(competent)
    with clock.frozen(dt.date(2026, 11, 21)):  # Saturday: 0 working days left, not overdue
        html = client.get(reverse("home")).content.decode()
        assert "您有 1 项待办" in html and "已逾期" not in html
        assert re.search(r'<td class="num">0</td>', html)
    with clock.frozen(dt.date(2026, 11, 23)):  # Monday: one working day late
        html = client.get(reverse("home")).content.decode()
        assert "其中 1 项已逾期" in html and "逾期 1 个工作日" in html
