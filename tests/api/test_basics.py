"""The API's shell: OpenAPI and local docs, token and session authentication, the error shape."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_openapi_and_interactive_docs_need_no_cdn(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"].startswith("GovIT")
    assert "/api/v1/projects" in schema["paths"]
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    # no script or style from another host (a random CSRF token may spell "cdn": look at the URLs)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert "https://" not in html and "//cdn" not in html.lower()
    from django.contrib.staticfiles import finders

    assert finders.find("ninja/swagger-ui-bundle.js")  # shipped with the application


def test_token_issued_for_good_credentials_and_refused_in_chinese_otherwise(casts):
    client = Client()
    bad = client.post(
        "/api/v1/auth/token",
        json.dumps({"username": "yueyang.unit.clerk", "password": "wrong"}),
        content_type="application/json",
    )
    assert bad.status_code == 401
    assert bad.json()["code"] == "INVALID_CREDENTIALS" and chinese(bad.json()["message"])
    from govit.demo.cast import DEMO_PASSWORD

    good = client.post(
        "/api/v1/auth/token",
        json.dumps({"username": "yueyang.unit.clerk", "password": DEMO_PASSWORD, "name": "脚本"}),
        content_type="application/json",
    )
    assert good.status_code == 201
    token = good.json()["token"]
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert (
        me["username"] == "yueyang.unit.clerk" and me["organization"]["kind"] == "construction_unit"
    )
    revoked = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer gvt_not-a-token")
    assert revoked.status_code == 401 and revoked.json()["code"] == "UNAUTHENTICATED"


def test_a_logged_in_browser_session_may_call_the_api(casts):
    client = Client()
    client.force_login(casts["yueyang"].user("competent_department"))
    assert client.get("/api/v1/me").json()["organization"]["kind"] == "competent_department"
    assert Client().get("/api/v1/me").status_code == 401


def test_errors_are_code_message_cite_in_chinese(casts):
    from govit.access.services import token_create

    _, token = token_create(actor=casts["yueyang"].user("unit"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = Client()
    malformed = client.post(
        "/api/v1/projects", "{not json", content_type="application/json", **auth
    )
    assert malformed.status_code in (400, 422)
    assert malformed.json()["code"] in ("BAD_REQUEST", "INVALID_INPUT") and chinese(
        malformed.json()["message"]
    )
    invalid = client.post(
        "/api/v1/projects",
        json.dumps({"name": "", "plan_year": "明年", "total_investment": -1, "colour": "red"}),
        content_type="application/json",
        **auth,
    )
    body = invalid.json()
    assert invalid.status_code == 422 and body["code"] == "INVALID_INPUT"
    assert "“plan_year”应为整数" in body["message"] and "“colour”未知的字段" in body["message"]
    assert body["cite"] is None
    paging = client.get("/api/v1/projects", {"page_size": 1000}, **auth)
    assert paging.status_code == 422 and "page_size" in paging.json()["message"]
    missing = client.get("/api/v1/projects/999999", **auth)
    assert missing.status_code == 404 and missing.json() == {
        "code": "NOT_FOUND",
        "message": "项目不存在或无权查看",
        "cite": None,
    }


def test_lists_are_paginated(casts):
    from govit.access.services import token_create

    _, token = token_create(actor=casts["yueyang"].user("competent_department"))
    client = Client()
    body = client.get(
        "/api/v1/organizations", {"page_size": 5, "page": 2}, HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    assert len(body["items"]) == 5 and body["count"] > 10
