"""Adding next year's schedule: stored with who, when and why, validated with Chinese errors that
change nothing, and counted with by every server's engine."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govit.calendars import selectors, sync
from govit.calendars.models import CalendarDay, CalendarYear, DayKind
from govit.calendars.services import calendar_year_add
from govit.core import clock
from govit.core.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from govit.events.models import Event
from govit.events.registry import EVENT_KINDS
from govit.policy.calendar import CalendarYearMissing, default_calendar
from govit.projects.workflow import due_date
from tests.calendars.conftest import HOLIDAYS_2027, SOURCE_2027, WORKDAYS_2027

pytestmark = pytest.mark.django_db
D = dt.date
REASON = "国务院办公厅已公布2027年节假日安排，核对原文后录入"


def add(actor, **overrides):
    fields = {
        "year": 2027,
        "source": SOURCE_2027,
        "holidays": HOLIDAYS_2027,
        "workdays": WORKDAYS_2027,
        "reason": REASON,
    }
    fields.update(overrides)
    return calendar_year_add(actor=actor, **fields)


def test_the_administrator_adds_next_year_and_deadlines_into_it_can_be_counted(
    people, django_capture_on_commit_callbacks
):
    admin = people["admin"]
    # before: a step opened on 21 December with 10 working days has no due date
    due, note = due_date(D(2026, 12, 21), 10)
    assert due is None and "2027年" in note

    with django_capture_on_commit_callbacks(execute=True):
        stored = add(admin)

    assert (stored.year, stored.created_by, stored.created_at) == (2027, admin, clock.now())
    assert stored.reason == REASON and stored.source == SOURCE_2027
    days = CalendarDay.objects.filter(year=stored)
    assert days.filter(kind=DayKind.HOLIDAY).count() == 11
    assert sorted(days.filter(kind=DayKind.WORKDAY).values_list("date", flat=True)) == [
        D(2027, 1, 31),
        D(2027, 2, 20),
    ]
    event = Event.objects.get(kind="calendar.year_added")
    assert event.actor == admin and event.jurisdiction == people["jurisdiction"]
    assert event.data == {"reason": REASON} and REASON in event.summary
    assert event.after["holidays"]["元旦"] == ["2027-01-01", "2027-01-02", "2027-01-03"]

    # 22–31 December give 8 working days, 1–3 January are off: the 10th is 5 January
    assert due_date(D(2026, 12, 21), 10) == (D(2027, 1, 5), "")
    work = default_calendar()
    assert work.is_working_day(D(2027, 1, 31))  # a Sunday worked (调休)
    assert not work.is_working_day(D(2027, 2, 8))  # a Monday of 春节
    assert "calendar.year_added" in EVENT_KINDS


def test_another_server_loads_the_stored_year_at_its_next_signed_in_request(people):
    add(people["admin"])
    sync.forget()  # a process that has not read the database since the year was stored
    with pytest.raises(CalendarYearMissing):
        default_calendar().is_working_day(D(2027, 1, 4))

    with CaptureQueriesContext(connection) as queries:
        sync.on_request(None, environ={"PATH_INFO": "/rulebooks/"})  # anonymous: no query
    assert len(queries) == 0 and 2027 not in default_calendar().years

    signed_in = {"HTTP_COOKIE": "csrftoken=x; sessionid=abc"}
    with CaptureQueriesContext(connection) as queries:
        sync.on_request(None, environ=signed_in)
    assert len(queries) == 1 and 2027 in default_calendar().years

    with CaptureQueriesContext(connection) as queries:
        sync.on_request(None, environ=signed_in)  # checked a moment ago
    assert len(queries) == 0
    with clock.frozen(clock.now() + dt.timedelta(seconds=61)):
        loaded = default_calendar()
        with CaptureQueriesContext(connection) as queries:
            sync.on_request(None, environ=signed_in)
        assert len(queries) == 1
        assert default_calendar() is loaded  # unchanged years keep the loaded calendar


@pytest.mark.parametrize(
    ("overrides", "error", "code", "words"),
    [
        (
            {"holidays": {"元旦": [D(2026, 12, 31), D(2027, 1, 1)]}},
            InvalidInput,
            "CALENDAR_DATE_OUTSIDE_YEAR",
            "以下日期不属于2027年：2026-12-31",
        ),
        (
            {"workdays": {"元旦": [D(2027, 1, 2)]}},
            InvalidInput,
            "CALENDAR_DATE_CLASH",
            "既放假又调休上班：2027-01-02",
        ),
        (
            {"workdays": {"春节": [D(2027, 3, 10)]}},
            InvalidInput,
            "CALENDAR_WORKDAY_NOT_WEEKEND",
            "2027-03-10（星期三）",
        ),
        (
            {"holidays": {**HOLIDAYS_2027, "中秋": [D(2027, 1, 3)]}},
            InvalidInput,
            "CALENDAR_DATE_REPEATED",
            "重复填写：2027-01-03",
        ),
        ({"holidays": {}}, InvalidInput, "CALENDAR_NO_HOLIDAYS", "至少填写一个放假日期"),
        ({"holidays": {" ": [D(2027, 3, 1)]}}, InvalidInput, "CALENDAR_NAME_MISSING", "节日名称"),
        ({"source": "  "}, InvalidInput, "CALENDAR_SOURCE_MISSING", "国务院办公厅通知"),
        ({"reason": ""}, InvalidInput, "CALENDAR_REASON_MISSING", "录入说明"),
        ({"year": 2026}, Conflict, "CALENDAR_YEAR_EXISTS", "2026年的节假日安排已录入"),
        ({"year": 2028}, InvalidInput, "CALENDAR_YEAR_NOT_NEXT", "2027年"),
    ],
)
def test_a_wrong_schedule_is_refused_in_chinese_and_nothing_is_stored(
    people, overrides, error, code, words
):
    with pytest.raises(error) as refused:
        add(people["admin"], **overrides)
    assert refused.value.code == code and words in refused.value.message
    assert not CalendarYear.objects.exists() and not CalendarDay.objects.exists()
    assert not Event.objects.filter(kind="calendar.year_added").exists()
    assert 2027 not in default_calendar().years


def test_a_year_is_added_once_and_the_one_after_waits_for_its_notice(people):
    admin = people["admin"]
    add(admin)
    with pytest.raises(Conflict) as twice:
        add(admin, source="另一份通知")
    assert (
        twice.value.code == "CALENDAR_YEAR_EXISTS" and "calendar/2027.yaml" in twice.value.message
    )
    # in 2026 the State Council has not yet published 2028
    with pytest.raises(InvalidInput) as early:
        add(admin, year=2028, holidays={"元旦": [D(2028, 1, 1)]}, workdays={})
    assert early.value.code == "CALENDAR_YEAR_NOT_DUE"
    assert list(CalendarYear.objects.values_list("year", "source")) == [(2027, SOURCE_2027)]
    with clock.frozen(D(2027, 11, 20)):
        add(admin, year=2028, holidays={"元旦": [D(2028, 1, 1)]}, workdays={})
    sync.load_into_engine()
    assert default_calendar().years[-1] == 2028
    assert selectors.next_year_to_add(D(2027, 11, 20)) is None


@pytest.mark.parametrize("who", ["clerk", "unit", "audit"])
def test_only_a_jurisdiction_administrator_may_add_a_year(people, who):
    with pytest.raises(PermissionDenied) as refused:
        add(people[who])
    assert "管理员" in refused.value.message
    assert not CalendarYear.objects.exists()
    assert not Event.objects.filter(kind="calendar.year_added").exists()


def test_the_covered_years_say_where_each_comes_from_and_a_data_file_wins(
    people, tmp_path, monkeypatch
):
    add(people["admin"])
    sync.load_into_engine()
    years = {y.year: y for y in selectors.covered_years()}
    assert min(years) == 2004 and max(years) == 2027
    assert years[2026].from_file and years[2026].stored is None
    assert not years[2027].from_file and years[2027].stored.reason == REASON
    assert years[2027].groups["春节"][0] == D(2027, 2, 6) and years[2027].workdays == 2

    # later the year is committed as a data file (e.g. a correction): the file is what counts
    (tmp_path / "2027.yaml").write_text(
        "year: 2027\nsource: 数据文件\nholidays: {元旦: [2027-01-01]}\n", encoding="utf-8"
    )
    monkeypatch.setenv("GOVIT_CALENDAR_DIRS", str(tmp_path))
    sync.forget()
    sync.load_into_engine()
    try:
        row = next(y for y in selectors.covered_years() if y.year == 2027)
        assert row.from_file and row.stored is not None and row.source == "数据文件"
        assert default_calendar().is_working_day(D(2027, 1, 2)) is False  # a Saturday
        assert default_calendar().is_working_day(D(2027, 2, 8))  # no 春节 in the file
    finally:
        monkeypatch.delenv("GOVIT_CALENDAR_DIRS")
        sync.forget()


def test_every_refusal_is_a_domain_error_the_pages_can_show(people):
    with pytest.raises(DomainError) as refused:
        add(people["admin"], workdays={"春节": [D(2027, 3, 10)]})
    assert refused.value.as_dict()["message"].startswith("调休上班日应为周六或周日")
