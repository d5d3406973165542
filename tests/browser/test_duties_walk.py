"""In the browser: one project of each jurisdiction carried from declaration to post-evaluation (the
walk of tests/web/test_workbench_walk.py), and before every action its owner, signed in, finds it
in the 工作台 as a link to the page where it is done — and nobody else has it there."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests.api.helpers import experts
from tests.delivery.conftest import staffed
from tests.delivery.test_rules import DECLARED_ON, declared_in
from tests.web.test_workbench_walk import SPECIALTY, Desk, walk
from tests.workflow.conftest import tree  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


class BrowserDesk(Desk):
    def __init__(self, cast, pool, project, page: Any, base_url: str):
        super().__init__(cast, pool, project)
        self.page, self.base_url = page, base_url

    def sign_in(self, user) -> None:
        """The owner's session, made as the sign-in form makes it, given to the tab."""
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.page.context.clear_cookies()
        self.page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": self.base_url}]
        )

    def expect(self, url: str, owers: list, what: str) -> None:
        super().expect(url, owers, what)
        self.sign_in(owers[0])
        self.page.goto("/")
        assert self.page.locator("h1").inner_text().strip() == "工作台"
        link = self.page.locator(f'main a[href="{url}"]')
        assert link.count() >= 1, f"{what}: {owers[0].username} does not find it in the browser"


@pytest.mark.parametrize("key", ["yueyang", "xiangxi", "heilongjiang", "linxiang", "lianping"])
def test_each_role_finds_the_next_action_in_its_workbench(
    page,
    base_url,
    tree,  # noqa: F811 - the fixture imported above
    key,
):
    with translation.override("zh-hans"):
        cast = staffed(tree, key)
        pool = experts(cast, SPECIALTY, 4, prefix=key)
        project = declared_in(cast, key, amount=2_500_000 if key != "lianping" else 800_000)
        desk = BrowserDesk(cast, pool, project, page, base_url)
        start = DECLARED_ON.get(key, dt.date(2026, 10, 20)) + dt.timedelta(days=1)
        checked = walk(desk, pool, start)
    assert len(checked) > 15
