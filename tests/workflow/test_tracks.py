"""The tracks and variants of the front half: 连平 备案制 below 50万 (第十二条), 湘西 filing for
self-raised funds (第六条), 黑龙江 可研 and 初设 merged (第十七条), the 增补 plan for a late
declaration, and 或签 on a step the rulebook makes "any one may sign"."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from govit.access.services import jurisdiction_bind, jurisdiction_create
from govit.core import clock
from govit.core.errors import RuleRefused
from govit.demo.cast import add_unit, staff
from govit.demo.driver import advance_to
from govit.jurisdictions.models import RulebookVersion
from govit.organizations.services import system_user
from govit.planning import services as planning
from govit.policy.loader import DEFAULT_RULEBOOK_DIR
from govit.projects import services as projects
from govit.projects import workflow
from govit.projects.models import StepStatus, Task, TaskStatus
from tests.workflow import flows
from tests.workflow.conftest import make_cast

pytestmark = pytest.mark.django_db


def kinds(project):
    return list(project.steps.order_by("seq").values_list("kind", flat=True))


def test_lianping_filing_track_below_50_wan(tree):
    cast = make_cast(tree, "lianping")
    project = flows.lianping_declared(cast)  # 80万: approval track, for contrast
    small = flows.declared(cast, unit="other_unit", amount=499_999, on=dt.date(2026, 6, 10))
    assert "preliminary_review" in kinds(project) and "funds_review" in kinds(project)
    assert kinds(small)[:6] == [
        "declaration",
        "annual_plan",
        "scheme_review",
        "budget_review",
        "project_approval",
        "procurement",
    ]
    approval = small.steps.get(kind="project_approval")
    assert (approval.cite, approval.start_mode, approval.working_days) == (
        "第十二条",
        "on_submission",
        None,
    )
    budget = small.steps.get(kind="budget_review")
    assert (budget.actor, budget.start_mode) == ("construction_unit", "self")  # 中介机构造价审核
    flows.approve_all(cast, small, "declaration")  # 备案: acknowledged
    flows.planned(cast, [small], on=dt.date(2026, 9, 1))
    with clock.frozen(dt.date(2026, 9, 7)):
        flows.upload_all(
            cast.user("other_unit"), small, flows.step(small, "scheme_review").documents
        )
        projects.task_act(
            actor=cast.user("other_unit"),
            task_id=flows.open_task(small, "scheme_review").pk,
            action="complete",
        )
        projects.task_act(
            actor=cast.user("other_unit"),
            task_id=flows.open_task(small, "budget_review").pk,
            action="complete",
        )
        flows.submitted(cast, small, "project_approval", unit="other_unit")
        flows.approve_all(cast, small, "project_approval")
    small.refresh_from_db()
    assert small.stage == "procurement"


def test_xiangxi_self_raised_project_files_its_scheme_and_skips_the_plan(tree):
    cast = make_cast(tree, "xiangxi")
    unit = cast.user("unit")
    with clock.frozen(dt.date(2026, 3, 2)):
        project = projects.project_create(
            actor=unit,
            name="州医保信息系统",
            plan_year=2027,
            total_investment=3_000_000,
            funding_source="self_raised",
        )
        with pytest.raises(RuleRefused) as refused:  # 第六条: the 技术方案 is what is filed
            projects.project_declare(actor=unit, project=project)
        assert (refused.value.code, refused.value.cite) == ("DOCUMENT_MISSING", "第六条第一款")
        flows.upload_all(unit, project, [{"name": "技术方案"}])
        project = projects.project_declare(actor=unit, project=project)
    assert kinds(project)[:4] == ["declaration", "scheme_review", "budget_review", "procurement"]
    declaration = project.steps.get(kind="declaration")
    assert (declaration.actor, declaration.filing, declaration.cite) == (
        "competent_department",
        True,
        "第六条第一款",
    )
    task = flows.open_task(project, "declaration")
    assert task.organization.kind == "competent_department"
    with pytest.raises(Exception, match="备案环节应"):
        projects.task_act(
            actor=cast.user("competent_department"), task_id=task.pk, action="approve"
        )
    flows.approve_all(cast, project, "declaration")
    assert flows.step(project, "declaration").status == StepStatus.PASSED
    assert flows.step(project, "scheme_review").status == StepStatus.READY  # 第八条: still reviewed


def test_heilongjiang_renovation_merges_feasibility_and_design_on_the_units_request(tree):
    """黑龙江第十七条 "可…合并": the merge is the unit's choice, made on the declaration."""
    cast = make_cast(tree, "heilongjiang")
    merged = flows.declared(
        cast,
        construction_type="renovation",
        merge_feasibility_and_design=True,
        on=dt.date(2026, 6, 15),
    )
    separate = flows.declared(
        cast, unit="other_unit", construction_type="renovation", on=dt.date(2026, 6, 15)
    )
    assert "preliminary_design_approval" not in kinds(merged)
    assert "preliminary_design_approval" in kinds(separate)
    docs = [d["name"] for d in merged.steps.get(kind="feasibility_approval").documents]
    assert "初步设计（含投资概算），与可行性研究报告合并审批" in docs
    depth = [c for c in merged.steps.get(kind="feasibility_approval").checks]
    assert any(c["code"] == "MERGE_DEPTH" and c["severity"] == "block" for c in depth)


