"""Every kind of duty is in the 工作台 of exactly the account that owes it, with its due date, its
article and the link to the page where it is done — and leaves it when done (govit/web/duties.py).
The header's figure counts them all."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from govit.access.services import rulebook_confirm
from govit.calendars import sync
from govit.calendars.services import calendar_year_add
from govit.contracts import services as contracts
from govit.core import clock
from govit.core.errors import RuleRefused
from govit.delivery import services as delivery
from govit.delivery.models import Obligation
from govit.demo.driver import act_on, advance_to, plan_in
from govit.documents.services import document_upload
from govit.jobs.common import system
from govit.jobs.obligations import renew
from govit.organizations.backends import GovitBackend
from govit.planning import services as planning
from govit.projects import services as projects
from govit.projects.models import Task
from govit.reviews import services as reviews
from govit.reviews.selectors import current_panel
from govit.web import duties
from govit.web import selectors as page_selectors
from tests.api.helpers import experts
from tests.calendars.conftest import HOLIDAYS_2027, SOURCE_2027, WORKDAYS_2027
from tests.delivery.conftest import staffed
from tests.delivery.test_rules import built, change
from tests.delivery.test_unit_record import last_years_project
from tests.kept.conftest import kept_on  # noqa: F401 - fixture
from tests.kept.test_kept import get, signed_in, twice
from tests.workflow import flows
from tests.workflow.conftest import PDF, make_cast

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def chinese():
    """Read outside a request, in Chinese whatever a page read before left active."""
    with translation.override("zh-hans"):
        yield


def of(user, project=None, kind=None, today=None):
    """The user's duties (of ``project``, of ``kind``)."""
    rows = duties.owed(user, today)
    return [
        d
        for d in rows
        if (project is None or d.project_id == project.pk) and (kind is None or d.kind == kind)
    ]


def counted_alike(user, today=None):
    """The header's figure is the 工作台's total: every kind counted."""
    with clock.frozen(today or clock.today()):
        assert duties.count(user) == page_selectors.workbench(user)["duty_count"]


def page_of(client, user):
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


# --- the construction unit's submissions ---------------------------------------------------------


def test_the_unit_owes_the_scheme_once_the_plan_is_approved_and_its_resubmission_when_returned(
    client, tree
):
    cast = make_cast(tree, "yueyang")
    project = flows.declared(cast, amount=1_000_000)
    unit, other, competent = (cast.user(k) for k in ("unit", "other_unit", "competent_department"))
    assert of(unit, project) == []  # the plan comes first: nothing the unit can do yet
    flows.planned(cast, [project])
    [owed] = of(unit, project)
    assert (owed.kind, owed.title, owed.cite) == (duties.SUBMIT, "报送“建设方案评审”", "第十六条")
    submit = reverse("step-submit", args=[project.pk, "scheme_review"])
    assert owed.url == submit and owed.who == cast.units["unit"].name
    assert of(other, project) == [] and of(competent, project) == []
    html = page_of(client, unit)
    assert f'href="{submit}"' in html and "您有 1 项待办" in html
    assert "工作台（1）" in html  # the header counts it
    counted_alike(unit)
    with translation.override("en"):  # in English, the step's English name
        assert [d.title for d in of(unit, project)] == ["Submit “Scheme review”"]

    with clock.frozen(D(2026, 11, 2)):
        flows.submitted(cast, project, "scheme_review")
    assert of(unit, project) == []
    [task] = of(competent, project)
    assert (task.kind, task.due_on) == (duties.TASK, project.steps.get(kind="scheme_review").due_on)
    with translation.override("en"):
        assert [d.title for d in of(competent, project)] == ["Scheme review"]
    with clock.frozen(D(2026, 11, 3)):
        projects.task_act(
            actor=competent,
            task_id=flows.open_task(project, "scheme_review").pk,
            action="return",
            opinion="请补充投资估算",
        )
    assert of(competent, project) == []
    [again] = of(unit, project)
    assert (again.kind, again.title, again.url) == (
        duties.RESUBMIT,
        "重新报送“建设方案评审”",
        submit,
    )
    counted_alike(unit)


