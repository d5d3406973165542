"""The site's own Chinese error pages: a mistyped address, a page not the reader's, a refused
action and a server error each answered in Chinese with a way back — in production and under
`make run` (dev settings, DEBUG on), where Django's debug pages come back only on request."""

from __future__ import annotations

import importlib

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse

from govit.web.errors import DebugShowsSitePages

pytestmark = pytest.mark.django_db


def dev_middleware(monkeypatch, debug_pages: str | None = None) -> list[str]:
    from govit.settings import dev

    if debug_pages is None:
        monkeypatch.delenv("GOVIT_DEBUG_PAGES", raising=False)
    else:
        monkeypatch.setenv("GOVIT_DEBUG_PAGES", debug_pages)
    return list(importlib.reload(dev).MIDDLEWARE)


def assert_site_404(response) -> str:
    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在" in text and 'href="/"' in text and "返回工作台" in text
    assert "URLconf" not in text and "urlpatterns" not in text.lower()
    return text


def test_a_mistyped_address_in_production_is_the_chinese_404(client, cast):
    client.force_login(cast.user("unit"))
    text = assert_site_404(client.get("/projectz/12/"))
    assert "/projectz/12/" in text and '<nav class="sections"' in text  # the site's header


def test_under_make_run_a_mistyped_address_is_the_chinese_404_not_the_url_list(
    client, cast, casts, monkeypatch
):
    middleware = dev_middleware(monkeypatch)
    assert middleware[-1] == "govit.web.errors.DebugShowsSitePages"
    client.force_login(cast.user("unit"))
    with override_settings(DEBUG=True, MIDDLEWARE=middleware):
        assert_site_404(client.get("/projectz/12/"))
        # a page that is not the reader's: the view's own message, no pattern list
        other = casts["lianping"]
        from tests.workflow.flows import lianping_declared

        project = lianping_declared(other)
        text = assert_site_404(client.get(reverse("project-detail", args=[project.pk])))
        assert "项目不存在或无权查看" in text
        # a missing slash is still redirected, and the API still answers JSON
        assert client.get("/projects").status_code == 301
        api = client.get("/api/v1/nothing-here")
        assert api.status_code == 404 and api["Content-Type"].startswith("application/json")


def test_django_debug_pages_come_back_with_the_env_var(client, cast, monkeypatch):
    middleware = dev_middleware(monkeypatch, "1")
    assert "govit.web.errors.DebugShowsSitePages" not in middleware
    client.force_login(cast.user("unit"))
    with override_settings(DEBUG=True, MIDDLEWARE=middleware):
        response = client.get("/projectz/12/")
    assert response.status_code == 404 and "URLconf" in response.content.decode()


def test_a_refused_page_is_the_chinese_403_with_its_reason(client, cast, monkeypatch):
    client.force_login(cast.user("competent_department"))
    for settings in ({}, {"DEBUG": True, "MIDDLEWARE": dev_middleware(monkeypatch)}):
        with override_settings(**settings):
            response = client.get(reverse("declarations-import"))
        assert response.status_code == 403
        text = response.content.decode()
        assert "无权访问" in text and "只有建设单位" in text and "返回工作台" in text


def test_a_server_error_is_the_chinese_500_and_is_logged(caplog):
    from django.views import defaults

    page = defaults.server_error(RequestFactory().get("/"))
    assert page.status_code == 500 and "服务器出错" in page.content.decode()
    request = RequestFactory().get("/projects/")
    answered = DebugShowsSitePages(lambda r: None).process_exception(request, RuntimeError("坏了"))
    assert answered.status_code == 500 and "错误已记录" in answered.content.decode()
    assert any(r.exc_info and "坏了" in str(r.exc_info[1]) for r in caplog.records)
    api = RequestFactory().get("/api/v1/projects")
    assert DebugShowsSitePages(lambda r: None).process_exception(api, RuntimeError()) is None
