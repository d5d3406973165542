"""The main pages read in the reader's language: no code of the platform (a step kind, a class, a
rule's code) in the text a reader sees, in Chinese or in English; in English, statuses, step names
and dates in English too (the names people and regulations gave stay as they are)."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from django.urls import reverse

from govit.core import clock
from govit.demo.driver import advance_to
from govit.policy.vocab import STEP_LABELS
from govit.projects.models import ProjectStatus, StepStatus, TaskStatus
from tests.workflow.flows import declared

pytestmark = pytest.mark.django_db

SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")  # scheme_review, co_actors
CLASS_REPR = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)+\s*[(（]")  # CoActor(…), OmPeriod（…）
CODE = re.compile(r"\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b")  # PRIOR_YEAR_UNFINISHED
CHINESE_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
CHINESE_LABELS = {
    str(label)
    for choices in (ProjectStatus, StepStatus, TaskStatus)
    for _, label in choices.choices
} | {zh for zh, _ in STEP_LABELS.values()}


def visible(html: str) -> str:
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", html))


def element_texts(html: str) -> set[str]:
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return {html_lib.unescape(t).strip() for t in re.findall(r">([^<>]+)<", html)}


@pytest.fixture
def pages(cast):
    """A 岳阳 project of 100万 at its 立项 (submitted: 发改委's task open), and the pages around it."""
    project = declared(cast, amount=1_000_000)
    with clock.frozen(dt.date(2026, 11, 2)):
        project = advance_to(cast, project, "project_approval")
    task = project.tasks.get(step__kind="scheme_review")
    unit_pages = [
        reverse("home"),
        reverse("project-list"),
        reverse("project-detail", args=[project.pk]),
        reverse("project-section", args=[project.pk, "delivery"]),
        reverse("step-submit", args=[project.pk, "project_approval"]),
        reverse("task-act", args=[project.pk, task.pk]),
    ]
    authority_pages = [
        reverse("plan-board"),
        reverse("dashboard"),
        reverse("expert-draws"),
        reverse("notifications"),
        reverse("rulebook-list"),
        *(reverse("rulebook-detail", args=[rid]) for rid in ("yueyang", "xiangxi", "lianping")),
        reverse("rulebook-compare") + "?a=xiangxi&b=yueyang",
    ]
    return [(cast.user("unit"), unit_pages), (cast.user("competent_department"), authority_pages)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_code_of_the_platform_is_shown(client, pages, language):
    for user, urls in pages:
        client.force_login(user)
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, url
            text = visible(response.content.decode())
            for pattern in (SNAKE, CLASS_REPR, CODE):
                assert not pattern.findall(text), (language, url, pattern.findall(text)[:5])


def test_in_english_statuses_step_names_and_dates_are_english(client, pages):
    for user, urls in pages:
        client.force_login(user)
        for url in urls:
            if "rulebooks" in url:
                continue  # a regulation's own text and its rules are Chinese: the law as written
            html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
            texts = element_texts(html)
            assert not texts & CHINESE_LABELS, (url, sorted(texts & CHINESE_LABELS))
            assert not CHINESE_DATE.findall(visible(html)), (url, CHINESE_DATE.findall(html)[:3])


def test_the_same_pages_in_chinese_say_them_in_chinese(client, cast):
    project = declared(cast, amount=1_000_000)
    client.force_login(cast.user("unit"))
    html = client.get(
        reverse("project-list"), {"stage": "annual_plan"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert '<option value="annual_plan" selected>年度计划编制与审定</option>' in html
    assert project.name in html  # the filter's value is the kind a project's stage holds
    assert (
        project.name
        not in client.get(reverse("project-list"), {"stage": "scheme_review"}).content.decode()
    )
    html = client.get(
        reverse("project-list"), {"stage": "annual_plan"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert '<option value="annual_plan" selected>Annual plan</option>' in html
    assert ">In progress<" in html


def test_the_choices_of_a_form_are_in_the_readers_language(client, cast):
    client.force_login(cast.user("unit"))
    html = client.get(reverse("project-create"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="local_fiscal">Local fiscal funds</option>' in html
    assert "本级财政" not in html
    html = client.get(reverse("project-create"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<option value="local_fiscal">本级财政</option>' in html


def test_the_choices_of_the_administration_forms_are_in_the_readers_language(client, cast):
    """Roles, authorities, levels and credit measures: the models keep them in Chinese, the forms
    offer them in the reader's language like every other choice."""
    from govit.organizations.models import User

    platform = User.objects.create_superuser(
        "platform", password="x-Platform-2026", real_name="平台"
    )
    pages = [
        (cast.user("admin"), "admin-users", 'value="clerk" id="id_roles_0" checked>\n Clerk<'),
        (cast.user("competent_department"), "supervision", '"blacklist">Blacklisted<'),
        (platform, "platform-jurisdictions", '<option value="city">Municipal</option>'),
        (platform, "platform-jurisdictions", 'value="finance" id="id_authorities_2">\n Finance'),
    ]
    for user, name, shown in pages:
        client.force_login(user)
        html = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert shown in html, name
