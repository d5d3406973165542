"""A date reads one way on every page: 2026年11月2日 in Chinese, Nov. 2, 2026 in English, a moment
with its 24-hour time; never an ISO date beside a 年月日 one (govit/web/formats)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse

from govit.core import clock
from govit.demo.driver import advance_to
from govit.policy.decide import cn_date
from govit.projects.services import delegation_create
from tests.web.test_languages import visible
from tests.workflow import flows
from tests.workflow.flows import declared

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
CHINESE_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
CHINESE_MOMENT = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}")
ENGLISH_DATE = re.compile(
    r"\b(?:Jan|Feb|March|April|May|June|July|Aug|Sept|Oct|Nov|Dec)\.? \d{1,2}, \d{4}"
)
ENGLISH_MOMENT = re.compile(ENGLISH_DATE.pattern + r", \d{2}:\d{2}")
HINT = re.compile(r'(?s)<div class="muted" id="[^"]*_helptext">.*?</div>')
NAMED = {"DATE_FORMAT", "DATETIME_FORMAT", "MONTH_DAY_FORMAT", "SHORT_DATE_FORMAT"}
TEMPLATES = Path(__file__).resolve().parents[2] / "govit" / "web" / "templates"


def test_no_template_spells_a_date_format_of_its_own():
    spelled = []
    for path in TEMPLATES.rglob("*.html"):
        for fmt in re.findall(r'\|date:"([^"]*)"', path.read_text()):
            if fmt not in NAMED:
                spelled.append((path.name, fmt))
    assert not spelled, spelled


def test_the_platforms_messages_write_a_day_as_the_regulations_do():
    assert cn_date(dt.date(2026, 3, 5)) == "2026年3月5日"  # no 03月05日


@pytest.fixture
def dated_pages(cast):
    """A 岳阳 project of 100万 at its 立项, with a 委托 recorded: its page, its event log (moments),
    the delegations page (days) and the 工作台 (due dates)."""
    project = declared(cast, amount=1_000_000)
    with clock.frozen(dt.date(2026, 11, 2)):
        project = advance_to(cast, project, "project_approval")
        delegation_create(
            actor=cast.user("competent_department"),
            delegate=flows.colleague(cast, "competent_department", "yueyang.cd.clerk2"),
            starts_on=dt.date(2026, 11, 3),
            ends_on=dt.date(2026, 11, 20),
            reason="出差",
        )
    return cast.user("competent_department"), [
        reverse("home"),
        reverse("project-detail", args=[project.pk]),
        reverse("project-section", args=[project.pk, "history"]),
        reverse("delegations"),
    ]


@pytest.mark.parametrize(
    "language, day, when, foreign",
    [
        ("zh-hans", CHINESE_DATE, CHINESE_MOMENT, ENGLISH_DATE),
        ("en", ENGLISH_DATE, ENGLISH_MOMENT, CHINESE_DATE),
    ],
)
def test_each_page_writes_its_dates_in_the_readers_language(
    client, dated_pages, language, day, when, foreign
):
    user, urls = dated_pages
    client.force_login(user)
    seen_days = seen_moments = 0
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        # a date field's hint names what may be typed in it (ISO among them), not a date shown
        text = visible(HINT.sub(" ", response.content.decode()))
        assert not ISO_DATE.findall(text), (language, url, ISO_DATE.findall(text)[:3])
        if language == "en":
            assert not foreign.findall(text), (url, foreign.findall(text)[:3])
        seen_days += len(day.findall(text))
        seen_moments += len(when.findall(text))
    assert seen_days and seen_moments, (language, seen_days, seen_moments)
