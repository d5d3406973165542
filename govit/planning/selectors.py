"""Reads about annual plans and the rulebook's planning step."""

from __future__ import annotations

from govit.core.errors import RuleRefused
from govit.jurisdictions.models import Jurisdiction


def plan_step(jurisdiction: Jurisdiction):
    """The rulebook's annual_plan step for this jurisdiction (its compiler, deadline, article)."""
    if jurisdiction.rulebook is None:
        raise RuleRefused(f"“{jurisdiction.name}”尚未启用规则手册", code="NO_RULEBOOK")
    rb = jurisdiction.rulebook.load()
    for step in rb.model.steps:
        if step.kind == "annual_plan":
            return rb, step
    raise RuleRefused(f"《{rb.title}》没有年度计划环节", code="NO_ANNUAL_PLAN")


def approver_kind(step) -> str:
    """Who approves the plan: the approver the rulebook names (本级人民政府), else the compiler."""
    return step.approver or step.actor
