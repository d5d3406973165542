"""A plan the government returns says so through the API as on the plan board: when, by whom, with
what opinion, and the 会签 round the resubmission starts (issue 13: the API lacked them)."""

from __future__ import annotations

import datetime as dt

import pytest

from govit.core import clock
from tests.api.conftest import expect
from tests.api.helpers import create_project, declare

pytestmark = pytest.mark.django_db


def test_a_returned_plan_says_when_by_whom_and_why(api, casts):
    cast = casts["yueyang"]
    compiler, government = cast.user("competent_department"), cast.user("government")
    with clock.frozen(dt.date(2026, 10, 20)):
        project = create_project(api, cast, name="岳阳市智慧教育平台", total_investment="2500000")
        declare(api, cast, project, "yueyang")
        plan = expect(api.as_(compiler).post("/plans", {"year": 2027, "kind": "annual"}), 201)
        assert (plan["returned_at"], plan["returned_by"], plan["return_opinion"]) == (
            None,
            None,
            "",
        )
        pid = plan["id"]
        expect(api.as_(compiler).post(f"/plans/{pid}/entries", {"project_id": project["id"]}), 200)
        plan = expect(api.as_(compiler).post(f"/plans/{pid}/submit"), 200)
        first_round = plan["round"]
        for signoff in plan["signoffs"]:
            org = next(k for k, o in cast.orgs.items() if o.name == signoff["organization"])
            expect(
                api.as_(cast.user(org)).post(
                    f"/plans/{pid}/countersign", {"decision": "approve", "opinion": "同意"}
                ),
                200,
            )
        returned = expect(
            api.as_(government).post(f"/plans/{pid}/return", {"opinion": "请补充分年度投资安排"}),
            200,
        )
    assert returned["status"] != "submitted"
    assert returned["return_opinion"] == "请补充分年度投资安排"
    assert returned["returned_by"] == (
        f"{government.display_name}（{government.organization.name}）"
    )
    assert returned["returned_at"].startswith("2026-10-20")
    again = expect(api.as_(compiler).get(f"/plans/{pid}"), 200)
    assert again["return_opinion"] == "请补充分年度投资安排" and again["round"] == first_round
