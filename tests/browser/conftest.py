"""The browser suite: the app served by a live server, driven by Debian's chromium through Playwright.

- ``page``: a desktop tab (1366×768, zh-CN); ``phone``: a phone-sized tab. Both FAIL the test on any
  console error, uncaught page error or response with status ≥ 500 (``expect_problems`` lets a
  test say which of them it provokes on purpose, e.g. the console line of a 403).
- ``login(page, user)`` signs in through the form at url name 'login'.
- ``screenshot(page, name)`` writes a full-page PNG <name>.png to GOVIT_SCREENSHOTS_DIR (default: the
  run's temporary directory).
- ``assert_accessible(page)`` runs the vendored axe-core and fails on serious/critical violations.

Chromium is never downloaded: the suite launches /usr/bin/chromium (``apt-get install chromium
fonts-noto-cjk``; .ci/run does it). Without it the tests are skipped, unless
GOVIT_REQUIRE_BROWSER=1 (as .ci/run sets): then they fail.

The app is served from a thread of the test process, on SQLite (whose in-memory test database is
shared with the server thread) and on PostgreSQL alike (`make test` runs both):
- by default (``base_url``) pytest-django's ``live_server``: the test is transactional, what it
  builds is committed and flushed after it (tests/browser/test_lifecycle.py);
- a module whose tests only read can build its data once instead (``shared_database``,
  ``shared_server``; tests/browser/test_pages.py): flushed at the end of the module."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from govit.demo.cast import DEMO_PASSWORD

CHROMIUM = Path(os.environ.get("GOVIT_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = ("serious", "critical")
TIMEOUT_MS = 10_000


def screenshots_dir() -> Path:
    """GOVIT_SCREENSHOTS_DIR (settings.SCREENSHOTS_DIR; .ci/run keeps them in var/screenshots),
    else the run's temporary directory: the suite writes nothing into the checkout."""
    folder = Path(settings.SCREENSHOTS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --- failing on what the browser saw ---------------------------------------------------------------


@dataclass
class Problems:
    """What went wrong in one tab: console errors, uncaught exceptions, responses ≥ 500."""

    name: str
    page: Any = None
    seen: list[str] = field(default_factory=list)
    expected: list[re.Pattern[str]] = field(default_factory=list)

    def add(self, text: str) -> None:
        if not any(p.search(text) for p in self.expected):
            self.seen.append(text)

    def watch(self, page: Any) -> None:
        self.page = page
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.add(f"uncaught exception: {error}"))
        page.on("response", self._response)

    def settle(self) -> None:
        """Let the events the browser has already sent arrive (Playwright delivers them while the
        test talks to it; after the test's last call some may still be on their way)."""
        if self.page is not None and not self.page.is_closed():
            self.page.wait_for_timeout(50)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            self.add(f"console error: {message.text}" + (f" ({where})" if where else ""))

    def _response(self, response: Any) -> None:
        if response.status >= 500:
            self.add(f"HTTP {response.status} {response.request.method} {response.url}")


def _problems_of(item: pytest.Item) -> list[Problems]:
    return item.stash.setdefault(PROBLEMS, [])