def test_heilongjiang_refuses_a_merge_the_article_does_not_allow(tree):
    """黑龙江第十七条 lists the kinds of project that may merge; a new one may not."""
    cast = make_cast(tree, "heilongjiang")
    with pytest.raises(RuleRefused) as refused:
        flows.declared(cast, merge_feasibility_and_design=True, on=dt.date(2026, 6, 15))
    assert (refused.value.code, refused.value.cite) == ("MERGE_NOT_ELIGIBLE", "第十七条")


def test_a_late_declaration_goes_into_a_supplement_plan_not_the_annual_plan(tree):
    cast = make_cast(tree, "yueyang")
    late = flows.declared(cast, on=dt.date(2026, 11, 5))
    assert late.declared_late
    compiler = cast.user("competent_department")
    with clock.frozen(dt.date(2026, 11, 6)):
        annual = planning.plan_create(actor=compiler, jurisdiction=cast.jurisdiction, year=2027)
        with pytest.raises(RuleRefused) as refused:
            planning.plan_add_project(actor=compiler, plan=annual, project=late)
        assert (refused.value.code, refused.value.cite) == ("DECLARATION_LATE", "第十三条")
        assert not annual.entries.exists()
        supplement = planning.plan_create(
            actor=compiler, jurisdiction=cast.jurisdiction, year=2027, kind="supplement"
        )
        with pytest.raises(Exception, match="急需建设的依据"):
            planning.plan_add_project(actor=compiler, plan=supplement, project=late)
        planning.plan_add_project(
            actor=compiler, plan=supplement, project=late, note="省防汛指挥调度要求急需建设"
        )
        supplement = planning.plan_submit(actor=compiler, plan=supplement)
        for signoff in supplement.signoffs.select_related("organization"):
            planning.plan_countersign(
                actor=cast.user(signoff.organization.kind), plan=supplement, decision="approve"
            )
        planning.plan_approve(actor=cast.user("government"), plan=supplement)
    assert supplement.title.endswith("年度增补计划（第1批）")
    assert flows.step(late, "annual_plan").status == StepStatus.PASSED


