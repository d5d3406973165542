"""Make the demo's past happen: every story of ``govit.demo.catalog`` is scheduled backwards from
today, then all actions of all projects, plans and supervisors run in date order, each with the
clock frozen at its moment, through the services people use. Due dates therefore fall where the
calendar puts them, overdue tasks are overdue today, and the event log reads like real history."""

from __future__ import annotations

import datetime as dt
import heapq
import io
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from govit.access.services import organization_create, rulebook_confirm, user_create
from govit.contracts import services as contracts
from govit.contracts.models import ChangeRequest
from govit.contracts.selectors import effective_contract_amount
from govit.core import clock
from govit.delivery import services as delivery
from govit.delivery.models import AcceptanceExtension
from govit.demo import catalog
from govit.demo.cast import (
    DEMO_PASSWORD,
    JURISDICTIONS,
    Cast,
    add_unit,
    add_vendor,
    build_tree,
    staff,
)
from govit.demo.driver import (
    Stuck,
    block_checks,
    demo_pdf,
    reviewer_of,
    upload_missing,
    user_of,
)
from govit.documents.materials import first_step
from govit.documents.services import document_upload
from govit.jurisdictions.models import Jurisdiction, RulebookConfirmation
from govit.jurisdictions.selectors import authority_name as rulebook_authority_name
from govit.organizations.models import Organization, Role, User
from govit.organizations.services import system_user
from govit.planning import services as planning
from govit.planning.models import AnnualPlan, PlanKind
from govit.policy.calendar import CalendarYearMissing, add_months, default_calendar
from govit.policy.classify import classify
from govit.policy.loader import LoadedRulebook, rulebook_from_text, rulebook_paths
from govit.policy.vocab import AUTHORITY_KINDS
from govit.projects import services as projects
from govit.projects import workflow
from govit.projects.models import Project, ProjectStatus, ProjectStep, StepStatus, Task, TaskStatus
from govit.reviews import services as reviews
from govit.reviews.models import Expert, MeetingStatus, ReviewMeeting
from govit.reviews.selectors import current_panel
from govit.supervision import services as supervision

Phase = tuple[str, str]  # (step kind, action): submit / meet / finish / return / partial

# Days between one action of a project and the next: (least, usual). The least keep what the
# rulebooks require (a self-evaluation 6 months into operation); the usual make a plausible pace.
GAPS: dict[Phase, tuple[int, int]] = {
    ("scheme_review", "submit"): (5, 30),
    ("feasibility_approval", "submit"): (5, 40),
    ("procurement", "finish"): (20, 50),
    ("budget_review", "finish"): (5, 20),
    ("funds_review", "finish"): (3, 9),
    ("construction", "finish"): (60, 170),
    ("preliminary_acceptance", "finish"): (5, 15),
    ("trial_operation", "finish"): (30, 60),
    ("om_report", "finish"): (20, 100),
    ("self_evaluation", "finish"): (186, 200),
    ("post_evaluation", "finish"): (20, 45),
}
DEFAULT_GAPS = {"submit": (2, 12), "meet": (2, 6), "finish": (2, 10), "return": (2, 8)}
GAPS_BEFORE_PLAN = {"finish": 4}  # declaration filed or joint review done within days
EXTENSION_GAP = (200, 215)  # 黑龙江: an acceptance applied for late, after an approved extension
# waits bounded by a rulebook (the self-evaluation window; an extension's new deadline) keep
# their usual length when the others stretch
# the warnings the unit was shown when it recorded a blacklisted vendor, and went ahead with
SEEN = ("VENDOR_BLACKLISTED",)
UNSTRETCHED = {("self_evaluation", "finish"), ("final_acceptance", "submit")}
APPROVAL_KINDS = ("feasibility_approval", "preliminary_design_approval", "project_approval")

OPINIONS = {
    "declaration": "已收到，同意列入下一年度项目建设清单",
    "joint_review": "符合集约化建设和数据共享、网络安全、密码应用要求，同意",
    "scheme_review": "建设方案符合政务信息化总体规划，依托政务云部署，同意通过评审",
    "project_approval": "同意立项，按批复的建设内容和投资概算组织实施",
    "feasibility_approval": "可行性研究报告内容完整，建设必要、技术可行，同意批复",
    "preliminary_design_approval": "初步设计方案和投资概算经评估论证，同意批复",
    "preliminary_review": "材料齐全，符合数字政府改革建设要求，初审通过",
    "funds_review": "项目所需资金在部门预算内统筹安排，造价审核通过",
    "budget_review": "经财政投资评审，同意按审定金额安排资金",
    "contract_filing": "采购文件和合同已收悉，予以备案",
    "crypto_review": "商用密码应用方案和安全性评估报告已收悉，予以备案",
    "compliance_review": "验收前符合性审查通过，同意组织验收",
    "final_acceptance": "系统功能和性能达到合同及建设方案要求，同意通过竣工验收",
    "acceptance_filing": "验收报告已收悉，予以备案",
    "archive_acceptance": "项目档案资料齐全，予以备案",
    "settlement_audit": "结算审计完成，同意按审定金额办理结算",
    "post_evaluation": "后评价报告已审定",
}
UNIT_NOTES = {
    "scheme_review": "已完成方案编制和内部论证",
    "budget_review": "已委托中介机构完成造价审核",
    "procurement": "已完成政府采购并签订合同",
    "construction": "已按批复的建设内容完成建设",
    "preliminary_acceptance": "初步验收通过，转入试运行",
    "trial_operation": "试运行期满，系统运行稳定",
    "final_acceptance": "已组织竣工验收，验收合格",
    "archive_acceptance": "档案验收合格",
    "om_report": "已形成年度运行维护情况报告",
    "self_evaluation": "已完成自评价，报省营商环境局并抄送省财政厅、省发改委",
}
EXPERT_OPINIONS = (
    ("项目建设必要，技术路线可行，建议进一步细化数据共享和安全防护内容", "88"),
    ("建设内容与需求匹配，投资估算基本合理，建议压减部分硬件采购", "85"),
    ("方案依托政务云集约建设，符合要求；建议明确运维期和知识产权归属", "90"),
    ("同意通过，建议补充等级保护测评和密码应用安全性评估安排", "86"),
    ("系统架构合理，接口标准清晰，建议加强与省级平台的数据对接", "92"),
)
RETURNS = {
    "scheme_review": "建设方案未明确与省级平台的数据对接方式和安全防护措施，请补充完善后重新报送",
    "final_acceptance": "部分功能未达到合同约定（与省级平台的数据对接未完成），性能测试报告缺失，"
    "验收不予通过，请限期整改后重新申请验收",
}