def test_a_failed_acceptance_is_owed_again_by_its_rectification_deadline(tree):
    cast = staffed(tree, "yueyang")
    project = built(cast, "yueyang")
    unit = cast.user("unit")
    with clock.frozen(D(2026, 11, 2)):
        project = advance_to(cast, project, "final_acceptance")
        step = project.steps.get(kind="final_acceptance")
        [owed] = of(unit, project)
        assert (owed.kind, owed.url) == (
            duties.SUBMIT,
            reverse("step-submit", args=[project.pk, "final_acceptance"]),
        )
        flows.upload_all(unit, project, step.documents)
        projects.step_submit(actor=unit, step=step)
        assert of(unit, project) == []
        task = flows.open_task(project, "final_acceptance")
        projects.task_act(
            actor=cast.user(task.organization.kind),
            task_id=task.pk,
            action="return",
            opinion="不合格",
            rectify_by=D(2026, 11, 16),
        )
        [again] = of(unit, project)
        assert (again.kind, again.due_on) == (duties.RESUBMIT, D(2026, 11, 16))
        assert again.days_left == 10  # working days from Monday 2 to Monday 16 November
        counted_alike(unit)
    with clock.frozen(D(2026, 11, 17)):
        [late] = of(unit, project)
        assert late.overdue and late.days_left == -1


def test_a_due_date_in_a_year_whose_holidays_are_not_entered_says_so_with_the_days_left(
    client, tree
):
    """calendar/2027.yaml is not there: the working days to 2027-01-11 cannot be counted, and
    the row says why, with the calendar days left — not a bare dash."""
    cast = staffed(tree, "yueyang")
    project = built(cast, "yueyang")
    unit = cast.user("unit")
    with clock.frozen(D(2026, 12, 4)):
        project = advance_to(cast, project, "final_acceptance")
        step = project.steps.get(kind="final_acceptance")
        flows.upload_all(unit, project, step.documents)
        projects.step_submit(actor=unit, step=step)
        task = flows.open_task(project, "final_acceptance")
        projects.task_act(
            actor=cast.user(task.organization.kind),
            task_id=task.pk,
            action="return",
            opinion="不合格",
            rectify_by=D(2027, 1, 11),
        )
    with clock.frozen(D(2026, 12, 5)):
        [owed] = of(unit, project)
        page = page_of(client, unit)
    assert (owed.due_on, owed.days_left) == (D(2027, 1, 11), None)
    assert (owed.uncounted_year, owed.calendar_days_left) == (2027, 37)
    assert not owed.overdue
    assert "37 天（2027年节假日安排尚未录入，暂按自然日计）" in page


def test_heilongjiang_the_acceptance_application_is_due_half_a_year_after_completion(tree):
    cast = staffed(tree, "heilongjiang")
    project = built(cast, "heilongjiang")
    unit = cast.user("unit")
    with clock.frozen(D(2027, 3, 1)):
        project = advance_to(cast, project, "final_acceptance")
    assert project.completed_on == D(2027, 3, 1)
    [owed] = of(unit, project, duties.SUBMIT, today=D(2027, 3, 2))
    assert (owed.due_on, owed.cite) == (D(2027, 9, 1), "第二十九条第三款")


