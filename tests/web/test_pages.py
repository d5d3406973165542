"""The site serves its pages in Chinese."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_home_lists_the_rulebooks(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode("utf-8")
    assert "规则手册" in html
    assert "岳阳市市本级政务信息化项目建设管理办法" in html
    assert 'lang="zh-hans"' in html


@pytest.mark.django_db
def test_rulebook_page_shows_articles_beside_their_rules(client):
    html = client.get("/rulebooks/yueyang/").content.decode("utf-8")
    assert "第二十七条" in html and "final_acceptance" in html
    assert client.get("/rulebooks/nowhere/").status_code == 404


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