def test_or_sign_any_one_of_the_organizations_passes_the_step(tree):
    """A rulebook whose scheme review may be signed by either office (或签)."""
    system = system_user()
    data = yaml.safe_load((DEFAULT_RULEBOOK_DIR / "yueyang.yaml").read_text(encoding="utf-8"))
    data["version"] = 99
    scheme = next(s for s in data["steps"] if s["kind"] == "scheme_review")
    scheme["co_actors"] = [{"actor": "big_data_center", "cite": "第四条第八款"}]
    scheme["sign"] = "any"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    from govit.core.digest import sm3

    version = RulebookVersion.objects.create(
        rulebook_id="yueyang",
        version=99,
        title=data["title"],
        digest=sm3(text.encode()),
        yaml_text=text,
    )
    place = jurisdiction_create(
        actor=system, code="430602", name="岳阳楼区", level="county", parent=tree["yueyang"]
    )
    jurisdiction_bind(actor=system, jurisdiction=place, version=version)
    cast = staff(place, prefix="ylq")
    add_unit(cast, "岳阳楼区教育局", key="unit", prefix="ylq")
    project = flows.yueyang_in_scheme_review(cast)
    tasks = Task.objects.filter(project=project, step__kind="scheme_review").order_by("id")
    assert [t.organization.kind for t in tasks] == ["competent_department", "big_data_center"]
    projects.task_act(
        actor=cast.user("big_data_center"), task_id=tasks[1].pk, action="approve", opinion="同意"
    )
    assert flows.step(project, "scheme_review").status == StepStatus.PASSED
    lead = Task.objects.get(pk=tasks[0].pk)
    assert lead.status == TaskStatus.CANCELLED  # the other office's task is withdrawn


def linxiang_declared(cast, **fields):
    with clock.frozen(dt.date(2026, 10, 12)):
        flows.rulebook_confirm(
            actor=cast.user("admin"), jurisdiction=cast.jurisdiction, reason="新办法出台前继续执行"
        )
    return flows.declared(cast, on=dt.date(2026, 10, 12), **fields)


def test_linxiang_projects_are_gated_by_the_companion_data_regulation(tree):
    """临湘数据资源办法第十一条第三款: "无正当理由新建或改造不支持数据共享和开放的业务系统，不得纳入
    本级政务信息化项目建设计划及安排财政预算资金；已落实资金的，不予项目审批" — a gate of the
    companion regulation, applied to 临湘's projects with its regulation named."""
    cast = make_cast(tree, "linxiang")
    closed = linxiang_declared(cast, data_sharing_supported=False)
    open_ = linxiang_declared(cast, unit="other_unit")
    cite = "《临湘市政务数据资源管理暂行办法》第十一条第三款"
    for kind in ("annual_plan", "project_approval", "budget_review"):
        assert cite in [c for _, c in workflow.gates_blocking(closed, kind)]
        assert cite not in [c for _, c in workflow.gates_blocking(open_, kind)]
    gate = next(g for g, c in workflow.gates_blocking(closed, "project_approval") if c == cite)
    assert gate.code == "DATA_SHARING_UNSUPPORTED" and "不予项目审批" in gate.message
    # decide() tells it at the declaration, which goes on: the finding names the steps it holds
    # back and is carried with the declaration as a warning to the reviewers
    declared = closed.events.get(kind="project.declared")
    (warning,) = [w for w in declared.data["warnings"] if w["code"] == "DATA_SHARING_UNSUPPORTED"]
    assert warning["cite"] == cite and warning["blocks"][0] == "annual_plan"
    finding = next(
        f for f in workflow.decision(closed)["findings"] if f["code"] == "DATA_SHARING_UNSUPPORTED"
    )
    assert finding["cite"] == cite
    assert not [
        f for f in workflow.decision(open_)["findings"] if f["code"] == "DATA_SHARING_UNSUPPORTED"
    ]


def test_yueyang_a_project_without_approval_by_law_skips_the_development_commission(tree):
    """岳阳第十八条第一款 "依法应立项审批的": the unit's project that needs no 立项审批 is not sent to the
    市发改委; 第十九条: the 市机关事务管理局 registers the assets beside the 市财政局 — each gets its
    task in the budget review."""
    cast = make_cast(tree, "yueyang")
    free = flows.declared(cast, amount=800_000, approval_required=False)
    bound = flows.declared(cast, amount=800_000, unit="other_unit")
    assert "project_approval" not in free.steps.values_list("kind", flat=True)
    assert "project_approval" in bound.steps.values_list("kind", flat=True)
    assert free.approval_required is False and bound.approval_required is True
    with clock.frozen(dt.date(2026, 11, 2)):
        free = advance_to(cast, free, "budget_review")
    review = free.steps.get(kind="budget_review")
    offices = {t.organization.kind for t in review.tasks.filter(status="open")}
    assert offices == {"finance", "offices_administration"}
    assert cast.orgs["offices_administration"].name == "岳阳市机关事务管理局"