PROBLEMS = pytest.StashKey[list[Problems]]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After the test body: fail it if any of its tabs saw a console error, a page error or a 5xx
    (a failure of the test itself, not an error of a fixture's teardown)."""
    outcome = yield
    watched = item.stash.get(PROBLEMS, [])
    for problems in watched:
        problems.settle()
    found = [f"[{p.name}] {text}" for p in watched for text in p.seen]
    if found and outcome.excinfo is not None:  # reported beside the failure: maybe its cause
        item.add_report_section("call", "browser problems", "\n".join(dict.fromkeys(found)))
    if found and outcome.excinfo is None:
        message = "the browser reported problems:\n  " + "\n  ".join(dict.fromkeys(found))
        outcome.force_exception(pytest.fail.Exception(message, pytrace=False))


@pytest.fixture
def expect_problems(request: pytest.FixtureRequest):
    """``expect_problems(r"status of 403")``: console lines matching the pattern (a refusal the test
    provokes on purpose) do not fail the test."""

    def expect(*patterns: str) -> None:
        for problems in _problems_of(request.node):
            problems.expected.extend(re.compile(p) for p in patterns)

    return expect


# --- the browser -----------------------------------------------------------------------------------


def _unavailable(reason: str) -> None:
    if os.environ.get("GOVIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (GOVIT_REQUIRE_BROWSER=1) but {reason}", pytrace=False)
    pytest.skip(
        f"{reason}: install it with `apt-get install chromium fonts-noto-cjk` "
        "(set GOVIT_REQUIRE_BROWSER=1 to fail instead of skipping)"
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless chromium, one per test module. Playwright's sync API keeps an event loop running
    in this thread while it is started, which Django's ORM would take for an async context: the
    module's tests (which build data and flush the database in this thread) run with
    DJANGO_ALLOW_ASYNC_UNSAFE, and Playwright is stopped at the end of the module."""
    if not CHROMIUM.exists():
        _unavailable(f"chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the Python package playwright is not installed (pip install -e '.[dev]')")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
    except Exception as exc:
        playwright.stop()
        _restore(previous)
        _unavailable(f"chromium at {CHROMIUM} did not start: {exc}")
    try:
        yield launched
    finally:
        launched.close()
        playwright.stop()
        _restore(previous)


def _restore(previous: str | None) -> None:
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _tab(browser: Any, request: pytest.FixtureRequest, base_url: str, name: str, **options: Any):
    context = browser.new_context(
        base_url=base_url,
        locale="zh-CN",  # Accept-Language: zh-CN → zh-hans (chromium would otherwise ask for en-US)
        timezone_id="Asia/Shanghai",
        **options,
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    problems = Problems(name)
    problems.watch(tab)
    _problems_of(request.node).append(problems)
    return context, tab


@pytest.fixture(autouse=True)
def media(request: pytest.FixtureRequest, tmp_path: Path) -> Path | None:
    """Uploads of a browser test go to a directory of its own (the server thread reads the same
    settings); a module's shared data has its own (``shared_database``)."""
    if "shared_database" in request.fixturenames:
        return None
    settings = request.getfixturevalue("settings")
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def base_url(live_server: Any) -> str:
    """The server the tabs talk to: by default pytest-django's live server (which makes the test
    transactional: what it builds is committed, and flushed after it). A module that only reads
    overrides this fixture with ``shared_server`` (data built once for the module)."""
    return live_server.url


def _is_test_database(connection: Any) -> bool:
    """Whether pytest-django has switched the connection to its test database."""
    name = str(connection.settings_dict["NAME"])
    if name == (connection.settings_dict.get("TEST") or {}).get("NAME"):
        return True
    if connection.vendor == "sqlite":
        return connection.is_in_memory_db()
    return name.startswith("test_")


@pytest.fixture(scope="module")
def shared_database(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """The test database open to a whole module, for data built once (committed) and then only
    read by its tests; flushed at the end of the module, as after a transactional test. The
    module's tests must be marked ``django_db`` (so that pytest-django creates the test database
    even when they run alone; each test then runs in a transaction of its own, rolled back)."""
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings

    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
    ):
        if not _is_test_database(connection):  # never build on (or flush) a real database
            pytest.fail(
                f"the database is {connection.settings_dict['NAME']}, not a test database: "
                "mark the module's tests with pytest.mark.django_db",
                pytrace=False,
            )
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def shared_server(shared_database: None) -> Iterator[str]:
    """A live server for the module's shared data (the in-memory SQLite database, if that is the
    database, is shared with the server thread)."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost")
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def page(browser: Any, base_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A desktop tab: 1366×768, an office screen."""
    context, tab = _tab(browser, request, base_url, "desktop", viewport=DESKTOP)
    yield tab
    context.close()


@pytest.fixture
def phone(browser: Any, base_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A phone-sized tab (390×844, touch)."""
    context, tab = _tab(browser, request, base_url, "phone", **PHONE_TAB)
    yield tab
    context.close()


PHONE_TAB = {"viewport": PHONE, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def open_tab(
    browser: Any, request: pytest.FixtureRequest, base_url: str, name: str, *, phone: bool = False
) -> Any:
    """A tab in a browser context of its own (own cookies, own cache), for a test that needs several
    (one a reader, say), desktop- or phone-sized as the fixtures ``page`` and ``phone``, and watched
    as they are; closed with ``tab.context.close()``."""
    options = PHONE_TAB if phone else {"viewport": DESKTOP}
    return _tab(browser, request, base_url, name, **options)[1]


# --- helpers ---------------------------------------------------------------------------------------


def login(page: Any, user: Any, password: str = DEMO_PASSWORD, *, next: str = "") -> Any:
    """Sign in through the login form (url name 'login'); land on ``next`` (default: the 工作台).
    Returns the response of the page landed on."""
    username = user if isinstance(user, str) else user.username
    page.goto(reverse("login") + (f"?{urlencode({'next': next})}" if next else ""))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation() as landed:
        page.click("main form button[type=submit]")
    assert urlsplit(page.url).path != reverse("login"), (
        f"{username} could not sign in: {page.inner_text('main')[:300]}"
    )
    return landed.value


def share_session(source: Any, target: Any) -> None:
    """Sign ``target`` (another tab, e.g. the phone) in with ``source``'s session cookie."""
    target.context.add_cookies(source.context.cookies())


def screenshot(page: Any, name: str, *, max_height: int | None = None) -> Path:
    """A full-page PNG <name>.png in screenshots_dir(); ``max_height`` (CSS pixels) keeps only the
    top of a very long page (a phone screenshot of a rulebook would be 30 000 px tall)."""
    path = screenshots_dir() / f"{name}.png"
    options: dict[str, Any] = {"path": str(path), "full_page": True, "animations": "disabled"}
    if max_height is not None:
        width, height = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
        )
        if height > max_height:
            options["clip"] = {"x": 0, "y": 0, "width": width, "height": max_height}
    page.screenshot(**options)
    return path


def reveal_all(page: Any, rounds: int = 5) -> int:
    """Scroll to every part a page loads when the reader reaches it (htmx ``revealed``) and wait
    until each has arrived; returns how many were loaded. Fails if one never arrives."""
    selector = '[hx-trigger="revealed"]'
    waiting = page.locator(selector)
    total = waiting.count()
    for _ in range(rounds):
        before = waiting.count()
        if before == 0:
            return total
        # in the page itself: the part may arrive (and be replaced) between counting and scrolling
        page.evaluate("sel => document.querySelector(sel)?.scrollIntoView()", selector)
        page.wait_for_function(
            "([sel, n]) => document.querySelectorAll(sel).length < n", arg=[selector, before]
        )
        page.wait_for_load_state("networkidle")
    raise AssertionError("parts of the page never loaded after being scrolled to")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations of impact serious or critical on the current page."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    at {target}: {summary[:300]}")
            lines.append(f"       {node.get('html', '')[:200]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more elements")
    return "\n".join(lines)


def assert_accessible(page: Any) -> None:
    """No axe-core violation of impact serious or critical (contrast, labels, landmarks …)."""
    violations = axe_violations(page)
    assert not violations, f"accessibility violations on {page.url}:\n" + describe_violations(
        violations
    )
