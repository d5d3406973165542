"""Integrity of what the unit reports during construction and after: progress never goes back,
construction completes at 100%, dates in order and not in the future, a trial run that lasts,
a grade that fits its score; and a report entered by mistake voided or corrected with its reason,
the original kept (岳阳, 100万 and 250万元)."""

from __future__ import annotations

import datetime as dt

import pytest

from govit.core import clock
from govit.core.errors import Conflict, InvalidInput, PermissionDenied, RuleRefused
from govit.delivery import services as delivery
from govit.delivery.models import GRADE_BANDS, IncidentReport, ProgressReport, grade_for
from govit.demo.driver import advance_to
from govit.projects.models import StepStatus
from tests.delivery.conftest import staffed
from tests.delivery.test_rules import DECLARED_ON, built
from tests.workflow import flows
from tests.workflow.conftest import tree  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
D = dt.date
BUILT_ON = DECLARED_ON.get("yueyang", D(2026, 10, 20)) + dt.timedelta(days=1)  # 2026-10-21


@pytest.fixture
def cast(tree):  # noqa: F811
    return staffed(tree, "yueyang")


@pytest.fixture
def project(cast):
    """岳阳, 100万元, in construction since 2026-10-21."""
    return built(cast, "yueyang")


TODAY = D(2026, 11, 30)


def report(cast, project, percent, *, on=TODAY, as_of=None, period="2026年11月"):
    with clock.frozen(on):
        return delivery.progress_report(
            actor=cast.user("unit"),
            project=project,
            period=period,
            percent=percent,
            text="按计划推进",
            as_of=as_of,
        )


def valid_percents(project) -> list[int]:
    return list(project.progress_reports.live().order_by("id").values_list("percent", flat=True))


# --- progress -----------------------------------------------------------------------------------


def test_progress_never_goes_back(cast, project):
    report(cast, project, 10, as_of=D(2026, 11, 1))
    events = project.events.count()
    with pytest.raises(InvalidInput) as back:
        report(cast, project, 5, as_of=D(2026, 11, 2), period="2026年11月下")
    assert (back.value.code, back.value.message) == (
        "PROGRESS_DECREASING",
        "累计完成比例不能低于此前报送的10%（2026年11月）；此前的报告有误的，请先作废或更正该报告",
    )
    assert (valid_percents(project), project.events.count()) == ([10], events)
    report(cast, project, 10, as_of=D(2026, 11, 2))  # the same is no step back
    assert valid_percents(project) == [10, 10]


def test_a_report_dated_in_the_future_or_before_construction_or_out_of_order_is_refused(
    cast, project
):
    with pytest.raises(InvalidInput) as future:
        report(cast, project, 10, on=D(2026, 11, 30), as_of=D(2026, 12, 1))
    assert future.value.code == "DATE_IN_FUTURE"
    assert future.value.message.startswith("截至日期2026年12月1日晚于今天（2026年11月30日）")
    with pytest.raises(InvalidInput) as early:
        report(cast, project, 10, as_of=D(2026, 10, 20))
    assert (early.value.code, early.value.message) == (
        "DATE_BEFORE_CONSTRUCTION",
        "截至日期早于建设开始日期2026年10月21日",
    )
    report(cast, project, 10, as_of=D(2026, 11, 15))
    with pytest.raises(InvalidInput) as order:
        report(cast, project, 20, as_of=D(2026, 11, 10))
    assert order.value.code == "DATE_OUT_OF_ORDER"
    assert valid_percents(project) == [10]
    # with no date given, the report is as of the day it is made
    assert report(cast, project, 20, on=D(2026, 11, 30)).as_of == D(2026, 11, 30)


def test_a_mistaken_report_is_voided_with_its_reason_and_no_longer_counts(cast, project):
    report(cast, project, 10, as_of=D(2026, 11, 1))
    wrong = report(cast, project, 60, as_of=D(2026, 11, 2))  # meant 16
    with pytest.raises(InvalidInput):
        report(cast, project, 16, as_of=D(2026, 11, 3))
    with pytest.raises(InvalidInput) as no_reason:
        delivery.progress_void(actor=cast.user("unit"), report=wrong, reason=" ")
    assert no_reason.value.code == "REASON_REQUIRED"
    with pytest.raises(PermissionDenied):
        delivery.progress_void(actor=cast.user("finance"), report=wrong, reason="错了")
    delivery.progress_void(actor=cast.user("unit"), report=wrong, reason="误填为60%")
    wrong.refresh_from_db()
    # the original keeps what was reported, and says who voided it, when and why
    assert (wrong.percent, wrong.trail_state, wrong.void_reason, wrong.voided_by) == (
        60,
        "voided",
        "误填为60%",
        cast.user("unit"),
    )
    event = project.events.get(kind="progress.voided")
    assert (event.before["percent"], event.after["state"], event.data["reason"]) == (
        60,
        "voided",
        "误填为60%",
    )
    report(cast, project, 16, as_of=D(2026, 11, 3))
    assert valid_percents(project) == [10, 16]
    with pytest.raises(Conflict):
        delivery.progress_void(actor=cast.user("unit"), report=wrong, reason="再作废")


