"""The official working-day calendar: PRC public holidays and 调休 working days, as data.

Each year's schedule is one YAML file in ``calendar/`` (imported from the chinese-calendar package,
or added by hand when the State Council publishes the next year's notice). The engine never guesses:
a date in a year with no schedule raises :class:`CalendarYearMissing` naming the year.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
import os
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

DEFAULT_CALENDAR_DIR = Path(__file__).resolve().parents[2] / "calendar"


class CalendarError(ValueError):
    """A schedule file is invalid."""


class CalendarYearMissing(LookupError):
    """No holiday schedule has been loaded for ``year``."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"{year}年的法定节假日安排尚未录入工作日历，无法按工作日计算；"
            f"请在国务院办公厅公布{year}年节假日安排后添加 calendar/{year}.yaml"
        )


class YearScheduleFile(BaseModel):
    """The YAML form of one year's schedule, grouped by holiday name."""

    model_config = ConfigDict(extra="forbid")

    year: int
    source: str
    holidays: dict[str, list[dt.date]]
    workdays: dict[str, list[dt.date]] = {}

    @model_validator(mode="after")
    def _check(self) -> YearScheduleFile:
        off = [d for days in self.holidays.values() for d in days]
        on = [d for days in self.workdays.values() for d in days]
        for d in off + on:
            if d.year != self.year:
                raise ValueError(f"{d} 不属于 {self.year} 年")
        if len(set(off)) != len(off):
            raise ValueError("放假日期重复")
        if clash := set(off) & set(on):
            raise ValueError(f"日期既放假又上班：{sorted(clash)}")
        if weekdays := [d for d in on if d.weekday() < 5]:
            raise ValueError(f"调休上班日应为周末：{weekdays}")
        return self


@dataclass(frozen=True)
class YearSchedule:
    year: int
    source: str
    holidays: dict[dt.date, str]
    workdays: dict[dt.date, str]

    @classmethod
    def from_file(cls, data: YearScheduleFile) -> YearSchedule:
        return cls(
            year=data.year,
            source=data.source,
            holidays={d: name for name, days in data.holidays.items() for d in days},
            workdays={d: name for name, days in data.workdays.items() for d in days},
        )

    def to_file(self) -> YearScheduleFile:
        def group(days: dict[dt.date, str]) -> dict[str, list[dt.date]]:
            out: dict[str, list[dt.date]] = {}
            for d in sorted(days):
                out.setdefault(days[d], []).append(d)
            return out

        return YearScheduleFile(
            year=self.year,
            source=self.source,
            holidays=group(self.holidays),
            workdays=group(self.workdays),
        )

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


class WorkCalendar:
    """Working-day arithmetic over the loaded years. Start days are never counted."""

    def __init__(self, schedules: Iterable[YearSchedule]):
        self.schedules = {s.year: s for s in schedules}
        self.years = sorted(self.schedules)
        ordinals: list[int] = []
        for year in self.years:
            schedule = self.schedules[year]
            day = dt.date(year, 1, 1)
            while day.year == year:
                if schedule.is_working_day(day):
                    ordinals.append(day.toordinal())
                day += dt.timedelta(days=1)
        self._working = ordinals

    def _require(self, *years: int) -> None:
        for year in years:
            if year not in self.schedules:
                raise CalendarYearMissing(year)

    def _require_span(self, first: int, last: int) -> None:
        self._require(*range(first, last + 1))

    def is_working_day(self, day: dt.date) -> bool:
        self._require(day.year)
        return self.schedules[day.year].is_working_day(day)

    def holiday_name(self, day: dt.date) -> str | None:
        self._require(day.year)
        schedule = self.schedules[day.year]
        return schedule.holidays.get(day) or (
            f"{schedule.workdays[day]}调休上班" if day in schedule.workdays else None
        )

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start`` (the start day itself is not counted)."""
        if days < 0:
            raise ValueError("工作日天数不能为负数")
        self._require(start.year)
        if days == 0:
            return start
        index = bisect_right(self._working, start.toordinal()) + days - 1
        if index >= len(self._working):
            raise CalendarYearMissing(self.years[-1] + 1)
        due = dt.date.fromordinal(self._working[index])
        self._require_span(start.year, due.year)
        return due

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
        if end <= start:
            return 0
        self._require_span(start.year, end.year)
        return bisect_right(self._working, end.toordinal()) - bisect_right(
            self._working, start.toordinal()
        )


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the month's end: 2025-08-31 + 6 months = 2026-02-28."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = _stdlib_calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def calendar_dirs() -> list[Path]:
    """The built-in ``calendar/`` then any directories in ``GOVIT_CALENDAR_DIRS`` (later wins)."""
    extra = os.environ.get("GOVIT_CALENDAR_DIRS", "")
    return [DEFAULT_CALENDAR_DIR, *(Path(p) for p in extra.split(os.pathsep) if p)]


def read_schedule_file(path: Path) -> YearSchedule:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        data = YearScheduleFile.model_validate(raw)
    except (yaml.YAMLError, ValidationError) as exc:
        raise CalendarError(f"{path}: {exc}") from exc
    if path.stem != str(data.year):
        raise CalendarError(f"{path}: 文件名应为 {data.year}.yaml")
    return YearSchedule.from_file(data)


def load_calendar(
    dirs: Iterable[Path] | None = None, *, extra: Iterable[YearSchedule] = ()
) -> WorkCalendar:
    """The years of the data files, plus ``extra`` years for which no data file exists (a data
    file, reviewed and versioned with the code, wins over a year kept elsewhere)."""
    schedules: dict[int, YearSchedule] = {s.year: s for s in extra}
    for directory in dirs if dirs is not None else calendar_dirs():
        for path in sorted(Path(directory).glob("*.yaml")):
            schedule = read_schedule_file(path)
            schedules[schedule.year] = schedule
    return WorkCalendar(schedules.values())


_default: WorkCalendar | None = None
_extra: dict[str, tuple[YearSchedule, ...]] = {}


def default_calendar() -> WorkCalendar:
    global _default
    if _default is None:
        _default = load_calendar(extra=[s for group in _extra.values() for s in group])
    return _default


def reset_default_calendar() -> None:
    """Forget the loaded calendar, e.g. after a new year's file was added."""
    global _default
    _default = None


