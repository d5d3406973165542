"""Years kept outside calendar/ (the administration screen's, stored in the database) join the
engine's default calendar through ``set_extra_schedules``; a data file wins for a year both hold."""

from __future__ import annotations

from datetime import date as D

import pytest

from govit.policy import calendar as cal
from govit.policy.calendar import CalendarYearMissing, YearSchedule


@pytest.fixture(autouse=True)
def _forget_extra_years():
    yield
    cal.set_extra_schedules("test", ())
    cal.set_extra_schedules("other", ())
    cal.reset_default_calendar()


def year_2027(
    source: str = "国务院办公厅关于2027年部分节假日安排的通知（测试数据）",
) -> YearSchedule:
    return YearSchedule(
        year=2027,
        source=source,
        holidays={D(2027, 1, 1): "元旦", D(2027, 1, 2): "元旦", D(2027, 1, 3): "元旦"},
        workdays={},
    )


def test_an_extra_year_fills_the_year_no_data_file_has():
    with pytest.raises(CalendarYearMissing, match="2027年"):
        cal.default_calendar().add_working_days(D(2026, 12, 31), 1)
    cal.set_extra_schedules("test", [year_2027()])
    work = cal.default_calendar()
    assert 2027 in work.years
    assert work.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)  # 1–3 January off
    assert work.holiday_name(D(2027, 1, 1)) == "元旦"
    assert cal.extra_schedules("test") == (year_2027(),)


def test_a_data_file_wins_over_an_extra_year():
    holiday = YearSchedule(
        year=2026, source="错误的安排", holidays={D(2026, 3, 2): "虚构"}, workdays={}
    )
    cal.set_extra_schedules("test", [holiday])
    work = cal.default_calendar()
    assert work.is_working_day(D(2026, 3, 2))  # calendar/2026.yaml knows no such holiday
    assert work.schedules[2026].source != "错误的安排"


def test_giving_the_same_years_again_keeps_the_loaded_calendar():
    cal.set_extra_schedules("test", [year_2027()])
    loaded = cal.default_calendar()
    cal.set_extra_schedules("test", [year_2027()])
    assert cal.default_calendar() is loaded
    cal.set_extra_schedules("test", [year_2027(source="更正后的通知")])
    assert cal.default_calendar() is not loaded
    assert cal.default_calendar().schedules[2027].source == "更正后的通知"


def test_an_empty_set_removes_the_sources_years_and_other_sources_stay():
    cal.set_extra_schedules("test", [year_2027()])
    cal.set_extra_schedules("other", [YearSchedule(2028, "x", {D(2028, 1, 1): "元旦"}, {})])
    cal.set_extra_schedules("test", ())
    assert cal.extra_schedules("test") == ()
    assert 2027 not in cal.default_calendar().years
    assert 2028 in cal.default_calendar().years


def test_load_calendar_takes_extra_years(tmp_path):
    work = cal.load_calendar([tmp_path], extra=[year_2027()])
    assert work.years == [2027]
    assert work.is_working_day(D(2027, 1, 4)) and not work.is_working_day(D(2027, 1, 1))
