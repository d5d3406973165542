"""decide()'s facts for many projects at once: ``workflow.project_facts`` for a batch, in five
queries instead of five per project, so that the nightly re-check of a province stays within its
time. tests/jobs/test_facts.py holds it equal to ``workflow.project_facts`` project by project.

A batch is anything with the project's columns as attributes (a ``Project``, or the re-check's
lighter rows). A batch of consecutive ids (the re-check reads them in id order) is fetched by its
id range rather than by a list of thousands of ids; rows of projects outside the batch in that
range are read and ignored."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from govit.contracts.models import ChangeRequest, ChangeStatus, Contract, ContractKind
from govit.policy.facts import Facts
from govit.projects.models import DONE_STEP_STATUSES, Project, ProjectStatus, ProjectStep
from govit.projects.workflow import column_facts

AGREED = (ChangeStatus.FILED, ChangeStatus.APPROVED)
RANGE_FROM = 50  # a batch of at least this many dense ids is fetched by its id range
Unfinished = dict[tuple[int, int], set[int]]


def _of_batch(ids: Sequence[int]) -> dict[str, Any]:
    """The filter on ``project_id`` that selects (at least) the batch."""
    lo, hi = min(ids), max(ids)
    if len(ids) >= RANGE_FROM and hi - lo < 4 * len(ids):
        return {"project_id__gte": lo, "project_id__lte": hi}
    return {"project_id__in": list(ids)}


def facts_for(projects: Sequence[Any], *, unfinished: Unfinished | None = None) -> dict[int, Facts]:
    """The facts of each project, by id. ``unfinished`` (``unfinished_by_unit_and_year()``) may
    be given once for many batches; otherwise it is read for this batch's units."""
    if not projects:
        return {}
    ids = [p.pk for p in projects]
    batch = _of_batch(ids)
    started: dict[int, dict[str, object]] = defaultdict(dict)
    for project_id, kind, on in (
        ProjectStep.objects.filter(**batch, started_on__isnull=False)
        .exclude(status__in=DONE_STEP_STATUSES)
        .order_by("project_id", "seq")
        .values_list("project_id", "kind", "started_on")
    ):
        started[project_id][kind] = on
    main: dict[int, list[tuple[Decimal, Decimal | None]]] = defaultdict(list)
    for project_id, amount, om_years in (
        Contract.objects.live()
        .filter(**batch, kind=ContractKind.MAIN)
        .order_by("project_id", "id")
        .values_list("project_id", "amount", "om_period_years")
    ):
        main[project_id].append((amount, om_years))
    changes: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for project_id, number, new_total in ChangeRequest.objects.filter(
        **batch, status__in=AGREED
    ).values_list("project_id", "number", "new_total"):
        changes[project_id].append((number, new_total))
    if unfinished is None:
        unfinished = unfinished_by_unit_and_year(
            {p.unit_id for p in projects}, {p.plan_year - 1 for p in projects}
        )
    facts = {}
    for p in projects:
        contracts, agreed = main.get(p.pk, []), changes.get(p.pk, [])
        amount = None
        if contracts:
            amount = max(agreed)[1] if agreed else sum((a for a, _ in contracts), Decimal(0))
        facts[p.pk] = Facts(
            **column_facts(p),
            unfinished_prior_year_projects=len(
                unfinished.get((p.unit_id, p.plan_year - 1), set()) - {p.pk}
            ),
            contract_amount=amount,
            om_period_years=contracts[0][1] if contracts else None,
            prior_changes=len(agreed),
            step_started_on=started.get(p.pk) or None,
        )
    return facts


def unfinished_by_unit_and_year(units=None, years=None) -> Unfinished:
    """Per (unit, year): its projects in that year's approved plan that are not yet built — what
    ``workflow.unfinished_prior_year_projects`` counts (湘西第十六条第（一）项). Of the given
    units and years, or of all."""
    # one filter(): the year and the approval are of the same plan entry
    where: dict[str, Any] = {
        "plan_entries__plan__status": "approved",
        "status__in": (ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED),
        "completed_on__isnull": True,
    }
    if units is not None:
        where["unit_id__in"] = units
    if years is not None:
        where["plan_entries__plan__year__in"] = years
    rows = Project.objects.filter(**where)
    found: Unfinished = defaultdict(set)
    for pk, unit_id, year in rows.values_list(
        "pk", "unit_id", "plan_entries__plan__year"
    ).distinct():
        found[(unit_id, year)].add(pk)
    return found
