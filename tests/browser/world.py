"""The data the page tests look at: 岳阳市 staffed through the real services, an expert pool, and
projects at several points of their lifecycle (built by tests/workflow/flows.py and
govit/demo/driver.py's advance_to, the way their people would have moved them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from govit.access.services import user_create
from govit.core import clock
from govit.demo.cast import DEMO_PASSWORD, Cast, build_tree
from govit.demo.driver import advance_to
from govit.organizations.services import system_user
from govit.projects.models import Project
from govit.reviews import services as reviews
from govit.reviews.models import Expert
from tests.delivery.conftest import staffed
from tests.workflow import flows

SPECIALTY = "教育信息化"
EXPERTS = ("李一", "李二", "李三", "李四", "李五")


class World:
    """岳阳市 with its people; the projects are built on first use (a page about rulebooks needs
    none, and each test builds its own world: the live server's database is flushed after it)."""

    @cached_property
    def cast(self) -> Cast:
        return staffed(build_tree(), "yueyang")

    def user(self, key: str):
        return self.cast.user(key)

    @cached_property
    def pool(self) -> list[Expert]:
        return expert_pool(self.cast)

    @cached_property
    def projects(self) -> Projects:
        return build_projects(self.cast, self.pool)


@dataclass
class Projects:
    draft: Project  # the unit's draft, not declared
    reviewing: Project  # 建设方案评审 in review: a task of the competent department
    experts: Project  # 专家评审 under way, its panel drawn
    building: (
        Project  # in construction (another unit's): procurement, contracts, timeline half done
    )


def expert_pool(cast: Cast, names: tuple[str, ...] = EXPERTS) -> list[Expert]:
    system = system_user()
    pool = []
    for name in names:
        user = user_create(
            actor=system,
            organization=None,
            jurisdiction=cast.jurisdiction,
            username=f"expert.{name}",
            password=DEMO_PASSWORD,
            real_name=name,
            roles=[],
        )
        pool.append(
            reviews.expert_register(
                actor=system,
                jurisdiction=cast.jurisdiction,
                name=name,
                specialties=[SPECIALTY],
                employer_name="湖南大学",
                title="教授",
                user=user,
            )
        )
    return pool


def build_projects(cast: Cast, pool: list[Expert]) -> Projects:
    unit = cast.user("unit")
    from govit.projects import services as projects

    draft = projects.project_create(
        actor=unit, name="岳阳市教育局教师研修平台", plan_year=2027, total_investment=600_000
    )
    reviewing = flows.declared(cast, name="岳阳市教育局智慧校园平台", amount=1_800_000)
    experts = flows.declared(cast, name="岳阳市教育局教育大数据中心", amount=2_500_000)
    building = flows.declared(
        cast, name="岳阳市卫健委全民健康信息平台", amount=3_200_000, unit="other_unit"
    )
    flows.planned(cast, [reviewing, experts, building])
    with clock.frozen(dt.date(2026, 11, 2)):
        flows.submitted(cast, reviewing, "scheme_review")
        flows.submitted(cast, experts, "scheme_review")
    with clock.frozen(dt.date(2026, 11, 9)):
        flows.approve_all(cast, experts, "scheme_review")
        meeting = reviews.meeting_create(
            actor=cast.user("competent_department"),
            project=experts,
            specialty=SPECIALTY,
            size=3,
        )
        reviews.draw_make(actor=cast.user("competent_department"), meeting=meeting)
    with clock.frozen(dt.date(2026, 11, 16)):
        advance_to(cast, building, "construction", pool=pool, unit="other_unit")
    for project in (reviewing, experts, building):
        project.refresh_from_db()
    return Projects(draft, reviewing, experts, building)
