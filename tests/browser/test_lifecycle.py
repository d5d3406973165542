"""One 岳阳市 project of 250万元 clicked through its lifecycle in a real browser, by the people who
move it, each signed in through the login form: the unit drafts it, uploads its materials and
declares it; the competent department compiles the annual plan, finance and development-reform
countersign it and the government approves it; the unit submits its 建设方案, which is returned
once and resubmitted; experts drawn from the pool review it; the development-reform commission
approves it with the approved budget; finance reviews the budget; the unit records its procurement
and contracts and files them; the competent department acknowledges the filing.

At every step the test checks what the person relies on: what the page shows them before they act
(the articles), that the others see the result, and that the database holds what the pages said.
Any console error, uncaught exception or 5xx fails it (tests/browser/conftest.py).

First version: it goes as far as construction. Where a page does not exist yet it stops with a
message saying so (today: the experts' opinions and the meeting's conclusion, after the draw)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from govit.core import clock
from govit.demo.cast import Cast
from govit.events.models import Event
from govit.events.services import verify_stream
from govit.projects import workflow
from govit.projects.models import Project, ProjectStatus, ProjectStep, StepStatus, Task, TaskStatus
from tests.browser.conftest import login, screenshot
from tests.browser.world import SPECIALTY, World

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n% GovIT browser test document\n"
NAME = "岳阳市教育局智慧教育云平台"
AMOUNT = 2_500_000  # ≥ 200万元: the 专家评审 of 第十六条 applies


def url_of(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        pytest.fail(
            f"no page has the url name {name!r} yet: the lifecycle stops here", pytrace=False
        )


def label(text: str) -> re.Pattern[str]:
    """A field's label as written, with or without the mark of a required field (*)."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def sign_in(page: Any, user: Any) -> None:
    """Whoever was signed in leaves; ``user`` signs in through the form."""
    page.context.clear_cookies()
    login(page, user)


def flash(page: Any) -> str:
    """The page's messages (success or refusal)."""
    messages = page.locator("main .messages")
    return messages.inner_text() if messages.count() else ""


def open_project(page: Any, project: Project) -> None:
    page.goto(url_of("project-detail", project.pk))
    assert page.locator("h1").inner_text().strip() == project.name


def upload(page: Any, name: str, *, step: str = "", filename: str = "材料.pdf") -> None:
    """Upload a document from the project page's form."""
    form = page.locator("form[action$='/documents/']")
    form.get_by_label(label("材料名称")).fill(name)
    if step:
        form.get_by_label(label("所属环节")).select_option(step)
    form.get_by_label(label("文件")).set_input_files(
        {"name": filename, "mimeType": "application/pdf", "buffer": PDF}
    )
    with page.expect_navigation():
        form.get_by_role("button", name="上传（新版本）").click()
    assert name in flash(page), flash(page) or page.inner_text("main")[:500]


def act_from_workbench(page: Any, project: Project, step_name: str) -> None:
    """Open the task of ``project`` from the 工作台 (one click to act)."""
    page.goto(url_of("home"))
    row = page.locator("main table tr", has_text=project.name).filter(has_text=step_name)
    assert row.count() == 1, f"the 工作台 lists no task “{step_name}” of {project.name}"
    with page.expect_navigation():
        row.get_by_role("link", name="办理").click()
    assert page.locator("h1").inner_text().strip() == f"办理：{step_name}"


def decide_task(
    page: Any,
    action: str,
    opinion: str,
    *,
    check_all: bool = True,
    budget: str = "",
    amount_label: str = "批复概算（万元）",
) -> None:
    """Fill the task form (办理结果, 办理意见, the checks to confirm, 批复概算 or 核定金额) and
    submit it."""
    form = page.locator("main form")
    form.get_by_label(action, exact=True).check()
    form.get_by_label(label("办理意见")).fill(opinion)
    if check_all:
        for box in form.locator("input[name=confirmed_checks]").all():
            box.check()
    if budget:
        form.get_by_label(label(amount_label)).fill(budget)
    with page.expect_navigation():
        form.get_by_role("button", name="提交办理结果").click()


