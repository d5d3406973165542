"""Reads of the official calendar: the years it covers, where each comes from, what may be added."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from govit.calendars.models import CalendarDay, CalendarYear, DayKind
from govit.core import clock
from govit.policy.calendar import YearSchedule, calendar_dirs, default_calendar


def stored_schedules() -> list[YearSchedule]:
    """The years entered on the administration screen, as the engine's schedules (one query)."""
    years: dict[int, YearSchedule] = {}
    days = CalendarDay.objects.select_related("year").order_by("date")
    for day in days:
        schedule = years.get(day.year.year)
        if schedule is None:
            schedule = years[day.year.year] = YearSchedule(
                year=day.year.year, source=day.year.source, holidays={}, workdays={}
            )
        target = schedule.holidays if day.kind == DayKind.HOLIDAY else schedule.workdays
        target[day.date] = day.name
    return [years[y] for y in sorted(years)]


def file_years() -> set[int]:
    """The years that have a data file (calendar/<year>.yaml, or GOVIT_CALENDAR_DIRS)."""
    return {
        int(path.stem)
        for directory in calendar_dirs()
        for path in Path(directory).glob("*.yaml")
        if path.stem.isdigit()
    }


@dataclass
class CoveredYear:
    year: int
    source: str
    holidays: int  # days off
    workdays: int  # weekend days worked (调休)
    groups: dict[str, list[dt.date]]  # holiday name → days off
    workday_groups: dict[str, list[dt.date]]
    from_file: bool
    stored: CalendarYear | None  # who entered it, when and why, when entered on the screen


def covered_years() -> list[CoveredYear]:
    """Every year the engine's calendar holds, newest first. Call ``sync.load_into_engine()``
    first to see what other servers stored."""
    cal = default_calendar()
    files = file_years()
    stored = {
        y.year: y for y in CalendarYear.objects.select_related("created_by__organization").all()
    }
    rows = []
    for year in sorted(cal.years, reverse=True):
        schedule = cal.schedules[year]
        data = schedule.to_file()
        rows.append(
            CoveredYear(
                year=year,
                source=schedule.source,
                holidays=len(schedule.holidays),
                workdays=len(schedule.workdays),
                groups=data.holidays,
                workday_groups=data.workdays,
                from_file=year in files,
                stored=stored.get(year),
            )
        )
    return rows


def next_year_to_add(today: dt.date | None = None) -> int | None:
    """The year a schedule may be added for: the one after the last covered year, once it is no
    further away than next year (the State Council publishes next year's schedule in
    November or December). None when the calendar already reaches next year."""
    today = today or clock.today()
    years = default_calendar().years
    candidate = (years[-1] + 1) if years else today.year
    return candidate if candidate <= today.year + 1 else None
