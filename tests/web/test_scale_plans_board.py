"""年度计划看板 at scale: a lane shows a page of cards with its exact count and sum, and "显示更多"
(htmx, or a plain paged link) brings the rest; a plan shows a page of its lines and the export
still holds every line."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from govit.core import clock
from govit.planning import services as planning
from govit.planning.models import AnnualPlan
from govit.projects.models import Project
from govit.web.templatetags.govit import wan
from govit.web.views import plans as views
from tests.web.test_plans import lane

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def names(html: str) -> list[str]:
    return re.findall(r'class="pname">([^<]+)</a>', html)


def test_a_lane_shows_a_page_its_exact_totals_and_more_brings_the_rest(
    client, cast, five, monkeypatch
):
    monkeypatch.setattr(views, "CARDS_SHOWN", 2)
    client.force_login(cast.user("competent_department"))
    url = reverse("plan-board")
    html = client.get(url, {"year": 2027}).content.decode()
    declarations = lane(html, "declarations")
    in_db = Project.objects.filter(jurisdiction=cast.jurisdiction, plan_year=2027)
    assert in_db.count() == 5
    assert '<span class="badge">5</span>' in declarations  # the count, not the cards shown
    assert f"合计 {wan(sum(p.total_investment for p in in_db))} 万元" in declarations
    shown = names(declarations)
    assert shown == sorted(p.name for p in five)[:2]  # by code: the first two declared
    assert "显示更多（还有 3 个）" in declarations
    assert "lane=declarations&amp;page=2" in declarations

    # htmx: the next cards only, with the next "more"
    part = client.get(url, {"year": 2027, "lane": "declarations", "page": 2}, **HX)
    part = part.content.decode()
    assert "<h1>" not in part and "还有 1 个" in part
    second = names(part)
    last = names(
        client.get(url, {"year": 2027, "lane": "declarations", "page": 3}, **HX).content.decode()
    )
    assert len(second) == 2 and len(last) == 1
    assert sorted(shown + second + last) == sorted(p.name for p in five)

    # without htmx: the whole board, this lane at page 2 with the way back
    html = client.get(url, {"year": 2027, "lane": "declarations", "page": 2}).content.decode()
    declarations = lane(html, "declarations")
    assert names(declarations) == second and "上一页" in declarations
    assert "第 2 / 3 页" in declarations and '<span class="badge">5</span>' in declarations


def test_the_compiler_may_add_any_waiting_project_beyond_the_cards_shown(
    client, cast, five, monkeypatch
):
    monkeypatch.setattr(views, "CARDS_SHOWN", 1)
    compiler = cast.user("competent_department")
    with clock.frozen(clock.today()):
        planning.plan_create(actor=compiler, jurisdiction=cast.jurisdiction, year=2027)
    client.force_login(compiler)
    html = client.get(reverse("plan-board"), {"year": 2027}).content.decode()
    assert len(names(lane(html, "declarations"))) == 1
    # the choices come with the form when it is reached (htmx), or with the page when asked for
    loads = re.search(r'name="project" required hx-get="([^"]+)"', html).group(1)
    part = client.get(loads.replace("&amp;", "&"), **HX).content.decode()
    options = re.findall(r'<option value="(\d+)">', part)
    assert sorted(int(o) for o in options) == sorted(p.pk for p in five)
    plan = AnnualPlan.objects.get(jurisdiction=cast.jurisdiction, year=2027)
    html = client.get(reverse("plan-board"), {"year": 2027, "options": plan.pk}).content.decode()
    options = re.findall(r'<option value="(\d+)">', html.split('name="project"', 1)[1])
    assert sorted(int(o) for o in options) == sorted(p.pk for p in five)


def test_the_choices_of_the_add_form_are_for_the_compiler_only(client, cast, five):
    compiler = cast.user("competent_department")
    with clock.frozen(clock.today()):
        plan = planning.plan_create(actor=compiler, jurisdiction=cast.jurisdiction, year=2027)
    client.force_login(cast.user("audit"))
    url = reverse("plan-board")
    assert client.get(url, {"year": 2027, "options": plan.pk}, **HX).status_code == 404
    client.force_login(compiler)
    assert client.get(url, {"year": 2027, "options": plan.pk}, **HX).status_code == 200
    planning.plan_add_project(actor=compiler, plan=plan, project=five[0])
    planning.plan_submit(actor=compiler, plan=plan)  # no longer a draft: nothing to add to
    assert client.get(url, {"year": 2027, "options": plan.pk}, **HX).status_code == 404


def test_a_plan_shows_a_page_of_its_lines_and_the_export_has_them_all(
    client, cast, five, monkeypatch
):
    monkeypatch.setattr(views, "ENTRIES_SHOWN", 2)
    compiler = cast.user("competent_department")
    plan = planning.plan_create(actor=compiler, jurisdiction=cast.jurisdiction, year=2027)
    for project in five[:3]:
        planning.plan_add_project(actor=compiler, plan=plan, project=project)
    client.force_login(compiler)
    url = reverse("plan-board")
    html = client.get(url, {"year": 2027}).content.decode()
    card = html.split(f'id="plan-{plan.pk}"', 1)[1]
    assert f"3 个，合计 {wan(sum(p.total_investment for p in five[:3]))} 万元" in card
    rows = card.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert five[0].name in rows and five[1].name in rows and five[2].name not in rows
    assert "还有 1 个" in rows and "移出" in rows
    part = client.get(url, {"year": 2027, "plan": plan.pk, "page": 2}, **HX).content.decode()
    assert five[2].name in part and five[0].name not in part and "<td>3</td>" in part
    assert "还有" not in part and "移出" in part
    # the plan lane still counts every project the plan holds
    plan_lane = lane(html, "plan")
    assert '<span class="badge">3</span>' in plan_lane

    sheet = load_workbook(io.BytesIO(client.get(reverse("plan-export", args=[plan.pk])).content))
    sheet = sheet.active
    listed = [sheet.cell(row=4 + i, column=2).value for i in range(3)]
    assert listed == [p.name for p in five[:3]]
    assert Decimal(str(sheet.cell(row=7, column=4).value)) * 10000 == sum(
        p.total_investment for p in five[:3]
    )


def test_an_approved_plan_puts_its_projects_in_the_approved_lane_with_the_plan(client, cast, five):
    from tests.workflow.flows import planned

    planned(cast, five[:2])
    plan = AnnualPlan.objects.get(jurisdiction=cast.jurisdiction, year=2027)
    client.force_login(cast.user("government"))
    html = client.get(reverse("plan-board"), {"year": 2027}).content.decode()
    approved = lane(html, "approved")
    assert sorted(names(approved)) == sorted(p.name for p in five[:2])
    assert f'href="#plan-{plan.pk}"' in approved and '<span class="badge">2</span>' in approved
    assert not names(lane(html, "plan"))


def test_more_of_a_lane_for_a_unit_is_refused(client, cast, five):
    client.force_login(cast.user("unit"))
    response = client.get(reverse("plan-board"), {"lane": "declarations", "page": 2}, **HX)
    assert response.status_code == 403