def test_the_header_counts_built_projects_awaiting_acceptance_in_queries_that_do_not_grow(tree):
    """黑龙江第二十九条第三款: each built project owes its acceptance application by a date; the
    header counts them on every page without reading each project's rulebook and extensions."""
    cast = staffed(tree, "heilongjiang")
    unit = cast.user("unit")

    def header_queries() -> tuple[int, int, int]:
        with clock.frozen(D(2027, 3, 2)), CaptureQueriesContext(connection) as queries:
            owed = duties.count(unit)
        with clock.frozen(D(2027, 3, 2)), CaptureQueriesContext(connection) as rows:
            duties.other_duties(unit)  # the 工作台's rows: as few
        return owed, len(queries), len(rows)

    first = built(cast, "heilongjiang")
    with clock.frozen(D(2027, 3, 1)):
        advance_to(cast, first, "archive_acceptance")
    duties.count(unit)  # the rulebook, read once a process
    one = header_queries()
    for _ in range(2):
        project = built(cast, "heilongjiang")
        with clock.frozen(D(2027, 3, 1)):
            advance_to(cast, project, "archive_acceptance")
    three = header_queries()
    assert [d.kind for d in of(unit, kind=duties.ACCEPTANCE_DUE, today=D(2027, 3, 2))] == [
        duties.ACCEPTANCE_DUE
    ] * 3
    counted_alike(unit, D(2027, 3, 2))
    # the counts and the rulebooks of the built projects: two queries, however many there are
    assert three[0] == 3 * one[0] and three[1] == one[1] == 2, (one, three)
    assert three[2] == one[2], (one, three)


# --- plans -------------------------------------------------------------------------------------


def test_a_plan_waits_in_the_desk_of_its_compiler_each_co_compiler_and_its_approver(tree):
    cast = make_cast(tree, "yueyang")
    project = flows.declared(cast, amount=1_000_000)
    competent, finance, reform, government = (
        cast.user(k)
        for k in ("competent_department", "finance", "development_reform", "government")
    )
    everyone = [competent, finance, reform, government, cast.user("unit")]

    def kinds():
        return {u.username: [d.kind for d in duties.other_duties(u)] for u in everyone}

    [compile_] = duties.other_duties(competent)
    assert (compile_.kind, compile_.title, compile_.cite) == (
        duties.PLAN_COMPILE,
        "1个已申报项目待列入2027年度计划",
        "第十三条",
    )
    assert compile_.url.startswith(reverse("plan-board")) and "year=2027" in compile_.url
    assert sum(map(len, kinds().values())) == 1
    counted_alike(competent)
    with clock.frozen(D(2026, 10, 22)):
        plan = planning.plan_create(actor=competent, jurisdiction=cast.jurisdiction, year=2027)
        planning.plan_add_project(actor=competent, plan=plan, project=project)
    [send] = duties.other_duties(competent)
    assert (send.kind, send.title) == (duties.PLAN_COMPILE, f"报送“{plan.title}”")
    assert send.url.endswith(f"#plan-{plan.pk}")
    with clock.frozen(D(2026, 10, 22)):
        plan = planning.plan_submit(actor=competent, plan=plan)
    assert kinds() == {
        competent.username: [],
        finance.username: [duties.PLAN_COUNTERSIGN],
        reform.username: [duties.PLAN_COUNTERSIGN],
        government.username: [],
        cast.user("unit").username: [],
    }
    counted_alike(finance)
    with clock.frozen(D(2026, 10, 23)):
        planning.plan_countersign(actor=finance, plan=plan, decision="approve")
    assert kinds()[finance.username] == [] and kinds()[reform.username] == [duties.PLAN_COUNTERSIGN]
    with clock.frozen(D(2026, 10, 23)):
        planning.plan_countersign(actor=reform, plan=plan, decision="approve")
    assert kinds() == {
        competent.username: [],
        finance.username: [],
        reform.username: [],
        government.username: [duties.PLAN_APPROVE],
        cast.user("unit").username: [],
    }
    [approve] = duties.other_duties(government)
    assert approve.title == f"审定“{plan.title}”" and approve.who == government.organization.name
    counted_alike(government)
    with clock.frozen(D(2026, 10, 26)):
        planning.plan_approve(actor=government, plan=plan)
    kinds_after = kinds()
    assert kinds_after[government.username] == []
    assert kinds_after[cast.user("unit").username] == [duties.SUBMIT]  # the scheme, next


