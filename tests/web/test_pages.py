"""The site in general: sign-in, health, language."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_needs_no_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_chinese_first_with_dates_as_chinese_write_them(client, casts):
    client.force_login(casts["yueyang"].user("competent_department"))
    html = client.get(reverse("home")).content.decode()
    assert 'lang="zh-hans"' in html and "工作台" in html
    assert "2026年11月23日" in html  # the frozen clock's today, as Chinese write a date


def test_english_through_the_switch_in_the_header(client, casts):
    client.force_login(casts["yueyang"].user("competent_department"))
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert 'lang="en"' in html
    assert "Workbench" in html  # translated, not the Chinese source


def test_sections_follow_the_role(client, casts):
    cast = casts["yueyang"]
    client.force_login(cast.user("unit"))
    html = client.get(reverse("home")).content.decode()
    assert reverse("project-list") in html and "年度计划" not in html


def test_the_language_switch_names_each_language_in_itself(client, casts):
    client.force_login(casts["yueyang"].user("competent_department"))
    html = client.get(reverse("home")).content.decode()
    assert ">English</button>" in html  # not 英语: the reader of English looks for "English"
    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert ">简体中文</button>" in client.get(reverse("home")).content.decode()