def _hash(*parts: object) -> int:
    return zlib.crc32("|".join(str(p) for p in parts).encode())


def history_end(today: dt.date) -> dt.date:
    """Today, or the last day the working-day calendar covers (due dates need the calendar)."""
    last = dt.date(default_calendar().years[-1], 12, 31)
    return min(today, last)


def working_day_on_or_before(day: dt.date) -> dt.date:
    calendar = default_calendar()
    for _ in range(15):
        try:
            if calendar.is_working_day(day):
                return day
        except CalendarYearMissing:
            return day if day.weekday() < 5 else day - dt.timedelta(days=day.weekday() - 4)
        day -= dt.timedelta(days=1)
    return day


def working_day_after(day: dt.date) -> dt.date:
    calendar = default_calendar()
    day += dt.timedelta(days=1)
    for _ in range(15):
        try:
            if calendar.is_working_day(day):
                return day
        except CalendarYearMissing:
            if day.weekday() < 5:
                return day
        day += dt.timedelta(days=1)
    return day


# --- scheduling ---------------------------------------------------------------------------


@dataclass
class Schedule:
    """When each thing happens to one story's project."""

    story: catalog.Story
    rulebook: LoadedRulebook
    kinds: list[str]
    plan_year: int = 0
    created_on: dt.date | None = None
    declared_on: dt.date | None = None
    supplement_on: dt.date | None = None  # approval of the 增补 plan that lists it
    phases: list[tuple[dt.date, Phase]] = field(default_factory=list)


def _steps(rb: LoadedRulebook, story: catalog.Story) -> list[tuple[Any, dict[str, Any]]]:
    facts = {"total_investment": Decimal(story.amount), "funding_source": "local_fiscal"}
    facts |= {"classified": False, "involves_crypto": False, "construction_type": "new"}
    facts |= {"simple_scope": False} | story.fields
    return list(classify(rb, facts).steps)


def _actions(step: Any, template: dict[str, Any]) -> list[str]:
    acts = []
    if step.start_mode == "on_submission":
        acts.append("submit")
    if step.kind == "expert_review" or "experts" in template["co_actors"]:
        acts.append("meet")
    acts.append("finish")
    return acts


def _landing(acts: list[str], landing: str) -> list[str]:
    if landing == "ready":
        return []
    if landing == "open":
        return [a for a in acts if a == "submit"]
    if landing in ("returned", "failed"):
        return [a for a in acts if a == "submit"] + ["return"]
    if landing == "partial":
        return [a for a in acts if a == "submit"] + ["partial"]
    return acts[:-1]


def _gap(phase: Phase, story: catalog.Story) -> tuple[int, int]:
    if phase == ("final_acceptance", "submit") and "extension" in story.extras:
        return EXTENSION_GAP
    return GAPS.get(phase, DEFAULT_GAPS.get(phase[1], (2, 10)))


def plan_approved_on(rb: LoadedRulebook, year: int, today: dt.date) -> dt.date:
    """When a jurisdiction's annual plan for ``year`` is approved: a week before the deadline the
    rulebook sets for compiling it (黑龙江: 10月31日), else in mid-December — or, when that is
    less than a month before today, early in the plan year (the plan is still being signed and
    the projects waiting for it today stay waiting)."""
    rule = next(s for s in rb.model.steps if s.kind == "annual_plan")
    if rule.deadline is not None:
        usual = rule.deadline.in_year(year - 1) - dt.timedelta(days=7)
    else:
        usual = dt.date(year - 1, 12, 10)
    if usual <= today < usual + dt.timedelta(days=25):
        return working_day_after(dt.date(year, 1, 7))
    return working_day_on_or_before(usual)


def rulebook_of(place: str) -> LoadedRulebook:
    """The place's rulebook as the database will store it (parsed once: the digest is the key)."""
    rulebook_id = JURISDICTIONS[place][4]
    path = rulebook_paths()[rulebook_id]
    return rulebook_from_text(path.read_text(encoding="utf-8"), f"{rulebook_id}.yaml")


def schedule(story: catalog.Story, today: dt.date) -> Schedule:
    rb = rulebook_of(story.place)
    steps = _steps(rb, story)
    kinds = [s.kind for s, _ in steps]
    plan = Schedule(story=story, rulebook=rb, kinds=kinds)
    last = today - dt.timedelta(days=story.idle)
    if story.target == catalog.DRAFT:
        plan.created_on = working_day_on_or_before(last)
        plan.plan_year = today.year + 1
        return plan
    target = len(kinds) if story.target == catalog.DONE else kinds.index(story.target)
    phases: list[Phase] = []
    for index, (step, template) in enumerate(steps):
        if index > target:
            break
        acts = _actions(step, template)
        if index == 0:
            acts = (
                ["finish"] if (step.actor != "construction_unit" or template["co_actors"]) else []
            )
        if step.kind == "annual_plan":
            acts = ["plan"]
        if index == target:
            acts = [] if step.kind == "annual_plan" else _landing(acts, story.landing)
        phases += [(step.kind, a) for a in acts]
    spec = rb.model.declaration
    if ("annual_plan", "plan") not in phases:
        pre, post = (phases, []) if "annual_plan" in kinds else ([], phases)
    else:
        cut = phases.index(("annual_plan", "plan"))
        pre, post = phases[:cut], phases[cut + 1 :]
    pre_days = sum(GAPS_BEFORE_PLAN.get(a, 4) for _, a in pre)

    def deadline(year: int) -> dt.date:
        assert spec is not None
        return spec.deadline.in_year(year)

    if "annual_plan" not in kinds:
        # 湘西备案: no plan, no declaration period; the steps run on from the declaration
        plan.phases = _pace(post, story, last, bound=None)
        first = plan.phases[0][0] if plan.phases else last
        plan.declared_on = working_day_on_or_before(first - dt.timedelta(days=10))
        plan.plan_year = plan.declared_on.year + 1
    elif ("annual_plan", "plan") not in phases:
        # the target is the plan or comes before it: declared recently (or late), waiting
        if story.late:
            declared = last - dt.timedelta(days=pre_days)
            year = declared.year + 1 if declared > deadline(declared.year) else declared.year
        else:
            year = today.year + 1
            offset = 5 + _hash(story.key) % 20
            declared = min(
                deadline(year - 1) - dt.timedelta(days=offset), last - dt.timedelta(days=pre_days)
            )
        plan.plan_year, plan.declared_on = year, working_day_on_or_before(declared)
        plan.phases = _forward(pre, plan.declared_on, story)
    else:
        lead = sum(_gap(p, story)[0] for p in post) + story.idle + 3
        if story.late:
            if spec is None or spec.supplement is None:
                raise Stuck(f"{story.key}: 《{rb.title}》没有增补计划，逾期申报的项目不能列入计划")
            year = today.year + 1
            while (
                plan_approved_on(rb, year, today) + dt.timedelta(days=40 + pre_days + 20 + lead)
                > today
            ):
                year -= 1
            year -= story.older
            declared = plan_approved_on(rb, year, today) + dt.timedelta(
                days=40 + _hash(story.key) % 20
            )
            plan.declared_on = working_day_on_or_before(declared)
            plan.supplement_on = working_day_on_or_before(
                plan.declared_on + dt.timedelta(days=pre_days + 20)
            )
            bound = plan.supplement_on
        else:
            year = today.year + 1
            while plan_approved_on(rb, year, today) + dt.timedelta(days=lead) > today:
                year -= 1
            year -= story.older
            offset = 5 + _hash(story.key) % 25
            declared = deadline(year - 1) - dt.timedelta(days=offset)
            if spec is not None and spec.opens is not None:
                declared = max(declared, spec.opens.in_year(year - 1) + dt.timedelta(days=3))
            plan.declared_on = working_day_on_or_before(declared)
            bound = plan_approved_on(rb, year, today)
        plan.plan_year = year
        plan.phases = _forward(pre, plan.declared_on, story) + _pace(post, story, last, bound=bound)
    plan.created_on = working_day_on_or_before(
        plan.declared_on - dt.timedelta(days=6 + _hash(story.key, "c") % 10)
    )
    return plan


