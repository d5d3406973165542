"""The calendar form reads dates the way a clerk copies them from the notice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from govit.calendars.forms import CalendarYearForm, parse_days

D = dt.date


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("", []),
        ("2027-01-01", [D(2027, 1, 1)]),
        ("2027-02-06至2027-02-09", [D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8), D(2027, 2, 9)]),
        ("2027-01-31、2027-02-20", [D(2027, 1, 31), D(2027, 2, 20)]),
        ("2027/1/31, 2027.2.20；2027年10月9日", [D(2027, 1, 31), D(2027, 2, 20), D(2027, 10, 9)]),
        (
            "2027年10月1日~2027年10月3日 2027-10-10",
            [D(2027, 10, 1), D(2027, 10, 2), D(2027, 10, 3), D(2027, 10, 10)],
        ),
    ],
)
def test_dates_lists_and_ranges(text, days):
    assert parse_days(text) == days


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2027-02-30", "日期不存在"),
        ("春节七天", "无法识别的日期：春节七天"),
        ("2027-02-12至2027-02-06", "结束日早于开始日"),
        ("2027-01-01至2027-03-01", "区间过长"),
        ("2027-01-01 x", "无法识别的日期：x"),
    ],
)
def test_what_cannot_be_read_is_named(text, words):
    with pytest.raises(ValidationError) as error:
        parse_days(text)
    assert words in error.value.messages[0]


def test_the_form_gives_the_schedule_by_holiday_and_wants_a_name_for_another_holiday():
    data = {
        "source": "通知",
        "reason": "录入",
        "off_0": "2027-01-01至2027-01-03",
        "off_1": "2027-02-06至2027-02-13",
        "on_1": "2027-01-31、2027-02-20",
        "off_7": "2027-09-03",
    }
    form = CalendarYearForm(data, year=2027)
    assert not form.is_valid()
    assert "请同时填写节日名称" in form.errors["other_name"][0]

    form = CalendarYearForm({**data, "other_name": "纪念日"}, year=2027)
    assert form.is_valid(), form.errors
    holidays, workdays = form.schedule()
    assert holidays["元旦"] == [D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)]
    assert holidays["纪念日"] == [D(2027, 9, 3)]
    assert workdays["春节"] == [D(2027, 1, 31), D(2027, 2, 20)]
    assert holidays["国庆节"] == []
