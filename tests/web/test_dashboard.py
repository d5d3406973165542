"""统计: every figure the dashboard shows equals what independent queries of the database give, for
the projects the user may see — a jurisdiction's for its authorities and auditors, a unit's own for
the unit, nothing for a vendor."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from govit.core import clock
from govit.demo.driver import advance_to
from govit.policy.calendar import default_calendar
from govit.policy.vocab import STEP_LABELS
from govit.projects import services as projects
from govit.projects.models import Project, ProjectStatus, ProjectStep, StepStatus, Task, TaskStatus
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixture
from tests.workflow.flows import approve_all, declared, lianping_declared, submitted

pytestmark = pytest.mark.django_db

WAN = Decimal(10000)


@pytest.fixture
def world(tree):  # noqa: F811 - the fixture imported above
    """连平: two units' projects past 初步审核 — one in time, one long overdue — both now waiting
    on the finance bureau's 资金审核 (overdue by 2026-11-23), one more only declared, and a
    draft; 岳阳: a project of another jurisdiction that no 连平 figure may include."""
    cast = make_cast(tree, "lianping")
    first = lianping_declared(cast, name="连平县智慧教育平台")
    second = declared(
        cast, name="连平县远程会诊系统", amount=650_000, unit="other_unit", on=dt.date(2026, 6, 10)
    )
    declared(
        cast, name="连平县校园安防升级", amount=320_000, on=dt.date(2026, 6, 10), plan_year=2028
    )
    with clock.frozen(dt.date(2026, 9, 7)):
        for project, unit in ((first, "unit"), (second, "other_unit")):
            advance_to(cast, project, "preliminary_review", unit=unit)
            submitted(cast, project, "preliminary_review", unit=unit)
    with clock.frozen(dt.date(2026, 9, 14)):
        approve_all(cast, first, "preliminary_review")
    with clock.frozen(dt.date(2026, 10, 30)):
        approve_all(cast, second, "preliminary_review")
    projects.project_create(
        actor=cast.user("unit"),
        name="连平县草稿项目",
        plan_year=2027,
        total_investment=9_000_000,
        funding_source="local_fiscal",
        construction_type="new",
    )
    yueyang = make_cast(tree, "yueyang")
    declared(yueyang, name="岳阳市政务云扩容", amount=7_700_000)
    return cast


def page(client, user) -> tuple[str, dict]:
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200, response.content[:300]
    html = response.content.decode()
    found = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html)
    assert found, "the chart data is embedded with json_script"
    return html, json.loads(found.group(1))


def table(html: str, name: str) -> list[list[str]]:
    """The rows of a chart's data table: the header cell then the numbers."""
    body = re.search(rf'<details id="table-{name}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, f"no data table for {name}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    return [[c.strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows]


def wan(amount) -> str:
    return str((Decimal(amount) / WAN).quantize(Decimal("0.01")))


def expected_money(qs, key) -> dict[str, tuple[str, int]]:
    """Independent of the page's aggregates: add up the rows one by one."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    for project in qs:
        k = key(project)
        sums[k] += project.total_investment
        counts[k] += 1
    return {k: (wan(sums[k]), counts[k]) for k in sums}


def stage_label(project: Project) -> str:
    if project.status in (
        ProjectStatus.COMPLETED,
        ProjectStatus.REJECTED,
        ProjectStatus.TERMINATED,
    ):
        return ProjectStatus(project.status).label
    return STEP_LABELS[project.stage][0]


def test_every_figure_matches_the_database_for_the_jurisdiction(client, world):
    cast = world
    html, data = page(client, cast.user("competent_department"))
    mine = Project.objects.filter(jurisdiction=cast.jurisdiction).exclude(
        status=ProjectStatus.DRAFT
    )
    assert mine.count() == 3

    by_stage = expected_money(mine, stage_label)
    assert len(by_stage) >= 2
    rows = table(html, "stage")
    assert {r[0]: (r[1], int(r[2])) for r in rows} == by_stage
    assert dict(zip(data["stage"]["categories"], data["stage"]["investment"], strict=True)) == {
        k: v[0] for k, v in by_stage.items()
    }
    assert dict(zip(data["stage"]["categories"], data["stage"]["projects"], strict=True)) == {
        k: v[1] for k, v in by_stage.items()
    }
    assert {r[0]: int(r[1]) for r in table(html, "count")} == {k: v[1] for k, v in by_stage.items()}

    by_unit = expected_money(mine.select_related("unit"), lambda p: p.unit.name)
    assert len(by_unit) == 2
    assert {r[0]: (r[1], int(r[2])) for r in table(html, "unit")} == by_unit
    assert dict(zip(data["unit"]["categories"], data["unit"]["investment"], strict=True)) == {
        k: v[0] for k, v in by_unit.items()
    }

    by_year = expected_money(mine, lambda p: f"{p.plan_year}年")
    assert set(by_year) == {"2027年", "2028年"}
    assert {r[0]: (r[1], int(r[2])) for r in table(html, "year")} == by_year
    assert data["year"]["categories"] == ["2027年", "2028年"]  # in order of the years

    total = sum(p.total_investment for p in mine)
    assert f'<strong id="total-investment">{wan(total)}</strong>' in html
    assert f'<strong id="total-projects">{mine.count()}</strong>' in html
    # the draft and the other jurisdiction's project are in no figure
    assert "岳阳" not in html and wan(total + 9_000_000) not in html


def test_overdue_tasks_by_organization_match_the_open_tasks_past_their_due_date(client, world):
    cast = world
    html, data = page(client, cast.user("audit"))  # the audit bureau reads the same figures
    overdue: dict[str, int] = defaultdict(int)
    for task in Task.objects.filter(
        project__jurisdiction=cast.jurisdiction, status=TaskStatus.OPEN
    ).select_related("organization"):
        if task.due_on is not None and task.due_on < clock.today():
            overdue[task.organization.name] += 1
    assert overdue == {cast.orgs["finance"].name: 2}  # both 资金审核 tasks are late
    assert {r[0]: int(r[1]) for r in table(html, "overdue")} == overdue
    assert (
        dict(zip(data["overdue"]["categories"], data["overdue"]["tasks"], strict=True)) == overdue
    )
    assert '<strong id="total-overdue" class="overdue">2</strong>' in html


def test_average_working_days_per_step_against_its_limit(client, world):
    cast = world
    html, data = page(client, cast.user("competent_department"))
    cal = default_calendar()
    took: dict[str, list[tuple[int, int | None]]] = defaultdict(list)  # (working days, limit)
    for step in ProjectStep.objects.filter(
        project__jurisdiction=cast.jurisdiction, status=StepStatus.PASSED
    ).exclude(started_on=None):
        closed = step.closed_at.astimezone(clock.CHINA).date()
        took[step.kind].append(
            (cal.working_days_between(step.started_on, closed), step.working_days)
        )
    # in time: 9月7日 → 9月14日; late: 9月7日 → 10月30日, past the 10 days of 第十一条第（四）项
    assert sorted(took["preliminary_review"]) == [(5, 10), (35, 10)]

    rows = {r[0]: r[1:] for r in table(html, "durations")}
    assert len(rows) == len(took) >= 4
    for kind, pairs in took.items():
        label = STEP_LABELS[kind][0]
        days = [d for d, _ in pairs]
        limits = [limit for _, limit in pairs if limit is not None]
        average = (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1"))
        over = sum(1 for d, limit in pairs if limit is not None and d > limit)
        limit = (
            str((Decimal(sum(limits)) / len(limits)).quantize(Decimal("0.1"))) if limits else "—"
        )
        assert rows[label] == [str(len(days)), str(average), limit, str(over)], label
        i = data["durations"]["categories"].index(label)
        assert data["durations"]["average"][i] == str(average)
    assert rows[STEP_LABELS["preliminary_review"][0]] == ["2", "20.0", "10.0", "1"]


def test_a_unit_sees_only_its_own_projects_figures_and_a_vendor_none(client, world):
    cast = world
    unit = cast.user("unit")
    html, data = page(client, unit)
    own = Project.objects.filter(unit=unit.organization).exclude(status=ProjectStatus.DRAFT)
    assert data["unit"]["categories"] == [unit.organization.name]
    assert {r[0]: (r[1], int(r[2])) for r in table(html, "unit")} == expected_money(
        own, lambda p: p.unit.name
    )
    assert f'<strong id="total-projects">{own.count()}</strong>' in html
    assert "本单位已申报的项目" in html
    assert cast.units["other_unit"].name not in html

    client.force_login(cast.user("consultant"))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 403


def test_the_page_draws_with_the_vendored_echarts_and_reads_in_few_queries(
    client, world, django_assert_max_num_queries
):
    cast = world
    client.force_login(cast.user("competent_department"))
    with django_assert_max_num_queries(14):
        html = client.get(reverse("dashboard")).content.decode()
    assert "/static/vendor/echarts-5.6.0.common.min.js" in html
    assert "/static/web/dashboard.js" in html and "/static/web/dashboard.css" in html
    assert not re.search(r'<script[^>]+src="(https?:)?//', html), "nothing from a CDN"
    # no inline script besides the data
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert [attrs for attrs, body in scripts if body.strip()] == [
        ' id="dashboard-data" type="application/json"'
    ]
    for name in ("stage", "count", "unit", "year", "overdue", "durations"):
        assert f'data-chart="{name}" role="img" aria-label=' in html
    assert finders.find("web/dashboard.js") and finders.find("vendor/echarts-5.6.0.common.min.js")


def test_an_empty_jurisdiction_shows_no_chart_and_says_so(client, tree):  # noqa: F811
    cast = make_cast(tree, "xiangxi")
    client.force_login(cast.user("competent_department"))
    html = client.get(reverse("dashboard")).content.decode()
    assert "data-chart=" not in html and "暂无数据" in html
    assert '<strong id="total-projects">0</strong>' in html
