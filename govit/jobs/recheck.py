"""The nightly re-check: every open project against its pinned rulebook (decide(), as
``workflow.decision`` asks it), recording only the block and warn findings that are new.

A finding is the same finding while its code, article and message (numbers aside: "逾期2个工作日"
→ "逾期3个工作日" is not new) stay; it is recorded as an event once, and a block finding is told
to the construction unit once. A finding that goes away is closed, and is new again if it returns.
What the platform's own records already answer is left out (a rulebook the administrator confirmed,
a late declaration judged at the declaration, an acceptance applied for or extended, a
self-evaluation done: see ``answered``). Each project is one short transaction; a re-run finds
what it recorded and records nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from typing import Any

from django.db import IntegrityError, transaction

from govit.delivery.steps import application_due
from govit.events.services import record
from govit.jobs.common import batches, system
from govit.jobs.facts import facts_for
from govit.jobs.models import ProjectFinding
from govit.jobs.recipients import People
from govit.jurisdictions.models import RulebookVersion
from govit.notifications.email import send_pending
from govit.notifications.models import Kind
from govit.notifications.services import notify
from govit.policy.decide import decide
from govit.policy.facts import Facts
from govit.policy.loader import LoadedRulebook
from govit.projects import workflow
from govit.projects.models import Project, ProjectStatus

log = logging.getLogger(__name__)
RECORDED = ("block", "warn")
OPEN = (ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED)
# decide() reports a rulebook that is not in force; the administrator's recorded confirmation
# (RulebookConfirmation, with the project) has already answered that for the project
CONFIRMED_BY = {
    "RULEBOOK_DRAFT": "draft",
    "RULEBOOK_EXPIRED": "expired",
    "RULEBOOK_NOT_YET_EFFECTIVE": "not_yet_effective",
}


def answered(project: Project, finding: dict[str, Any], today: dt.date) -> bool:
    """Whether the platform's own records already answer a finding that decide(), knowing only
    the facts it is given, still raises; such a finding is not news and is not recorded."""
    code = finding["code"]
    if code in CONFIRMED_BY:
        confirmed = project.confirmation
        return confirmed is not None and confirmed.status == CONFIRMED_BY[code]
    if code.startswith("DECLARATION_"):
        # judged at the declaration and recorded with it (project.declared / declared_late)
        return project.declared_on is not None
    if code == "ACCEPTANCE_APPLICATION_OVERDUE":
        # applied (the final acceptance started), accepted, or given more time (an extension)
        if (
            project.accepted_on is not None
            or project.steps.filter(kind="final_acceptance", started_on__isnull=False).exists()
        ):
            return True
        due, _ = application_due(project)
        return due is not None and due >= today
    if code == "SELF_EVALUATION_WINDOW_PASSED":
        return project.evaluations.filter(kind="self").exists()
    return False


def fingerprint(finding: dict[str, Any]) -> str:
    stem = re.sub(r"\d+", "#", finding["message"])
    text = "\x1f".join((finding["code"], finding.get("cite") or "", stem))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


class Rulebooks:
    """Each stored version loaded once for the whole run (not once per project)."""

    def __init__(self) -> None:
        self._loaded: dict[int, LoadedRulebook] = {}

    def __call__(self, version_id: int) -> LoadedRulebook:
        if version_id not in self._loaded:
            self._loaded[version_id] = RulebookVersion.objects.get(pk=version_id).load()
        return self._loaded[version_id]


def findings_of(
    project: Project, rb: LoadedRulebook, today: dt.date, facts: Facts | None = None
) -> dict[str, dict]:
    """decide()'s block and warn findings for the project today, by fingerprint: what
    ``workflow.decision(project)`` answers, with the facts of a whole batch fetched at once."""
    answer = decide(rb, facts or workflow.project_facts(project), today)
    # A gate that refuses new projects judged this project's declaration, which is behind it:
    # raised again every night it would accuse thousands of declared projects (湘西第十六条).
    declaration_gates = {g.code for g in rb.model.gates if g.effect == "no_new_projects"}
    found = {}
    for f in answer["findings"]:
        if f["severity"] not in RECORDED or f["code"] in declaration_gates:
            continue
        if answered(project, f, today):
            continue
        found[fingerprint(f)] = f
    return found


def run(today: dt.date) -> dict[str, int]:
    actor = system()
    rulebooks = Rulebooks()
    counts = {"projects": 0, "new_findings": 0, "cleared": 0, "notices": 0, "errors": 0}
    ids = list(
        Project.objects.filter(status__in=OPEN, rulebook__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for chunk in batches(ids):
        projects = list(
            Project.objects.filter(pk__in=chunk).select_related("confirmation").order_by("pk")
        )
        facts = facts_for(projects)
        known: dict[int, dict[str, ProjectFinding]] = {pk: {} for pk in chunk}
        for row in ProjectFinding.objects.filter(project_id__in=chunk, cleared_on__isnull=True):
            known[row.project_id][row.fingerprint] = row
        people = None
        for project in projects:
            counts["projects"] += 1
            try:
                rb = rulebooks(project.rulebook_id)
                found = findings_of(project, rb, today, facts[project.pk])
            except Exception:
                # one project's bad data must not stop the province's re-check; it is in the log
                log.exception("re-check of project %s failed", project.pk)
                counts["errors"] += 1
                continue
            new = {fp: f for fp, f in found.items() if fp not in known[project.pk]}
            gone = [row for fp, row in known[project.pk].items() if fp not in found]
            if not new and not gone:
                continue
            if people is None:
                people = People(p.unit_id for p in projects)
            try:
                told = _record(actor, project, rb.id, new, gone, people, today)
            except IntegrityError:
                continue  # another run recorded these first; nothing of this one was kept
            counts["new_findings"] += len(new)
            counts["cleared"] += len(gone)
            counts["notices"] += told
    counts["emails"] = send_pending()
    return counts


@transaction.atomic
def _record(
    actor, project: Project, rulebook_id: str, new: dict, gone: list, people: People, today
) -> int:
    if gone:
        ProjectFinding.objects.filter(pk__in=[row.pk for row in gone]).update(cleared_on=today)
    told = 0
    for fp, f in new.items():
        ProjectFinding.objects.create(
            project=project,
            fingerprint=fp,
            code=f["code"],
            severity=f["severity"],
            cite=f.get("cite") or "",
            message=f["message"],
            first_seen_on=today,
        )
        record(
            "recheck.finding",
            actor=actor,
            project=project,
            summary=f"每日复核发现：{f['message']}",
            cite=f.get("cite") or "",
            data={"code": f["code"], "severity": f["severity"], "message": f["message"]},
        )
        if f["severity"] == "block":
            cite = f.get("cite") or ""
            told += len(
                notify(
                    actor=actor,
                    recipients=people.working(project.unit_id),
                    kind=Kind.FINDING_BLOCKING,
                    key=f"{Kind.FINDING_BLOCKING}:project:{project.pk}:{fp}:{today.isoformat()}",
                    title=f"项目复核发现须处理的问题：{project.name}",
                    body=f"{project.unit.name}：按规则手册复核项目“{project.name}”，发现：{f['message']}"
                    + (f"（依据{cite}）" if cite else "")
                    + "。",
                    cite=cite,
                    rulebook_id=rulebook_id,
                    project=project,
                    summary=f"复核发现须处理的问题：{f['message']}",
                )
            )
    return told