def _forward(
    phases: list[Phase], start: dt.date, story: catalog.Story
) -> list[tuple[dt.date, Phase]]:
    out, day = [], start
    for phase in phases:
        day = working_day_after(day + dt.timedelta(days=GAPS_BEFORE_PLAN.get(phase[1], 4) - 1))
        out.append((day, phase))
    return out


def _pace(
    phases: list[Phase], story: catalog.Story, last: dt.date, *, bound: dt.date | None
) -> list[tuple[dt.date, Phase]]:
    """Dates for ``phases`` ending on ``last``, walking back by the usual gaps — squeezed toward
    the least gaps when the time since ``bound`` (the plan's approval) is short."""
    if not phases:
        return []
    gaps = [_gap(p, story) for p in phases]
    least = sum(g[0] for g in gaps[1:])
    usual = sum(g[1] for g in gaps[1:])
    room = (last - bound).days - gaps[0][0] if bound is not None else usual
    if room < least:
        raise Stuck(f"{story.key}: {room}天不足以走完{len(phases)}个动作（至少{least}天）")
    if room >= usual:
        scale = min(1.4, room / usual) if usual else 1
        widths = [
            g[1] * (1 if p in UNSTRETCHED else scale)
            for g, p in zip(gaps[1:], phases[1:], strict=True)
        ]
    else:
        share = (room - least) / (usual - least) if usual > least else 0
        widths = [g[0] + share * (g[1] - g[0]) for g in gaps[1:]]
    dates = [last]
    for width in reversed(widths):
        dates.append(dates[-1] - dt.timedelta(days=round(width)))
    dates.reverse()
    out: list[tuple[dt.date, Phase]] = []
    previous = bound
    for day, phase in zip(dates, phases, strict=True):
        day = working_day_on_or_before(day)
        if previous is not None and day <= previous:
            day = working_day_after(previous)
        out.append((day, phase))
        previous = day
    return out


# --- the world ----------------------------------------------------------------------------


@dataclass
class World:
    today: dt.date
    casts: dict[str, Cast] = field(default_factory=dict)
    vendors: dict[tuple[str, str], Organization] = field(default_factory=dict)
    experts: dict[str, list[Expert]] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    plans: dict[tuple[str, int, int], AnnualPlan | None] = field(default_factory=dict)
    changes: dict[str, int] = field(default_factory=dict)
    extensions: dict[str, int] = field(default_factory=dict)
    queue: list[tuple[dt.datetime, int, str, Callable[[], None]]] = field(default_factory=list)
    done: int = 0

    def at(self, day: dt.date, minute: int, label: str, action: Callable[[], None]) -> None:
        """Queue ``action`` for ``day`` at 09:00 plus ``minute`` (China time)."""
        if day >= self.today:
            return  # not yet: it has not happened
        moment = dt.datetime.combine(day, dt.time(9, 0), tzinfo=clock.CHINA) + dt.timedelta(
            minutes=minute % 480
        )
        heapq.heappush(self.queue, (moment, len(self.queue) + self.done, label, action))

    def run(self) -> None:
        while self.queue:
            moment, _, label, action = heapq.heappop(self.queue)
            self.done += 1
            with clock.frozen(moment):
                try:
                    action()
                except Exception as exc:  # name the story and the moment, keep the cause
                    raise Stuck(f"{moment:%Y-%m-%d %H:%M} {label}: {exc}") from exc

    def usable(self, jurisdiction: Jurisdiction, place: str) -> None:
        """The administrator confirms, when it comes to that, that the jurisdiction goes on under a
        rulebook that is a draft (连平) or has expired (临湘: 有效期2年)."""
        version = jurisdiction.rulebook
        status = version.load().status_on(clock.today())
        if status == "in_force":
            return
        if RulebookConfirmation.objects.filter(
            jurisdiction=jurisdiction, rulebook=version, status=status
        ).exists():
            return
        reason = {
            "draft": "经县政府同意，办法正式印发前按二次征求意见稿试行",
            "expired": "办法有效期届满、修订稿尚未印发，经市政府同意继续参照执行",
        }.get(status, "经本级人民政府同意按此办法办理")
        rulebook_confirm(
            actor=self.casts[place].user("admin"), jurisdiction=jurisdiction, reason=reason
        )


def _user(org: Organization, username: str, name: str, roles: list[str]) -> User:
    return User.objects.filter(username=username).first() or user_create(
        actor=system_user(),
        organization=org,
        username=username,
        password=DEMO_PASSWORD,
        real_name=name,
        roles=roles,
    )


def authority_name(jurisdiction: Jurisdiction, kind: str, place: str) -> str:
    """The catalog's name for the office, else its name in the rulebook, as staff() and the
    platform's jurisdiction setup give it (jurisdictions.selectors.authority_name)."""
    if kind in catalog.AUTHORITY_NAMES[place]:
        return catalog.AUTHORITY_NAMES[place][kind]
    return rulebook_authority_name(jurisdiction, kind, jurisdiction.rulebook.load())


