"""The re-check's batch of facts is ``workflow.project_facts``, project by project, in a fixed
number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from govit.contracts import services as contracts
from govit.core import clock
from govit.demo.driver import advance_to
from govit.jobs.facts import facts_for
from govit.projects import workflow
from govit.projects.models import Project
from tests.delivery.conftest import staffed
from tests.jobs.conftest import D
from tests.workflow import flows

pytestmark = pytest.mark.django_db


def test_batch_facts_equal_project_facts(tree, django_assert_max_num_queries):
    cast = staffed(tree, "heilongjiang")
    # declared before the unit's 2027 project is in an approved plan (a gate refuses it after)
    later = flows.declared(cast, amount=500_000, on=D(2026, 6, 12), name="次年项目", plan_year=2028)
    building = flows.declared(cast, amount=1_000_000, on=D(2026, 6, 15), name="在建项目")
    with clock.frozen(D(2026, 6, 16)):
        building = advance_to(cast, building, "construction")
    changed = contracts.change_request(
        actor=cast.user("unit"),
        project=building,
        reason="technical_optimization",
        basis="技术方案优化",
        description="更换服务器型号",
        items=[
            {
                "category": "hardware",
                "original_model": "原",
                "original_quantity": 1,
                "original_unit_price": 10_000,
                "new_model": "现",
                "new_quantity": 1,
                "new_unit_price": 12_000,
            }
        ],
    )
    if changed.status == "pending":
        for approval in changed.approvals.select_related("organization"):
            contracts.change_decide(
                actor=cast.user(approval.organization.kind), change=changed, decision="approve"
            )
    flows.declared(cast, amount=30_000_000, on=D(2026, 6, 15), name="联合审核中", unit="other_unit")

    projects = list(Project.objects.order_by("pk"))
    with django_assert_max_num_queries(4):
        batch = facts_for(projects)
    for project in projects:
        assert batch[project.pk] == workflow.project_facts(project), project.name
    # the facts are not trivially empty: a contract, an agreed change, an unfinished prior year
    built = batch[building.pk]
    assert built.contract_amount == changed.new_total
    assert (built.prior_changes, built.om_period_years) == (1, Decimal("3"))
    assert built.step_started_on and "construction" in built.step_started_on
    assert batch[later.pk].unfinished_prior_year_projects == 1
