"""One generated project as rows and events: the project, the steps its rulebook gave it, tasks
(open ones on its current step, closed ones on the steps behind it) with opinions, documents and
their versions, the plan that lists it, procurement and contracts, expert meetings with verifiable
draws, evaluations, progress reports — and the events the services would have recorded, in order.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password

from govit.contracts.models import Contract, Procurement, ProcurementMethod
from govit.delivery.models import Evaluation, ProgressReport
from govit.demo import catalog
from govit.demo.cast import DEMO_PASSWORD
from govit.documents.models import Document, DocumentVersion
from govit.events.models import Event
from govit.gen import bulk, names
from govit.gen.setup import SYSTEM, Org, Person, Place
from govit.gen.timeline import Plan, StepState, at, next_plan_year
from govit.organizations.models import User
from govit.planning.models import AnnualPlan, PlanEntry
from govit.policy.conditions import money
from govit.policy.decide import cn_date
from govit.projects.models import (
    Opinion,
    Project,
    ProjectParty,
    ProjectStatus,
    ProjectStep,
    StepStatus,
    Task,
    TaskStatus,
)
from govit.reviews import draw as algorithm
from govit.reviews.models import Expert, ExpertDraw, ExpertOpinion, ReviewMeeting, Seat

# parents before children: the order rows are written in
WRITE_ORDER = (
    User,
    Expert,
    AnnualPlan,
    Project,
    ProjectStep,
    Task,
    Opinion,
    Document,
    DocumentVersion,
    PlanEntry,
    Procurement,
    Contract,
    ProjectParty,
    ReviewMeeting,
    ExpertDraw,
    Seat,
    ExpertOpinion,
    Evaluation,
    ProgressReport,
    Event,
)
APPROVAL_KINDS = ("feasibility_approval", "preliminary_design_approval", "project_approval")
PLACEHOLDER = "gen/placeholder.pdf"
PLACEHOLDER_BYTES = b"%PDF-1.7\n% GovIT generated data: one shared placeholder for every version\n"
MEETING_SIZE = 5
TASK_EVENTS = {
    "approve": "task.approved",
    "acknowledge": "task.acknowledged",
    "complete": "task.completed",
    "return": "task.returned",
    "reject": "task.rejected",
}


@dataclass
class Row:
    model: type
    values: dict[str, Any]


@dataclass
class Pending:
    """A project's rows and its events before they are chained."""

    rows: list[Row] = field(default_factory=list)
    events: list[tuple[dt.datetime, int, dict[str, Any]]] = field(default_factory=list)

    def row(self, model: type, **values: Any) -> dict[str, Any]:
        self.rows.append(Row(model, values))
        return values


