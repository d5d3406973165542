"""The re-check's facts for a batch read by its id range (as the re-check reads 2,000 projects
at a time): equal to ``workflow.project_facts``, the rows of projects in the range but not in the
batch ignored; and the re-check's light rows give the same facts as the models."""

from __future__ import annotations

import pytest

from govit.core import clock
from govit.demo.driver import advance_to
from govit.jobs import facts as batch_facts
from govit.jobs.recheck import COLUMNS, Row
from govit.projects import workflow
from govit.projects.models import Project
from tests.delivery.conftest import staffed
from tests.jobs.conftest import D
from tests.workflow import flows

pytestmark = pytest.mark.django_db


def test_a_range_of_ids_reads_the_batch_and_only_the_batch(tree, monkeypatch):
    cast = staffed(tree, "heilongjiang")
    first = flows.declared(cast, amount=1_000_000, on=D(2026, 6, 15), name="一")
    inside = flows.declared(cast, amount=1_000_000, on=D(2026, 6, 15), name="二（不在本批）")
    last = flows.declared(cast, amount=1_000_000, on=D(2026, 6, 15), name="三")
    with clock.frozen(D(2026, 6, 16)):
        advance_to(cast, inside, "construction")  # a contract, steps under way
        advance_to(cast, last, "construction")
    monkeypatch.setattr(batch_facts, "RANGE_FROM", 2)
    projects = list(Project.objects.filter(pk__in=[first.pk, last.pk]).order_by("pk"))
    assert batch_facts._of_batch([p.pk for p in projects]) == {
        "project_id__gte": first.pk,
        "project_id__lte": last.pk,
    }
    found = batch_facts.facts_for(projects)
    assert set(found) == {first.pk, last.pk}
    for project in projects:
        assert found[project.pk] == workflow.project_facts(project), project.name
    assert found[last.pk].contract_amount is not None
    # the light rows of the re-check: the same facts
    rows = [Row._make(v) for v in Project.objects.order_by("pk").values_list(*COLUMNS)]
    assert batch_facts.facts_for(rows) == batch_facts.facts_for(
        list(Project.objects.order_by("pk"))
    )
