"""年度计划看板 from the cache: the lanes of a year are worked out once and kept, and every write
that moves a card — a declaration, a stage passed, a line added or removed, a plan approved — is
on the board at the next request; a reader who sees only some projects gets exactly theirs."""

from __future__ import annotations

import re
from html import escape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govit.core import clock
from govit.planning import selectors
from govit.planning import services as planning
from govit.projects.models import Project, ProjectStatus
from govit.projects.visibility import visible_projects
from tests.web.test_plans import lane
from tests.web.test_scale_plans_board import names
from tests.workflow.flows import declared, planned

pytestmark = pytest.mark.django_db


def count(html: str, key: str) -> int:
    return int(re.search(r'<span class="badge">(\d+)</span>', lane(html, key)).group(1))


def read(cast, key: str = "competent_department") -> selectors.Board:
    """The board's lanes of 2027 as the user ``key`` of the cast reads them."""
    jurisdiction = cast.jurisdiction
    rb, _step = selectors.plan_step(jurisdiction)
    mine = visible_projects(cast.user(key)).filter(jurisdiction=jurisdiction)
    plans = selectors.year_plans(jurisdiction, 2027)
    return selectors.plan_board(jurisdiction, 2027, mine, plans, selectors.until_plan(rb))


def board(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("plan-board"), {"year": 2027})
    assert response.status_code == 200
    return response.content.decode()


def test_the_lanes_are_worked_out_once_and_then_read_from_the_cache(cast, five):
    first, second = read(cast), read(cast)
    assert not first.cached and second.cached
    ids = sorted(p.pk for p in five)
    for lanes in (first, second):
        assert sorted(lanes.lanes["declarations"].ids) == ids
        assert lanes.lanes["declarations"].total == sum(p.total_investment for p in five)
        assert lanes.years == {2027}


def test_a_declaration_is_on_the_board_at_once(client, cast, five):
    user = cast.user("competent_department")
    assert count(board(client, user), "declarations") == 5
    sixth = declared(cast, name="岳阳市第六个项目", amount=3_000_000)
    html = board(client, user)
    assert count(html, "declarations") == 6 and sixth.name in lane(html, "declarations")


def test_a_line_removed_and_another_added_move_both_cards(client, cast, five):
    """The same number of lines, another project: the board follows the lines, not their count."""
    compiler = cast.user("competent_department")
    with clock.frozen(clock.today()):
        plan = planning.plan_create(actor=compiler, jurisdiction=cast.jurisdiction, year=2027)
    planning.plan_add_project(actor=compiler, plan=plan, project=five[0])
    html = board(client, compiler)
    assert names(lane(html, "plan")) == [five[0].name]
    planning.plan_remove_project(actor=compiler, plan=plan, project=five[0])
    planning.plan_add_project(actor=compiler, plan=plan, project=five[1])
    html = board(client, compiler)
    assert names(lane(html, "plan")) == [five[1].name]
    assert five[0].name in names(lane(html, "declarations"))
    assert five[1].name not in names(lane(html, "declarations"))


def test_an_approved_plan_moves_its_cards_to_the_approved_lane_at_once(client, cast, five):
    board(client, cast.user("competent_department"))  # the lanes are in the cache
    planned(cast, five[:2])
    html = board(client, cast.user("competent_department"))
    assert sorted(names(lane(html, "approved"))) == sorted(p.name for p in five[:2])
    assert count(html, "approved") == 2 and count(html, "declarations") == 3


def test_a_board_read_before_the_commit_is_not_served_after_it(
    cast, five, django_capture_on_commit_callbacks
):
    """The version changes when the write is made and again when it commits: lanes read in
    between (without the write) are kept under the first version and never served."""
    key = f"stamp:plans:board:{cast.jurisdiction.pk}:2027"
    with django_capture_on_commit_callbacks() as callbacks:
        selectors.board_changed(five[0])
    read(cast)
    assert read(cast).cached
    written = cache.get(key)
    for callback in callbacks:
        callback()
    assert cache.get(key) != written
    assert not read(cast).cached


def test_a_lost_version_is_never_trusted(cast, five):
    read(cast)
    cache.delete(f"stamp:plans:board:{cast.jurisdiction.pk}:2027")
    # a change the cache could not have heard of: the lanes are worked out again
    Project.objects.filter(pk=five[0].pk).update(stage="joint_review")
    again = read(cast)
    assert not again.cached and list(again.lanes["joint_review"].ids) == [five[0].pk]


def test_a_reader_who_sees_some_projects_gets_exactly_theirs(client, cast, five):
    """The government sees the projects a plan lists (access.policy): two of five here. The
    lanes kept for the whole jurisdiction are filtered to its own, with their own sums."""
    compiler = cast.user("competent_department")
    with clock.frozen(clock.today()):
        plan = planning.plan_create(actor=compiler, jurisdiction=cast.jurisdiction, year=2027)
    for project in five[:2]:
        planning.plan_add_project(actor=compiler, plan=plan, project=project)
    everything = read(cast)
    assert everything.lanes["declarations"].count == 3 and everything.lanes["plan"].count == 2
    theirs = read(cast, "government")
    seen = visible_projects(cast.user("government")).exclude(status=ProjectStatus.DRAFT)
    assert sorted(seen.values_list("pk", flat=True)) == sorted(p.pk for p in five[:2])
    assert theirs.lanes["declarations"].count == 0
    assert sorted(theirs.lanes["plan"].ids) == sorted(p.pk for p in five[:2])
    assert theirs.lanes["plan"].total == sum(p.total_investment for p in five[:2])
    html = board(client, cast.user("government"))
    assert "项目（2 个）" in html and five[2].name not in html


def test_the_board_of_the_compiler_takes_at_most_ten_queries(client, cast, five):
    compiler = cast.user("competent_department")
    with clock.frozen(clock.today()):
        planning.plan_create(actor=compiler, jurisdiction=cast.jurisdiction, year=2027)
    board(client, compiler)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("plan-board"), {"year": 2027}).content.decode()
    # the cache is the database's in the tests: one of the queries reads it
    assert len(queries) <= 10, [q["sql"][:80] for q in queries.captured_queries]
    assert 'name="project" required hx-get=' in html  # the choices come when reached


def test_a_declaration_for_another_year_adds_that_year_to_choose(client, cast, five):
    user = cast.user("competent_department")
    html = board(client, user)
    assert '<option value="2029"' not in html
    declared(cast, name="岳阳市2029年项目", plan_year=2029)
    html = board(client, user)
    assert '<option value="2029"' in html


def test_names_on_the_board_are_text_never_markup(client, cast):
    """Cards, plan lines and the add form's choices are written in Python: every name escaped."""
    evil = '岳阳市<b onmouseover="steal()">项目</b>&\''
    listed = declared(cast, name=evil)
    declared(cast, name=evil + "二期")  # waiting: one of the add form's choices
    compiler = cast.user("competent_department")
    with clock.frozen(clock.today()):
        plan = planning.plan_create(actor=compiler, jurisdiction=cast.jurisdiction, year=2027)
    planning.plan_add_project(actor=compiler, plan=plan, project=listed)
    html = board(client, compiler)
    response = client.get(reverse("plan-board"), {"year": 2027, "options": plan.pk})
    options = response.content.decode()
    for page in (html, options):
        assert "<b onmouseover" not in page
    assert html.count(escape(evil)) >= 2  # its card and its plan line
    assert escape(evil + "二期") in options