class World:
    """What the projects share: ids, the plans, expert pools, the placeholder file, codes."""

    def __init__(
        self,
        places: dict[str, Place],
        *,
        today: dt.date,
        now: dt.datetime,
        ids: bulk.Ids,
        placeholder: tuple[str, int, str],
    ):
        self.places, self.today, self.now, self.ids = places, today, now, ids
        self.placeholder = placeholder
        self.plans: dict[tuple[str, int, str, int], dict[str, Any]] = {}
        self.new_plans: list[dict[str, Any]] = []
        self.codes: dict[tuple[str, int], int] = {}
        self.experts: dict[str, list[tuple[int, str, list[str], str, bool, str, Person]]] = {}
        self.pools: dict[tuple[str, str], tuple[list[dict], str, list[dict]]] = {}
        self.pool_cites: dict[str, str] = {}
        self.password: str | None = None

    # --- experts: bulk, with their accounts (an expert signs in to give an opinion) -------------

    def add_experts(self, pending: Pending, place: Place, count: int, at_: dt.datetime) -> None:
        rng = random.Random(f"experts:{place.key}")
        if self.password is None:  # hashing is slow on purpose: once, for every expert
            self.password = make_password(DEMO_PASSWORD)
        encoded = self.password
        pool = []
        for i in range(count):
            person_name = catalog.person(place.key, 500 + i)
            uid = self.ids.take(User)
            pending.row(
                User,
                id=uid,
                password=encoded,
                username=f"{place.key}.expert{i + 1:03d}",
                real_name=person_name,
                date_joined=at_,
                is_active=True,
            )
            first = ("电子政务", "数据治理", "网络安全")[i % 3]
            second = names.SPECIALTIES[(i * 5 + 1) % len(names.SPECIALTIES)]
            specialties = list(dict.fromkeys([first, "电子政务" if i % 2 else second]))
            employer = place.jurisdiction.name[:2] + names.EMPLOYERS[i % len(names.EMPLOYERS)]
            available = i % 37 != 5
            reason = "" if available else "赴外地挂职，暂停抽取"
            eid = self.ids.take(Expert)
            pending.row(
                Expert,
                id=eid,
                jurisdiction_id=place.jurisdiction.pk,
                user_id=uid,
                name=person_name,
                title=names.EXPERT_TITLES[i % len(names.EXPERT_TITLES)],
                specialties=specialties,
                employer_id=None,
                employer_name=employer,
                available=available,
                unavailable_reason=reason,
            )
            person = Person(uid, person_name, None, "", "")
            pool.append((eid, person_name, specialties, employer, available, reason, person))
            moment = at_ + dt.timedelta(seconds=2 * i, microseconds=rng.randint(0, 999_999))
            corr = _uuid(rng)
            _event(
                pending,
                moment,
                "user.created",
                SYSTEM,
                f"创建用户{person_name}（{place.key}.expert{i + 1:03d}），角色：无",
                corr=corr,
                after={"user": uid, "organization": None, "roles": []},
            )
            _event(
                pending,
                moment + dt.timedelta(milliseconds=1),
                "expert.registered",
                SYSTEM,
                f"专家{person_name}入库（{'、'.join(specialties)}；{employer}）",
                corr=corr,
                after={"expert": eid},
            )
        self.experts[place.key] = pool
        self.pool_cites[place.key] = next(
            (
                c.cite
                for s in place.rb.model.steps
                for c in s.checks
                if c.code == "EXPERTS_FROM_POOL"
            ),
            "",
        )

    def pool(self, place: Place, specialty: str) -> tuple[list[dict], str, list[dict]]:
        key = (place.key, specialty)
        if key not in self.pools:
            experts = [e for e in self.experts[place.key] if specialty in e[2]]
            snapshot = [
                {"id": e[0], "name": e[1], "specialties": sorted(e[2]), "employer": e[3]}
                for e in experts
                if e[4]
            ]
            excluded = [
                {"id": e[0], "name": e[1], "reason": f"不可抽取：{e[5]}"}
                for e in experts
                if not e[4]
            ]
            self.pools[key] = (snapshot, algorithm.pool_digest(snapshot), excluded)
        return self.pools[key]

    # --- plans --------------------------------------------------------------------------------

    def plan(self, place: Place, year: int, kind: str, number: int) -> dict[str, Any]:
        key = (place.key, year, kind, number)
        found = self.plans.get(key)
        if found is not None:
            return found
        rule = next(s for s in place.rb.model.steps if s.kind == "annual_plan")
        compiler = place.authorities[rule.actor].clerk
        approver = place.authorities[rule.approver or rule.actor].leader
        j = place.jurisdiction
        title = (
            f"{j.name}{year}年度政务信息化建设项目计划"
            if kind == "annual"
            else f"{j.name}{year}年度政务信息化建设项目增补计划（第{number}批）"
        )
        approved = not (kind == "annual" and year >= next_plan_year(self.today))
        day = dt.date(year - 1, 12, 20) if kind == "annual" else dt.date(year, number + 2, 20)
        rng = random.Random(f"plan:{key}")
        created = at(min(day, self.today) - dt.timedelta(days=45), rng)
        plan = {
            "id": self.ids.take(AnnualPlan),
            "jurisdiction_id": j.pk,
            "year": year,
            "kind": kind,
            "number": number,
            "title": title,
            "status": "approved" if approved else "draft",
            "created_by_id": compiler.id,
            "created_at": created,
            "submitted_at": at(day - dt.timedelta(days=14), rng) if approved else None,
            "approved_at": at(day, rng, hour=(15, 17)) if approved else None,
            "approved_by_id": approver.id if approved else None,
            "round": 1 if approved else 0,
        }
        self.plans[key] = plan
        self.new_plans.append(plan)
        plan["_compiler"], plan["_approver"] = compiler, approver
        return plan

    def plan_rows(self) -> list[tuple[int, Pending]]:
        """The plans first used by the projects just built, each with its events for the
        jurisdiction's stream (created, submitted, approved)."""
        out = []
        for plan in self.new_plans:
            pending = Pending()
            compiler, approver = plan.pop("_compiler"), plan.pop("_approver")
            pending.row(AnnualPlan, **plan)
            rng = random.Random(f"plan-events:{plan['id']}")
            _event(
                pending,
                plan["created_at"],
                "plan.created",
                compiler,
                f"创建“{plan['title']}”",
                corr=_uuid(rng),
                after={"plan": plan["id"]},
            )
            if plan["status"] == "approved":
                _event(
                    pending,
                    plan["submitted_at"],
                    "plan.submitted",
                    compiler,
                    f"报送“{plan['title']}”审定",
                    corr=_uuid(rng),
                    after={"plan": plan["id"], "status": "submitted"},
                )
                _event(
                    pending,
                    plan["approved_at"],
                    "plan.approved",
                    approver,
                    f"批准“{plan['title']}”",
                    corr=_uuid(rng),
                    after={"plan": plan["id"], "status": "approved"},
                )
            out.append((plan["jurisdiction_id"], pending))
        self.new_plans = []
        return out

    def code(self, place: Place, year: int) -> str:
        key = (place.jurisdiction.code, year)
        self.codes[key] = self.codes.get(key, 0) + 1
        return f"{place.jurisdiction.code}-{year}-{self.codes[key]:04d}"


def _round(amount: Decimal, unit: int) -> Decimal:
    """Whole 元, rounded down to ``unit`` (Decimal.quantize would write 1.2E+6)."""
    return Decimal(int(amount) // unit * unit)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _event(
    pending: Pending,
    moment: dt.datetime,
    kind: str,
    actor: Person,
    summary: str,
    *,
    corr: uuid.UUID,
    cite: str = "",
    before: dict | None = None,
    after: dict | None = None,
    data: dict | None = None,
) -> None:
    pending.events.append(
        (
            moment,
            len(pending.events),
            {
                "kind": kind,
                "actor": actor,
                "summary": summary,
                "correlation_id": corr,
                "cite": cite,
                "before": before,
                "after": after,
                "data": data,
            },
        )
    )


def chain(
    pending: Pending,
    writer: bulk.Writer,
    chains: bulk.Chains,
    ids: bulk.Ids,
    *,
    stream: str,
    jurisdiction_id: int | None,
    project_id: int | None,
    now: dt.datetime,
) -> int:
    """Write the rows, then the events in time order on ``stream``; returns the event count."""
    for row in pending.rows:
        writer.add(row.model, row.values)
    latest = now - dt.timedelta(seconds=1)
    for moment, _, e in sorted(pending.events, key=lambda item: (item[0], item[1])):
        bulk.append(
            writer,
            ids,
            chains,
            stream=stream,
            at=min(moment, latest),
            jurisdiction_id=jurisdiction_id,
            project_id=project_id,
            **e,
        )
    return len(pending.events)


# --- one project ----------------------------------------------------------------------------------