# --- changes, extensions ---------------------------------------------------------------------------


def preselected(client, user, url: str, field: str, pk: int) -> bool:
    """Following the duty's link, the action's form has the record it names already chosen."""
    client.force_login(user)
    html = client.get(url).content.decode()
    select = html.split(f'name="{field}"', 1)[1].split("</select>", 1)[0]
    return f'<option value="{pk}" selected>' in select


def test_a_change_awaits_the_approver_and_the_co_approver_until_each_decides(client, tree):
    cast = staffed(tree, "lianping")
    project = built(cast, "lianping", stage="construction")
    document_upload(
        actor=cast.user("unit"),
        project=project,
        name="项目变更单（附表3，建设、承建、监理单位盖章）",
        upload=io.BytesIO(PDF),
        filename="bg.pdf",
    )
    pending = change(cast, project, original=10_000, new=10_000)
    competent, finance, unit = (cast.user(k) for k in ("competent_department", "finance", "unit"))
    for user in (competent, finance):
        [owed] = of(user, project, duties.CHANGE_DECIDE)
        assert owed.url == (
            reverse("project-action", args=[project.pk, "change-decide"]) + f"?change={pending.pk}"
        )
        assert owed.cite == pending.cite and owed.who == user.organization.name
        assert preselected(client, user, owed.url, "change", pending.pk)
        counted_alike(user)
    assert of(unit, project, duties.CHANGE_DECIDE) == []
    assert of(cast.user("development_reform"), project, duties.CHANGE_DECIDE) == []
    contracts.change_decide(actor=competent, change=pending, decision="approve")
    assert of(competent, project, duties.CHANGE_DECIDE) == []
    assert len(of(finance, project, duties.CHANGE_DECIDE)) == 1
    contracts.change_decide(actor=finance, change=pending, decision="approve")
    assert of(finance, project, duties.CHANGE_DECIDE) == []


def test_an_extension_request_awaits_the_competent_department(client, tree):
    cast = staffed(tree, "heilongjiang")
    project = built(cast, "heilongjiang")
    unit, competent = cast.user("unit"), cast.user("competent_department")
    with clock.frozen(D(2027, 3, 1)):
        project = advance_to(cast, project, "final_acceptance")
        extension = delivery.extension_request(
            actor=unit, project=project, until=D(2027, 12, 1), reason="试运行延长"
        )
        [owed] = of(competent, project, duties.EXTENSION_DECIDE)
        assert owed.cite == extension.cite and "2027年12月1日" in owed.title
        assert preselected(client, competent, owed.url, "extension", extension.pk)
        assert of(unit, project, duties.EXTENSION_DECIDE) == []
        counted_alike(competent)
        delivery.extension_decide(actor=competent, extension=extension, approve=True)
        assert of(competent, project, duties.EXTENSION_DECIDE) == []
        # the unit's application is now due by the extended date
        [submit] = of(unit, project, duties.SUBMIT)
        assert submit.due_on == D(2027, 12, 1)


def test_an_evaluations_rectification_awaits_the_departments_confirmation(client, tree):
    """湘西第十六条第（三）项: findings to rectify wait for the competent department to confirm
    them rectified; the link opens the form with that evaluation chosen."""
    cast = staffed(tree, "xiangxi")
    competent = cast.user("competent_department")
    project = last_years_project(cast, "post_evaluation")
    with clock.frozen(D(2026, 9, 1)):
        evaluation = delivery.evaluation_record(
            actor=competent,
            project=project,
            kind="post",
            score="58",
            grade="poor",
            findings="系统使用率低",
            rectification_required=True,
        )
    [owed] = of(competent, project, duties.RECTIFIED)
    assert (owed.title, owed.cite) == ("确认运行后评价问题整改到位", evaluation.cite)
    assert preselected(client, competent, owed.url, "evaluation", evaluation.pk)
    with translation.override("en"):
        assert "Post-evaluation" in of(competent, project, duties.RECTIFIED)[0].title
    assert of(cast.user("unit"), project, duties.RECTIFIED) == []
    counted_alike(competent)
    delivery.evaluation_rectified(actor=competent, evaluation=evaluation, note="已整改")
    assert of(competent, project, duties.RECTIFIED) == []


