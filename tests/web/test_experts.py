"""专家抽取 pages: the competent department convenes a meeting for a step that needs experts, sees
the eligible pool and the exclusions with why, draws, replaces, and verifies a past draw (岳阳,
250万元, 专家评审 第十六条; experts from the pool 第十七条)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.html import escape

from govit.core import clock
from govit.core.digest import canonical_json, sm3
from govit.demo.cast import add_vendor
from govit.demo.driver import advance_to, upload_missing
from govit.projects import services as projects
from govit.reviews import services as reviews
from govit.reviews.models import DrawReplacement, ExpertDraw, MeetingStatus, ReviewMeeting, Seat
from govit.reviews.selectors import current_panel, eligibility
from tests.api.helpers import experts
from tests.reviews.test_draw import SPECIALTY, register
from tests.workflow import flows
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def cast(tree):  # noqa: F811
    return make_cast(tree, "yueyang")


@pytest.fixture
def project(cast):
    return flows.yueyang_in_expert_review(cast)


@pytest.fixture
def pool(cast, project):
    """Two experts who must step aside, one away, four eligible, one of another specialty."""
    from govit.projects import services as projects

    consultant = cast.user("consultant").organization
    projects.party_add(
        actor=cast.user("unit"), project=project, organization=consultant, role="consultant"
    )
    made = {
        "unit": register(cast, "王建设", employer=cast.units["unit"]),
        "vendor": register(cast, "王咨询", employer=consultant),
        "away": register(cast, "王出国"),
        "eligible": [
            register(cast, "李一"),
            register(cast, "李二", employer=cast.orgs["finance"]),
            register(cast, "李三", employer=cast.units["other_unit"]),
            register(cast, "李四", employer_name="中南大学"),
        ],
        "other": register(cast, "赵财政", specialties=("财政投资",)),
    }
    reviews.expert_set_availability(
        actor=cast.user("competent_department"),
        expert=made["away"],
        available=False,
        reason="出国访问",
    )
    return made


@pytest.fixture
def competent(client, cast):
    client.force_login(cast.user("competent_department"))
    return client


def convene(cast, project, size=3) -> ReviewMeeting:
    return reviews.meeting_create(
        actor=cast.user("competent_department"), project=project, specialty=SPECIALTY, size=size
    )


def drawn(cast, project, size=3) -> ReviewMeeting:
    meeting = convene(cast, project, size)
    reviews.draw_make(actor=cast.user("competent_department"), meeting=meeting)
    return ReviewMeeting.objects.get(pk=meeting.pk)


def exclusion_rows(html: str) -> str:
    return html.split('<table class="grid stack exclusions">', 1)[1].split("</table>", 1)[0]


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_the_step_that_needs_experts_and_the_meetings(
    competent, cast, project, pool, django_assert_max_num_queries
):
    step = project.steps.get(kind="expert_review")
    with django_assert_max_num_queries(12):
        html = competent.get(reverse("expert-draws")).content.decode()
    assert reverse("expert-meeting-create", args=[step.pk]) in html
    assert escape(project.name) in html
    meeting = drawn(cast, project)
    html = competent.get(reverse("expert-draws")).content.decode()
    assert reverse("expert-meeting-create", args=[step.pk]) not in html  # convened already
    assert reverse("expert-meeting", args=[meeting.pk]) in html
    assert reverse("expert-verification", args=[meeting.pk]) in html


def test_only_the_competent_department_organises_draws(client, cast, project, pool, tree):  # noqa: F811
    meeting = drawn(cast, project)
    for who in ("unit", "finance"):
        client.force_login(cast.user(who))
        assert client.get(reverse("expert-draws")).status_code == 403
        assert client.get(reverse("expert-meeting", args=[meeting.pk])).status_code == 403
        assert client.post(reverse("expert-draw", args=[meeting.pk])).status_code == 403
    # another jurisdiction's competent department does not see this meeting at all
    client.force_login(make_cast(tree, "linxiang").user("competent_department"))
    assert client.get(reverse("expert-meeting", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("expert-verification", args=[meeting.pk])).status_code == 404
    html = client.get(reverse("expert-draws")).content.decode()
    assert escape(project.name) not in html


# --- convening -------------------------------------------------------------------------------


def test_a_preview_shows_the_pool_and_exclusions_before_anything_is_created(
    competent, project, pool
):
    step = project.steps.get(kind="expert_review")
    url = reverse("expert-meeting-create", args=[step.pk])
    html = competent.get(url).content.decode()
    assert f'<option value="{SPECIALTY}">' in html and "在库7人，其中未暂停抽取6人" in html
    response = competent.post(url, {"specialty": SPECIALTY, "size": "3", "preview": "1"})
    html = response.content.decode()
    assert ReviewMeeting.objects.count() == 0
    rows = exclusion_rows(html)
    assert "受聘于本项目建设单位，须回避" in rows and "王建设" in rows
    assert "受聘于本项目咨询机构，须回避" in rows and "王咨询" in rows
    assert "不可抽取：出国访问" in rows and "王出国" in rows
    for expert in pool["eligible"]:
        assert expert.name in html
    assert "赵财政" not in html  # another specialty


def test_convening_creates_the_meeting_through_the_service(competent, project, pool):
    step = project.steps.get(kind="expert_review")
    response = competent.post(
        reverse("expert-meeting-create", args=[step.pk]),
        {"specialty": SPECIALTY, "size": "3", "title": ""},
    )
    meeting = ReviewMeeting.objects.get(project=project)
    assert response.status_code == 302
    assert response["Location"] == reverse("expert-meeting", args=[meeting.pk])
    assert (meeting.specialty, meeting.size, meeting.status, meeting.step_id) == (
        SPECIALTY,
        3,
        MeetingStatus.PLANNED,
        step.pk,
    )
    assert project.events.filter(kind="meeting.created").count() == 1


def test_a_second_meeting_is_refused_in_words_and_nothing_changes(competent, cast, project, pool):
    convene(cast, project)
    step = project.steps.get(kind="expert_review")
    response = competent.post(
        reverse("expert-meeting-create", args=[step.pk]), {"specialty": SPECIALTY, "size": "3"}
    )
    assert response.status_code == 200
    assert "本环节已有未结束的评审会" in response.content.decode()
    assert ReviewMeeting.objects.filter(project=project).count() == 1


def test_the_meeting_page_shows_who_is_excluded_and_why(competent, cast, project, pool):
    meeting = convene(cast, project)
    eligible, excluded = eligibility(meeting)
    html = competent.get(reverse("expert-meeting", args=[meeting.pk])).content.decode()
    rows = exclusion_rows(html)
    for x in excluded:
        assert escape(x["name"]) in rows and escape(x["reason"]) in rows
    assert len(excluded) == 3
    for expert in eligible:
        assert expert.name in html
    # the step and the pool rule, each with its article
    assert ">第十六条</summary>" in html and ">第十七条</summary>" in html


# --- drawing ---------------------------------------------------------------------------------


def test_a_draw_produces_the_panel_the_database_records(competent, cast, project, pool):
    meeting = convene(cast, project)
    response = competent.post(reverse("expert-draw", args=[meeting.pk]))
    assert response.status_code == 302
    record = ExpertDraw.objects.get(meeting=meeting)
    names = {e["id"]: e["name"] for e in record.pool}
    html = competent.get(reverse("expert-meeting", args=[meeting.pk])).content.decode()
    panel = html.split('<table class="grid stack panel">', 1)[1].split("</table>", 1)[0]
    shown = [names[i] for i in record.drawn]
    positions = [panel.index(name) for name in shown]
    assert positions == sorted(positions)  # in seat order
    assert [e.pk for e in current_panel(meeting)] == record.drawn
    for expert in pool["eligible"]:
        if expert.pk not in record.drawn:
            assert expert.name not in panel
    # what was excluded at the draw is on the record and on the page
    rows = exclusion_rows(html)
    for x in record.exclusions:
        assert escape(x["reason"]) in rows


def test_a_draw_the_pool_cannot_fill_is_refused_with_its_article(competent, cast, project, pool):
    meeting = convene(cast, project, size=4)
    reviews.expert_set_availability(
        actor=cast.user("competent_department"),
        expert=pool["eligible"][0],
        available=False,
        reason="因病",
    )
    response = competent.post(reverse("expert-draw", args=[meeting.pk]), follow=True)
    html = response.content.decode()
    assert "可抽取的专家仅3人（已除去须回避和暂停抽取的），不足4人" in html
    assert "依据：第十七条" in html
    assert not ExpertDraw.objects.filter(meeting=meeting).exists()
    assert ReviewMeeting.objects.get(pk=meeting.pk).status == MeetingStatus.PLANNED


def test_replacing_an_expert_takes_the_next_in_rank_with_the_reason(competent, cast, project, pool):
    meeting = drawn(cast, project)
    record = meeting.draw
    out = record.drawn[1]
    response = competent.post(
        reverse("expert-replace", args=[meeting.pk]),
        {"replace-expert": str(out), "replace-reason": "因病不能参加"},
    )
    assert response.status_code == 302
    replacement = DrawReplacement.objects.get(draw=record)
    assert (replacement.replaced_id, replacement.replacement_id) == (out, record.ranking[3])
    html = competent.get(reverse("expert-meeting", args=[meeting.pk])).content.decode()
    assert "因病不能参加" in html and escape(replacement.replacement.name) in html
    assert [e.pk for e in current_panel(meeting)] == [
        record.drawn[0],
        record.ranking[3],
        record.drawn[2],
    ]


def test_a_replacement_without_a_reason_changes_nothing(competent, cast, project, pool):
    meeting = drawn(cast, project)
    before = list(Seat.objects.filter(meeting=meeting).values_list("expert_id", "vacated_at"))
    response = competent.post(
        reverse("expert-replace", args=[meeting.pk]),
        {"replace-expert": str(meeting.draw.drawn[0]), "replace-reason": ""},
    )
    assert response.status_code == 422
    assert "这个字段是必填项" in response.content.decode()
    assert (
        list(Seat.objects.filter(meeting=meeting).values_list("expert_id", "vacated_at")) == before
    )
    assert not DrawReplacement.objects.exists()


# --- verifying -------------------------------------------------------------------------------


def test_a_real_draw_verifies_and_shows_its_seed_and_commitment(competent, cast, project, pool):
    meeting = drawn(cast, project)
    record = meeting.draw
    reviews.draw_replace(
        actor=cast.user("competent_department"),
        meeting=meeting,
        expert=current_panel(meeting)[0],
        reason="出差",
    )
    html = competent.get(reverse("expert-verification", args=[meeting.pk])).content.decode()
    assert "复核通过" in html and "复核未通过" not in html
    assert record.seed in html
    assert record.pool_digest in html and sm3(canonical_json(record.pool)) == record.pool_digest
    assert "出差" in html


def test_a_tampered_draw_fails_verification(competent, cast, project, pool):
    meeting = drawn(cast, project)
    record = meeting.draw
    # someone edits the snapshot after the fact: an excluded expert's employer rewritten
    pool_edited = [dict(e) for e in record.pool]
    pool_edited[0]["employer"] = "某某大学"
    ExpertDraw.objects.filter(pk=record.pk).update(pool=pool_edited)
    html = competent.get(reverse("expert-verification", args=[meeting.pk])).content.decode()
    assert "复核未通过" in html
    assert "专家库快照与抽取时记录的摘要不符（快照被改动过）" in html


def test_a_panel_swapped_behind_the_record_fails_verification(competent, cast, project, pool):
    meeting = drawn(cast, project)
    record = meeting.draw
    outsider = next(i for i in record.ranking if i not in record.drawn)
    Seat.objects.filter(meeting=meeting, expert_id=record.drawn[0]).update(expert_id=outsider)
    html = competent.get(reverse("expert-verification", args=[meeting.pk])).content.decode()
    assert "复核未通过" in html and "评审会现有专家名单与按记录重新计算的名单不符" in html


def test_the_audit_bureau_reads_and_verifies_the_meeting_but_cannot_draw(
    client, cast, project, pool
):
    """The audit bureau verifies draws (ARCHITECTURE): it reads the meeting and its panel as the
    competent department does, shown no form, and anything it posts is refused."""
    meeting = drawn(cast, project)
    client.force_login(cast.user("audit"))
    assert client.get(reverse("expert-verification", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("expert-draws")).status_code == 200
    response = client.get(reverse("expert-meeting", args=[meeting.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("expert-verification", args=[meeting.pk]) in html
    assert "<form" not in html.split("<main", 1)[1].replace('action="/i18n/', "")
    assert client.post(reverse("expert-draw", args=[meeting.pk])).status_code == 403
    assert (
        client.post(
            reverse("expert-meeting-cancel", args=[meeting.pk]), {"cancel-reason": "审计"}
        ).status_code
        == 403
    )


# --- a meeting that cannot happen: refused at its field, or cancelled and convened anew ---------


def test_a_panel_larger_than_the_pool_is_refused_at_the_size_with_the_count_and_the_pool(
    competent, cast, project, pool
):
    step = project.steps.get(kind="expert_review")
    response = competent.post(
        reverse("expert-meeting-create", args=[step.pk]), {"specialty": SPECIALTY, "size": "25"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["size"] == [
        f"{SPECIALTY}专业可抽取的专家仅4人（已除去须回避和暂停抽取的），不足25人；"
        "请减少抽取人数、调整专业或扩充专家库（依据：第十七条）"
    ]
    assert "__all__" not in form.errors
    html = response.content.decode()
    assert f'<a href="{reverse("expert-pool")}">查看专家库</a>' in html
    assert not ReviewMeeting.objects.filter(project=project).exists()


def test_a_meeting_dated_in_the_past_is_refused_at_the_date(competent, project, pool):
    step = project.steps.get(kind="expert_review")
    response = competent.post(
        reverse("expert-meeting-create", args=[step.pk]),
        {"specialty": SPECIALTY, "size": "3", "scheduled_for": "2020-05-01T09:00"},
    )
    assert response.context["form"].errors["scheduled_for"] == [
        "会议时间2020年5月1日 09:00已过，请填写今后的时间"
    ]
    assert not ReviewMeeting.objects.filter(project=project).exists()


def test_a_past_date_and_a_panel_the_pool_cannot_fill_are_both_refused_at_once(
    competent, project, pool
):
    step = project.steps.get(kind="expert_review")
    response = competent.post(
        reverse("expert-meeting-create", args=[step.pk]),
        {"specialty": SPECIALTY, "size": "25", "scheduled_for": "2020-03-01T09:30"},
    )
    errors = response.context["form"].errors
    assert errors["scheduled_for"] == ["会议时间2020年3月1日 09:30已过，请填写今后的时间"]
    assert errors["size"][0].startswith(f"{SPECIALTY}专业可抽取的专家仅4人")
    assert not ReviewMeeting.objects.filter(project=project).exists()


def test_a_meeting_is_cancelled_with_its_reason_and_a_new_one_convened(
    competent, cast, project, pool
):
    meeting = drawn(cast, project)
    page = competent.get(reverse("expert-meeting", args=[meeting.pk])).content.decode()
    assert reverse("expert-meeting-cancel", args=[meeting.pk]) in page
    refused = competent.post(
        reverse("expert-meeting-cancel", args=[meeting.pk]), {"cancel-reason": ""}
    )
    assert refused.status_code == 422
    assert ReviewMeeting.objects.get(pk=meeting.pk).status == MeetingStatus.DRAWN
    response = competent.post(
        reverse("expert-meeting-cancel", args=[meeting.pk]),
        {"cancel-reason": "会议时间与省里会议冲突"},
        follow=True,
    )
    html = response.content.decode()
    assert "已取消" in html and "会议时间与省里会议冲突" in html
    # the panel's seats are released, none reads 在席
    assert "已解除（评审会已取消）" in html and "在席</td>" not in html
    step = project.steps.get(kind="expert_review")
    assert reverse("expert-meeting-create", args=[step.pk]) in html  # 重新发起评审会
    # the step is waiting for a meeting again, and a new one is convened
    assert step.name in competent.get(reverse("expert-draws")).content.decode()
    response = competent.post(
        reverse("expert-meeting-create", args=[step.pk]), {"specialty": SPECIALTY, "size": "3"}
    )
    assert response.status_code == 302
    assert list(
        ReviewMeeting.objects.filter(project=project).order_by("id").values_list("status")
    ) == [("cancelled",), ("planned",)]


def test_a_meeting_never_drawn_is_cancelled_and_listed_as_such(competent, cast, project, pool):
    meeting = convene(cast, project)
    response = competent.post(
        reverse("expert-meeting-cancel", args=[meeting.pk]),
        {"cancel-reason": "专业选错"},
        follow=True,
    )
    assert response.status_code == 200
    assert "专业选错" in response.content.decode()
    listing = competent.get(reverse("expert-draws")).content.decode()
    assert '<span class="badge status-cancelled">已取消</span>' in listing
    assert reverse("expert-verification", args=[meeting.pk]) not in listing


def test_the_unit_cannot_cancel_a_meeting(client, cast, project, pool):
    meeting = convene(cast, project)
    client.force_login(cast.user("unit"))
    response = client.post(
        reverse("expert-meeting-cancel", args=[meeting.pk]), {"cancel-reason": "不想开"}
    )
    assert response.status_code == 403
    assert ReviewMeeting.objects.get(pk=meeting.pk).status == MeetingStatus.PLANNED


# --- acceptance meetings (岳阳第十七条: 验收会的专家原则上从专家库中抽取) ---------------------


@pytest.fixture
def accepting(cast, pool):
    """A 岳阳 project of 250万元 whose final acceptance (by the competent department,
    第二十七条第（二）项) is under way."""
    add_vendor(cast, "岳阳数字科技有限公司", "contractor", key="contractor", prefix="yy")
    add_vendor(cast, "岳阳工程监理有限公司", "supervisor", key="supervisor", prefix="yy")
    review_pool = experts(cast, "政务信息化", 4, prefix="accept")
    project = flows.declared(cast, name="岳阳验收项目", amount=2_500_000)
    with clock.frozen(dt.date(2026, 10, 21)):
        project = advance_to(cast, project, "final_acceptance", pool=review_pool)
        step = project.steps.get(kind="final_acceptance")
        upload_missing(cast.user("unit"), project, step)
        projects.step_submit(actor=cast.user("unit"), step=step)
    return project


def test_the_acceptance_task_offers_the_expert_draw_with_its_article(competent, cast, accepting):
    step = accepting.steps.get(kind="final_acceptance")
    task = flows.open_task(accepting, "final_acceptance")
    html = competent.get(reverse("task-act", args=[accepting.pk, task.pk])).content.decode()
    assert "验收会专家原则上从专家库中抽取" in html and "第十七条" in html
    assert html.count("验收会专家原则上从专家库中抽取") == 1  # the panel says it, not 提示 again
    create = reverse("expert-meeting-create", args=[step.pk])
    assert create in html
    response = competent.post(create, {"specialty": SPECIALTY, "size": "3"})
    assert response.status_code == 302
    meeting = ReviewMeeting.objects.get(step=step)
    reviews.draw_make(actor=cast.user("competent_department"), meeting=meeting)
    for seat in meeting.seats.select_related("expert__user"):
        reviews.opinion_submit(
            actor=seat.expert.user,
            meeting=meeting,
            text="符合验收条件",
            score="88",
            conclusion="approve",
        )
    response = competent.post(
        reverse("expert-conclude", args=[meeting.pk]),
        {"conclusion": "approve", "text": "专家组同意通过验收"},
    )
    assert response.status_code == 302
    # the meeting advises; the competent department's own decision passes the step
    html = competent.get(reverse("task-act", args=[accepting.pk, task.pk])).content.decode()
    assert "已形成结论" in html
    assert accepting.steps.get(kind="final_acceptance").status == "in_review"


def test_the_unit_sees_who_draws_the_acceptance_experts(client, cast, accepting):
    step = accepting.steps.get(kind="final_acceptance")
    task = flows.open_task(accepting, "final_acceptance")
    client.force_login(cast.user("unit"))
    html = client.get(reverse("task-act", args=[accepting.pk, task.pk])).content.decode()
    assert "专家由主管部门从专家库中抽取。" in html
    assert reverse("expert-meeting-create", args=[step.pk]) not in html


def test_a_step_without_experts_offers_no_meeting(competent, cast, accepting):
    step = accepting.steps.get(kind="contract_filing")
    assert competent.get(reverse("expert-meeting-create", args=[step.pk])).status_code == 404