def people(world: World, tree: dict[str, Jurisdiction]) -> None:
    """Every authority with a clerk and a leader (the roles staff() gives them), the construction
    units, vendors and experts — each account in the name of the person who holds it."""
    actor = system_user()
    for place in catalog.PLACES:
        jurisdiction = tree[place]
        names = iter(range(1000))

        def account(org: Organization, username: str, roles: list[str], place=place, names=names):
            _user(org, username, catalog.person(place, next(names)), roles)

        for kind in AUTHORITY_KINDS:
            org = Organization.objects.filter(jurisdiction=jurisdiction, kind=kind).first()
            if org is None:
                org = organization_create(
                    actor=actor,
                    jurisdiction=jurisdiction,
                    kind=kind,
                    name=authority_name(jurisdiction, kind, place),
                )
            leader = [Role.LEADER, Role.ADMIN] if kind == "competent_department" else [Role.LEADER]
            account(
                org, f"{place}.{kind}.clerk", [Role.AUDITOR] if kind == "audit" else [Role.CLERK]
            )
            account(org, f"{place}.{kind}.leader", [Role.AUDITOR] if kind == "audit" else leader)
        cast = staff(jurisdiction, prefix=place)
        for key, name in catalog.UNITS[place].items():
            org = Organization.objects.filter(jurisdiction=jurisdiction, name=name).first()
            if org is None:
                org = organization_create(
                    actor=actor, jurisdiction=jurisdiction, kind="construction_unit", name=name
                )
            account(org, f"{place}.{key}.clerk", [Role.CLERK])
            account(org, f"{place}.{key}.leader", [Role.LEADER])
            add_unit(cast, name, key=key, prefix=place)
        for key, (kind, name) in catalog.VENDORS[place].items():
            org = Organization.objects.filter(jurisdiction=jurisdiction, name=name).first()
            if org is None:
                org = organization_create(
                    actor=actor, jurisdiction=jurisdiction, kind=kind, name=name
                )
            account(org, f"{place}.{key}", [Role.CLERK])
            world.vendors[(place, key)] = add_vendor(cast, name, kind, key=key, prefix=place)
        world.casts[place] = cast
        world.experts[place] = _experts(world, place, jurisdiction, names)


def _experts(world: World, place: str, jurisdiction: Jurisdiction, names: Any) -> list[Expert]:
    actor = system_user()
    employers = catalog.EMPLOYERS[place]
    pool = []
    for i, specialties in enumerate(catalog.EXPERT_SPECIALTIES):
        name = catalog.person(place, 200 + next(names))
        username = f"{place}.expert{i + 1:02d}"
        user = User.objects.filter(username=username).first() or user_create(
            actor=actor,
            organization=None,
            jurisdiction=jurisdiction,
            username=username,
            password=DEMO_PASSWORD,
            real_name=name,
            roles=[],
        )
        employer = None
        if i == catalog.EXPERT_AT_CONTRACTOR:
            employer = world.vendors[(place, "contractor1")]
        elif i == catalog.EXPERT_AT_UNIT:
            employer = world.casts[place].units["health"]
        expert = Expert.objects.filter(user=user).first() or reviews.expert_register(
            actor=actor,
            jurisdiction=jurisdiction,
            name=name,
            specialties=list(specialties),
            employer=employer,
            employer_name=employer.name if employer else employers[i % len(employers)],
            title=catalog.EXPERT_TITLES[i % len(catalog.EXPERT_TITLES)],
            user=user,
        )
        pool.append(expert)
    index, reason = catalog.EXPERT_UNAVAILABLE
    if pool[index].available:
        reviews.expert_set_availability(
            actor=actor, expert=pool[index], available=False, reason=reason
        )
    return pool


# --- what people do -----------------------------------------------------------------------


def _upload(user: User, project: Project, name: str) -> Any:
    filename = name.replace("/", "／")[:80] + ".pdf"
    return document_upload(
        actor=user, project=project, name=name, upload=io.BytesIO(demo_pdf(name)), filename=filename
    )


