"""The nightly re-check: every open project against its pinned rulebook (decide(), as
``workflow.decision`` asks it), recording only the block and warn findings that are new.

A finding is the same finding while its code, article and message (numbers aside: "逾期2个工作日"
→ "逾期3个工作日" is not new) stay; it is recorded as an event once, and a block finding is told
to the construction unit once. A finding that goes away is closed, and is new again if it returns.
What the platform's own records already answer is left out (a rulebook the administrator confirmed,
a late declaration judged at the declaration, an acceptance applied for or extended, a
self-evaluation done: see ``answered``).

The projects are read a batch at a time with only the columns decide() needs, their facts and
records in a fixed number of queries a batch (``facts.facts_for``, ``Records``); what a batch
found new is recorded in one transaction (findings, events and notices inserted together), so a
run killed in the middle keeps the batches it finished. A re-run finds what it recorded and
records nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import pickle
import re
from collections import namedtuple
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Max
from django.utils.translation import gettext_noop

from govit.delivery.models import AcceptanceExtension, Evaluation
from govit.delivery.steps import application_due_by
from govit.events.phrases import maybe, said
from govit.events.services import record
from govit.jobs.common import system
from govit.jobs.facts import Unfinished, facts_for, unfinished_by_unit_and_year
from govit.jobs.models import ProjectFinding
from govit.jobs.recipients import People
from govit.jurisdictions.models import RulebookConfirmation, RulebookVersion
from govit.notifications.email import send_pending
from govit.notifications.models import Kind
from govit.notifications.services import EventBatch, Notice, notify, notify_many
from govit.organizations.models import Organization
from govit.policy.decide import decide
from govit.policy.facts import Facts
from govit.policy.loader import LoadedRulebook
from govit.projects import workflow
from govit.projects.models import Project, ProjectStatus, ProjectStep

log = logging.getLogger(__name__)
BATCH = 2000
RECORDED = ("block", "warn")
OPEN = (ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED)
# the columns of a project the re-check reads: decide()'s facts, ``answered`` and the notice
COLUMNS = (
    "id",
    "jurisdiction_id",
    "unit_id",
    "rulebook_id",
    "name",
    "total_investment",
    "funding_source",
    "classified",
    "involves_crypto",
    "construction_type",
    "simple_scope",
    "merge_feasibility_and_design",
    "data_sharing_supported",
    "approval_required",
    "intranet",
    "project_class",
    "plan_year",
    "declared_on",
    "approved_budget",
    "completed_on",
    "accepted_on",
    "operation_started_on",
)


class Row(namedtuple("Row", COLUMNS)):
    """A project as the re-check reads it: its COLUMNS, without building a model instance."""

    __slots__ = ()

    @property
    def pk(self) -> int:
        return self.id


# decide() reports a rulebook that is not in force; the administrator's recorded confirmation
# (RulebookConfirmation) has already answered that — as it does for the workflow, which lets the
# jurisdiction's projects go on under that version (``workflow.require_rulebook_usable``)
CONFIRMED_BY = {
    "RULEBOOK_DRAFT": "draft",
    "RULEBOOK_EXPIRED": "expired",
    "RULEBOOK_NOT_YET_EFFECTIVE": "not_yet_effective",
}
# the findings that only the records of ``Records.load`` answer
NEEDS_RECORDS = ("ACCEPTANCE_APPLICATION_OVERDUE", "SELF_EVALUATION_WINDOW_PASSED")


class Records:
    """What the platform's records say about projects, for ``answered``: the administrators'
    confirmations (all of them, once), and for the projects asked about, whether the final
    acceptance has started, the approved acceptance extensions and the self-evaluations."""

    def __init__(self) -> None:
        self.confirmed = set(
            RulebookConfirmation.objects.values_list("jurisdiction_id", "rulebook_id", "status")
        )
        self.applied: set[int] = set()
        self.extended: dict[int, dt.date] = {}
        self.self_evaluated: set[int] = set()
        self._loaded: set[int] = set()

    def load(self, ids: Iterable[int]) -> None:
        ids = sorted(set(ids) - self._loaded)
        if not ids:
            return
        self._loaded.update(ids)
        self.applied.update(
            ProjectStep.objects.filter(
                project_id__in=ids, kind="final_acceptance", started_on__isnull=False
            ).values_list("project_id", flat=True)
        )
        self.extended.update(
            AcceptanceExtension.objects.filter(project_id__in=ids, status="approved")
            .values("project_id")
            .annotate(until=Max("until"))
            .values_list("project_id", "until")
        )
        self.self_evaluated.update(
            Evaluation.objects.filter(project_id__in=ids, kind="self").values_list(
                "project_id", flat=True
            )
        )


def answered(
    project: Project,
    finding: dict[str, Any],
    today: dt.date,
    rb: LoadedRulebook | None = None,
    records: Records | None = None,
) -> bool:
    """Whether the platform's own records already answer a finding that decide(), knowing only
    the facts it is given, still raises; such a finding is not news and is not recorded."""
    code = finding["code"]
    if records is None:
        records = Records()
    if code in NEEDS_RECORDS:
        records.load([project.pk])
    if code in CONFIRMED_BY:
        status = CONFIRMED_BY[code]
        return (project.jurisdiction_id, project.rulebook_id, status) in records.confirmed
    if code.startswith("DECLARATION_"):
        # judged at the declaration and recorded with it (project.declared / declared_late)
        return project.declared_on is not None
    if code == "ACCEPTANCE_APPLICATION_OVERDUE":
        # applied (the final acceptance started), accepted, or given more time (an extension)
        if project.accepted_on is not None or project.pk in records.applied:
            return True
        due = application_due(project, rb or workflow.rulebook_of(project), records)
        return due is not None and due >= today
    if code == "SELF_EVALUATION_WINDOW_PASSED":
        return project.pk in records.self_evaluated
    return False


def application_due(project: Project, rb: LoadedRulebook, records: Records) -> dt.date | None:
    """``delivery.steps.application_due`` from the batch's records: the last day to apply for
    acceptance (建成后半年内), or the approved extension's if later."""
    return application_due_by(rb, project.completed_on, records.extended.get(project.pk))[0]