def submit_step(page: Any, project: Project, step_name: str, note: str = "") -> None:
    """The unit's 报送 from the project page."""
    open_project(page, project)
    with page.expect_navigation():
        page.get_by_role("link", name=f"报送：{step_name}").click()
    if note:
        page.get_by_label(label("报送说明")).fill(note)
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="报送").click()
    assert f"已报送“{step_name}”" in flash(page), flash(page) or page.inner_text("main")[:500]


def step_of(project: Project, kind: str) -> ProjectStep:
    return ProjectStep.objects.get(project=project, kind=kind)


def current_kind(project: Project) -> str:
    project.refresh_from_db()
    return project.stage


# --- the phases ------------------------------------------------------------------------------------


def draft_and_declare(page: Any, cast: Cast) -> Project:
    """The unit, on 2026-10-20 (before the 10月31日 deadline of 第十二条)."""
    unit = cast.user("unit")
    rb = cast.jurisdiction.rulebook.load()
    declaration = next(s for s in rb.model.steps if s.kind == "declaration")
    sign_in(page, unit)
    page.locator("header nav").get_by_role("link", name="项目").click()
    page.get_by_role("link", name="新建项目").click()
    # the rulebook's requirements are on the page before the form is filled
    assert declaration.cite in page.inner_text("main")
    form = page.locator("main form")
    form.get_by_label(label("项目名称")).fill(NAME)
    form.get_by_label(label("计划年度")).fill("2027")
    form.get_by_label(label("总投资（万元）")).fill(str(AMOUNT // 10_000))
    form.get_by_label(label("建设内容")).fill(
        "建设全市中小学统一的教育云平台，整合教学、管理和评价应用。"
    )
    form.get_by_label(label("资金来源")).select_option("local_fiscal")
    form.get_by_label(label("建设性质")).select_option("new")
    with page.expect_navigation():
        form.get_by_role("button", name="保存草稿").click()
    assert "已创建项目草稿" in flash(page)
    project = Project.objects.get(name=NAME)
    assert project.status == ProjectStatus.DRAFT and project.unit == unit.organization

    # declaring without the materials is refused with the article, and changes nothing
    page.get_by_role("link", name="申报", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name="确认申报").click()
    assert re.search(r"依据：第.+条", flash(page)), flash(page)
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT

    open_project(page, project)
    for doc in declaration.documents:
        upload(page, doc.name)
    rows = page.locator("#documents tbody tr")
    assert rows.count() == len(declaration.documents)

    page.get_by_role("link", name="申报", exact=True).click()
    procedure = page.locator("main ol.procedure").inner_text()
    assert "专家评审" in procedure  # 250万元 ≥ 200万元 (第十六条), shown before declaring
    screenshot(page, "lifecycle-01-declare")
    with page.expect_navigation():
        page.get_by_role("button", name="确认申报").click()
    assert "已申报" in flash(page), flash(page)
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE and project.code.startswith("430600-2027-")
    assert project.code in page.inner_text("main")

    # another unit of the same city does not even learn that the project exists
    sign_in(page, cast.user("other_unit"))
    response = page.goto(url_of("project-detail", project.pk))
    assert response is not None and response.status == 404
    return project


def plan_card(page: Any, title: str) -> Any:
    """One plan's card on the plan board."""
    card = page.locator("article.plan", has_text=title)
    assert card.count() == 1, f"the plan board shows no plan “{title}”"
    return card


def annual_plan(page: Any, cast: Cast, project: Project) -> None:
    """The competent department compiles the 2027 plan on the plan board and sends it for 会签;
    finance and development-reform countersign; the government approves it (第十三条)."""
    sign_in(page, cast.user("competent_department"))
    page.locator("header nav").get_by_role("link", name="年度计划").click()
    board = page.locator("main")
    assert project.name in board.locator(".lane-declarations").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="创建2027年度计划").click()
    assert "已创建" in flash(page), flash(page)
    plan = project.jurisdiction.plans.get(year=2027)
    card = plan_card(page, plan.title)
    card.get_by_label(label("项目")).select_option(str(project.pk))
    with page.expect_navigation():
        card.get_by_role("button", name="列入").click()
    assert f"已将“{project.name}”列入计划" in flash(page), flash(page)
    with page.expect_navigation():
        plan_card(page, plan.title).get_by_role("button", name="送会签").click()
    assert "已送会签" in flash(page), flash(page)

    for key in ("finance", "development_reform"):
        sign_in(page, cast.user(key))
        page.goto(url_of("plan-board"))
        card = plan_card(page, plan.title)
        card.get_by_label(label("同意")).check()
        with page.expect_navigation():
            card.get_by_role("button", name="提交会签").click()
        assert "已会签" in flash(page), flash(page)

    sign_in(page, cast.user("government"))
    page.goto(url_of("plan-board"))
    card = plan_card(page, plan.title)
    card.get_by_label(label("意见")).fill("同意。")
    with page.expect_navigation():
        card.get_by_role("button", name="批准").click()
    assert "已批准计划" in flash(page), flash(page)
    assert project.name in page.locator(".lane-approved").inner_text()
    screenshot(page, "lifecycle-02-plan")
    assert step_of(project, "annual_plan").status == StepStatus.PASSED


def scheme_review(page: Any, cast: Cast, project: Project) -> None:
    """The unit submits its 建设方案 (第十五条); the competent department returns it once with its
    opinion, the unit uploads a second version and resubmits, and it is approved (第十六条)."""
    step = step_of(project, "scheme_review")
    unit, competent = cast.user("unit"), cast.user("competent_department")
    with clock.frozen(dt.date(2026, 11, 2)):
        sign_in(page, unit)
        open_project(page, project)
        for doc in step.documents:
            upload(page, doc["name"], step="scheme_review")
        submit_step(page, project, step.name, note="请审查建设方案。")
    with clock.frozen(dt.date(2026, 11, 4)):
        sign_in(page, competent)
        act_from_workbench(page, project, step.name)
        assert step.cite in page.inner_text("main")  # the article the step comes from
        decide_task(page, "退回修改", "请补充与市政务云的对接方案。")
        assert f"已办理“{step.name}”" in flash(page), flash(page)
    step.refresh_from_db()
    assert step.status == StepStatus.RETURNED
    with clock.frozen(dt.date(2026, 11, 5)):
        sign_in(page, unit)
        open_project(page, project)
        assert "请补充与市政务云的对接方案" in page.inner_text("main")  # the opinion reached it
        for doc in step.documents:
            upload(page, doc["name"], step="scheme_review", filename="建设方案（修改稿）.pdf")
        assert page.locator("#documents").get_by_text("v2 · 建设方案（修改稿）.pdf").count() == 1
        submit_step(page, project, step.name)
    with clock.frozen(dt.date(2026, 11, 9)):
        sign_in(page, competent)
        act_from_workbench(page, project, step.name)
        decide_task(page, "通过", "方案可行，同意。")
        assert f"已办理“{step.name}”" in flash(page), flash(page)
    step.refresh_from_db()
    assert step.status == StepStatus.PASSED and step.round == 2
    assert current_kind(project) == "expert_review"


def expert_review(page: Any, cast: Cast, world: World, project: Project) -> None:
    """The competent department convenes the 专家评审 and draws three experts of the specialty
    from the pool (第十七条), seeing who is excluded and why; each expert gives an opinion; the
    department concludes the review (第十六条)."""
    step = step_of(project, "expert_review")
    world.pool  # noqa: B018 - the jurisdiction's expert pool
    sign_in(page, cast.user("competent_department"))
    page.locator("header nav").get_by_role("link", name="专家抽取").click()
    row = page.locator("main table tr", has_text=project.name)
    with page.expect_navigation():
        row.get_by_role("link", name="发起评审会").click()
    form = page.locator("main form")
    form.get_by_label(label("专业领域")).select_option(SPECIALTY)
    form.get_by_label(label("抽取人数")).fill("3")
    with page.expect_navigation():
        form.get_by_role("button", name="发起评审会").click()
    assert "已发起评审会" in flash(page), flash(page)
    with page.expect_navigation():
        page.get_by_role("button", name="随机抽取 3 名专家").click()
    assert "已随机抽取专家" in flash(page), flash(page)
    meeting = step.meetings.get()
    panel = [seat.expert for seat in meeting.seats.filter(vacated_at__isnull=True)]
    assert len(panel) == 3
    for expert in panel:
        assert expert.name in page.inner_text("main")
    screenshot(page, "lifecycle-03-draw")

    # each expert, signed in, finds the meeting on the 工作台 and gives an opinion; no expert sees
    # another's opinion before the conclusion
    for n, expert in enumerate(panel):
        sign_in(page, expert.user)
        with page.expect_navigation():
            page.locator("main").get_by_role("link", name=project.name).first.click()
        assert "提交评审意见" in page.locator("main").inner_text()
        form = page.locator("main form")
        form.get_by_label("建议通过").check()
        form.get_by_label(label("评分（0至100分）")).fill(str(85 + n))
        form.get_by_label(label("评审意见")).fill(f"方案可行，同意立项（专家{n + 1}）")
        with page.expect_navigation():
            form.get_by_role("button", name="提交评审意见").click()
        body = page.locator("main").inner_text()
        assert f"专家{n + 1}" in body
        assert all(f"专家{m + 1}）" not in body for m in range(len(panel)) if m != n)
        if n == 0:
            screenshot(page, "lifecycle-04-opinion")
    assert meeting.opinions.count() == len(panel)

    # the department reads every opinion and concludes (第十六条)
    sign_in(page, cast.user("competent_department"))
    page.goto(url_of("expert-conclude", meeting.pk))
    main = page.locator("main")
    for n in range(len(panel)):
        assert f"专家{n + 1}" in main.inner_text()
    form = main.locator("form")
    form.get_by_label("通过", exact=True).check()
    form.locator("textarea").first.fill("专家组一致同意通过评审")
    for box in form.locator("input[name=confirmed_checks]").all():
        box.check()
    with page.expect_navigation():
        form.get_by_role("button", name="形成评审会结论").click()
    step.refresh_from_db()
    assert step.status == "passed", step.status
    screenshot(page, "lifecycle-05-conclusion")


def approval_and_budget(page: Any, cast: Cast, project: Project) -> None:
    """The unit applies for 立项; development-reform approves with the approved budget (第十八条);
    finance reviews the budget and the offices administration registers the assets (第十九条).
    The project moves to procurement."""
    approval = step_of(project, "project_approval")
    with clock.frozen(dt.date(2026, 11, 16)):
        sign_in(page, cast.user("unit"))
        submit_step(page, project, approval.name)
        sign_in(page, cast.user("finance"))
        open_project(page, project)
        assert (
            page.get_by_role("link", name=re.compile("^办理：")).count() == 0
        )  # not yet finance's
    with clock.frozen(dt.date(2026, 11, 18)):
        sign_in(page, cast.user("development_reform"))
        act_from_workbench(page, project, approval.name)
        decide_task(page, "通过", "同意立项。", budget="240")
        assert f"已办理“{approval.name}”" in flash(page), flash(page)
    project.refresh_from_db()
    assert project.approved_budget == 2_400_000
    budget = step_of(project, "budget_review")
    with clock.frozen(dt.date(2026, 11, 20)):
        sign_in(page, cast.user("finance"))
        act_from_workbench(page, project, budget.name)
        # a funds review states the amount it sets (核定金额), as the approval its 批复概算
        decide_task(page, "通过", "预算评审通过。", budget="235", amount_label="核定金额（万元）")
        assert f"已办理“{budget.name}”" in flash(page), flash(page)
    # 第十九条: the 市机关事务管理局 registers the assets beside the finance bureau; both sign
    assert current_kind(project) == "budget_review"
    with clock.frozen(dt.date(2026, 11, 20)):
        sign_in(page, cast.user("offices_administration"))
        act_from_workbench(page, project, budget.name)
        decide_task(page, "通过", "已完成资产配置登记。")
        assert f"已办理“{budget.name}”" in flash(page), flash(page)
    assert current_kind(project) == "procurement"


def procurement_and_contracts(page: Any, cast: Cast, project: Project) -> None:
    """The unit records the tender and the contracts, completes its procurement step, and files
    the procurement documents and contract (第二十三条); the competent department acknowledges."""
    unit = cast.user("unit")
    contractor = cast.users["contractor"].organization
    supervisor = cast.users["supervisor"].organization
    sign_in(page, unit)
    open_project(page, project)
    page.get_by_role("link", name="登记采购结果").click()
    form = page.locator("main form")
    form.get_by_label(label("采购方式")).select_option("open_tender")
    form.get_by_label(label("中标（成交）供应商")).select_option(str(contractor.pk))
    form.get_by_label(label("采购公告日期")).fill("2026-10-26")
    form.get_by_label(label("中标（成交）日期")).fill("2026-11-20")
    with page.expect_navigation():
        form.get_by_role("button", name="提交").click()
    assert "已完成：登记采购结果" in flash(page), flash(page) or page.inner_text("main")[:500]

    for kind, vendor, number, amount, extra in (
        ("main", contractor, "YY-HT-2026-001", "220", True),
        ("supervision", supervisor, "YY-JL-2026-001", "6.6", False),
    ):
        page.get_by_role("link", name="登记合同").click()
        form = page.locator("main form")
        form.get_by_label(label("合同类别")).select_option(kind)
        form.get_by_label(label("供应商")).select_option(str(vendor.pk))
        form.get_by_label(label("合同编号")).fill(number)
        form.get_by_label(label("合同金额（万元）")).fill(amount)
        form.get_by_label(label("签订日期")).fill("2026-11-23")
        if extra:
            form.get_by_label(label("免费运维期（年）")).fill("3")
            for clause in ("约定知识产权归属", "约定终止机制", "设备与批复方案一致"):
                form.get_by_label(label(clause)).check()
        with page.expect_navigation():
            form.get_by_role("button", name="提交").click()
        assert "已完成：登记合同" in flash(page), flash(page) or page.inner_text("main")[:500]

    procurement = step_of(project, "procurement")
    with page.expect_navigation():
        page.get_by_role("link", name=f"办理：{procurement.name}").click()
    decide_task(page, "办结", "采购完成。")
    assert f"已办理“{procurement.name}”" in flash(page), flash(page)

    filing = step_of(project, "contract_filing")
    for doc in filing.documents:
        upload(page, doc["name"], step="contract_filing")
    submit_step(page, project, filing.name)
    sign_in(page, cast.user("competent_department"))
    act_from_workbench(page, project, filing.name)
    decide_task(page, "确认收到", "已备案。")
    assert f"已办理“{filing.name}”" in flash(page), flash(page)
    assert current_kind(project) == "construction"


def user_of(organization: Any) -> Any:
    """A clerk (else anyone) of the organization the task belongs to."""
    from govit.organizations.models import User

    users = User.objects.filter(organization=organization, is_active=True).order_by("pk")
    return users.filter(roles__role="clerk").first() or users.first()


def to_the_end(page: Any, cast: Cast, project: Project) -> None:
    """From construction to post-evaluation through the pages, each task acted on by a user of
    the organization it belongs to, as the 工作台 offers it: the unit reports progress, uploads
    what each step asks and completes its own steps or submits them; contractor and 监理
    co-sign construction; the competent department accepts, files the archive and records the
    post-evaluation (第三十一条)."""
    unit = cast.user("unit")
    sign_in(page, unit)
    open_project(page, project)
    with page.expect_navigation():
        page.get_by_role("link", name="报送建设进度").click()
    page.get_by_label(label("报告期（如 2026年10月）")).fill("2026年11月")
    page.get_by_label(label("累计完成（%）")).fill("100")
    page.get_by_label(label("进展情况")).fill("主体功能全部建成，具备初验条件。")
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="提交").click()
    assert "已完成" in flash(page), flash(page)
    for _ in range(40):
        project.refresh_from_db()
        step = workflow.current_step(project)
        if project.status != ProjectStatus.ACTIVE or step is None:
            break
        if step.status in (StepStatus.READY, StepStatus.RETURNED):
            sign_in(page, unit)
            open_project(page, project)
            for doc in workflow.required_documents_missing(step):
                upload(page, doc["name"], step=step.kind)
            submit_step(page, project, step.name)
            continue
        tasks = list(Task.objects.filter(step=step, round=step.round, status=TaskStatus.OPEN))
        assert tasks, f"{step.name} is {step.status} with no open task"
        if step.kind == "post_evaluation" and not project.evaluations.filter(kind="post").exists():
            sign_in(page, cast.user("competent_department"))
            page.goto(url_of("project-action", project.pk, "post-evaluation"))
            page.get_by_label(label("得分")).fill("88")
            page.get_by_label(label("等级")).select_option("good")
            with page.expect_navigation():
                page.locator("main form").get_by_role("button", name="提交").click()
            assert "已完成" in flash(page), flash(page)
        task = tasks[0]
        sign_in(page, user_of(task.organization))
        if task.actor == "construction_unit":
            open_project(page, project)
            for doc in workflow.required_documents_missing(step):
                upload(page, doc["name"], step=step.kind)
        page.goto(url_of("task-act", project.pk, task.pk))
        action = {"construction_unit": "办结"}.get(
            task.actor, "确认收到" if step.filing else "通过"
        )
        decide_task(page, action, "同意。")
        assert f"已办理“{step.name}”" in flash(page), flash(page) or page.inner_text("main")[:500]
    project.refresh_from_db()
    assert project.accepted_on is not None
    assert project.steps.get(kind="post_evaluation").status == StepStatus.PASSED
    open_project(page, project)
    screenshot(page, "lifecycle-10-evaluated")


