"""Importing a construction unit's declarations from the spreadsheet template: every row checked
first; a file with any error imports nothing; otherwise one project draft a row, in one
transaction, each through ``projects.services.project_create`` — the one write path for a project,
which checks the actor, validates the fields and records ``project.created``. The drafts are the
unit's to review and declare one by one.

This is a composition of that service, not a write of its own: it records no event beyond the
``project.created`` of each draft, which it groups under one correlation id (one user action)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from govit.access.policy import authorize
from govit.core.errors import DomainError
from govit.events.services import correlation
from govit.exchange.declarations import RowError, read_declarations
from govit.organizations.models import User
from govit.projects.models import Project
from govit.projects.services import project_create


@dataclass
class ImportReport:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: list[Project] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _RowFailed(Exception):
    def __init__(self, row: int, error: DomainError):
        super().__init__(error.message)
        self.row, self.error = row, error


@transaction.atomic
def declarations_import(*, actor: User, file: Any) -> ImportReport:
    """Create one project draft per row of ``file`` for the actor's own unit, or none at all.

    Raises PermissionDenied unless the actor is a construction unit's clerk or leader. Returns the
    report: the errors by row and column (nothing imported), or the projects created."""
    authorize(actor, "project.create", actor.organization)
    reading = read_declarations(file)
    report = ImportReport(rows=len(reading.rows), errors=list(reading.errors))
    if report.errors:
        return report
    report.errors += _existing_names(actor, reading.rows)
    if report.errors:
        return report
    try:
        with transaction.atomic(), correlation():
            for row in reading.rows:
                values = dict(row.values)
                try:
                    report.created.append(
                        project_create(
                            actor=actor,
                            name=values.pop("name"),
                            plan_year=values.pop("plan_year"),
                            total_investment=values.pop("total_investment"),
                            **values,
                        )
                    )
                except DomainError as error:
                    raise _RowFailed(row.number, error) from error
    except _RowFailed as failed:
        # the savepoint is rolled back: no draft of this file remains
        cite = f"（依据：{failed.error.cite}）" if failed.error.cite else ""
        report.created = []
        report.errors.append(RowError(failed.row, "", failed.error.message + cite))
    return report


def _existing_names(actor: User, rows: list[Any]) -> list[RowError]:
    """A row whose project the unit already has (a file imported twice) is an error."""
    names = {row.values["name"]: row.number for row in rows if "name" in row.values}
    existing = Project.objects.filter(unit_id=actor.organization_id, name__in=list(names))
    return [
        RowError(
            names[project.name],
            "项目名称",
            f"本单位已有同名项目（{project.code or '草稿'}，{project.plan_year}年度）",
        )
        for project in existing.order_by("id")
    ]
