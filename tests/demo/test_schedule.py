"""The demo's history is laid out backwards from the day it is loaded: for any day the calendar
covers, every story fits (no Stuck), everything happens before that day on working days, in
order, and after the plan it waits for — and the history ends where the calendar ends."""

from __future__ import annotations

import datetime as dt

import pytest

from govit.demo import catalog
from govit.demo.history import history_end, plan_approved_on, rulebook_of, schedule
from govit.policy.calendar import default_calendar

LAST = dt.date(default_calendar().years[-1], 12, 31)
DAYS = [
    dt.date(2026, 11, 23) + dt.timedelta(days=n)
    for n in range(0, (LAST - dt.date(2026, 11, 23)).days + 1, 3)
]


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_every_story_fits_before_today_in_order(today):
    calendar = default_calendar()
    for story in catalog.STORIES:
        plan = schedule(story, today)
        days = [plan.created_on, *([plan.declared_on] if plan.declared_on else [])]
        days += [day for day, _ in plan.phases]
        assert all(day < today for day in days), story.key
        assert days == sorted(days) and len(set(d for d, _ in plan.phases)) == len(plan.phases)
        assert all(calendar.is_working_day(day) for day in days), story.key
        if story.target not in (catalog.DRAFT, catalog.DONE):
            assert story.target in plan.kinds
        if plan.supplement_on is not None:
            assert plan.declared_on < plan.supplement_on < plan.phases[-1][0]
        elif "annual_plan" in plan.kinds and story.target not in (catalog.DRAFT, "annual_plan"):
            approved = plan_approved_on(rulebook_of(story.place), plan.plan_year, today)
            before = plan.kinds.index("annual_plan")
            for day, (kind, _) in plan.phases:
                if plan.kinds.index(kind) > before:
                    assert day > approved, (story.key, kind)


def test_history_stops_where_the_calendar_stops():
    assert history_end(dt.date(2026, 11, 23)) == dt.date(2026, 11, 23)
    assert history_end(LAST + dt.timedelta(days=400)) == LAST


def test_late_stories_are_declared_after_the_deadline():
    today = dt.date(2026, 11, 23)
    for story in catalog.STORIES:
        if not story.late:
            continue
        plan = schedule(story, today)
        deadline = plan.rulebook.model.declaration.deadline.in_year(plan.plan_year - 1)
        assert plan.declared_on > deadline, story.key