def test_a_mistaken_report_is_corrected_by_a_new_one_that_names_it(cast, project):
    first = report(cast, project, 10, as_of=D(2026, 11, 1))
    wrong = report(cast, project, 50, as_of=D(2026, 11, 10))
    later = report(cast, project, 60, as_of=D(2026, 11, 20))
    with clock.frozen(D(2026, 11, 30)):
        with pytest.raises(InvalidInput) as above_later:
            delivery.progress_correct(
                actor=cast.user("unit"),
                report=wrong,
                reason="应为70%",
                period="2026年11月中",
                percent=70,
                text="更正",
            )
        assert above_later.value.message == "累计完成比例不能高于其后报送的60%（2026年11月）"
        with pytest.raises(InvalidInput):
            delivery.progress_correct(
                actor=cast.user("unit"),
                report=wrong,
                reason="应为5%",
                period="2026年11月中",
                percent=5,
                text="更正",
            )
        corrected = delivery.progress_correct(
            actor=cast.user("unit"),
            report=wrong,
            reason="应为30%",
            period="2026年11月中",
            percent=30,
            text="更正后的进展",
        )
    wrong.refresh_from_db()
    assert (wrong.trail_state, wrong.percent, wrong.void_reason) == ("corrected", 50, "应为30%")
    assert (wrong.superseded_by, corrected.percent, corrected.as_of) == (
        corrected,
        30,
        D(2026, 11, 10),
    )
    assert valid_percents(project) == [10, 60, 30]
    assert [r.pk for r in project.progress_reports.live().order_by("id")] == [
        first.pk,
        later.pk,
        corrected.pk,
    ]
    event = project.events.get(kind="progress.corrected")
    assert (event.before["percent"], event.after["percent"], event.data["reason"]) == (
        50,
        30,
        "应为30%",
    )
    assert event.summary == "更正2026年11月进度报告：50% → 30%：应为30%"


def test_construction_completes_only_at_100_percent(cast, project):
    report(cast, project, 5, as_of=D(2026, 11, 1))
    construction = project.steps.get(kind="construction")
    flows.upload_all(cast.user("unit"), project, construction.documents)
    task = flows.open_task(project, "construction")
    with clock.frozen(D(2026, 11, 30)), pytest.raises(RuleRefused) as early:
        flows.projects.task_act(
            actor=cast.user("unit"), task_id=task.pk, action="complete", opinion="建成"
        )
    assert (early.value.code, early.value.cite) == ("CONSTRUCTION_INCOMPLETE", "第二十四条")
    assert "最近一次报送的建设进度为5%" in early.value.message
    assert project.steps.get(kind="construction").status == StepStatus.IN_REVIEW
    done = report(cast, project, 100, as_of=D(2026, 11, 30))
    # a mistaken 100% that is voided no longer completes it
    delivery.progress_void(actor=cast.user("unit"), report=done, reason="尚未完成")
    with clock.frozen(D(2026, 11, 30)), pytest.raises(RuleRefused):
        flows.projects.task_act(
            actor=cast.user("unit"), task_id=task.pk, action="complete", opinion="建成"
        )
    report(cast, project, 100, as_of=D(2026, 11, 30))
    with clock.frozen(D(2026, 11, 30)):
        flows.projects.task_act(
            actor=cast.user("unit"), task_id=task.pk, action="complete", opinion="建成"
        )
    task.refresh_from_db()
    assert task.status == "completed"  # the contractor's and the supervisor's tasks remain


# --- incident reports ---------------------------------------------------------------------------


def test_an_incident_report_is_voided_or_corrected_and_the_original_kept(cast, project):
    unit = cast.user("unit")
    wrong = delivery.incident_report(
        actor=unit, project=project, kind="major_loss", text="投资损失"
    )
    corrected = delivery.incident_correct(
        actor=unit, report=wrong, reason="类别选错", kind="serious_delay", text="工程严重逾期"
    )
    wrong.refresh_from_db()
    assert (wrong.trail_state, wrong.kind, wrong.text) == ("corrected", "major_loss", "投资损失")
    assert (corrected.supersedes, corrected.kind, corrected.trail_state) == (
        wrong,
        "serious_delay",
        "valid",
    )
    delivery.incident_void(actor=unit, report=corrected, reason="已按期完成，不构成逾期")
    assert [r.trail_state for r in IncidentReport.objects.filter(project=project)] == [
        "corrected",
        "voided",
    ]
    assert [e.kind for e in project.events.filter(kind__startswith="incident.")] == [
        "incident.reported",
        "incident.corrected",
        "incident.voided",
    ]


# --- the trial run ------------------------------------------------------------------------------


@pytest.fixture
def in_trial(cast):
    """岳阳, 250万元: preliminary acceptance done on 2026-10-21, the trial run under way."""
    from tests.api.helpers import experts

    pool = experts(cast, "政务信息化", 4, prefix="trial")
    return built(cast, "yueyang", amount=2_500_000, stage="trial_operation", pool=pool)