# --- experts -------------------------------------------------------------------------------------


def test_an_expert_owes_an_opinion_on_each_meeting_drawn_until_given(client, tree):
    cast = make_cast(tree, "yueyang")
    pool = experts(cast, "政务信息化", 4, prefix="yueyang")
    project = flows.declared(cast, amount=2_500_000)
    with clock.frozen(D(2026, 10, 21)):
        project = advance_to(cast, project, "expert_review", pool=pool)
        competent = cast.user("competent_department")
        meeting = reviews.meeting_create(
            actor=competent, project=project, specialty="政务信息化", size=3
        )
        for expert in pool:
            assert of(expert.user) == []  # not drawn yet
        reviews.draw_make(actor=competent, meeting=meeting)
    panel = current_panel(meeting)
    step = project.steps.get(kind="expert_review")
    for expert in pool:
        rows = of(expert.user)
        if expert in panel:
            [owed] = rows
            assert (owed.kind, owed.url, owed.cite) == (
                duties.OPINION,
                reverse("expert-opinion", args=[meeting.pk]),
                step.cite,
            )
            assert owed.due_on == step.due_on and owed.who == expert.name
            counted_alike(expert.user)
        else:
            assert rows == []
    first = panel[0]
    html = page_of(client, first.user)
    assert escape(reverse("expert-opinion", args=[meeting.pk])) in html and "工作台（1）" in html
    reviews.opinion_submit(
        actor=first.user, meeting=meeting, text="同意", score="90", conclusion="approve"
    )
    assert of(first.user) == [] and len(of(panel[1].user)) == 1


def test_the_departments_meeting_duties_are_counted_in_the_headers_one_query(tree):
    """连平第二十四条第一款: experts join the unit's final acceptance; once the department has
    countersigned, what it still owes there is the meeting: convene it, draw it, and conclude it
    once every opinion is in — each counted by the header in its one query, as the 工作台 lists."""
    cast = staffed(tree, "lianping")
    pool = experts(cast, "政务信息化", 4, prefix="lianping")
    competent, unit = cast.user("competent_department"), cast.user("unit")
    project = built(cast, "lianping", stage="final_acceptance", pool=pool)
    step = project.steps.get(kind="final_acceptance")
    with clock.frozen(D(2027, 3, 1)):
        if step.status == "ready":
            flows.upload_all(unit, project, step.documents)
            projects.step_submit(actor=unit, step=step)
        own = flows.open_task(project, "final_acceptance", "competent_department")
        projects.task_act(actor=competent, task_id=own.pk, action="approve", opinion="同意")

    signed_in_as = GovitBackend().get_user(competent.pk)  # as a request reads the user

    def desk() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            owed = duties.count(signed_in_as)
        assert len(queries) == 1, [q["sql"] for q in queries]
        titles = [d.title.split("：")[0] for d in of(competent, project, duties.MEETING)]
        assert owed == page_selectors.workbench(competent)["duty_count"]
        return titles

    assert desk() == ["组织专家评审"]
    meeting = reviews.meeting_create(
        actor=competent,
        project=project,
        step_kind="final_acceptance",
        specialty="政务信息化",
        size=3,
    )
    assert desk() == ["抽取评审专家"]
    reviews.draw_make(actor=competent, meeting=meeting)
    assert desk() == []  # the experts owe their opinions
    for expert in current_panel(meeting):
        reviews.opinion_submit(
            actor=expert.user, meeting=meeting, text="同意", score="90", conclusion="approve"
        )
    assert desk() == ["形成评审结论"]


# --- obligations ---------------------------------------------------------------------------------