def set_extra_schedules(source: str, schedules: Iterable[YearSchedule]) -> None:
    """Years kept outside ``calendar/`` — e.g. entered on the administration screen and stored in
    the database — for :func:`default_calendar`; they replace what ``source`` gave before. Only
    years without a data file count (see :func:`load_calendar`). Giving the same years again keeps
    the loaded calendar, so a caller may re-send its years as often as it checks its store."""
    years = tuple(sorted(schedules, key=lambda s: s.year))
    if _extra.get(source, ()) == years:
        return
    if years:
        _extra[source] = years
    else:
        _extra.pop(source, None)
    reset_default_calendar()


def extra_schedules(source: str) -> tuple[YearSchedule, ...]:
    """The years ``source`` last gave :func:`set_extra_schedules`."""
    return _extra.get(source, ())


def schedule_from_package(year: int) -> YearSchedule:
    """Read one year from the chinese-calendar package (used only to write the data files)."""
    import chinese_calendar.constants as cc

    holidays = {d: _holiday_cn(name) for d, name in cc.holidays.items() if d.year == year}
    workdays = {d: _holiday_cn(name) for d, name in cc.workdays.items() if d.year == year}
    if not holidays:
        raise CalendarYearMissing(year)
    # chinese-calendar lists every weekday as a workday too; keep only the 调休 weekend days.
    workdays = {d: name for d, name in workdays.items() if d.weekday() >= 5}
    return YearSchedule(
        year=year,
        source=f"国务院办公厅关于{year}年部分节假日安排的通知（导入自 chinese-calendar）",
        holidays=holidays,
        workdays=workdays,
    )


# the holidays package's Chinese names → the names the notices and calendar/<year>.yaml use
_HOLIDAYS_NAMES = {
    "元旦": "元旦",
    "农历除夕": "春节",
    "春节": "春节",
    "清明节": "清明",
    "劳动节": "劳动节",
    "端午节": "端午",
    "中秋节": "中秋",
    "国庆节": "国庆节",
}


def draft_from_holidays(year: int) -> YearSchedule:
    """A year's schedule from the ``holidays`` package (China) — a DRAFT: for a year the State
    Council has not yet announced (or the package not yet encoded) it is the statutory holidays
    without the notice's 调休, so an administrator compares it day by day with 国务院办公厅's
    notice before entering it. The days off include the weekend days inside and at the edges of
    each holiday, as the notices count them; a 调休 day off belongs to the nearest holiday."""
    import holidays as package  # a large package, needed only here

    china = package.China(years=year, language="zh_CN")
    named: dict[dt.date, str] = {}
    moved: list[dt.date] = []  # 休息日（由 … 调休）
    for day, name in china.items():
        base = _HOLIDAYS_NAMES.get(name.split("（")[0])
        if base is not None:
            named[day] = base
        else:
            moved.append(day)
    if not named:
        raise CalendarYearMissing(year)

    def nearest(day: dt.date) -> str:
        return named[min(named, key=lambda d: (abs((d - day).days), d))]

    holidays = dict(named) | {day: nearest(day) for day in moved}
    workdays = {day: nearest(day) for day in china.weekend_workdays if day.year == year}
    for day in sorted(holidays):
        for step in (dt.timedelta(days=1), dt.timedelta(days=-1)):
            edge = day + step
            while edge.year == year and edge.weekday() >= 5 and edge not in workdays:
                holidays.setdefault(edge, holidays[day])
                edge += step
    version = getattr(package, "__version__", "")
    return YearSchedule(
        year=year,
        source=f"草稿：holidays 软件包 {version} 的中国节假日，须与国务院办公厅关于{year}年部分节假日"
        "安排的通知逐日核对",
        holidays=dict(sorted(holidays.items())),
        workdays=dict(sorted(workdays.items())),
    )


def package_years() -> list[int]:
    import chinese_calendar.constants as cc

    return sorted({d.year for d in cc.holidays})


def _holiday_cn(english: str) -> str:
    import chinese_calendar.constants as cc

    for holiday in cc.Holiday:
        if holiday.value == english:
            return holiday.chinese
    raise CalendarError(f"未知节日：{english}")


def write_schedule_file(schedule: YearSchedule, directory: Path) -> Path:
    data = schedule.to_file().model_dump()
    path = directory / f"{schedule.year}.yaml"
    header = f"# {schedule.year}年法定节假日与调休上班日（放假日期含其中的周末）\n"
    path.write_text(
        header
        + yaml.safe_dump(
            data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=200
        ),
        encoding="utf-8",
    )
    return path
