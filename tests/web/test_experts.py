"""专家抽取 pages: the competent department convenes a meeting for a step that needs experts, sees
the eligible pool and the exclusions with why, draws, replaces, and verifies a past draw (岳阳,
250万元, 专家评审 第十六条; experts from the pool 第十七条)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from govit.core.digest import canonical_json, sm3
from govit.reviews import services as reviews
from govit.reviews.models import DrawReplacement, ExpertDraw, MeetingStatus, ReviewMeeting, Seat
from govit.reviews.selectors import current_panel, eligibility
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
    return html.split('<table class="grid exclusions">', 1)[1].split("</table>", 1)[0]


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
    panel = html.split('<table class="grid panel">', 1)[1].split("</table>", 1)[0]
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


def test_the_audit_bureau_may_verify_but_not_draw(client, cast, project, pool):
    meeting = drawn(cast, project)
    client.force_login(cast.user("audit"))
    assert client.get(reverse("expert-verification", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("expert-meeting", args=[meeting.pk])).status_code == 403