def test_a_yearly_obligation_is_the_units_until_fulfilled(client, tree):
    cast = staffed(tree, "heilongjiang")
    project = built(cast, "heilongjiang", stage="construction")
    unit = cast.user("unit")
    obligation = Obligation.objects.filter(project=project, fulfilled_at__isnull=True).first()
    assert obligation is not None and obligation.due_on is not None  # 黑龙江第二十五条
    [owed] = of(unit, project, duties.OBLIGATION)
    assert (owed.title, owed.due_on, owed.cite) == (
        obligation.name,
        obligation.due_on,
        obligation.cite,
    )
    assert owed.url.startswith(reverse("project-action", args=[project.pk, "obligation"]))
    assert preselected(client, unit, owed.url, "obligation", obligation.pk)
    assert of(cast.user("other_unit"), project) == []
    assert of(cast.user("competent_department"), project, duties.OBLIGATION) == []
    counted_alike(unit)
    delivery.obligation_fulfil(actor=unit, obligation=obligation, note="已报送")
    assert of(unit, project, duties.OBLIGATION) == []


def test_the_first_years_om_report_is_one_duty_the_steps_task_due_with_its_obligation(tree):
    """The om_report step is the first year's O&M report (completing it fulfils the obligation
    created at acceptance): one row, the step's task, due on the obligation's day (岳阳第三十一条)
    — not a task without a time limit beside an obligation due 12月31日 on another page."""
    cast = staffed(tree, "yueyang")
    project = built(cast, "yueyang")
    with clock.frozen(D(2026, 11, 2)):
        project = advance_to(cast, project, "om_report")
    unit = cast.user("unit")
    report = project.obligations.get(code="OM_REPORT")

    def reports(today=None):
        return [d for d in of(unit, project, today=today) if d.title == report.name]

    [owed] = reports(D(2026, 12, 5))
    task = Task.objects.get(step__project=project, step__kind="om_report", status="open")
    assert (owed.kind, owed.due_on, owed.cite) == (duties.TASK, report.due_on, "第三十一条")
    assert owed.url == reverse("task-act", args=[project.pk, task.pk])
    assert owed.days_left is not None
    counted_alike(unit, D(2026, 12, 5))
    with clock.frozen(D(2026, 12, 7)):
        act_on(cast, project, task.step, task)
    report.refresh_from_db()
    assert report.fulfilled_at is not None
    assert reports() == []
    # the next year's report, the step done: the obligation is the duty, on its own page
    with clock.frozen(D(2027, 1, 4)):
        renew(system(), D(2027, 1, 4))
        [owed] = reports()
    assert (owed.kind, owed.due_on) == (duties.OBLIGATION, D(2027, 12, 31))
    counted_alike(unit, D(2027, 1, 4))


# --- the jurisdiction's administrator ------------------------------------------------------------


