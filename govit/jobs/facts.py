"""decide()'s facts for many projects at once: ``workflow.project_facts`` for a batch, in five
queries instead of five per project, so that the nightly re-check of a province stays within its
time. tests/jobs/test_facts.py holds it equal to ``workflow.project_facts`` project by project."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from govit.contracts.models import ChangeRequest, ChangeStatus, Contract, ContractKind
from govit.policy.facts import Facts
from govit.projects.models import DONE_STEP_STATUSES, Project, ProjectStatus, ProjectStep

AGREED = (ChangeStatus.FILED, ChangeStatus.APPROVED)


def facts_for(projects: Sequence[Project]) -> dict[int, Facts]:
    """The facts of each project, by id."""
    ids = [p.pk for p in projects]
    started: dict[int, dict[str, object]] = defaultdict(dict)
    for project_id, kind, on in (
        ProjectStep.objects.filter(project_id__in=ids, started_on__isnull=False)
        .exclude(status__in=DONE_STEP_STATUSES)
        .order_by("project_id", "seq")
        .values_list("project_id", "kind", "started_on")
    ):
        started[project_id][kind] = on
    main: dict[int, list[tuple[Decimal, Decimal | None]]] = defaultdict(list)
    for project_id, amount, om_years in (
        Contract.objects.filter(project_id__in=ids, kind=ContractKind.MAIN)
        .order_by("project_id", "id")
        .values_list("project_id", "amount", "om_period_years")
    ):
        main[project_id].append((amount, om_years))
    changes: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for project_id, number, new_total in ChangeRequest.objects.filter(
        project_id__in=ids, status__in=AGREED
    ).values_list("project_id", "number", "new_total"):
        changes[project_id].append((number, new_total))
    unfinished = _unfinished_by_unit_and_year(projects)
    facts = {}
    for p in projects:
        contracts, agreed = main.get(p.pk, []), changes.get(p.pk, [])
        amount = None
        if contracts:
            amount = max(agreed)[1] if agreed else sum((a for a, _ in contracts), Decimal(0))
        facts[p.pk] = Facts(
            total_investment=p.total_investment,
            funding_source=p.funding_source,
            classified=p.classified,
            involves_crypto=p.involves_crypto,
            construction_type=p.construction_type,
            simple_scope=p.simple_scope,
            plan_year=p.plan_year,
            declared_on=p.declared_on,
            unfinished_prior_year_projects=len(
                unfinished.get((p.unit_id, p.plan_year - 1), set()) - {p.pk}
            ),
            contract_amount=amount,
            approved_budget=p.approved_budget or p.total_investment,
            om_period_years=contracts[0][1] if contracts else None,
            prior_changes=len(agreed),
            completed_on=p.completed_on,
            operation_started_on=p.operation_started_on,
            step_started_on=started.get(p.pk) or None,
        )
    return facts


def _unfinished_by_unit_and_year(projects: Sequence[Project]) -> dict[tuple[int, int], set[int]]:
    """Per (unit, year): its projects in that year's approved plan that are not yet built — what
    ``workflow.unfinished_prior_year_projects`` counts (湘西第十六条第（一）项)."""
    units = {p.unit_id for p in projects}
    years = {p.plan_year - 1 for p in projects}
    found: dict[tuple[int, int], set[int]] = defaultdict(set)
    for pk, unit_id, year in (
        Project.objects.filter(
            unit_id__in=units,
            plan_entries__plan__year__in=years,
            plan_entries__plan__status="approved",
            status__in=(ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED),
            completed_on__isnull=True,
        )
        .values_list("pk", "unit_id", "plan_entries__plan__year")
        .distinct()
    ):
        found[(unit_id, year)].add(pk)
    return found
