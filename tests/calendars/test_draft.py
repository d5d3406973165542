"""Next year's calendar (issue 15, point 9): from November the administrators are reminded while it
is missing, and a draft from the holidays package prefills the form they check against the
State Council's notice."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from govit.calendars.services import calendar_year_add
from govit.cli import main
from govit.notifications.models import Kind, Notification
from govit.policy.calendar import draft_from_holidays, load_calendar
from tests.calendars.conftest import HOLIDAYS_2027, SOURCE_2027, WORKDAYS_2027
from tests.jobs.conftest import D, run, told

YEARS_ON_RECORD = (2024, 2025, 2026)


@pytest.mark.parametrize("year", YEARS_ON_RECORD)
def test_the_draft_of_a_published_year_counts_the_same_working_days_as_the_notice(year):
    """Where the package has a year's notice encoded, its draft gives every day of the year the
    same working/non-working status as calendar/<year>.yaml."""
    draft = draft_from_holidays(year)
    official = load_calendar().schedules[year]
    days = [dt.date(year, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    assert [draft.is_working_day(d) for d in days] == [official.is_working_day(d) for d in days]
    assert draft.source.startswith("草稿：holidays")


def test_a_draft_of_next_year_names_the_statutory_holidays_and_says_it_is_a_draft():
    draft = draft_from_holidays(2027).to_file()
    assert set(draft.holidays) >= {"元旦", "春节", "清明", "劳动节", "端午", "中秋", "国庆节"}
    assert dt.date(2027, 10, 1) in draft.holidays["国庆节"]
    assert "须与国务院办公厅关于2027年部分节假日安排的通知逐日核对" in draft.source


def test_govit_calendar_import_from_holidays_writes_a_draft_the_engine_does_not_read(
    tmp_path, capsys
):
    assert main(["calendar", "import", "--from", "holidays", "2027", "--dir", str(tmp_path)]) == 0
    assert "逐日核对" in capsys.readouterr().out
    assert (tmp_path / "2027.yaml").read_text(encoding="utf-8").count("草稿") == 1
    assert 2027 not in load_calendar().schedules  # a draft is not law until entered


@pytest.mark.django_db
def test_from_november_the_administrators_are_reminded_weekly_while_next_year_is_missing(people):
    admin = people["admin"]
    run("calendar_missing", D(2026, 10, 30))  # the notice comes in November or December
    assert told() == []
    run("calendar_missing", D(2026, 11, 2))
    assert told() == [("test.admin", Kind.CALENDAR_MISSING, "calendar_missing:2027:2026-W45")]
    note = Notification.objects.get()
    assert note.user == admin and "2027年" in note.title and "节假日" in note.body
    run("calendar_missing", D(2026, 11, 4))  # the same week: told once
    assert len(told()) == 1
    run("calendar_missing", D(2026, 11, 9))  # a week on, still missing: told again
    assert len(told()) == 2
    calendar_year_add(
        actor=admin,
        year=2027,
        source=SOURCE_2027,
        holidays=HOLIDAYS_2027,
        workdays=WORKDAYS_2027,
        reason="通知已公布，核对后录入",
    )
    run("calendar_missing", D(2026, 11, 16))  # entered: nothing more to say
    assert len(told()) == 2


@pytest.mark.django_db
def test_the_reminder_leads_to_the_calendar_page_whose_form_the_draft_prefills(client, people):
    run("calendar_missing", D(2026, 11, 2))
    client.force_login(people["admin"])
    notices = client.get(reverse("notifications")).content.decode()
    assert f'href="{reverse("admin-calendar")}"' in notices
    page = client.get(reverse("admin-calendar")).content.decode()
    assert "以 holidays 软件包的草稿预填" in page
    drafted = client.get(reverse("admin-calendar") + "?draft=holidays").content.decode()
    assert "逐日核对国务院办公厅的通知" in drafted
    field = re.search(r'<input[^>]*name="off_1"[^>]*>', drafted).group(0)  # 春节
    assert "2027-02-06" in field