def test_the_administrator_owes_next_years_holidays_and_the_rulebook_confirmation(client, tree):
    """What only the administration pages said — 2027's holidays not entered (the due dates in
    that year cannot be counted), 连平's 征求意见稿 to confirm before any project is declared —
    is in the administrator's 工作台 and header, with the article and the page where it is done,
    and counted in the header's one query."""
    sync.forget()  # the calendar of the files: up to 2026
    cast = make_cast(tree, "lianping")
    admin, clerk = cast.user("admin"), cast.user("competent_department")
    with pytest.raises(RuleRefused) as refused:
        flows.declared(cast, amount=800_000, on=D(2026, 6, 10))
    with clock.frozen(D(2026, 12, 5)):
        [calendar] = of(admin, kind=duties.CALENDAR)
        [confirm] = of(admin, kind=duties.RULEBOOK_CONFIRM)
        assert of(clerk, kind=duties.CALENDAR) == of(clerk, kind=duties.RULEBOOK_CONFIRM) == []
        counted_alike(admin)
        client.force_login(admin)
        client.get(reverse("rulebook-list"))  # the calendar and rulebook, read once a process
        with CaptureQueriesContext(connection) as queries:
            header = client.get(reverse("rulebook-list")).content.decode()
        page = page_of(client, admin)
    assert calendar.url == reverse("admin-calendar") and "2027" in calendar.title
    assert (confirm.url, confirm.cite) == (reverse("admin-rulebook"), refused.value.cite)
    assert "征求意见稿（未生效）" in confirm.title
    assert f"工作台（{duties.count(admin, D(2026, 12, 5))}）" in header
    assert len(queries) <= 4, [q["sql"] for q in queries]  # as for any account (header test)
    assert escape(confirm.url) in page and escape(calendar.url) in page
    # done where they are done, they leave
    with clock.frozen(D(2026, 12, 5)):
        rulebook_confirm(actor=admin, jurisdiction=cast.jurisdiction, reason="按征求意见稿试行")
        calendar_year_add(
            actor=admin,
            year=2027,
            source=SOURCE_2027,
            holidays=HOLIDAYS_2027,
            workdays=WORKDAYS_2027,
            reason="已公布",
        )
        sync.load_into_engine()  # as the commit, or the next request, does
        assert of(admin, kind=duties.CALENDAR) == of(admin, kind=duties.RULEBOOK_CONFIRM) == []
        counted_alike(admin)
    sync.forget()


# --- kept pages ----------------------------------------------------------------------------------


def test_a_duty_appears_and_leaves_the_kept_workbench_at_once(tree, kept_on):  # noqa: F811
    cast = make_cast(tree, "yueyang")
    project = flows.declared(cast, amount=1_000_000)
    unit = cast.user("unit")
    client = signed_in(unit)
    home = reverse("home")
    submit = reverse("step-submit", args=[project.pk, "scheme_review"])
    listing = reverse("project-list")
    assert submit not in twice(client, home).content.decode()
    assert get(client, home)["X-GovIT-Kept"] == "hit"
    assert "工作台（" not in twice(client, listing).content.decode()
    flows.planned(cast, [project])  # the plan's approval opens the unit's scheme submission
    assert submit in get(client, home).content.decode()
    assert submit in get(client, home).content.decode()  # and kept so
    # the header's figure on another kept page follows too; a project's page (kept while the
    # project alone is unchanged) shows none rather than a stale one
    assert "工作台（1）" in get(client, listing).content.decode()
    page = get(client, reverse("project-detail", args=[project.pk])).content.decode()
    assert "工作台（" not in page and project.name in page
    with clock.frozen(D(2026, 10, 21)):
        flows.submitted(cast, project, "scheme_review")
    assert submit not in get(client, home).content.decode()


# --- a hot page ----------------------------------------------------------------------------------


def test_the_workbench_reads_as_many_queries_for_many_duties_as_for_one(client, tree):
    cast = make_cast(tree, "yueyang")
    unit, competent = cast.user("unit"), cast.user("competent_department")

    def queries(user) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as read:
            client.get(reverse("home"))
        return len(read)

    first = flows.declared(cast, name="项目一", amount=1_000_000)
    flows.planned(cast, [first])
    with clock.frozen(D(2026, 11, 2)):
        flows.submitted(cast, first, "scheme_review")  # a task of the department's
    flows.declared(cast, name="项目二", amount=1_000_000)  # unlisted: the compiler's
    queries(unit)  # the working-day calendar, read once a process
    few = {u.username: queries(u) for u in (unit, competent)}
    more = [flows.declared(cast, name=f"项目{n}", amount=1_000_000) for n in "三四五六"]
    with clock.frozen(D(2026, 10, 23)):
        for project in more[:3]:
            plan_in(cast, project)  # a 增补 plan each: the annual one is approved
    with clock.frozen(D(2026, 11, 2)):
        flows.submitted(cast, more[0], "scheme_review")
    assert len(of(unit)) == 2 and len(of(competent)) == 3  # submissions; tasks and the unlisted
    assert {u.username: queries(u) for u in (unit, competent)} == few