def fingerprint(finding: dict[str, Any]) -> str:
    stem = re.sub(r"\d+", "#", finding["message"])
    text = "\x1f".join((finding["code"], finding.get("cite") or "", stem))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


# the stored versions this process has loaded, by their SM3 digest: a version is stored whole and
# never rewritten, so the next night's run (a long-lived worker) need not parse its YAML again
_LOADED: dict[tuple[str, str, int], LoadedRulebook] = {}


class Rulebooks:
    """Each stored version loaded once for the whole run (not once per project), with the codes
    of its gates on new projects."""

    def __init__(self) -> None:
        self._loaded: dict[int, LoadedRulebook] = {}
        self._gates: dict[int, frozenset[str]] = {}

    def __call__(self, version_id: int) -> LoadedRulebook:
        if version_id not in self._loaded:
            version = RulebookVersion.objects.get(pk=version_id)
            key = (version.digest, version.rulebook_id, version.version)
            if key not in _LOADED:
                _LOADED[key] = version.load()
            self._loaded[version_id] = _LOADED[key]
        return self._loaded[version_id]

    def gates(self, version_id: int) -> frozenset[str]:
        if version_id not in self._gates:
            self._gates[version_id] = declaration_gates(self(version_id))
        return self._gates[version_id]


def declaration_gates(rb: LoadedRulebook) -> frozenset[str]:
    # A gate that refuses new projects judged this project's declaration, which is behind it:
    # raised again every night it would accuse thousands of declared projects (湘西第十六条).
    return frozenset(g.code for g in rb.model.gates if g.effect == "no_new_projects")


def raised(
    rb: LoadedRulebook, facts: Facts, today: dt.date, gates: frozenset[str] | None = None
) -> list[dict[str, Any]]:
    """decide()'s block and warn findings, less the gates on new projects."""
    gates = declaration_gates(rb) if gates is None else gates
    return [
        f
        for f in decide(rb, facts, today)["findings"]
        if f["severity"] in RECORDED and f["code"] not in gates
    ]


def findings_of(
    project: Project,
    rb: LoadedRulebook,
    today: dt.date,
    facts: Facts | None = None,
    records: Records | None = None,
) -> dict[str, dict]:
    """decide()'s block and warn findings for the project today, by fingerprint: what
    ``workflow.decision(project)`` answers, less what the platform's records answer."""
    records = records or Records()
    found = raised(rb, facts or workflow.project_facts(project), today)
    return {fingerprint(f): f for f in found if not answered(project, f, today, rb, records)}


def run(today: dt.date) -> dict[str, int]:
    actor = system()
    rulebooks = Rulebooks()
    records = Records()
    unfinished = unfinished_by_unit_and_year()
    counts = {"projects": 0, "new_findings": 0, "cleared": 0, "notices": 0, "errors": 0}
    batches: list[list[Row]] = []
    last = 0
    while True:
        projects = [
            Row._make(values)
            for values in Project.objects.filter(
                status__in=OPEN, rulebook__isnull=False, pk__gt=last
            )
            .order_by("pk")
            .values_list(*COLUMNS)[:BATCH]
        ]
        if not projects:
            break
        last = projects[-1].pk
        batches.append(projects)
    counts["projects"] = sum(len(projects) for projects in batches)
    decided = _decide_all(batches, rulebooks, unfinished, today)
    for projects, (found, errors) in zip(batches, decided, strict=True):
        counts["errors"] += errors
        _check(actor, projects, found, rulebooks, records, today, counts)
    counts["emails"] = send_pending()
    return counts


