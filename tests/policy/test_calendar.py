"""Official working days: holidays and 调休 Saturdays, the start day not counted, no guessing."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from govit.policy.calendar import (
    DEFAULT_CALENDAR_DIR,
    CalendarError,
    CalendarYearMissing,
    add_months,
    load_calendar,
    package_years,
    read_schedule_file,
    schedule_from_package,
)

D = dt.date


@pytest.fixture(scope="module")
def cal():
    return load_calendar()


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # an ordinary week: Monday + 5 working days = next Monday
        (D(2026, 3, 2), 5, D(2026, 3, 9)),
        # the start day is not counted, even when it is a working day
        (D(2026, 3, 2), 1, D(2026, 3, 3)),
        # a Friday start: the weekend does not count
        (D(2026, 3, 6), 1, D(2026, 3, 9)),
        # Spring Festival 2026: Sat 2-14 is a 调休 working day, 2-15…2-23 are off, Sat 2-28 works
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        (D(2026, 2, 13), 5, D(2026, 2, 27)),
        (D(2026, 2, 13), 6, D(2026, 2, 28)),
        (D(2026, 2, 13), 10, D(2026, 3, 5)),
        # National Day 2026: Sun 9-20 works, 10-1…10-7 off, Sat 10-10 works
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),
        (D(2026, 9, 30), 5, D(2026, 10, 13)),
        (D(2026, 9, 28), 10, D(2026, 10, 16)),
        (D(2026, 9, 18), 1, D(2026, 9, 20)),
        # National Day 2025 (with Mid-autumn): 10-1…10-8 off, Sat 10-11 works
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        (D(2025, 9, 30), 3, D(2025, 10, 11)),
        # a period that starts on a holiday counts from the next working day
        (D(2026, 10, 3), 1, D(2026, 10, 8)),
        # 20 working days across a year boundary (2024 → 2025, both loaded)
        (D(2024, 12, 20), 20, D(2025, 1, 20)),
        (D(2026, 5, 1), 0, D(2026, 5, 1)),
    ],
)
def test_due_dates(cal, start, days, due):
    assert cal.add_working_days(start, days) == due


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 2, 14), True),  # Saturday, 调休
        (D(2026, 2, 16), False),  # Monday, Spring Festival
        (D(2026, 2, 28), True),  # Saturday, 调休
        (D(2026, 10, 10), True),  # Saturday, 调休
        (D(2026, 10, 7), False),  # Wednesday, National Day
        (D(2026, 10, 11), False),  # an ordinary Sunday
        (D(2026, 11, 23), True),  # an ordinary Monday
    ],
)
def test_working_days(cal, day, working):
    assert cal.is_working_day(day) is working


def test_holiday_names(cal):
    assert cal.holiday_name(D(2026, 2, 17)) == "春节"
    assert cal.holiday_name(D(2026, 2, 14)) == "春节调休上班"
    assert cal.holiday_name(D(2026, 3, 2)) is None


def test_working_days_between_counts_after_start_up_to_end(cal):
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 13)) == 5
    assert cal.working_days_between(D(2026, 10, 13), D(2026, 10, 13)) == 0
    assert cal.working_days_between(D(2026, 10, 13), D(2026, 10, 1)) == 0


def test_a_year_without_a_schedule_is_an_error_naming_it(cal):
    with pytest.raises(CalendarYearMissing, match="2027年") as err:
        cal.add_working_days(D(2026, 12, 28), 5)
    assert err.value.year == 2027
    with pytest.raises(CalendarYearMissing, match="2027年"):
        cal.is_working_day(D(2027, 3, 1))
    with pytest.raises(CalendarYearMissing, match="2003年"):
        cal.add_working_days(D(2003, 6, 2), 1)


def test_inside_the_loaded_years_no_error(cal):
    assert cal.add_working_days(D(2026, 12, 24), 3) == D(2026, 12, 29)


@pytest.mark.parametrize(
    ("start", "months", "result"),
    [
        (D(2025, 8, 31), 6, D(2026, 2, 28)),
        (D(2023, 8, 31), 6, D(2024, 2, 29)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2026, 3, 15), 12, D(2027, 3, 15)),
        (D(2026, 7, 10), 6, D(2027, 1, 10)),
        (D(2023, 7, 20), 60, D(2028, 7, 20)),
    ],
)
def test_calendar_months_clamp_to_the_months_end(start, months, result):
    assert add_months(start, months) == result


def test_committed_schedules_match_the_chinese_calendar_package():
    years = package_years()
    assert years[0] <= 2004 and years[-1] >= 2026
    for year in years:
        committed = read_schedule_file(DEFAULT_CALENDAR_DIR / f"{year}.yaml")
        assert committed.holidays == schedule_from_package(year).holidays, year
        assert committed.workdays == schedule_from_package(year).workdays, year


def test_next_years_schedule_is_added_as_a_data_file_without_code_change(tmp_path, monkeypatch):
    (tmp_path / "2027.yaml").write_text(
        textwrap.dedent(
            """\
            year: 2027
            source: 国务院办公厅关于2027年部分节假日安排的通知（测试数据）
            holidays:
              元旦: [2027-01-01, 2027-01-02, 2027-01-03]
            workdays: {}
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("GOVIT_CALENDAR_DIRS", str(tmp_path))
    cal = load_calendar()
    assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert cal.add_working_days(D(2026, 12, 28), 5) == D(2027, 1, 5)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("year: 2027\nsource: x\nholidays: {元旦: [2026-01-01]}\n", "不属于 2027 年"),
        (
            "year: 2027\nsource: x\nholidays: {}\nworkdays: {春节: [2027-02-10]}\n",
            "调休上班日应为周末",
        ),
        (
            "year: 2027\nsource: x\nholidays: {元旦: [2027-01-01]}\nworkdays: {元旦: [2027-01-01]}\n",
            "既放假又上班",
        ),
        ("year: 2027\nholidays: {}\n", "source"),
        ("year: 2028\nsource: x\nholidays: {}\n", "文件名应为 2028.yaml"),
    ],
)
def test_bad_schedule_files_are_refused(tmp_path, body, message):
    path = tmp_path / "2027.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CalendarError, match=message):
        read_schedule_file(path)
