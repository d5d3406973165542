"""Writes of the official calendar: adding next year's holidays and 调休 working days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import IntegrityError, transaction
from pydantic import ValidationError

from govit.access.policy import authorize, jurisdiction_id
from govit.calendars import sync
from govit.calendars.models import CalendarDay, CalendarYear, DayKind
from govit.calendars.selectors import next_year_to_add
from govit.core import clock
from govit.core.errors import Conflict, InvalidInput, PermissionDenied
from govit.events.services import record
from govit.organizations.models import User
from govit.policy.calendar import YearScheduleFile, default_calendar

WEEKDAYS = "一二三四五六日"


def _days(days: Iterable[dt.date]) -> str:
    return "、".join(d.isoformat() for d in sorted(days))


def _clean(groups: Mapping[str, Iterable[dt.date]]) -> dict[str, list[dt.date]]:
    cleaned: dict[str, list[dt.date]] = {}
    for name, days in groups.items():
        days = list(days)
        if not days:
            continue
        name = (name or "").strip()
        if not name:
            raise InvalidInput("节日名称不能为空", code="CALENDAR_NAME_MISSING")
        cleaned.setdefault(name, []).extend(days)
    return cleaned


def _check(year: int, holidays: dict[str, list[dt.date]], workdays: dict[str, list[dt.date]]):
    off = [d for days in holidays.values() for d in days]
    on = [d for days in workdays.values() for d in days]
    if not off:
        raise InvalidInput("请至少填写一个放假日期", code="CALENDAR_NO_HOLIDAYS")
    if outside := {d for d in off + on if d.year != year}:
        raise InvalidInput(
            f"以下日期不属于{year}年：{_days(outside)}", code="CALENDAR_DATE_OUTSIDE_YEAR"
        )
    for days in (off, on):
        if repeated := {d for d in days if days.count(d) > 1}:
            raise InvalidInput(
                f"以下日期重复填写：{_days(repeated)}", code="CALENDAR_DATE_REPEATED"
            )
    if clash := set(off) & set(on):
        raise InvalidInput(f"以下日期既放假又调休上班：{_days(clash)}", code="CALENDAR_DATE_CLASH")
    if weekdays := sorted(d for d in on if d.weekday() < 5):
        listed = "、".join(f"{d.isoformat()}（星期{WEEKDAYS[d.weekday()]}）" for d in weekdays)
        raise InvalidInput(
            f"调休上班日应为周六或周日：{listed}", code="CALENDAR_WORKDAY_NOT_WEEKEND"
        )


@transaction.atomic
def calendar_year_add(
    *,
    actor: User,
    year: int,
    source: str,
    holidays: Mapping[str, Iterable[dt.date]],
    workdays: Mapping[str, Iterable[dt.date]],
    reason: str,
) -> CalendarYear:
    """Store next year's schedule as the State Council published it; from the commit on, every
    server's engine counts working days with it (govit/calendars/sync.py)."""
    jid = jurisdiction_id(actor) if actor.is_authenticated else None
    if jid is None and not actor.is_superuser:
        raise PermissionDenied("只有辖区管理员可以录入节假日安排")
    authorize(actor, "jurisdiction.admin", jid)
    source, reason = source.strip(), reason.strip()
    if not source:
        raise InvalidInput(
            "请填写所依据的国务院办公厅通知（名称和文号）", code="CALENDAR_SOURCE_MISSING"
        )
    if not reason:
        raise InvalidInput("请填写录入说明", code="CALENDAR_REASON_MISSING")
    sync.load_into_engine()  # what every other server has stored, not only this process
    covered = default_calendar().years
    if year in covered:
        raise Conflict(
            f"{year}年的节假日安排已录入，不能重复录入；如需更正，请提交数据文件 calendar/{year}.yaml",
            code="CALENDAR_YEAR_EXISTS",
        )
    expected = next_year_to_add()
    if expected is None:
        raise InvalidInput(
            f"工作日历已覆盖至{covered[-1]}年，{covered[-1] + 1}年的安排尚未到录入的时候",
            code="CALENDAR_YEAR_NOT_DUE",
        )
    if year != expected:
        raise InvalidInput(
            f"只能录入紧接已录入年份的{expected}年的安排", code="CALENDAR_YEAR_NOT_NEXT"
        )
    off, on = _clean(holidays), _clean(workdays)
    _check(year, off, on)
    try:  # the engine's own rules for a schedule file, so a stored year always loads
        YearScheduleFile.model_validate(
            {"year": year, "source": source, "holidays": off, "workdays": on}
        )
    except ValidationError as exc:
        raise InvalidInput(f"节假日安排不正确：{exc}", code="CALENDAR_INVALID") from None
    try:
        with transaction.atomic():
            stored = CalendarYear.objects.create(
                year=year, source=source, reason=reason, created_by=actor, created_at=clock.now()
            )
    except IntegrityError:
        raise Conflict(f"{year}年的节假日安排已录入", code="CALENDAR_YEAR_EXISTS") from None
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(year=stored, date=d, kind=kind, name=name)
            for kind, groups in ((DayKind.HOLIDAY, off), (DayKind.WORKDAY, on))
            for name, days in groups.items()
            for d in days
        ]
    )
    org = actor.organization if actor.organization_id else None
    record(
        "calendar.year_added",
        actor=actor,
        jurisdiction=org.jurisdiction if org else None,
        summary=(
            f"录入{year}年法定节假日安排：放假{sum(map(len, off.values()))}天、"
            f"调休上班{sum(map(len, on.values()))}天（依据：{source}）；说明：{reason}"
        ),
        after={
            "year": year,
            "source": source,
            "holidays": {name: [d.isoformat() for d in days] for name, days in off.items()},
            "workdays": {name: [d.isoformat() for d in days] for name, days in on.items()},
        },
        data={"reason": reason},
    )
    transaction.on_commit(sync.load_into_engine)
    return stored
