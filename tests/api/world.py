"""A small world for permission and fuzz tests: two jurisdictions, projects at known steps, a
meeting with a drawn panel, plans, tasks — built through the services, as users would."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from govit.core import clock
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
