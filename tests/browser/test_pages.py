"""Every main page in a real browser, as the role that uses it: it loads without a console error or
a 5xx, passes axe-core with no serious or critical violation, shows its main heading, fits a phone,
and leaves its screenshot (desktop and phone) in GOVIT_SCREENSHOTS_DIR. And what each role may not see."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import NoReverseMatch, reverse

from govit.core import clock
from govit.policy.loader import get_rulebook
from govit.projects.models import Task, TaskStatus
from tests.browser.conftest import (
    PHONE,
    assert_accessible,
    login,
    reveal_all,
    screenshot,
    share_session,
)
from tests.browser.world import World
from tests.conftest import ON

# django_db: the tests read the module's shared data (see the fixture ``world``)
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE_SCREENSHOT_HEIGHT = 4 * PHONE["height"]  # the first four screens of a long page


@pytest.fixture(scope="module")
def world(browser: Any, shared_database: None) -> World:
    """岳阳市, its people and projects: built once for the module (the tests only read), once
    chromium is known to be there."""
    world = World()
    with clock.frozen(ON):
        world.projects  # noqa: B018 - built now
    return world


@pytest.fixture
def base_url(shared_server: str) -> str:
    return shared_server


def url_of(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        pytest.fail(f"no page has the url name {name!r} yet (govit/web/views/*.py)", pytrace=False)


@dataclass(frozen=True)
class MainPage:
    name: str  # the url name; also the screenshot's name
    role: str | None  # who uses it (a key of the cast); None: signed out
    heading: Callable[[World], str]  # a regular expression the page's one <h1> matches
    args: Callable[[World], list[Any]] = lambda world: []
    query: str = ""

    def url(self, world: World) -> str:
        return url_of(self.name, *self.args(world)) + self.query


def text(value: str) -> Callable[[World], str]:
    return lambda world: value


PAGES = [
    MainPage("login", None, text(r"^登录$")),
    MainPage("home", "competent_department", text(r"^工作台$")),
    MainPage("project-list", "competent_department", text(r"^项目")),
    MainPage(
        "project-detail",
        "competent_department",
        lambda world: re.escape(world.projects.building.name),
        args=lambda world: [world.projects.building.pk],
    ),
    MainPage("plan-board", "competent_department", text(r"计划")),
    MainPage("expert-draws", "competent_department", text(r"专家")),
    MainPage("selfcheck", "unit", text(r"自检")),
    MainPage("rulebook-list", "unit", text(r"规则手册")),
    MainPage(
        "rulebook-detail",
        "unit",
        text(re.escape(get_rulebook("yueyang").title)),
        args=lambda world: ["yueyang"],
    ),
    MainPage(
        "rulebook-compare",
        "unit",
        text(r"对照|比较|对比|比对"),
        query="?left=yueyang&right=linxiang",
    ),
    MainPage("dashboard", "finance", text(r"统计|看板|驾驶舱")),
    MainPage("admin-home", "admin", text(r"管理")),
]


def assert_heading(page: Any, pattern: str) -> str:
    headings = page.locator("h1")
    assert headings.count() == 1, f"{page.url}: {headings.count()} <h1> (one main heading)"
    assert headings.first.is_visible(), f"{page.url}: the <h1> is not visible"
    heading = headings.first.inner_text().strip()
    assert re.search(pattern, heading), f"{page.url}: <h1> is {heading!r}, expected /{pattern}/"
    return heading


OVERFLOWING = """() => {
  const limit = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > limit + 1 && box.width > 0) {
      let parent = el.parentElement, clipped = false;
      while (parent && parent !== document.body) {
        const style = getComputedStyle(parent);
        if (['auto', 'scroll', 'hidden'].includes(style.overflowX)) { clipped = true; break; }
        parent = parent.parentElement;
      }
      if (!clipped) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
        ' (' + Math.round(box.right) + 'px): ' + (el.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 40));
    }
  }
  return out.slice(0, 8);
}"""


def assert_fits_the_phone(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        culprits = "\n  ".join(page.evaluate(OVERFLOWING))
        pytest.fail(
            f"{page.url}: the page is {width}px wide on a {PHONE['width']}px phone "
            f"(wide content belongs in a scrolling container); too wide:\n  {culprits}",
            pytrace=False,
        )


@pytest.mark.parametrize("spec", PAGES, ids=[p.name for p in PAGES])
def test_main_page(spec: MainPage, world: World, page: Any, phone: Any) -> None:
    url = spec.url(world)
    if spec.role is None:
        response = page.goto(url)
    else:
        response = login(page, world.user(spec.role), next=url)
        assert urlsplit(page.url).path == urlsplit(url).path, f"signed in, landed on {page.url}"
    assert response is not None and response.status == 200, f"{url}: HTTP {response.status}"
    assert page.evaluate("() => document.documentElement.lang").startswith("zh")
    assert_heading(page, spec.heading(world))
    loaded = reveal_all(page)  # what loads on scrolling is checked and photographed too
    if spec.name == "project-detail":  # its history and its delivery records
        assert loaded == 2 and page.locator("#history table.grid tbody tr").count() > 0
    assert_accessible(page)
    screenshot(page, spec.name)

    share_session(page, phone)
    response = phone.goto(url)
    assert response is not None and response.status == 200, f"{url} (phone): HTTP {response.status}"
    assert_heading(phone, spec.heading(world))
    reveal_all(phone)  # loaded before the photograph, not by it (a full-page shot reveals all)
    assert_fits_the_phone(phone)
    screenshot(phone, f"{spec.name}-phone", max_height=PHONE_SCREENSHOT_HEIGHT)


# --- what a role may not see ----------------------------------------------------------------------


def navigation(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "header nav a", "links => links.map(a => new URL(a.href).pathname)"
    )


def test_a_construction_unit_has_no_plan_board_or_administration(
    world: World, page: Any, expect_problems: Any
) -> None:
    projects = world.projects
    login(page, world.user("unit"))
    links = navigation(page)
    assert url_of("project-list") in links and url_of("home") in links
    assert url_of("selfcheck") in links, "the 合规自检 is the unit's own page"
    closed = [url_of("plan-board"), url_of("admin-home")]
    for url in closed:
        assert url not in links, f"the unit's navigation links to {url}"
    # typing the address does not help; nor does another unit's project
    expect_problems(r"the server responded with a status of 40[34]")
    for url in [*closed, url_of("project-detail", projects.building.pk)]:
        response = page.goto(url)
        assert response is not None and response.status in (403, 404), (
            f"a construction unit's clerk opened {url}: HTTP {response.status}"
        )
    # its own project, yes
    response = page.goto(url_of("project-detail", projects.reviewing.pk))
    assert response is not None and response.status == 200
    assert reveal_all(page) == 2  # its history and delivery records too


def test_an_auditor_sees_the_projects_but_no_action_buttons(world: World, page: Any) -> None:
    projects = world.projects
    login(page, world.user("audit"))
    assert page.locator("main a.button").count() == 0, "an auditor has nothing to act on"

    page.goto(url_of("project-list"))
    for project in (projects.reviewing, projects.experts, projects.building):
        assert page.get_by_role("link", name=project.name).count() == 1, project.name
    assert page.locator(f"main a[href='{url_of('project-create')}']").count() == 0

    task = Task.objects.filter(project=projects.reviewing, status=TaskStatus.OPEN).first()
    for url in (
        url_of("project-detail", projects.building.pk),
        url_of("project-detail", projects.reviewing.pk),
        url_of("task-act", projects.reviewing.pk, task.pk),
    ):
        page.goto(url)
        reveal_all(page)  # the parts loaded on scrolling offer nothing either
        main = page.locator("main")
        assert main.locator("form[method=post], form[method=POST]").count() == 0, (
            f"{url}: an auditor is offered a form"
        )
        assert main.locator("a.button, button.primary").count() == 0, f"{url}: an action button"
        hrefs = main.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        acting = [h for h in hrefs if h and re.search(r"/(edit|declare|tasks|submit|actions)/", h)]
        assert not acting, f"{url}: links to act: {acting}"
    page.goto(url_of("project-detail", projects.building.pk))
    assert "只读" in page.locator("main").inner_text()
