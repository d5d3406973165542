"""In a real browser: on a phone (390×844) every cell of a stacked table says which column it is;
printed, the documents people print (a task's 批复/办理意见, a project's record, the plan's 会签单)
come without the site's navigation and forms; a mistyped address shows the site's Chinese 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from govit.core import clock
from govit.projects.models import Task, TaskStatus
from govit.reviews.models import ReviewMeeting
from tests.browser.conftest import login, reveal_all, screenshot, share_session
from tests.browser.world import World
from tests.conftest import ON

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="module")
def world(browser: Any, shared_database: None) -> World:
    world = World()
    with clock.frozen(ON):
        world.projects  # noqa: B018 - built now
    return world


@pytest.fixture
def base_url(shared_server: str) -> str:
    return shared_server


# every cell of every stacked table: its data-label, the heading of its column, and what the
# stylesheet shows before it (a cell across the whole row, "没有…", needs none)
STACKED_CELLS = """() => {
  const out = [];
  for (const table of document.querySelectorAll('table.stack')) {
    const heads = [...table.tHead.rows[0].cells].map(th => th.textContent.replace(/\\s+/g, ' ').trim());
    for (const row of table.tBodies[0].rows) {
      let column = 0;
      for (const cell of row.cells) {
        const before = getComputedStyle(cell, '::before').content;
        if (cell.colSpan < heads.length) {
          out.push({heading: heads[column], label: cell.dataset.label || null, before,
                    display: getComputedStyle(cell).display, text: cell.textContent.trim().slice(0, 30)});
        }
        column += cell.colSpan;
      }
    }
  }
  return out;
}"""


def assert_labelled(tab: Any, url: str) -> list[dict[str, Any]]:
    cells = tab.evaluate(STACKED_CELLS)
    assert cells, f"{url}: no stacked table cells to check"
    for cell in cells:
        assert cell["display"] == "block", f"{url}: {cell} is not stacked on the phone"
        assert cell["label"] == cell["heading"], f"{url}: {cell} lost its heading"
        assert cell["before"] == f'"{cell["heading"]}"', f"{url}: {cell} does not show its heading"
    return cells


def test_stacked_tables_keep_their_headings_on_a_phone(world: World, page: Any, phone: Any):
    projects = world.projects
    login(page, world.user("competent_department"))
    share_session(page, phone)
    for name, url in [
        ("home", reverse("home")),
        ("project-list", reverse("project-list")),
        ("expert-draws", reverse("expert-draws")),
    ]:
        response = phone.goto(url)
        assert response is not None and response.status == 200
        cells = assert_labelled(phone, url)
        screenshot(phone, f"{name}-phone-labels", max_height=2 * 844)
        if name == "project-list":  # the cell that said only "—" or a number says what it is
            headings = {c["heading"] for c in cells}
            assert {"项目编码", "总投资（万元）", "当前环节"} <= headings
    # a part that htmx brings in is labelled too (the project's history)
    url = reverse("project-detail", args=[projects.building.pk])
    phone.goto(url)
    reveal_all(phone)
    history = [c for c in assert_labelled(phone, url) if c["heading"] == "操作人"]
    assert any(c["text"].startswith("系统（因") for c in history), "the automatic steps"
    # on a desktop nothing is stacked, and nothing is shown before a cell
    page.goto(reverse("project-list"))
    desktop = page.evaluate(STACKED_CELLS)
    assert {c["display"] for c in desktop} == {"table-cell"}
    assert {c["before"] for c in desktop} <= {"none", "normal"}


HIDDEN_WHEN_PRINTED = """() => {
  const shown = el => el && getComputedStyle(el).display !== 'none';
  return {
    header: shown(document.querySelector('header.top')),
    nav: [...document.querySelectorAll('nav')].some(shown),
    forms: [...document.querySelectorAll('main form')].filter(shown).length,
    buttons: [...document.querySelectorAll('main button, main a.button')].filter(shown).length,
    printHeading: shown(document.querySelector('.print-only')),
    h1: shown(document.querySelector('main h1')),
    tables: [...document.querySelectorAll('main table')].filter(shown).length,
  };
}"""


def test_printed_documents_have_no_navigation_or_forms(world: World, page: Any):
    projects = world.projects
    task = Task.objects.filter(
        project=projects.reviewing, status=TaskStatus.OPEN, lead=True
    ).first()
    meeting = ReviewMeeting.objects.get(project=projects.experts)
    login(page, world.user("competent_department"))
    documents = {
        "task-print": reverse("task-act", args=[projects.reviewing.pk, task.pk]),  # 办理意见/批复
        "project-print": reverse("project-detail", args=[projects.building.pk]),
        "plan-board-print": reverse("plan-board"),  # the plan with its 会签单
        # the experts' opinions and the meeting's conclusion (评审意见)
        "conclusion-print": reverse("expert-conclude", args=[meeting.pk]),
    }
    for name, url in documents.items():
        page.emulate_media(media="screen")
        page.goto(url)
        reveal_all(page)
        on_screen = page.evaluate(HIDDEN_WHEN_PRINTED)
        assert on_screen["header"] and not on_screen["printHeading"]
        if name != "conclusion-print":  # its form waits for every expert's opinion
            assert on_screen["forms"] > 0, f"{url}: no form on the screen to hide in print"
        page.emulate_media(media="print")
        printed = page.evaluate(HIDDEN_WHEN_PRINTED)
        assert printed == {
            "header": False,
            "nav": False,
            "forms": 0,
            "buttons": 0,
            "printHeading": True,
            "h1": True,
            "tables": printed["tables"],
        }, f"{url} printed: {printed}"
        screenshot(page, name, max_height=3000)
    page.emulate_media(media="screen")


def test_a_mistyped_address_shows_the_chinese_404(world: World, page: Any, expect_problems: Any):
    expect_problems(r"the server responded with a status of 404")
    login(page, world.user("unit"))
    response = page.goto("/projectz/12/")
    assert response is not None and response.status == 404
    assert page.locator("main h1").inner_text().startswith("页面不存在")
    text = page.inner_text("main")
    assert "URLconf" not in text and "/projectz/12/" in text
    assert page.locator("header.top nav a").count() > 0  # the site's own header
    screenshot(page, "not-found")
    with page.expect_navigation():
        page.get_by_role("link", name="返回工作台").click()
    assert page.locator("main h1").inner_text().strip() == "工作台"


NAV_ROWS = """() => new Set(
  [...document.querySelectorAll('nav.sections a')].map(a => Math.round(a.getBoundingClientRect().top))
).size"""


def test_the_navigation_is_one_line_on_an_office_screen_in_both_languages(world: World, page: Any):
    """At 1366px the administrator's navigation (the longest a jurisdiction's account has, with its
    counts) stays on one line, in Chinese and in English (issue 13)."""
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, world.user("admin"))
    assert page.evaluate(NAV_ROWS) == 1
    with page.expect_navigation():
        page.click("form.lang button[value=en]")
    assert page.locator("nav.sections a").first.inner_text().startswith("Workbench")
    assert page.evaluate(NAV_ROWS) == 1
