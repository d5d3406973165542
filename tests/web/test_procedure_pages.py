"""What the pages tell the person who acts before they act (issue 16): the organiser of 黑龙江第十条's
joint review sees whose opinions it still waits for and the ones in; the clerk who compiled and sent
连平's plan is told a colleague approves it (编制 and 批准 by two hands)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from govit.core import clock
from govit.planning import services as planning
from govit.projects import services as projects
from tests.workflow import flows
from tests.workflow.conftest import make_cast

pytestmark = pytest.mark.django_db


def test_the_organiser_sees_whom_it_waits_for_and_what_was_said(client, tree):
    cast = make_cast(tree, "heilongjiang")
    project = flows.declared(cast, amount=3_000_000, on=dt.date(2026, 6, 15))
    lead = flows.open_task(project, "joint_review")
    url = reverse("task-act", args=[project.pk, lead.pk])
    client.force_login(cast.user("competent_department"))
    page = client.get(url).content.decode()
    assert 'id="awaited"' in page and cast.orgs["cyberspace"].name in page and "第十条" in page
    with clock.frozen(dt.date(2026, 6, 16)):
        task = flows.open_task(project, "joint_review", "cyberspace")
        projects.task_act(
            actor=cast.user("cyberspace"),
            task_id=task.pk,
            action="return",
            opinion="请补充等级保护定级备案材料",
        )
    page = client.get(url).content.decode()
    assert 'id="round-opinions"' in page and "请补充等级保护定级备案材料" in page
    awaited = page.split('id="awaited"')[1].split("</p>")[0]
    assert cast.orgs["crypto_administration"].name in awaited
    assert cast.orgs["cyberspace"].name not in awaited


def test_the_compiler_is_told_a_colleague_approves_the_plan(client, lianping):
    project = flows.declared(lianping, amount=800_000, on=dt.date(2026, 6, 10))
    flows.approve_all(lianping, project, "declaration")  # the 清单 filed (第六条第一款)
    clerk = lianping.user("competent_department")
    with clock.frozen(dt.date(2026, 9, 1)):
        plan = planning.plan_create(actor=clerk, jurisdiction=lianping.jurisdiction, year=2027)
        planning.plan_add_project(actor=clerk, plan=plan, project=project)
        planning.plan_submit(actor=clerk, plan=plan)
        client.force_login(clerk)
        page = client.get(reverse("plan-board"), {"year": 2027}).content.decode()
        assert f'id="own-plan-{plan.pk}"' in page and "职责分离" in page
        assert reverse("plan-act", args=[plan.pk, "approve"]) not in page
        client.force_login(lianping.user("competent_department.leader"))
        page = client.get(reverse("plan-board"), {"year": 2027}).content.decode()
        assert reverse("plan-act", args=[plan.pk, "approve"]) in page
