"""A small world for permission and fuzz tests: two jurisdictions, projects at known steps, a
meeting with a drawn panel, plans, tasks — built through the services, as users would."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from govit.core import clock
from govit.delivery.models import TrialRun
from govit.demo.cast import Cast
from govit.documents.services import document_upload
from govit.organizations.models import User
from govit.planning import services as planning
from govit.planning.models import AnnualPlan
from govit.projects import services as projects
from govit.projects.models import Project, Task, TaskStatus
from govit.reviews import services as reviews
from govit.reviews.models import Expert, ReviewMeeting
from tests.api.helpers import experts
from tests.workflow.conftest import PDF, make_cast


@dataclass
class World:
    home: Cast
    foreign: Cast
    projects: dict[str, Project] = field(default_factory=dict)  # own / other / foreign / meeting
    tasks: dict[str, Task] = field(default_factory=dict)
    plans: dict[str, AnnualPlan] = field(default_factory=dict)
    meeting: ReviewMeeting | None = None
    expert: Expert | None = None
    versions: dict[str, int] = field(default_factory=dict)

    def users(self) -> dict[str, User | None]:
        h, f = self.home, self.foreign
        return {
            "own_unit": h.user("unit"),
            "other_unit": h.user("other_unit"),
            "competent": h.user("competent_department"),
            "admin": h.user("admin"),
            "finance": h.user("finance"),
            "development_reform": h.user("development_reform"),
            "government": h.user("government"),
            "secrecy": h.user("secrecy"),
            "audit": h.user("audit"),
            "vendor": h.user("consultant"),
            "expert": self.expert.user if self.expert else None,
            "foreign": f.user("competent_department"),
            "anon": None,
        }


def _declare(cast: Cast, unit: str, name: str, amount: int) -> Project:
    user = cast.user(unit)
    project = projects.project_create(
        actor=user, name=name, plan_year=2027, total_investment=amount
    )
    rb = cast.jurisdiction.rulebook.load()
    for doc in rb.model.steps[0].documents:
        document_upload(
            actor=user, project=project, name=doc.name, upload=io.BytesIO(PDF), filename="a.pdf"
        )
    return projects.project_declare(actor=user, project=project)


def _plan(cast: Cast, project_ids: list[Project]) -> AnnualPlan:
    compiler = cast.user("competent_department")
    plan = planning.plan_create(actor=compiler, jurisdiction=cast.jurisdiction, year=2027)
    for project in project_ids:
        planning.plan_add_project(actor=compiler, plan=plan, project=project)
    plan = planning.plan_submit(actor=compiler, plan=plan)
    for signoff in plan.signoffs.select_related("organization"):
        kind = signoff.organization.kind
        planning.plan_countersign(actor=cast.user(kind), plan=plan, decision="approve")
    return planning.plan_approve(actor=cast.user("government"), plan=plan)


def _submit(cast: Cast, project: Project, kind: str, unit: str) -> None:
    step = project.steps.get(kind=kind)
    user = cast.user(unit)
    for doc in step.documents:
        if doc.get("by", "construction_unit") == "construction_unit":
            document_upload(
                actor=user,
                project=project,
                name=doc["name"],
                upload=io.BytesIO(PDF),
                filename="b.pdf",
            )
    projects.step_submit(actor=user, step=step)


def _approve_all(cast: Cast, project: Project, kind: str) -> None:
    step = project.steps.get(kind=kind)
    for task in Task.objects.filter(step=step, status=TaskStatus.OPEN).select_related(
        "organization"
    ):
        user = cast.user(task.organization.kind)
        checks = [c["code"] for c in step.checks if c["severity"] == "block"]
        projects.task_act(
            actor=user, task_id=task.pk, action="approve", opinion="同意", confirmed_checks=checks
        )


def build_world(tree: dict[str, Any]) -> World:
    with clock.frozen(clock.today().replace(month=10, day=20)):
        home = make_cast(tree, "yueyang")
        foreign = make_cast(tree, "heilongjiang")
        world = World(home=home, foreign=foreign)
        own = _declare(home, "unit", "岳阳市教育局智慧校园", 2_500_000)
        other = _declare(home, "other_unit", "岳阳市卫健委健康平台", 2_500_000)
        meeting_project = _declare(home, "unit", "岳阳市教育局教学资源库", 2_500_000)
        world.plans["home"] = _plan(home, [own, other, meeting_project])
        for project, unit in ((own, "unit"), (other, "other_unit"), (meeting_project, "unit")):
            _submit(home, project, "scheme_review", unit)
        _approve_all(home, meeting_project, "scheme_review")
        projects.party_add(
            actor=home.user("unit"),
            project=own,
            organization=home.orgs.get("consultant") or _vendor(home),
            role="consultant",
        )
        pool = experts(home, "教育信息化", 4, prefix="world")
        world.expert = pool[0]
        competent = home.user("competent_department")
        meeting = reviews.meeting_create(
            actor=competent, project=meeting_project, specialty="教育信息化", size=4
        )
        reviews.draw_make(actor=competent, meeting=meeting)
        world.meeting = meeting
        foreign_project = _declare(foreign, "unit", "黑龙江省营商环境监测平台", 5_000_000)
        world.plans["foreign"] = planning.plan_create(
            actor=foreign.user("competent_department"), jurisdiction=foreign.jurisdiction, year=2027
        )
        world.projects.update(
            own=own, other=other, foreign=foreign_project, meeting=meeting_project
        )
        for key, project in world.projects.items():
            world.tasks[key] = (
                Task.objects.filter(project=project, status=TaskStatus.OPEN, lead=True)
                .select_related("step")
                .first()
            )
            version = project.documents.first().versions.first()
            world.versions[key] = version.pk
    return world


def _vendor(cast: Cast):
    from govit.organizations.models import Organization

    return Organization.objects.get(jurisdiction=cast.jurisdiction, kind="consultant")


def build_back_half(world: World) -> dict[str, dict[str, Any]]:
    """For the permission matrix: a built project per target with a contract, a payment, a change,
    a penalty, an obligation and (where the rulebook has them) an extension and evaluations."""
    from govit.contracts import services as contracts
    from govit.delivery import services as delivery
    from govit.demo.cast import add_vendor
    from govit.demo.driver import advance_to
    from govit.supervision import services as supervision

    objects: dict[str, dict[str, Any]] = {}
    for key, cast, unit_key, amount in (
        ("own", world.home, "unit", 900_000),
        ("other", world.home, "other_unit", 900_000),
        ("foreign", world.foreign, "unit", 3_000_000),
    ):
        prefix = f"{cast.jurisdiction.code}"
        if "contractor" not in cast.users:
            add_vendor(
                cast,
                f"{cast.jurisdiction.name}数字科技有限公司",
                "contractor",
                key="contractor",
                prefix=prefix,
            )
            add_vendor(
                cast,
                f"{cast.jurisdiction.name}工程监理有限公司",
                "supervisor",
                key="supervisor",
                prefix=prefix,
            )
        with clock.frozen(clock.today().replace(year=2026, month=6, day=15)):
            project = _declare(cast, unit_key, f"{cast.jurisdiction.name}已建项目{key}", amount)
            project = advance_to(cast, project, "construction", unit=unit_key)
            user = cast.user(unit_key)
            contract = project.contracts.get(kind="main")
            payment = contracts.payment_plan(
                actor=user, contract=contract, amount=1000, due_on=clock.today()
            )
            document_upload(
                actor=user,
                project=project,
                name="项目变更单",
                upload=io.BytesIO(PDF),
                filename="c.pdf",
            )
            change = contracts.change_request(
                actor=user,
                project=project,
                reason="other",
                basis="测试",
                description="测试",
                items=[
                    {
                        "category": "hardware",
                        "new_model": "扩容",
                        "new_quantity": 1,
                        "new_unit_price": 600_000,
                    }
                ],
                acknowledged=["CHANGE_OVER_BUDGET"],  # beyond the 总投资: said, and acknowledged
            )
            rule = (
                ("PROJECT_VIOLATION", ["accountability"])
                if key != "foreign"
                else ("SERIOUS_DELAY", ["rectify"])
            )
            penalty = supervision.penalty_impose(
                actor=cast.user("competent_department"),
                project=project,
                code=rule[0],
                measures=rule[1],
                reason="测试",
            )
            progress = delivery.progress_report(
                actor=user, project=project, period="2026年6月", percent=100, text="完成"
            )
            incident = delivery.incident_report(
                actor=user, project=project, kind="serious_delay", text="测试"
            )
            # the dates a unit states for its trial run (made directly: not every rulebook here
            # has a trial-operation step, and the matrix asks only who may void one)
            trial_run = TrialRun.objects.create(
                project=project,
                started_on=clock.today() - dt.timedelta(days=30),
                ended_on=clock.today() - dt.timedelta(days=1),
                reported_by=user,
                reported_at=clock.now(),
            )
            extension = None
            if key == "foreign":
                project = advance_to(cast, project, "archive_acceptance", unit=unit_key)
                extension = delivery.extension_request(
                    actor=user,
                    project=project,
                    until=clock.today().replace(year=2027),
                    reason="测试",
                )
            if (
                key == "foreign"
            ):  # 黑龙江: the self-evaluation opens 6 months after operation starts
                project = advance_to(cast, project, "self_evaluation", unit=unit_key)
        with clock.frozen(clock.today().replace(year=2027, month=1, day=20)):
            project = advance_to(cast, project, "post_evaluation", unit=unit_key)
            evaluation = delivery.evaluation_record(
                actor=cast.user("competent_department"),
                project=project,
                kind="post",
                score=70,
                grade="fair",
                rectification_required=True,
            )
        objects[key] = {
            "project": project,
            "procurement": project.procurements.first(),
            "contract": contract,
            "payment": payment,
            "change": change,
            "penalty": penalty,
            "extension": extension,
            "evaluation": evaluation,
            "progress": progress,
            "incident": incident,
            "trial_run": trial_run,
            "obligation": project.obligations.order_by("id").first(),
            "vendor": contract.vendor,
        }
    credit = supervision.credit_record(
        actor=world.home.user("competent_department"),
        vendor=objects["own"]["vendor"],
        kind="credit_record",
        reason="测试",
        code="VENDOR_VIOLATION",
    )
    objects["own"]["credit"] = objects["other"]["credit"] = credit
    return objects
