"""The API refuses what the pages refuse, with the same {code, message, cite}: progress going
back, a grade that does not fit its score, a meeting the pool cannot fill; and it voids, corrects
and cancels with the reason, the original kept (岳阳)."""

from __future__ import annotations

import datetime as dt

import pytest

from govit.core import clock
from govit.demo.driver import advance_to
from tests.api.conftest import expect
from tests.delivery.conftest import staffed
from tests.delivery.test_rules import built
from tests.reviews.test_draw import SPECIALTY, register
from tests.workflow import flows
from tests.workflow.conftest import tree  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def cast(tree):  # noqa: F811
    return staffed(tree, "yueyang")


def test_progress_going_back_is_refused_and_a_report_is_voided_and_corrected(api, cast):
    project = built(cast, "yueyang")
    unit = api.as_(cast.user("unit"))
    path = f"/projects/{project.pk}/progress-reports"
    with clock.frozen(D(2026, 11, 30)):
        first = expect(
            unit.post(
                path, {"period": "11月上", "percent": 10, "text": "a", "as_of": "2026-11-10"}
            ),
            201,
        )
        assert (first["state"], first["percent"], first["as_of"]) == ("valid", 10, "2026-11-10")
        back = expect(unit.post(path, {"period": "11月下", "percent": 5, "text": "b"}), 422)
        assert back == {
            "code": "PROGRESS_DECREASING",
            "message": "累计完成比例不能低于此前报送的10%（11月上）；此前的报告有误的，请先作废或更正该报告",
            "cite": None,
        }
        future = expect(
            unit.post(path, {"period": "12月", "percent": 20, "text": "c", "as_of": "2026-12-31"}),
            422,
        )
        assert future["code"] == "DATE_IN_FUTURE"
        corrected = expect(
            unit.post(
                f"/progress-reports/{first['id']}/correction",
                {"period": "11月上", "percent": 4, "text": "a", "reason": "应为4%"},
            ),
            201,
        )
        assert (corrected["replaces"], corrected["percent"]) == (first["id"], 4)
        expect(unit.post(path, {"period": "11月下", "percent": 5, "text": "b"}), 201)
        voided = expect(
            unit.post(f"/progress-reports/{corrected['id']}/void", {"reason": "重复"}), 200
        )
        assert (voided["state"], voided["reason"]) == ("voided", "重复")
    listed = expect(unit.get(f"/projects/{project.pk}/reports"), 200)
    assert [(r["percent"], r["state"]) for r in listed] == [
        (10, "corrected"),
        (4, "voided"),
        (5, "valid"),
    ]


def test_a_grade_that_does_not_fit_its_score_is_refused(api, cast):
    project = flows.declared(cast, amount=1_000_000, on=D(2026, 10, 20))
    with clock.frozen(D(2026, 10, 21)):
        project = advance_to(cast, project, "post_evaluation")
        competent = api.as_(cast.user("competent_department"))
        refused = expect(
            competent.post(
                f"/projects/{project.pk}/evaluations",
                {"kind": "post", "score": "35", "grade": "excellent"},
            ),
            422,
        )
    assert refused["code"] == "GRADE_INCONSISTENT"
    assert refused["message"].startswith("35.00分对应的等次是“差”，不是“优”")


def test_a_meeting_the_pool_cannot_fill_is_refused_and_an_open_one_cancelled(api, cast):
    project = flows.yueyang_in_expert_review(cast)
    for name in ("李一", "李二"):
        register(cast, name)
    competent = api.as_(cast.user("competent_department"))
    path = f"/projects/{project.pk}/meetings"
    refused = expect(competent.post(path, {"specialty": SPECIALTY, "size": 25}), 422)
    assert refused == {
        "code": "EXPERT_POOL_TOO_SMALL",
        "message": f"{SPECIALTY}专业可抽取的专家仅2人（已除去须回避和暂停抽取的），不足25人；"
        "请减少抽取人数、调整专业或扩充专家库",
        "cite": "第十七条",
    }
    past = expect(
        competent.post(
            path, {"specialty": SPECIALTY, "size": 2, "scheduled_for": "2020-05-01T09:00:00+08:00"}
        ),
        422,
    )
    assert past["code"] == "MEETING_IN_PAST"
    meeting = expect(competent.post(path, {"specialty": SPECIALTY, "size": 2}), 201)
    expect(competent.post(path, {"specialty": SPECIALTY, "size": 1}), 409)
    cancelled = expect(
        competent.post(f"/meetings/{meeting['id']}/cancellation", {"reason": "改期"}), 200
    )
    assert (cancelled["status"], cancelled["cancelled_reason"]) == ("cancelled", "改期")
    expect(competent.post(path, {"specialty": SPECIALTY, "size": 1}), 201)


def test_a_trial_run_entered_by_mistake_is_voided_with_its_reason_and_entered_again(api, cast):
    """Issue 13: a trial run, like the other records, is voided with a reason; the original stays."""
    project = built(cast, "yueyang")
    with clock.frozen(D(2026, 11, 30)):
        project = advance_to(
            cast, project, "trial_operation"
        )  # 初步验收 done (第二十七条第（二）项)
    unit = api.as_(cast.user("unit"))
    with clock.frozen(D(2026, 12, 20)):
        wrong = expect(
            unit.post(
                f"/projects/{project.pk}/trial-runs",
                {"started_on": "2026-12-01", "ended_on": "2026-12-02"},
            ),
            201,
        )
        again = expect(
            unit.post(
                f"/projects/{project.pk}/trial-runs",
                {"started_on": "2026-12-03", "ended_on": "2026-12-18"},
            ),
            409,
        )
        assert again["code"] == "TRIAL_RUN_EXISTS"
        voided = expect(
            unit.post(f"/trial-runs/{wrong['id']}/void", {"reason": "结束日期填错"}), 200
        )
        assert (voided["state"], voided["reason"]) == ("voided", "结束日期填错")
        expect(
            unit.post(
                f"/projects/{project.pk}/trial-runs",
                {"started_on": "2026-12-01", "ended_on": "2026-12-18"},
            ),
            201,
        )
    listed = expect(unit.get(f"/projects/{project.pk}/reports"), 200)
    runs = [r for r in listed if r["kind"] == "trial_run"]
    assert [r["state"] for r in runs] == ["voided", "valid"]