# decide() for a province is CPU work: with this many projects (and a second core) a forked
# helper process decides every other batch while this one decides the rest (PostgreSQL only)
PARALLEL_FROM = 4 * BATCH
Found = list[tuple[Row, list[dict]]]


def _decide(
    projects: list[Row], rulebooks: Rulebooks, unfinished: Unfinished, today: dt.date
) -> tuple[Found, int]:
    """decide()'s recorded findings for each project of a batch (reads only), and how many
    projects could not be checked."""
    facts = facts_for(projects, unfinished=unfinished)
    found: Found = []
    errors = 0
    for project in projects:
        try:
            rb = rulebooks(project.rulebook_id)
            gates = rulebooks.gates(project.rulebook_id)
            found.append((project, raised(rb, facts[project.pk], today, gates)))
        except Exception:
            # one project's bad data must not stop the province's re-check; it is in the log
            log.exception("re-check of project %s failed", project.pk)
            errors += 1
    return found, errors


def _decide_all(
    batches: list[list[Row]], rulebooks: Rulebooks, unfinished: Unfinished, today: dt.date
) -> list[tuple[Found, int]]:
    """``_decide`` for every batch, the odd ones in a forked helper when that pays
    (``_parallel``); whatever the helper does not deliver is decided here."""
    helped: dict[int, tuple[Found, int]] = {}
    if _parallel(batches):
        for version_id in sorted({p.rulebook_id for projects in batches for p in projects}):
            rulebooks.gates(version_id)  # loaded once, before the fork: the helper inherits them
        helper = _Helper(batches[1::2], rulebooks, unfinished, today)
        mine = {
            i: _decide(batches[i], rulebooks, unfinished, today) for i in range(0, len(batches), 2)
        }
        for i, (pairs, errors) in zip(range(1, len(batches), 2), helper.results(), strict=False):
            rows = {p.pk: p for p in batches[i]}
            helped[i] = ([(rows[pk], raw) for pk, raw in pairs], errors)
        helped.update(mine)
    return [
        helped.get(i) or _decide(b, rulebooks, unfinished, today) for i, b in enumerate(batches)
    ]


def _parallel(batches: list[list[Row]]) -> bool:
    return (
        len(batches) > 1
        and sum(len(b) for b in batches) >= PARALLEL_FROM
        and (os.cpu_count() or 1) > 1
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )


class _Helper:
    """A forked process that decides some batches and sends back, per batch, the (project id,
    findings) pairs and the error count. It only reads, on its own connection; if it fails or
    dies, ``results`` delivers less and the caller decides the rest itself."""

    def __init__(self, batches, rulebooks: Rulebooks, unfinished: Unfinished, today: dt.date):
        connections.close_all()  # neither process may go on with the other's socket
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the helper
            os.close(read)
            code = 0
            try:
                out = []
                for projects in batches:
                    found, errors = _decide(projects, rulebooks, unfinished, today)
                    out.append(([(p.pk, raw) for p, raw in found], errors))
                with os.fdopen(write, "wb") as pipe:
                    pickle.dump(out, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                log.exception("re-check helper failed; the main process decides its batches")
                code = 1
            finally:
                connections.close_all()
                os._exit(code)
        os.close(write)
        self.read = read

    def results(self) -> list[tuple[list[tuple[int, list[dict]]], int]]:
        try:
            with os.fdopen(self.read, "rb") as pipe:
                data = pipe.read()
        finally:
            os.waitpid(self.pid, 0)
        try:
            return pickle.loads(data) if data else []
        except Exception:
            log.exception("re-check helper sent no usable answer")
            return []


def _check(
    actor,
    projects: list[Row],
    found: Found,
    rulebooks: Rulebooks,
    records: Records,
    today: dt.date,
    counts: dict[str, int],
) -> None:
    """One batch: decide()'s findings (``found``), what is new or gone against the open
    findings, recorded together."""
    known: dict[int, dict[str, int]] = {p.pk: {} for p in projects}
    batch = {"project_id__gte": projects[0].pk, "project_id__lte": projects[-1].pk}
    for pk, project_id, fp in ProjectFinding.objects.filter(
        **batch, cleared_on__isnull=True
    ).values_list("pk", "project_id", "fingerprint"):
        if project_id in known:
            known[project_id][fp] = pk
    records.load(p.pk for p, fs in found if any(f["code"] in NEEDS_RECORDS for f in fs))
    changes = []
    for project, raw in found:
        rb = rulebooks(project.rulebook_id)
        now = {fingerprint(f): f for f in raw if not answered(project, f, today, rb, records)}
        mine = known[project.pk]
        new = {fp: f for fp, f in now.items() if fp not in mine}
        gone = [pk for fp, pk in mine.items() if fp not in now]
        if new or gone:
            changes.append((project, rb, new, gone))
    if not changes:
        return
    units = {p.unit_id for p, _, new, _ in changes if _blocks(new)}
    people = People(units)
    names = dict(Organization.objects.filter(pk__in=units).values_list("pk", "name"))
    try:
        told = _record_batch(actor, changes, people, names, today)
    except IntegrityError:
        # another run recorded some of these first: project by project, each in its own
        # transaction, keeping what the other run recorded
        told = 0
        for project, rb, new, gone in changes:
            try:
                told += _record(actor, project, rb.id, new, gone, people, names, today)
            except IntegrityError:
                continue
            counts["new_findings"] += len(new)
            counts["cleared"] += len(gone)
        counts["notices"] += told
        return
    counts["new_findings"] += sum(len(new) for _, _, new, _ in changes)
    counts["cleared"] += sum(len(gone) for *_, gone in changes)
    counts["notices"] += told


def _blocks(new: dict[str, dict]) -> list[tuple[str, dict]]:
    return [(fp, f) for fp, f in new.items() if f["severity"] == "block"]


@transaction.atomic
def _record_batch(actor, changes, people: People, names: dict[int, str], today) -> int:
    """A batch's new findings (rows and events) and cleared findings, and the notices of its
    new blocking findings: one transaction."""
    gone = [pk for *_, gone in changes for pk in gone]
    if gone:
        ProjectFinding.objects.filter(pk__in=gone).update(cleared_on=today)
    rows, events, notices = [], EventBatch(actor), []
    for project, rb, new, _ in changes:
        for fp, f in new.items():
            rows.append(_finding(project, fp, f, today))
            events.record(
                "recheck.finding",
                project_id=project.pk,
                jurisdiction_id=project.jurisdiction_id,
                **_finding_event(f),
            )
        for fp, f in _blocks(new):
            notices.append(_notice(project, rb.id, fp, f, people, names, today))
    ProjectFinding.objects.bulk_create(rows)
    events.flush()
    if not notices:
        return 0
    return sum(len(sent) for sent in notify_many(actor=actor, notices=notices))


@transaction.atomic
def _record(
    actor, row: Row, rulebook_id: str, new: dict, gone: list, people: People, names, today
) -> int:
    """One project's changes, one finding at a time (when a concurrent run got there first)."""
    project = Project.objects.select_related("jurisdiction").get(pk=row.pk)
    if gone:
        ProjectFinding.objects.filter(pk__in=gone).update(cleared_on=today)
    told = 0
    for fp, f in new.items():
        _finding(project, fp, f, today).save(force_insert=True)
        record("recheck.finding", actor=actor, project=project, **_finding_event(f))
        if f["severity"] == "block":
            notice = _notice(row, rulebook_id, fp, f, people, names, today)
            told += len(notify(actor=actor, **notice.arguments()))
    return told


def _finding(project: Row | Project, fp: str, f: dict, today: dt.date) -> ProjectFinding:
    return ProjectFinding(
        project_id=project.pk,
        fingerprint=fp,
        code=f["code"],
        severity=f["severity"],
        cite=f.get("cite") or "",
        message=f["message"],
        first_seen_on=today,
    )


def _finding_event(f: dict) -> dict[str, Any]:
    return {
        "summary": f"每日复核发现：{f['message']}",
        "cite": f.get("cite") or "",
        "data": {"code": f["code"], "severity": f["severity"], "message": f["message"]},
    }


def _notice(
    project: Row | Project, rulebook_id: str, fp: str, f: dict, people: People, names, today
) -> Notice:
    cite = f.get("cite") or ""
    unit = names.get(project.unit_id) or Organization.objects.get(pk=project.unit_id).name
    return Notice(
        recipients=people.working(project.unit_id),
        kind=Kind.FINDING_BLOCKING,
        key=f"{Kind.FINDING_BLOCKING}:project:{project.pk}:{fp}:{today.isoformat()}",
        title=said(gettext_noop("项目复核发现须处理的问题：%(project)s"), project=project.name),
        body=said(
            gettext_noop("%(unit)s：按规则手册复核项目“%(project)s”，发现：%(finding)s"),
            unit=unit,
            project=project.name,
            finding=f["message"],
        )
        + maybe(cite, gettext_noop("（依据%(cite)s）"), cite=cite)
        + said(gettext_noop("。")),
        cite=cite,
        rulebook_id=rulebook_id,
        project_id=project.pk,
        jurisdiction_id=project.jurisdiction_id,
        summary=said(gettext_noop("复核发现须处理的问题：%(message)s"), message=f["message"]),
    )