class ProjectBuilder:
    """Builds the rows and events of one planned project; ``padding`` more events (revised
    document versions, progress reports) fill the event log to the size asked for."""

    def __init__(self, world: World, plan: Plan):
        self.world, self.plan, self.place = world, plan, plan.place
        self.rng = random.Random(f"{plan.number}:{plan.rng.random()}")
        self.out = Pending()
        self.ids = world.ids
        self.unit = plan.unit
        self.pid = self.ids.take(Project)
        self.documents: dict[str, dict[str, Any]] = {}  # name → Document row
        self.versions: dict[str, list[dict[str, Any]]] = {}
        self.step_ids: dict[int, int] = {}
        self.parties: dict[str, Org] = {}
        self.approved_budget: Decimal | None = None
        self.completed_on = self.accepted_on = None
        self.construction: tuple[dt.datetime, dt.datetime] | None = None
        self.created_at = at(plan.created, self.rng, hour=(8, 10))
        self.last = self.created_at
        self.last_actor = self.unit.clerk

    # helpers
    def corr(self) -> uuid.UUID:
        return _uuid(self.rng)

    def event(self, moment: dt.datetime, kind: str, actor: Person, summary: str, **kw: Any) -> None:
        self.last = max(self.last, moment)
        _event(
            self.out, moment, kind, actor, summary, corr=kw.pop("corr", None) or self.corr(), **kw
        )

    def org(self, kind: str) -> Org:
        if kind == "construction_unit":
            return self.unit
        if kind == "experts":
            return self.place.authorities["competent_department"]
        if kind in ("contractor", "supervisor"):
            return self.parties[kind]
        return self.place.authorities[kind]

    # the whole project
    def build(self, padding: int) -> Pending:
        plan = self.plan
        created = self.created_at
        self.event(
            created,
            "project.created",
            self.unit.clerk,
            f"创建项目草稿“{plan.name}”",
            after=self._snapshot(ProjectStatus.DRAFT),
        )
        if not plan.declared:
            rule = self.place.rb.model.steps[0]
            docs = [
                d.name
                for d in rule.documents
                if (d.by or "construction_unit") == "construction_unit"
            ]
            chosen = [d for d in docs if self.rng.random() < 0.6] or docs[:1] or ["项目建议书"]
            for name in chosen:
                self.upload(name, created + dt.timedelta(minutes=self.rng.randint(5, 600)))
        else:
            self.declare()
        self.pad(padding)
        self.project_row()
        return self.out

    def _snapshot(self, status: str) -> dict[str, Any]:
        p = self.plan
        return {
            "name": p.name,
            "plan_year": p.plan_year,
            "total_investment": str(p.amount),
            "funding_source": p.facts["funding_source"],
            "classified": p.facts["classified"],
            "involves_crypto": p.facts["involves_crypto"],
            "construction_type": p.facts["construction_type"],
            "simple_scope": p.facts["simple_scope"],
            "status": status,
        }

    @property
    def confirmation(self) -> int | None:
        """The administrator's confirmation a declaration under a draft or expired rulebook
        went ahead on."""
        p, place = self.plan, self.place
        if not p.declared:
            return None
        if "draft" in place.confirmations:
            return place.confirmations["draft"]
        if (
            "expired" in place.confirmations
            and place.expires_on
            and p.declared_on >= place.expires_on
        ):
            return place.confirmations["expired"]
        return None

    def project_row(self) -> None:
        p, place = self.plan, self.place
        confirmation = self.confirmation
        self.out.rows.insert(
            0,
            Row(
                Project,
                {
                    "id": self.pid,
                    "jurisdiction_id": place.jurisdiction.pk,
                    "unit_id": self.unit.id,
                    "rulebook_id": place.version.pk if p.declared else None,
                    "code": self.code,
                    "name": p.name,
                    "summary": f"建设内容：{p.name.removeprefix(place.jurisdiction.name)}，"
                    f"总投资{money(p.amount)}。",
                    "plan_year": p.plan_year,
                    "total_investment": p.amount,
                    "funding_source": p.facts["funding_source"],
                    "classified": p.facts["classified"],
                    "involves_crypto": p.facts["involves_crypto"],
                    "construction_type": p.facts["construction_type"],
                    "simple_scope": p.facts["simple_scope"],
                    "status": p.status,
                    "stage": p.stage,
                    "declared_on": p.declared_on,
                    "declared_late": p.declared_late,
                    "approved_budget": self.approved_budget,
                    "completed_on": self.completed_on,
                    "accepted_on": self.accepted_on,
                    "operation_started_on": self.accepted_on,
                    "confirmation_id": confirmation,
                    "created_by_id": self.unit.clerk.id,
                    "created_at": self.created_at,
                    "updated_at": min(self.last, self.world.now),
                },
            ),
        )

    code: str | None = None

    # --- documents ---------------------------------------------------------------------------

    def upload(self, name: str, moment: dt.datetime) -> int:
        path, size, digest = self.world.placeholder
        doc = self.documents.get(name)
        if doc is None:
            doc = self.out.row(
                Document,
                id=self.ids.take(Document),
                project_id=self.pid,
                step_kind="",
                name=name,
                created_at=moment,
            )
            self.documents[name] = doc
            self.versions[name] = []
        number = len(self.versions[name]) + 1
        filename = name.replace("/", "／")[:80] + ".pdf"
        version = self.out.row(
            DocumentVersion,
            id=self.ids.take(DocumentVersion),
            document_id=doc["id"],
            number=number,
            file=path,
            filename=filename,
            size=size,
            content_type="application/pdf",
            sm3=digest,
            uploaded_by_id=self.unit.clerk.id,
            uploaded_at=moment,
        )
        self.versions[name].append(version)
        self.event(
            moment,
            "document.uploaded",
            self.unit.clerk,
            f"上传“{name}”第{number}版（{filename}，{size:,}字节）",
            after={"document": doc["id"], "version": number, "sm3": digest, "size": size},
        )
        return version["id"]

    def upload_step_documents(
        self, s: StepState, start: dt.datetime, end: dt.datetime
    ) -> list[int]:
        span = max(60, int((end - start).total_seconds()))
        ids = []
        for d in s.template["documents"]:
            if (
                d.get("by", "construction_unit") != "construction_unit"
                or d["name"] in self.documents
            ):
                continue
            ids.append(
                self.upload(d["name"], start + dt.timedelta(seconds=self.rng.randint(0, span - 30)))
            )
        return ids

    # --- declaration and the steps ------------------------------------------------------------

    def declare(self) -> None:
        p, place = self.plan, self.place
        self.code = self.world.code(place, p.plan_year)
        for s in p.steps:
            self.step_ids[s.seq] = self.ids.take(ProjectStep)
        declared = max(
            at(p.declared_on, self.rng, hour=(9, 11)), self.created_at + dt.timedelta(hours=1)
        )
        first = p.steps[0]
        prepared = max(
            self.created_at + dt.timedelta(minutes=1),
            declared - dt.timedelta(hours=self.rng.randint(2, 72)),
        )
        self.upload_step_documents(first, prepared, declared)
        m = place.rb.model
        self.event(
            declared,
            "project.declared",
            self.unit.clerk,
            f"申报{p.plan_year}年度项目“{p.name}”，项目编码{self.code}"
            + ("（逾期申报）" if p.declared_late else ""),
            cite=m.declaration.cite if m.declaration else first.rule.cite,
            before={"status": ProjectStatus.DRAFT},
            after={
                "status": ProjectStatus.ACTIVE,
                "code": self.code,
                "rulebook": f"{place.version.rulebook_id}@v{place.version.version}",
                "track": p.track,
                "steps": [s.kind for s in p.steps],
            },
            data={"warnings": p.warnings, "confirmation": self.confirmation},
        )
        moment = declared
        for index, s in enumerate(p.steps):
            if s.status == StepStatus.PENDING:
                self.step_row(s, [])
                continue
            moment = self.walk(index, s, moment)

    def walk(self, index: int, s: StepState, moment: dt.datetime) -> dt.datetime:
        """Open, (submit), act on and close one step; returns when its successor opened."""
        tasks: list[dict[str, Any]] = []
        opened = max(moment, at(s.opened, self.rng, hour=(9, 10))) if index else moment
        cite = s.rule.cite
        declared_pass = index == 0 and not (
            s.rule.start_mode == "on_submission" or s.template["co_actors"]
        )
        if declared_pass:
            self.step_row(s, tasks, closed=opened)
            self.event(
                opened + dt.timedelta(seconds=1),
                "step.passed",
                self.unit.clerk,
                f"“{s.rule.name}”已报送",
                cite=cite,
                before={"step": s.kind, "status": StepStatus.PENDING},
                after={"step": s.kind, "status": StepStatus.PASSED},
            )
            self.opinion(s, None, "submit", self.unit.clerk, self.unit, opened)
            return opened + dt.timedelta(seconds=2)
        waits = index > 0 and s.kind != "annual_plan" and s.rule.start_mode == "on_submission"
        if waits:
            self.event(
                opened,
                "step.opened",
                self.last_actor,
                f"“{s.rule.name}”待建设单位报送材料",
                cite=cite,
                after={"step": s.kind, "status": StepStatus.READY},
            )
        if s.status == StepStatus.READY:
            # the unit is preparing its materials: some are up already
            end = min(self.world.now, opened + dt.timedelta(days=20))
            if self.rng.random() < 0.5 and end > opened:
                self.upload_step_documents(s, opened, end)
            self.step_row(s, tasks)
            return opened
        start = max(opened, at(s.started_on, self.rng, hour=(9, 12)))
        if waits:
            if s.returned_first:
                first_start = opened + (start - opened) / 3
                returned = opened + 2 * (start - opened) / 3
                self.submit(s, opened, first_start, round_=1)
                round1 = self.open_tasks(s, first_start, round_=1)
                self.return_round(s, round1, returned, opened_round=1)
                self.submit(s, returned, start, round_=2)
            else:
                self.submit(s, opened, start, round_=1)
        elif index == 0:
            start = opened
        tasks = self.open_tasks(s, start, round_=s.round) if s.kind != "annual_plan" else []
        if s.kind == "procurement" and s.status == StepStatus.PASSED:
            self.procure(s, start, at(s.closed_on, self.rng, hour=(9, 12)))
        if s.rule.actor == "experts" or "experts" in s.template["co_actors"]:
            self.meeting(s, start, tasks)
        if s.kind == "construction":
            end = at(s.closed_on, self.rng) if s.closed_on else self.world.now
            self.construction = (start, end)
        if (
            s.kind != "annual_plan"
            and s.rule.actor == "construction_unit"
            and s.kind != "declaration"
        ):
            end = at(s.closed_on, self.rng, hour=(9, 11)) if s.closed_on else self.world.now
            if end > start:
                self.upload_step_documents(s, start, end)
        if s.kind == "annual_plan":
            self.annual_plan(s, start)
        if s.status == StepStatus.PASSED:
            close = max(start + dt.timedelta(minutes=5), at(s.closed_on, self.rng, hour=(14, 17)))
            self.close(s, tasks, close)
            self.step_row(s, tasks, closed=close)
            return close + dt.timedelta(seconds=3)
        if s.status == StepStatus.RETURNED:
            returned = max(
                start + dt.timedelta(minutes=5), at(s.closed_on, self.rng, hour=(14, 17))
            )
            self.return_round(s, tasks, returned, opened_round=s.round)
            self.step_row(s, tasks)
            return returned
        if s.status == StepStatus.REJECTED:
            close = max(start + dt.timedelta(minutes=5), at(s.closed_on, self.rng, hour=(14, 17)))
            self.reject(s, tasks, close)
            self.step_row(s, tasks, closed=close)
            return close
        self.step_row(s, tasks)  # in review now
        return start

    def step_row(
        self, s: StepState, tasks: list[dict[str, Any]], closed: dt.datetime | None = None
    ):
        r = s.rule
        self.out.row(
            ProjectStep,
            id=self.step_ids[s.seq],
            project_id=self.pid,
            seq=s.seq,
            kind=r.kind,
            name=r.name,
            actor=r.actor,
            co_actors=list(s.template["co_actors"]),
            copied=list(s.template["copied"]),
            sign=r.sign,
            working_days=r.working_days,
            start_mode=r.start_mode,
            filing=r.filing,
            cite=r.cite,
            documents=[dict(d) for d in s.template["documents"]],
            checks=[dict(c) for c in s.template["checks"]],
            every=r.every or "",
            status=s.status,
            round=s.round,
            started_on=s.started_on if s.status != StepStatus.READY else None,
            due_on=s.due_on,
            due_note=s.due_note,
            closed_at=closed if s.status in (StepStatus.PASSED, StepStatus.REJECTED) else None,
        )

    def submit(
        self, s: StepState, opened: dt.datetime, moment: dt.datetime, *, round_: int
    ) -> None:
        documents = self.upload_step_documents(s, opened, moment) if round_ == 1 else []
        if round_ > 1:  # a revised version of what was asked for
            names_ = [d["name"] for d in s.template["documents"] if d["name"] in self.documents]
            documents = [
                self.upload(n, moment - dt.timedelta(minutes=self.rng.randint(10, 600)))
                for n in names_[:1]
            ]
        opinion = self.opinion(s, None, "submit", self.unit.clerk, self.unit, moment)
        self.event(
            moment,
            "step.resubmitted" if round_ > 1 else "step.submitted",
            self.unit.clerk,
            f"{'重新' if round_ > 1 else ''}报送“{s.rule.name}”的材料，第{round_}轮",
            cite=s.rule.cite,
            after={"step": s.kind, "status": StepStatus.IN_REVIEW, "round": round_},
            data={"opinion": opinion, "documents": documents},
        )

    def open_tasks(self, s: StepState, moment: dt.datetime, *, round_: int) -> list[dict[str, Any]]:
        actors = [s.rule.actor, *s.template["co_actors"]]
        seen: set[int] = set()
        tasks = []
        due = s.due_on
        for index, kind in enumerate(actors):
            org = self.org(kind)
            if org.id in seen:
                continue
            seen.add(org.id)
            tasks.append(
                {
                    "id": self.ids.take(Task),
                    "project_id": self.pid,
                    "step_id": self.step_ids[s.seq],
                    "organization_id": org.id,
                    "actor": kind,
                    "lead": index == 0,
                    "round": round_,
                    "status": TaskStatus.OPEN,
                    "assignee_id": None,
                    "opened_at": moment,
                    "due_on": due,
                    "closed_at": None,
                    "closed_by_id": None,
                    "urge_count": 0,
                    "version": 1,
                    "_org": org,
                }
            )
        summary = f"“{s.rule.name}”开始办理" + (
            f"，{s.rule.working_days}个工作日内办结（{cn_date(due)}前）" if due else ""
        )
        self.event(
            moment + dt.timedelta(milliseconds=5),
            "step.opened",
            self.unit.clerk if s.rule.start_mode == "on_submission" else self.last_actor,
            summary,
            cite=s.rule.cite,
            after={
                "step": s.kind,
                "status": StepStatus.IN_REVIEW,
                "round": round_,
                "due_on": due.isoformat() if due else None,
            },
            data={
                "tasks": [
                    {"id": t["id"], "organization": t["_org"].name, "lead": t["lead"]}
                    for t in tasks
                ]
            },
        )
        if s.seq == 1 and s.rule.start_mode != "on_submission" and tasks:
            # the unit's own part of a joint declaration is done as it declares (湘西第六条)
            self.act(s, tasks[0], TaskStatus.COMPLETED, moment + dt.timedelta(seconds=1))
        for t in tasks:
            self.out.rows.append(Row(Task, t))
        return tasks

    def act(
        self, s: StepState, task: dict[str, Any], status: str, moment: dt.datetime, text: str = ""
    ):
        org: Org = task["_org"]
        action = {
            TaskStatus.APPROVED: "approve",
            TaskStatus.ACKNOWLEDGED: "acknowledge",
            TaskStatus.COMPLETED: "complete",
            TaskStatus.RETURNED: "return",
            TaskStatus.REJECTED: "reject",
        }[status]
        task.update(status=status, closed_at=moment, closed_by_id=org.clerk.id, version=2)
        checks = (
            [c["code"] for c in s.template["checks"] if c["severity"] == "block"]
            if task["lead"] and action in ("approve", "acknowledge", "complete")
            else []
        )
        opinion = self.opinion(s, task, action, org.clerk, org, moment, text, checks)
        label = {
            "approve": "通过",
            "acknowledge": "确认收到",
            "complete": "办结",
            "return": "退回修改",
            "reject": "不予通过",
        }[action]
        self.event(
            moment,
            TASK_EVENTS[action],
            org.clerk,
            f"{org.name}对“{s.rule.name}”{label}" + (f"：{text}" if text else ""),
            cite=s.rule.cite,
            before={"task": task["id"], "status": TaskStatus.OPEN},
            after={"task": task["id"], "status": status},
            data={"opinion": opinion, "on_behalf_of": None, "confirmed_checks": checks},
        )

    def opinion(self, s, task, action, person: Person, org: Org, moment, text="", checks=()) -> int:
        oid = self.ids.take(Opinion)
        self.out.row(
            Opinion,
            id=oid,
            project_id=self.pid,
            step_id=self.step_ids[s.seq],
            task_id=task["id"] if task else None,
            action=action,
            text=text,
            user_id=person.id,
            organization_id=org.id,
            on_behalf_of_id=None,
            confirmed_checks=list(checks),
            at=moment,
        )
        return oid

    def close(self, s: StepState, tasks: list[dict[str, Any]], moment: dt.datetime) -> None:
        r = s.rule
        for i, task in enumerate(tasks):
            if task["status"] != TaskStatus.OPEN:
                continue
            when = moment - dt.timedelta(minutes=(len(tasks) - i) * self.rng.randint(5, 90))
            if r.sign == "any" and not task["lead"]:
                task.update(status=TaskStatus.CANCELLED, closed_at=moment, version=2)
                continue
            if task["actor"] == "construction_unit":
                status = TaskStatus.COMPLETED
            elif r.filing:
                status = TaskStatus.ACKNOWLEDGED
            else:
                status = TaskStatus.APPROVED
            text = "" if status == TaskStatus.COMPLETED else self.rng.choice(names.OPINIONS)
            self.act(s, task, status, max(when, task["opened_at"] + dt.timedelta(minutes=1)), text)
            if task["lead"] and r.kind in APPROVAL_KINDS and status == TaskStatus.APPROVED:
                budget = _round(self.plan.amount * Decimal(self.rng.uniform(0.85, 1.0)), 1000)
                self.event(
                    task["closed_at"] + dt.timedelta(milliseconds=3),
                    "project.budget_approved",
                    task["_org"].clerk,
                    f"“{r.name}”批复概算总投资{money(budget)}",
                    cite=r.cite,
                    before={
                        "approved_budget": str(self.approved_budget)
                        if self.approved_budget
                        else None
                    },
                    after={"approved_budget": str(budget)},
                )
                self.approved_budget = budget
        approver = self.plan_approver if r.kind == "annual_plan" else None
        summary = (
            f"列入经批准的“{self.plan_title}”" if r.kind == "annual_plan" else f"“{r.name}”办结"
        )
        actor = approver or (tasks[0]["_org"].clerk if tasks else self.unit.clerk)
        if r.kind == "construction":
            self.completed_on = s.closed_on
        if r.kind == "final_acceptance":
            self.accepted_on = s.closed_on
        if r.kind in ("self_evaluation", "post_evaluation"):
            self.evaluation(s, moment - dt.timedelta(days=self.rng.randint(1, 10)))
        self.last_actor = actor
        self.event(
            moment,
            "step.passed",
            actor,
            summary,
            cite=r.cite,
            before={"step": r.kind, "status": StepStatus.IN_REVIEW},
            after={"step": r.kind, "status": StepStatus.PASSED},
        )

    def return_round(self, s, tasks, moment, *, opened_round: int) -> None:
        text = self.rng.choice(names.RETURNS)
        for task in tasks:
            if task["status"] != TaskStatus.OPEN:
                continue
            if task["lead"]:
                self.act(s, task, TaskStatus.RETURNED, moment, text)
            else:
                task.update(status=TaskStatus.CANCELLED, closed_at=moment, version=2)
        self.event(
            moment + dt.timedelta(milliseconds=5),
            "step.returned",
            tasks[0]["_org"].clerk if tasks else self.unit.clerk,
            f"“{s.rule.name}”退回建设单位修改：{text}",
            cite=s.rule.cite,
            before={"step": s.kind, "status": StepStatus.IN_REVIEW},
            after={"step": s.kind, "status": StepStatus.RETURNED},
        )

    def reject(self, s, tasks, moment) -> None:
        text = "项目建设必要性不足，与已建系统功能重复，不予通过。"
        for task in tasks:
            if task["lead"]:
                self.act(s, task, TaskStatus.REJECTED, moment, text)
            elif task["status"] == TaskStatus.OPEN:
                task.update(status=TaskStatus.CANCELLED, closed_at=moment, version=2)
        self.event(
            moment + dt.timedelta(milliseconds=5),
            "project.rejected",
            tasks[0]["_org"].clerk if tasks else self.unit.clerk,
            f"“{s.rule.name}”不予通过，项目终结：{text}",
            cite=s.rule.cite,
            before={"status": ProjectStatus.ACTIVE},
            after={"status": ProjectStatus.REJECTED},
        )

    # --- the plan, procurement, meetings, evaluations --------------------------------------------

    plan_title = ""
    plan_approver: Person | None = None

    def annual_plan(self, s: StepState, start: dt.datetime) -> None:
        p = self.plan
        if p.batch is not None:
            year, kind, number = p.batch
        elif p.drafted_into_plan:
            year, kind, number = next_plan_year(self.world.today), "annual", 1
        else:
            return
        plan = self.world.plan(self.place, year, kind, number)
        self.plan_title = plan["title"]
        rule = next(r for r in self.place.rb.model.steps if r.kind == "annual_plan")
        self.plan_approver = self.place.authorities[rule.approver or rule.actor].leader
        added = start + dt.timedelta(hours=self.rng.randint(1, 72))
        if plan["approved_at"] is not None:
            added = min(added, plan["approved_at"] - dt.timedelta(days=15))
        added = max(added, start)
        compiler = self.place.authorities[rule.actor].clerk
        note = "根据工作需要增补" if kind == "supplement" else ""
        self.out.row(
            PlanEntry,
            id=self.ids.take(PlanEntry),
            plan_id=plan["id"],
            project_id=self.pid,
            amount=p.amount,
            note=note,
            added_by_id=compiler.id,
            added_at=added,
        )
        self.event(
            added,
            "plan.entry_added",
            compiler,
            f"列入“{plan['title']}”" + (f"：{note}" if note else ""),
            cite=s.rule.cite,
            after={"plan": plan["id"]},
        )

    def procure(self, s: StepState, start: dt.datetime, end: dt.datetime) -> None:
        rng, p = self.rng, self.plan
        vendors = self.place.vendors
        contractor = rng.choice(vendors["contractor"])
        supervisor = rng.choice(vendors["supervisor"])
        agent = rng.choice(vendors["agent"]) if p.amount >= 1_000_000 else None
        method = (
            "open_tender"
            if p.amount >= 4_000_000
            else "competitive_consultation"
            if p.amount >= 1_000_000
            else rng.choice(["inquiry", "decentralized", "competitive_negotiation"])
        )
        span = max(600, int((end - start).total_seconds()))
        t1 = start + dt.timedelta(seconds=int(span * 0.5))
        t2 = start + dt.timedelta(seconds=int(span * 0.7))
        t3 = start + dt.timedelta(seconds=int(span * 0.8))
        clerk = self.unit.clerk
        proc_id = self.ids.take(Procurement)
        self.out.row(
            Procurement,
            id=proc_id,
            project_id=self.pid,
            method=method,
            agent_id=agent.id if agent else None,
            announced_on=(start + dt.timedelta(seconds=int(span * 0.1))).date(),
            awarded_on=t1.date(),
            winner_id=contractor.id,
            note="",
            recorded_by_id=clerk.id,
            recorded_at=t1,
        )
        self.event(
            t1,
            "procurement.recorded",
            clerk,
            f"登记采购结果：{ProcurementMethod(method).label}，成交供应商{contractor.name}",
            cite=s.rule.cite,
            after={"procurement": proc_id, "winner": contractor.id},
        )
        main = _round(p.amount * Decimal(rng.uniform(0.82, 0.98)), 100)
        fee = _round(p.amount * Decimal("0.015"), 100) + 20_000
        for kind, vendor, amount, moment, role in (
            ("main", contractor, main, t2, "contractor"),
            ("supervision", supervisor, fee, t3, "supervisor"),
        ):
            cid = self.ids.take(Contract)
            number = f"{self.code}-{'HT' if kind == 'main' else 'JL'}01"
            self.out.row(
                Contract,
                id=cid,
                project_id=self.pid,
                kind=kind,
                vendor_id=vendor.id,
                number=number,
                amount=amount,
                signed_on=moment.date(),
                om_period_years=Decimal("3.0") if kind == "main" else None,
                ip_ownership=kind == "main",
                termination_mechanism=True,
                equipment_matches_scheme=True,
                findings=[],
                registered_by_id=clerk.id,
                registered_at=moment,
            )
            self.out.row(
                ProjectParty,
                id=self.ids.take(ProjectParty),
                project_id=self.pid,
                organization_id=vendor.id,
                role=role,
                added_at=moment,
            )
            self.parties[role] = vendor
            label = "承建单位" if role == "contractor" else "监理单位"
            corr = self.corr()
            self.event(
                moment,
                "project.party_added",
                clerk,
                f"登记{label}：{vendor.name}",
                after={"organization": vendor.id, "role": role},
                corr=corr,
            )
            self.event(
                moment + dt.timedelta(milliseconds=2),
                "contract.registered",
                clerk,
                f"登记{'建设合同' if kind == 'main' else '监理合同'}{number}（{vendor.name}，{money(amount)}）",
                after={"contract": cid, "amount": str(amount)},
                data={"findings": []},
                corr=corr,
            )

    def meeting(self, s: StepState, start: dt.datetime, tasks: list[dict[str, Any]]) -> None:
        rng = self.rng
        passed = s.status == StepStatus.PASSED
        if not passed and (s.status != StepStatus.IN_REVIEW or rng.random() < 0.2):
            return
        specialty = rng.choice(("电子政务", "数据治理", "网络安全"))
        pool, digest, excluded = self.world.pool(self.place, specialty)
        if len(pool) < MEETING_SIZE:
            specialty = "电子政务"
            pool, digest, excluded = self.world.pool(self.place, specialty)
        if len(pool) < MEETING_SIZE:
            return
        competent = self.place.authorities["competent_department"]
        created = start + dt.timedelta(hours=rng.randint(1, 30))
        drawn_at = created + dt.timedelta(days=rng.randint(1, 4))
        close = at(s.closed_on, rng, hour=(9, 11)) if passed else None
        if close is not None and drawn_at >= close:
            created = start + (close - start) / 4
            drawn_at = start + (close - start) / 2
        drawn_state = passed or rng.random() < 0.75
        mid = self.ids.take(ReviewMeeting)
        title = f"{self.plan.name}{s.rule.name}会"[:200]
        meeting = self.out.row(
            ReviewMeeting,
            id=mid,
            project_id=self.pid,
            step_id=self.step_ids[s.seq],
            organizer_id=competent.id,
            title=title,
            specialty=specialty,
            size=MEETING_SIZE,
            scheduled_for=drawn_at + dt.timedelta(days=3),
            status="concluded" if passed else ("drawn" if drawn_state else "planned"),
            conclusion="approve" if passed else "",
            conclusion_text="经专家评审，同意通过。" if passed else "",
            created_by_id=competent.clerk.id,
            created_at=created,
        )
        self.event(
            created,
            "meeting.created",
            competent.clerk,
            f"发起“{title}”，从{specialty}专业抽取{MEETING_SIZE}名专家",
            cite=s.rule.cite,
            after={"meeting": mid},
        )
        if not drawn_state:
            return
        seed = f"{rng.getrandbits(128):032x}"
        ranking = algorithm.rank(seed, [e["id"] for e in pool])
        drawn = ranking[:MEETING_SIZE]
        self.out.row(
            ExpertDraw,
            id=self.ids.take(ExpertDraw),
            meeting_id=mid,
            algorithm=algorithm.ALGORITHM,
            seed=seed,
            pool=pool,
            pool_digest=digest,
            exclusions=excluded,
            ranking=ranking,
            drawn=drawn,
            drawn_by_id=competent.clerk.id,
            drawn_at=drawn_at,
        )
        by_id = {e[0]: e for e in self.world.experts[self.place.key]}
        for position, expert_id in enumerate(drawn, start=1):
            self.out.row(
                Seat,
                id=self.ids.take(Seat),
                meeting_id=mid,
                expert_id=expert_id,
                position=position,
                seated_at=drawn_at,
                vacated_at=None,
                vacated_reason="",
            )
        listed = "、".join(by_id[i][1] for i in drawn)
        self.event(
            drawn_at,
            "draw.made",
            competent.clerk,
            f"从{len(pool)}名可抽取专家中随机抽取{MEETING_SIZE}名：{listed}"
            + (f"；回避或不可抽取{len(excluded)}名" if excluded else ""),
            cite=self.world.pool_cites[self.place.key],
            after={"meeting": mid, "drawn": drawn},
            data={
                "seed": seed,
                "pool_digest": digest,
                "algorithm": algorithm.ALGORITHM,
                "exclusions": excluded,
            },
        )
        if not passed:
            return
        for n, expert_id in enumerate(drawn):
            moment = drawn_at + (close - drawn_at) * (n + 1) / (MEETING_SIZE + 2)
            score = Decimal(rng.randint(7500, 9600)) / 100
            self.out.row(
                ExpertOpinion,
                id=self.ids.take(ExpertOpinion),
                meeting_id=mid,
                expert_id=expert_id,
                text="方案可行，建议通过。",
                score=score,
                conclusion="approve",
                submitted_at=moment,
            )
            self.event(
                moment,
                "opinion.recorded",
                by_id[expert_id][6],
                f"专家{by_id[expert_id][1]}：建议通过，评分{score}",
                after={
                    "meeting": mid,
                    "expert": expert_id,
                    "score": str(score),
                    "conclusion": "approve",
                },
            )
        concluded = close - dt.timedelta(hours=3)
        self.event(
            concluded,
            "meeting.concluded",
            competent.clerk,
            f"“{title}”结论：通过：{meeting['conclusion_text']}",
            cite=s.rule.cite,
            after={"meeting": mid, "conclusion": "approve"},
        )

    def evaluation(self, s: StepState, moment: dt.datetime) -> None:
        kind = "self" if s.kind == "self_evaluation" else "post"
        grade = self.rng.choices(["excellent", "good", "fair", "poor"], [3, 5, 2, 0.3])[0]
        score = (
            Decimal({"excellent": 92, "good": 84, "fair": 72, "poor": 55}[grade])
            + Decimal(self.rng.randint(0, 500)) / 100
        )
        evaluator = self.unit if kind == "self" else self.place.authorities["competent_department"]
        eid = self.ids.take(Evaluation)
        self.out.row(
            Evaluation,
            id=eid,
            project_id=self.pid,
            kind=kind,
            score=score,
            grade=grade,
            findings="" if grade != "poor" else "运行效果未达到预期目标，须整改。",
            rectification_required=grade == "poor",
            rectified_at=None,
            evaluator_id=evaluator.id,
            cite=s.rule.cite,
            by_id=evaluator.clerk.id,
            at=moment,
        )
        label = {"excellent": "优", "good": "良", "fair": "中", "poor": "差"}[grade]
        self.event(
            moment,
            "evaluation.recorded",
            evaluator.clerk,
            f"{'自评价' if kind == 'self' else '运行后评价'}：{label}，{score}分",
            cite=s.rule.cite,
            after={"evaluation": eid, "grade": grade},
        )

    # --- padding: what a project accumulates over its years ----------------------------------

    def pad(self, count: int) -> None:
        if count <= 0:
            return
        rng = self.rng
        end = max(self.last, at(self.plan.created, rng))
        end = min(
            self.world.now - dt.timedelta(minutes=1), end + dt.timedelta(days=rng.randint(0, 20))
        )
        reports = 0
        if self.construction is not None:
            start, stop = self.construction
            stop = min(stop, self.world.now - dt.timedelta(minutes=1))
            months = max(1, int((stop - start).days / 30))
            reports = min(count if not self.documents else count // 2 + count % 2, months * 2)
            moments = sorted(start + (stop - start) * rng.random() for _ in range(reports))
            for i, moment in enumerate(moments, start=1):
                percent = min(100, int(100 * i / (reports + 1)) + rng.randint(0, 5))
                period = f"{moment.year}年{moment.month}月"
                self.out.row(
                    ProgressReport,
                    id=self.ids.take(ProgressReport),
                    project_id=self.pid,
                    period=period,
                    percent=percent,
                    text=f"按计划推进，累计完成{percent}%。",
                    reported_by_id=self.unit.clerk.id,
                    reported_at=moment,
                )
                self.event(
                    moment,
                    "progress.reported",
                    self.unit.clerk,
                    f"报送{period}进度：完成{percent}%",
                    after={"percent": percent},
                )
        revisions = count - reports
        if revisions and not self.documents:
            self.upload("项目建议书", at(self.plan.created, rng, hour=(10, 11)))
            revisions -= 1
        docs = list(self.documents)
        extra: dict[str, list[dt.datetime]] = {}
        for _ in range(revisions):
            name = docs[rng.randrange(len(docs))]
            base = self.versions[name][-1]["uploaded_at"]
            extra.setdefault(name, []).append(base + (max(end, base) - base) * rng.random())
        for name, moments in extra.items():
            for moment in sorted(moments):
                self.upload(name, max(moment, self.versions[name][-1]["uploaded_at"]))


def natural_events(plan: Plan, world: World) -> int:
    """How many events the project has before padding (the count the first pass adds up)."""
    return len(ProjectBuilder(world, plan).build(0).events)