def test_a_trial_run_must_last_and_begin_after_preliminary_acceptance(cast, in_trial):
    unit = cast.user("unit")
    with clock.frozen(D(2026, 12, 1)):
        for start, end, code in [
            (D(2026, 11, 1), D(2026, 11, 1), "TRIAL_RUN_DATES"),  # starts and ends the same day
            (D(2026, 11, 2), D(2026, 11, 1), "TRIAL_RUN_DATES"),
            (D(2026, 11, 1), D(2026, 12, 2), "DATE_IN_FUTURE"),
        ]:
            with pytest.raises(InvalidInput) as refused:
                delivery.trial_run_record(
                    actor=unit, project=in_trial, started_on=start, ended_on=end
                )
            assert refused.value.code == code
        with pytest.raises(RuleRefused) as before:
            delivery.trial_run_record(
                actor=unit, project=in_trial, started_on=D(2026, 10, 20), ended_on=D(2026, 11, 20)
            )
        assert (before.value.code, before.value.cite) == (
            "PRELIMINARY_ACCEPTANCE_FIRST",
            "第二十七条第（二）项",
        )
        assert before.value.message == "试运行开始前须完成初步验收（初步验收于2026年10月21日完成）"
        assert not in_trial.trial_runs.exists()
        run = delivery.trial_run_record(
            actor=unit,
            project=in_trial,
            started_on=D(2026, 10, 21),
            ended_on=D(2026, 11, 30),
            text="运行稳定",
        )
        with pytest.raises(Conflict):
            delivery.trial_run_record(
                actor=unit, project=in_trial, started_on=D(2026, 10, 22), ended_on=D(2026, 11, 30)
            )
        delivery.trial_run_void(actor=unit, run=run, reason="开始日期有误")
        delivery.trial_run_record(
            actor=unit, project=in_trial, started_on=D(2026, 10, 22), ended_on=D(2026, 11, 30)
        )
    assert [(r.trail_state, r.started_on) for r in in_trial.trial_runs.all()] == [
        ("voided", D(2026, 10, 21)),
        ("valid", D(2026, 10, 22)),
    ]


# --- evaluations: the grade fits the score --------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", "excellent"),
        ("90", "excellent"),
        ("89.99", "good"),
        ("80", "good"),
        ("79.99", "fair"),
        ("60", "fair"),
        ("59.99", "poor"),
        ("0", "poor"),
    ],
)
def test_the_grade_bands_on_both_sides(score, grade):
    from decimal import Decimal

    assert grade_for(Decimal(score)) == grade
    assert [g for g, _ in GRADE_BANDS] == ["excellent", "good", "fair", "poor"]


def test_a_post_evaluation_scored_35_and_graded_excellent_is_refused(cast, tree):  # noqa: F811
    project = flows.declared(cast, amount=1_000_000, on=D(2026, 10, 20))
    with clock.frozen(BUILT_ON):
        project = advance_to(cast, project, "post_evaluation")
    competent = cast.user("competent_department")
    with clock.frozen(BUILT_ON), pytest.raises(InvalidInput) as refused:
        delivery.evaluation_record(
            actor=competent, project=project, kind="post", score="35", grade="excellent"
        )
    assert (refused.value.code, refused.value.message) == (
        "GRADE_INCONSISTENT",
        "35.00分对应的等次是“差”，不是“优”（平台评价等次：优90分（含）以上，良80（含）至90分，"
        "中60（含）至80分，差60分以下）",
    )
    assert not project.evaluations.exists()
    with clock.frozen(BUILT_ON):
        delivery.evaluation_record(
            actor=competent, project=project, kind="post", score="35", grade="poor"
        )
    assert project.evaluations.get().grade == "poor"


def test_progress_reports_keep_their_place_on_record(cast, project):
    """Voided and corrected reports stay in the table: nothing is deleted."""
    a = report(cast, project, 10, as_of=D(2026, 11, 1))
    delivery.progress_void(actor=cast.user("unit"), report=a, reason="重复报送")
    assert ProgressReport.objects.filter(pk=a.pk).exists()


def test_an_asset_entered_in_the_future_is_refused(tree):  # noqa: F811
    cast = staffed(tree, "yueyang")
    project = flows.declared(cast, amount=800_000, on=D(2026, 10, 20))
    with clock.frozen(BUILT_ON):
        project = advance_to(cast, project, "post_evaluation")
        with pytest.raises(InvalidInput) as future:
            delivery.asset_record(
                actor=cast.user("unit"),
                project=project,
                name="服务器",
                value=1000,
                entered_on=BUILT_ON + dt.timedelta(days=1),
            )
        assert future.value.code == "DATE_IN_FUTURE"
        assert not project.assets.exists()
        delivery.asset_record(
            actor=cast.user("unit"), project=project, name="服务器", value=1000, entered_on=BUILT_ON
        )
