"""The project actions of construction and evaluation, as the unit and the competent department
use them in the browser: a refused entry is told at its field in the service's own words and
changes nothing; a report entered by mistake is voided or corrected and the page shows the
original as 已作废/已更正 with who and why (岳阳, 100万元 and 250万元)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from govit.core import clock
from govit.delivery import services as delivery
from govit.demo.driver import advance_to
from tests.delivery.conftest import staffed
from tests.delivery.test_rules import built
from tests.workflow import flows
from tests.workflow.conftest import tree  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 30)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cast(tree):  # noqa: F811
    return staffed(tree, "yueyang")


@pytest.fixture
def project(cast):
    """岳阳, 100万元, in construction since 2026-10-21."""
    return built(cast, "yueyang")


@pytest.fixture
def unit(client, cast):
    client.force_login(cast.user("unit"))
    return client


def act(client, project, slug, data):
    with clock.frozen(TODAY):
        return client.post(reverse("project-action", args=[project.pk, slug]), data)


def delivery_section(client, project) -> str:
    return client.get(reverse("project-section", args=[project.pk, "delivery"])).content.decode()


def test_progress_going_back_is_refused_at_the_percent_field(unit, project):
    response = act(
        unit,
        project,
        "progress",
        {"period": "2026年11月上", "as_of": "2026-11-10", "percent": "10", "text": "开发"},
    )
    assert response.status_code == 302
    response = act(
        unit,
        project,
        "progress",
        {"period": "2026年11月下", "as_of": "2026-11-20", "percent": "5", "text": "开发"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["percent"] == [
        "累计完成比例不能低于此前报送的10%（2026年11月上）；此前的报告有误的，请先作废或更正该报告"
    ]
    assert "__all__" not in errors
    assert list(project.progress_reports.values_list("percent", flat=True)) == [10]


def test_a_progress_report_dated_in_the_future_is_refused_at_the_date(unit, project):
    response = act(
        unit,
        project,
        "progress",
        {"period": "2026年12月", "as_of": "2026-12-31", "percent": "20", "text": "预计"},
    )
    assert response.status_code == 200
    (message,) = response.context["form"].errors["as_of"]
    assert message.startswith("截至日期2026年12月31日晚于今天")
    assert not project.progress_reports.exists()


def test_a_mistaken_report_is_voided_and_shown_as_voided_with_the_reason(unit, cast, project):
    act(unit, project, "progress", {"period": "11月", "percent": "60", "text": "误填"})
    wrong = project.progress_reports.get()
    page = unit.get(reverse("project-action", args=[project.pk, "progress-void"]))
    assert (
        f'<option value="{wrong.pk}">11月 · 60% · 2026年11月30日</option>' in page.content.decode()
    )
    response = act(
        unit, project, "progress-void", {"record": str(wrong.pk), "reason": "应为16%，误填为60%"}
    )
    assert response.status_code == 302
    html = delivery_section(unit, project)
    assert "已作废" in html and "应为16%，误填为60%" in html
    assert "<s>11月 · 2026年11月30日 · 60% · 误填</s>" in html
    # the next report is measured against the valid ones only
    assert (
        act(
            unit, project, "progress", {"period": "11月", "percent": "16", "text": "开发"}
        ).status_code
        == 302
    )


def test_a_report_is_corrected_the_original_kept_and_the_new_one_checked(unit, cast, project):
    act(
        unit,
        project,
        "progress",
        {"period": "11月上", "as_of": "2026-11-10", "percent": "10", "text": "a"},
    )
    act(
        unit,
        project,
        "progress",
        {"period": "11月中", "as_of": "2026-11-20", "percent": "50", "text": "b"},
    )
    wrong = project.progress_reports.get(percent=50)
    refused = act(
        unit,
        project,
        "progress-correct",
        {
            "record": str(wrong.pk),
            "period": "11月中",
            "percent": "5",
            "text": "b",
            "reason": "多报了",
        },
    )
    assert (
        refused.context["form"].errors["percent"][0].startswith("累计完成比例不能低于此前报送的10%")
    )
    response = act(
        unit,
        project,
        "progress-correct",
        {
            "record": str(wrong.pk),
            "period": "11月中",
            "percent": "30",
            "text": "b",
            "reason": "多报了",
        },
    )
    assert response.status_code == 302
    wrong.refresh_from_db()
    assert (wrong.trail_state, wrong.percent) == ("corrected", 50)
    html = delivery_section(unit, project)
    assert "已更正" in html and "多报了" in html and "（更正记录）" in html


def test_a_trial_run_ending_the_day_it_starts_is_refused_at_the_end_date(unit, cast):
    from tests.api.helpers import experts

    pool = experts(cast, "政务信息化", 4, prefix="trial")
    project = built(cast, "yueyang", amount=2_500_000, stage="trial_operation", pool=pool)
    response = act(
        unit, project, "trial-run", {"started_on": "2026-11-01", "ended_on": "2026-11-01"}
    )
    assert response.context["form"].errors["ended_on"] == [
        "试运行结束日期应晚于开始日期（试运行不能在开始当日或之前结束）"
    ]
    response = act(
        unit, project, "trial-run", {"started_on": "2026-10-01", "ended_on": "2026-11-01"}
    )
    assert response.context["form"].errors["ended_on"] == [
        "试运行开始前须完成初步验收（初步验收于2026年10月21日完成）（依据：第二十七条第（二）项）"
    ]
    assert not project.trial_runs.exists()
    response = act(
        unit, project, "trial-run", {"started_on": "2026-10-22", "ended_on": "2026-11-25"}
    )
    assert response.status_code == 302
    assert "2026年10月22日 — 2026年11月25日" in delivery_section(unit, project)


def test_a_post_evaluation_graded_against_its_score_is_refused_at_the_grade(client, cast):
    project = flows.declared(cast, amount=1_000_000, on=D(2026, 10, 20))
    with clock.frozen(D(2026, 10, 21)):
        project = advance_to(cast, project, "post_evaluation")
    client.force_login(cast.user("competent_department"))
    response = act(client, project, "post-evaluation", {"score": "35", "grade": "excellent"})
    assert response.status_code == 200
    (message,) = response.context["form"].errors["grade"]
    assert message.startswith("35.00分对应的等次是“差”，不是“优”")
    assert "须确认知悉" not in response.content.decode()  # no empty finding to acknowledge
    assert not project.evaluations.exists()
    assert (
        act(client, project, "post-evaluation", {"score": "35", "grade": "poor"}).status_code == 302
    )
    assert project.evaluations.get().grade == "poor"


def test_the_unit_records_its_self_evaluation_with_the_one_evaluation_form(client, tree):  # noqa: F811
    """One evaluation form: the action says whose evaluation it is, so the unit is offered no
    kind (a post-evaluation is the competent department's); grades read in the reader's language
    (黑龙江第三十三条: the unit's self-evaluation)."""
    cast = staffed(tree, "heilongjiang")
    project = built(cast, "heilongjiang")
    with clock.frozen(D(2027, 3, 1)):
        project = advance_to(cast, project, "self_evaluation")
    client.force_login(cast.user("unit"))
    url = reverse("project-action", args=[project.pk, "evaluation"])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "kind" not in page.context["form"].fields
    assert '<option value="excellent">Excellent</option>' in page.content.decode()
    # the form's own 发现的问题 field is not mistaken for review findings to acknowledge
    assert 'class="findings"' not in page.content.decode()
    with clock.frozen(D(2027, 9, 1)):
        response = client.post(url, {"score": "92", "grade": "excellent"})
    assert response.status_code == 302
    assert project.evaluations.get().kind == "self"


def test_an_incident_report_is_corrected_and_both_are_shown(unit, cast, project):
    delivery.incident_report(
        actor=cast.user("unit"), project=project, kind="major_loss", text="误报"
    )
    wrong = project.incidents.get()
    response = act(
        unit,
        project,
        "incident-correct",
        {
            "record": str(wrong.pk),
            "kind": "serious_delay",
            "text": "工期延误三个月",
            "reason": "类别错",
        },
    )
    assert response.status_code == 302
    html = delivery_section(unit, project)
    assert "已更正" in html and "工期延误三个月" in html and "<s>投资重大损失 · 误报</s>" in html