# --- the test --------------------------------------------------------------------------------------


@pytest.fixture
def world(base_url: str) -> World:
    return World()


def test_one_yueyang_project_through_its_lifecycle(
    world: World, page: Any, expect_problems: Any
) -> None:
    expect_problems(
        r"the server responded with a status of 404 \(Not Found\) \(.*/projects/\d+/\)$"
    )
    with clock.frozen(dt.date(2026, 9, 1)):  # the jurisdiction was staffed before the season
        cast = world.cast
    with clock.frozen(dt.date(2026, 10, 20)):
        project = draft_and_declare(page, cast)
    with clock.frozen(dt.date(2026, 10, 22)):
        annual_plan(page, cast, project)
    scheme_review(page, cast, project)
    with clock.frozen(dt.date(2026, 11, 11)):
        expert_review(page, cast, world, project)
    approval_and_budget(page, cast, project)
    procurement_and_contracts(page, cast, project)
    to_the_end(page, cast, project)

    # everyone who acted appears in the project's own history, chained and intact
    open_project(page, project)
    screenshot(page, "lifecycle-09-project")
    actors = set(Event.objects.filter(project=project).values_list("actor__username", flat=True))
    for key in ("unit", "competent_department", "development_reform", "finance"):
        assert cast.user(key).username in actors, key
    assert verify_stream(f"project:{project.pk}") == []
    assert (
        not Task.objects.filter(project=project, status=TaskStatus.OPEN)
        .exclude(step__kind="construction")
        .exists()
    )