class Actions:
    """What the people of one story do. Each entry point runs with the clock at its moment; what
    follows within it moves the clock on a little (``tick``), so the log keeps its order."""

    def __init__(self, world: World, schedule: Schedule):
        self.world, self.schedule, self.story = world, schedule, schedule.story
        self.cast = world.casts[self.story.place]
        self._base = clock.now()
        self._offset = 0

    def start(self) -> None:
        self._base, self._offset = clock.now(), 0

    def tick(self, minutes: int = 10) -> Any:
        self._offset += minutes
        return clock.frozen(self._base + dt.timedelta(minutes=self._offset))

    @property
    def project(self) -> Project:
        project = self.world.projects[self.story.key]
        project.refresh_from_db()
        return project

    @property
    def unit(self) -> User:
        return self.cast.user(self.story.unit)

    def vendor(self, key: str) -> Organization:
        return self.world.vendors[(self.story.place, key)]

    # -- creation and declaration

    def create(self) -> None:
        self.start()
        s = self.story
        project = projects.project_create(
            actor=self.unit,
            name=s.name,
            plan_year=self.schedule.plan_year,
            total_investment=s.amount,
            summary=s.summary,
            **s.fields,
        )
        self.world.projects[s.key] = project
        if s.joint:  # 连平第十五条: the units whose needs the 公共类 project serves
            projects.joint_units_set(
                actor=self.unit,
                project=project,
                organizations=[self.cast.user(key).organization for key in s.joint],
            )
        documents = _steps(self.schedule.rulebook, s)[0][1]["documents"]
        with self.tick(40):
            if s.target == catalog.DRAFT:
                documents = documents[: 1 + _hash(s.key) % 2]
            first = first_step(project)  # the slots the declaration will have
            first.documents = [dict(d) for d in documents]
            upload_missing(self.unit, project, first)

    def declare(self) -> None:
        self.start()
        project = self.project
        self.world.usable(project.jurisdiction, self.story.place)
        project = projects.project_declare(actor=self.unit, project=project)
        kinds = list(project.steps.order_by("seq").values_list("kind", flat=True))
        if kinds != self.schedule.kinds:
            raise Stuck(f"{self.story.key}: 环节与预期不同：{kinds} ≠ {self.schedule.kinds}")

    # -- one action on the current step

    def perform(self, kind: str, action: str) -> None:
        self.start()
        project = self.project
        if project.status != ProjectStatus.ACTIVE:
            raise Stuck(f"{self.story.key}: 项目{project.get_status_display()}，不能办理{kind}")
        step = workflow.current_step(project)
        if step is None or step.kind != kind:
            raise Stuck(f"{self.story.key}: 当前环节是{step.kind if step else '无'}，不是{kind}")
        self.world.usable(project.jurisdiction, self.story.place)
        self.housekeeping(project)
        getattr(self, f"do_{action}")(project, step)

    def do_submit(self, project: Project, step: ProjectStep) -> None:
        with self.tick(5):
            upload_missing(self.unit, project, step)
        with self.tick(30):
            projects.step_submit(actor=self.unit, step=step, note="材料已齐，请审核")

    def do_meet(self, project: Project, step: ProjectStep) -> None:
        meeting = self.convene(project, step)
        if self.story.target == step.kind and self.story.landing == "":
            panel = current_panel(meeting)
            if panel:  # one expert has sent an opinion already, the others have not
                text, score = EXPERT_OPINIONS[0]
                with self.tick(240):
                    reviews.opinion_submit(
                        actor=panel[0].user,
                        meeting=meeting,
                        text=text,
                        score=score,
                        conclusion="approve",
                    )

    def do_return(self, project: Project, step: ProjectStep) -> None:
        task = Task.objects.select_related("organization").get(
            step=step, round=step.round, status=TaskStatus.OPEN, lead=True
        )
        rectify_by = None
        if step.kind in ("final_acceptance", "compliance_review"):
            rectify_by = max(
                clock.today() + dt.timedelta(days=45), self.world.today + dt.timedelta(days=20)
            )
        with self.tick(30):
            projects.task_act(
                actor=reviewer_of(self.cast, step, task),
                task_id=task.pk,
                action="return",
                opinion=RETURNS.get(step.kind, "材料不完整，请补充后重新报送"),
                rectify_by=rectify_by,
            )

    def do_partial(self, project: Project, step: ProjectStep) -> None:
        tasks = Task.objects.filter(step=step, round=step.round, status=TaskStatus.OPEN, lead=False)
        for task in tasks.select_related("organization").order_by("pk")[:1]:
            with self.tick(30):
                projects.task_act(
                    actor=user_of(self.cast, task.organization),
                    task_id=task.pk,
                    action="approve",
                    opinion=OPINIONS.get(step.kind, "同意"),
                )

    def do_finish(self, project: Project, step: ProjectStep) -> None:
        if step.kind == "expert_review" or "experts" in step.co_actors:
            self.conclude(project, step)
            if step.kind == "expert_review":
                return
        if step.kind == "procurement":
            self.procure(project)
        if step.kind == "self_evaluation" and not project.evaluations.filter(kind="self").exists():
            with self.tick(20):
                delivery.evaluation_record(
                    actor=self.unit, project=project, kind="self", score="88", grade="good"
                )
        if step.kind == "post_evaluation" and not project.evaluations.filter(kind="post").exists():
            self.post_evaluation(project)
        for _ in range(len(step.co_actors) + 2):  # 依次办理: each act opens the next body's task
            tasks = list(
                Task.objects.filter(step=step, round=step.round, status=TaskStatus.OPEN)
                .select_related("organization")
                .order_by("lead", "pk")
            )
            if not tasks:
                break
            for task in tasks:
                task.refresh_from_db()
                if task.status != TaskStatus.OPEN:
                    continue  # 或签: another signature has passed the step
                with self.tick(25):
                    self.act(project, step, task)
        if step.kind == "construction":
            self.pay(project, 2)
            self.report_duties(project)
        if step.kind == "final_acceptance":
            self.pay(project, 3)

    def act(self, project: Project, step: ProjectStep, task: Task) -> None:
        user = reviewer_of(self.cast, step, task)
        budget = None
        if task.actor == "construction_unit":
            action, opinion, user = "complete", UNIT_NOTES.get(step.kind, "已办结"), self.unit
            upload_missing(user, project, step)
        elif task.actor in ("contractor", "supervisor"):
            action, opinion = "approve", "已确认"
        else:
            action = "acknowledge" if step.filing else "approve"
            opinion = OPINIONS.get(step.kind, "同意")
            if task.lead and step.kind in APPROVAL_KINDS:
                leader = self.cast.users.get(f"{task.organization.kind}.leader")
                user = reviewer_of(self.cast, step, task, prefer=leader)
                budget = Decimal(self.story.amount * 96 // 100 // 1000 * 1000)
            elif task.lead and step.kind in projects.FUNDS_KINDS:  # 财政核定金额
                budget = Decimal(self.story.amount * 98 // 100 // 1000 * 1000)
        projects.task_act(
            actor=user,
            task_id=task.pk,
            action=action,
            opinion=opinion,
            confirmed_checks=block_checks(step) if task.lead else (),
            approved_budget=budget,
        )

    # -- meetings

    def convene(self, project: Project, step: ProjectStep) -> ReviewMeeting:
        meeting = (
            ReviewMeeting.objects.filter(step=step).exclude(status=MeetingStatus.CONCLUDED).first()
        )
        if meeting is not None:
            return meeting
        competent = self.cast.user("competent_department")
        with self.tick(10):
            meeting = reviews.meeting_create(
                actor=competent,
                project=project,
                step_kind=step.kind,
                specialty=self.story.specialty,
                size=3,
                scheduled_for=clock.now() + dt.timedelta(days=5, hours=1),
            )
        with self.tick(20):
            draw = reviews.draw_make(actor=competent, meeting=meeting)
        spare = len(draw.ranking) > meeting.size
        if spare and _hash(self.story.key, "replace") % 3 == 0:  # now and then one cannot come
            with self.tick(120):
                reviews.draw_replace(
                    actor=competent,
                    meeting=meeting,
                    expert=current_panel(meeting)[-1],
                    reason="临时出差，无法参加评审会",
                )
        return meeting

    def conclude(self, project: Project, step: ProjectStep) -> None:
        meeting = self.convene(project, step)
        given = set(meeting.opinions.values_list("expert_id", flat=True))
        for i, expert in enumerate(current_panel(meeting)):
            if expert.pk in given:
                continue
            text, score = EXPERT_OPINIONS[(i + _hash(self.story.key)) % len(EXPERT_OPINIONS)]
            with self.tick(15):
                reviews.opinion_submit(
                    actor=expert.user, meeting=meeting, text=text, score=score, conclusion="approve"
                )
        with self.tick(30):
            reviews.meeting_conclude(
                actor=self.cast.user("competent_department"),
                meeting=meeting,
                conclusion="approve",
                text="专家组一致同意通过" + ("评审" if step.kind == "expert_review" else "验收"),
                confirmed_checks=block_checks(step),
            )

    # -- procurement, contracts, payments

    def procure(self, project: Project) -> None:
        if project.procurements.exists():
            return
        s, today = self.story, clock.today()
        amount = project.approved_budget or project.total_investment
        if amount >= 4_000_000:
            method = "open_tender"
        elif amount >= 1_000_000:
            method = "competitive_consultation"
        else:
            method = "inquiry"
        contractor = self.vendor(s.contractor)
        with self.tick(10):
            contracts.procurement_record(
                actor=self.unit,
                project=project,
                method=method,
                winner=contractor,
                awarded_on=today - dt.timedelta(days=7),
                announced_on=today - dt.timedelta(days=30),
                agent=self.vendor("agent") if amount >= 1_000_000 else None,
                acknowledged=SEEN,
            )
        ratio = Decimal("0.90") + Decimal(_hash(s.key, "price") % 60) / 1000
        price = (amount * ratio).quantize(Decimal("100"))
        # 连平第十五条: 采购结果确定后，分别签订合同 — the unit's share, then each joint unit's
        signers = [None, *(self.cast.user(key).organization for key in s.joint)]
        shares = (
            [Decimal("0.5"), *([Decimal("0.5") / len(s.joint)] * len(s.joint))] if s.joint else [1]
        )
        for n, (signatory, share) in enumerate(zip(signers, shares, strict=True), start=1):
            with self.tick(30):
                signed = contracts.contract_register(
                    actor=self.unit,
                    project=project,
                    kind="main",
                    vendor=contractor,
                    number=f"{project.code}-HT{n:02d}",
                    amount=(price * share).quantize(Decimal("100")),
                    signed_on=today,
                    om_period_years=3,
                    ip_ownership=True,
                    termination_mechanism=True,
                    equipment_matches_scheme=True,
                    acknowledged=SEEN,
                    signatory=signatory,
                )
            if n == 1:
                main = signed
        with self.tick(10):
            contracts.contract_register(
                actor=self.unit,
                project=project,
                kind="supervision",
                vendor=self.vendor(s.supervisor),
                number=f"{project.code}-JL01",
                amount=(amount * Decimal("0.025")).quantize(Decimal("100")),
                signed_on=today,
                acknowledged=SEEN,
            )
        planned = []
        for share, days in (("0.30", 15), ("0.40", 180), ("0.25", 300)):
            with self.tick(5):
                planned.append(
                    contracts.payment_plan(
                        actor=self.unit,
                        contract=main,
                        amount=(main.amount * Decimal(share)).quantize(Decimal("0.01")),
                        due_on=today + dt.timedelta(days=days),
                    )
                )
        with self.tick(60):
            contracts.payment_pay(
                actor=self.cast.user("finance"), payment=planned[0], paid_on=clock.today()
            )

    def pay(self, project: Project, number: int) -> None:
        main = project.contracts.filter(kind="main").first()
        payment = main.payments.filter(number=number, status="planned").first() if main else None
        if payment is not None:
            with self.tick(90):
                contracts.payment_pay(
                    actor=self.cast.user("finance"), payment=payment, paid_on=clock.today()
                )

    def report_duties(self, project: Project) -> None:
        duties = project.obligations.filter(code="PERFORMANCE_REPORT", fulfilled_at__isnull=True)
        for obligation in duties:
            with self.tick(10):
                delivery.obligation_fulfil(
                    actor=self.unit, obligation=obligation, note="已报送年度绩效评价报告"
                )

    def housekeeping(self, project: Project) -> None:
        """The asset ledger after acceptance (岳阳第三十条), kept when the unit next gets to it."""
        if project.accepted_on is None or project.accepted_on >= clock.today():
            return
        if project.obligations.filter(code="ASSET_LEDGER", fulfilled_at__isnull=True).exists():
            with self.tick(5):
                delivery.asset_record(
                    actor=self.unit,
                    project=project,
                    name=f"{project.name}软硬件资产",
                    value=effective_contract_amount(project) or project.total_investment,
                    entered_on=clock.today(),
                    using_unit=project.unit,
                )

    def post_evaluation(self, project: Project) -> None:
        grade = self.story.grade
        poor = grade == "poor"
        with self.tick(20):
            delivery.evaluation_record(
                actor=self.cast.user("competent_department"),
                project=project,
                kind="post",
                score={"excellent": "93", "good": "84", "fair": "72", "poor": "58"}[grade],
                grade=grade,
                findings="系统使用率低，数据更新不及时，未按要求与上级平台共享数据" if poor else "",
                rectification_required=poor,
            )

    # -- the stories' own events

    def progress(self, percent: int) -> None:
        self.start()
        project = self.project
        if project.status != ProjectStatus.ACTIVE:
            return
        delivery.progress_report(
            actor=self.unit,
            project=project,
            period=f"{clock.today():%Y年%m月}",
            percent=percent,
            text=f"已完成总体工作量的{percent}%，"
            + (
                "软硬件部署和接口开发按计划推进"
                if percent < 60
                else "主要功能开发完成，进入联调测试"
            ),
        )

    def change(self, mode: str) -> None:
        self.start()
        project = self.project
        total = effective_contract_amount(project) or project.total_investment
        if mode == "change_within":  # 连平: ≤10% of the contract, the total unchanged, once
            _upload(self.unit, project, "项目变更单（附表3，建设、承建、监理单位盖章）")
            items = [
                {
                    "category": "hardware",
                    "sub_project": "监测站点",
                    "original_model": "翻斗式雨量计",
                    "original_quantity": 40,
                    "original_unit_price": int(total * Decimal("0.0018")),
                    "new_model": "称重式雨量计",
                    "new_quantity": 40,
                    "new_unit_price": int(total * Decimal("0.0017")),
                    "note": "按省水利厅最新技术要求更换设备型号",
                }
            ]
            reason, basis = "technical_optimization", "省水利厅小型水库雨水情测报设施技术要求"
        elif mode == "change_filed":  # 黑龙江: within 15% of the approved budget, filed
            items = [
                {
                    "category": "software",
                    "sub_project": "数据交换",
                    "new_model": "部省两级交通运输数据交换接口适配",
                    "new_quantity": 1,
                    "new_unit_price": int(total * Decimal("0.04")),
                }
            ]
            reason, basis = "technical_optimization", "交通运输部综合交通运输数据共享交换技术要求"
        else:
            items = [
                {
                    "category": "hardware",
                    "sub_project": "存储扩容",
                    "new_model": "分布式存储扩容节点",
                    "new_spec": "单节点可用容量不少于100TB",
                    "new_quantity": 2,
                    "new_unit_price": int(total * Decimal("0.03")),
                    "note": "业务数据增长超出原方案预估",
                }
            ]
            reason, basis = "business_development", "业务数据量增长超出原建设方案预估"
        with self.tick(20):
            change = contracts.change_request(
                actor=self.unit,
                project=project,
                reason=reason,
                basis=basis,
                description="；".join(str(i["new_model"]) for i in items),
                items=items,
                # a change beyond the 批复概算 is said to the unit, which goes ahead with it
                acknowledged=("CHANGE_OVER_BUDGET",),
            )
        self.world.changes[self.story.key] = change.pk

    def decide_change(self, approve: bool) -> None:
        self.start()
        change = ChangeRequest.objects.get(pk=self.world.changes[self.story.key])
        approvals = change.approvals.filter(status="open").select_related("organization")
        for approval in approvals.order_by("-lead", "pk"):
            with self.tick(40):
                contracts.change_decide(
                    actor=user_of(self.cast, approval.organization),
                    change=change,
                    decision="approve" if approve else "refuse",
                    opinion="同意变更"
                    if approve
                    else "技术方案一经评审，原则上不得变更；确需变更的，应将技术方案重新报州电子政务办评审",
                )
            change.refresh_from_db()
            if change.status != "pending":
                break

    def terminate(self) -> None:
        self.start()
        project = self.project
        statement = _upload(self.unit, project, "项目终止书面说明")
        with self.tick(30):
            delivery.project_terminate(
                actor=self.unit,
                project=project,
                reason="省级统建的全域旅游平台已覆盖本项目主要功能，继续实施不能实现预期目标",
                statement_id=statement.pk,
            )

    def incident(self) -> None:
        self.start()
        delivery.incident_report(
            actor=self.unit,
            project=self.project,
            kind="serious_delay",
            text="受核心软件供应商变更和冬季施工条件影响，工程进度滞后计划约5个月",
        )

    def suspend(self) -> None:
        self.start()
        supervision.penalty_impose(
            actor=self.cast.user("competent_department"),
            project=self.project,
            code="SERIOUS_DELAY",
            measures=["rectify", "suspend"],
            reason="工程严重逾期，责令限期整改，整改期间暂停项目建设",
        )

    def ask_extension(self) -> None:
        self.start()
        project = self.project
        self.world.extensions[self.story.key] = delivery.extension_request(
            actor=self.unit,
            project=project,
            until=add_months(project.completed_on, 9),
            reason="部分业务系统与国家平台联调尚未完成，不能在建成后6个月内申请竣工验收",
        ).pk

    def grant_extension(self) -> None:
        self.start()
        delivery.extension_decide(
            actor=self.cast.user("competent_department"),
            extension=AcceptanceExtension.objects.get(pk=self.world.extensions[self.story.key]),
            approve=True,
            opinion="同意延期申请竣工验收",
        )


# --- putting the past in order --------------------------------------------------------------


def _between(start: dt.date, end: dt.date, share: float) -> dt.date:
    return working_day_on_or_before(start + dt.timedelta(days=int((end - start).days * share)))


def queue_story(world: World, plan: Schedule) -> None:
    story, actions = plan.story, Actions(world, plan)
    minute = _hash(story.key) % 300
    assert plan.created_on is not None
    world.at(plan.created_on, minute, f"{story.key} 创建", actions.create)
    if story.target == catalog.DRAFT:
        return
    assert plan.declared_on is not None
    world.at(plan.declared_on, minute + 30, f"{story.key} 申报", actions.declare)
    for i, (day, (kind, action)) in enumerate(plan.phases):
        world.at(
            day,
            _hash(story.key, i) % 300,
            f"{story.key} {kind}.{action}",
            lambda kind=kind, action=action: actions.perform(kind, action),
        )
    _queue_extras(world, plan, actions)


def _queue_extras(world: World, plan: Schedule, actions: Actions) -> None:
    story, today = plan.story, world.today
    dates = {phase: day for day, phase in plan.phases}
    opened = next(
        (plan.phases[i - 1][0] for i, (_, p) in enumerate(plan.phases) if p[0] == "construction"),
        plan.phases[-1][0] if story.target == "construction" and plan.phases else None,
    )
    if opened is None:
        return
    built = dates.get(("construction", "finish"), today)
    if (built - opened).days >= 40:
        finished = ("construction", "finish") in dates
        # construction completes only when the last report says 100% (delivery.steps)
        for share in (0.3, 0.65, 0.95) if finished else (0.3, 0.65):
            percent = (
                (100 if share == 0.95 else round(share * 100)) if finished else round(share * 90)
            )
            world.at(
                _between(opened, built, share),
                200,
                f"{story.key} 进度报告",
                lambda percent=percent: actions.progress(percent),
            )
    for extra in story.extras:
        if extra.startswith("change_"):
            asked = _between(opened, built, 0.5)
            mode = "change_within" if story.place == "lianping" else extra
            world.at(asked, 100, f"{story.key} 变更申请", lambda mode=mode: actions.change(mode))
            if extra in ("change_approved", "change_refused"):
                decided = working_day_on_or_before(asked + dt.timedelta(days=9))
                world.at(
                    decided,
                    60,
                    f"{story.key} 变更审批",
                    lambda approve=extra == "change_approved": actions.decide_change(approve),
                )
        if extra == "terminated":
            world.at(_between(opened, built, 0.85), 150, f"{story.key} 终止", actions.terminate)
        if extra == "suspended":
            world.at(
                _between(opened, built, 0.75), 90, f"{story.key} 严重逾期报告", actions.incident
            )
            world.at(_between(opened, built, 0.8), 200, f"{story.key} 责令暂停", actions.suspend)
        if extra == "extension":
            world.at(
                working_day_on_or_before(built + dt.timedelta(days=165)),
                120,
                f"{story.key} 延期验收申请",
                actions.ask_extension,
            )
            world.at(
                working_day_on_or_before(built + dt.timedelta(days=172)),
                150,
                f"{story.key} 同意延期",
                actions.grant_extension,
            )


class Plans:
    """The annual plans (and 增补 plans) of one jurisdiction, compiled, countersigned and approved
    by whom its rulebook names."""

    def __init__(self, world: World, place: str):
        self.world, self.place = world, place
        self.cast = world.casts[place]
        self.jurisdiction = self.cast.jurisdiction
        self.rule = next(
            s for s in self.jurisdiction.rulebook.load().model.steps if s.kind == "annual_plan"
        )

    def queue_annual(self, year: int) -> None:
        approved = plan_approved_on(self.jurisdiction.rulebook.load(), year, self.world.today)
        self._queue(year, 0, approved, self.compile_annual)

    def queue_supplement(self, year: int, approved: dt.date, story_key: str) -> None:
        number = 1 + sum(1 for key in self.world.plans if key[:2] == (self.place, year))
        self.world.plans[(self.place, year, number)] = None  # type: ignore[assignment]
        self._queue(year, number, approved, lambda y, n: self.compile_supplement(y, n, story_key))

    def _queue(self, year: int, number: int, approved: dt.date, compile_: Any) -> None:
        def day(days: int) -> dt.date:
            return working_day_on_or_before(approved - dt.timedelta(days=days))

        label = f"{self.place} {year}年{'增补' if number else '年度'}计划"
        span = 28 if number == 0 else 14
        self.world.at(day(span), 30, f"{label}编制", lambda: compile_(year, number))
        self.world.at(day(span * 3 // 4), 60, f"{label}报送", lambda: self.submit(year, number))
        for i, co in enumerate(self.rule.co_actors):
            self.world.at(
                day(span // 2 - 2 * i),
                90 + 30 * i,
                f"{label}会签",
                lambda kind=co.actor: self.countersign(year, number, kind),
            )
        self.world.at(approved, 120, f"{label}审定", lambda: self.approve(year, number))

    @property
    def compiler(self) -> User:
        return self.cast.user(self.rule.actor)

    def compile_annual(self, year: int, number: int) -> None:
        listed = Project.objects.filter(
            jurisdiction=self.jurisdiction,
            plan_year=year,
            status=ProjectStatus.ACTIVE,
            declared_late=False,
            steps__kind="annual_plan",
            steps__status=StepStatus.IN_REVIEW,
        ).order_by("declared_on", "pk")
        if not listed:
            return
        plan = planning.plan_create(actor=self.compiler, jurisdiction=self.jurisdiction, year=year)
        for i, project in enumerate(listed):
            with clock.frozen(clock.now() + dt.timedelta(minutes=5 * (i + 1))):
                planning.plan_add_project(actor=self.compiler, plan=plan, project=project)
        self.world.plans[(self.place, year, number)] = plan

    def compile_supplement(self, year: int, number: int, story_key: str) -> None:
        project = self.world.projects[story_key]
        project.refresh_from_db()
        plan = planning.plan_create(
            actor=self.compiler, jurisdiction=self.jurisdiction, year=year, kind=PlanKind.SUPPLEMENT
        )
        with clock.frozen(clock.now() + dt.timedelta(minutes=10)):
            planning.plan_add_project(
                actor=self.compiler,
                plan=plan,
                project=project,
                note="根据上级部署要求急需建设，报请列入年度增补计划",
            )
        self.world.plans[(self.place, year, number)] = plan

    def _plan(self, year: int, number: int) -> AnnualPlan | None:
        plan = self.world.plans.get((self.place, year, number))
        if plan is not None:
            plan.refresh_from_db()
        return plan

    def submit(self, year: int, number: int) -> None:
        plan = self._plan(year, number)
        if plan is not None:
            planning.plan_submit(actor=self.compiler, plan=plan)

    def countersign(self, year: int, number: int, kind: str) -> None:
        plan = self._plan(year, number)
        if plan is not None and plan.status == "countersigning":
            planning.plan_countersign(
                actor=self.cast.user(kind), plan=plan, decision="approve", opinion="同意"
            )

    def approve(self, year: int, number: int) -> None:
        plan = self._plan(year, number)
        if plan is not None and plan.status == "submitted":
            approver = self.rule.approver or self.rule.actor
            planning.plan_approve(
                actor=self.cast.users.get(f"{approver}.leader") or self.cast.user(approver),
                plan=plan,
                opinion="同意",
            )


def supervise(world: World) -> None:
    """Vendors' credit: where a rulebook provides for it (岳阳第三十八条, 临湘第三十五条)."""
    today = world.today

    def vendor_credit(
        place: str, key: str, kind: str, reason: str, days_ago: int, project: str = ""
    ):
        def run() -> None:
            cast = world.casts[place]
            supervision.credit_record(
                actor=cast.user("competent_department"),
                vendor=world.vendors[(place, key)],
                kind=kind,
                reason=reason,
                code="VENDOR_VIOLATION",
                project=world.projects.get(project),
                until=today + dt.timedelta(days=365) if kind == "blacklist" else None,
            )

        world.at(
            working_day_on_or_before(today - dt.timedelta(days=days_ago)),
            240,
            f"{place} 信用记录",
            run,
        )

    vendor_credit(
        "yueyang",
        "contractor3",
        "blacklist",
        "在政府采购活动中提供虚假业绩材料谋取成交，列入黑名单并予以公布",
        60,
    )
    vendor_credit(
        "yueyang", "supervisor2", "credit_record", "监理日志记录不实，未按规定开展旁站监理", 120
    )
    vendor_credit(
        "linxiang",
        "supervisor1",
        "credit_record",
        "出具的监理报告与项目实际建设情况严重不符",
        90,
        "lx-done",
    )


def build(today: dt.date) -> World:
    """Everything that happened before ``today``: the platform set up a few weeks before the
    first project, then every scheduled action in date order."""
    end = history_end(today)
    world = World(today=end)
    schedules = [schedule(story, end) for story in catalog.STORIES]
    first = min(p.created_on for p in schedules if p.created_on is not None)
    start = working_day_on_or_before(first - dt.timedelta(days=30))
    with clock.frozen(dt.datetime.combine(start, dt.time(8, 30), tzinfo=clock.CHINA)):
        people(world, build_tree())
    for plan in schedules:
        queue_story(world, plan)
    plans = {place: Plans(world, place) for place in catalog.PLACES}
    annual = {
        (p.story.place, p.plan_year)
        for p in schedules
        if "annual_plan" in p.kinds and not p.story.late and p.story.target != catalog.DRAFT
    }
    for place, year in sorted(annual):
        plans[place].queue_annual(year)
    for plan in schedules:
        if plan.supplement_on is not None:
            plans[plan.story.place].queue_supplement(
                plan.plan_year, plan.supplement_on, plan.story.key
            )
    supervise(world)
    world.run()
    return world
