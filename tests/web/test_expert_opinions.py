"""An expert's pages and the meeting's conclusion: the experts drawn for a 岳阳 专家评审 (250万元,
第十六条; drawn from the pool, 第十七条) read the project's materials and give their opinions; the
competent department reads every opinion and concludes, which decides the step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from govit.access.services import jurisdiction_bind, rulebook_register
from govit.core import clock
from govit.demo.driver import advance_to
from govit.documents.models import DocumentVersion
from govit.events.models import Event
from govit.organizations.services import system_user
from govit.policy.loader import DEFAULT_RULEBOOK_DIR
from govit.projects import workflow
from govit.projects.models import Opinion, StepStatus
from govit.reviews import services as reviews
from govit.reviews.models import ExpertOpinion, MeetingStatus, ReviewMeeting
from govit.reviews.selectors import current_panel
from tests.api.helpers import experts
from tests.conftest import next_version
from tests.workflow import flows
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

SPECIALTY = "政务信息化"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def in_expert_review(cast, pool):
    """Declared on 2026-10-20 and carried by its people to the 专家评审 (in review)."""
    project = flows.declared(cast, amount=2_500_000)
    with clock.frozen(dt.date(2026, 10, 21)):
        project = advance_to(cast, project, "expert_review", pool=pool)
    step = project.steps.get(kind="expert_review")
    assert step.status == StepStatus.IN_REVIEW
    return project


def drawn(cast, project, size=3) -> ReviewMeeting:
    competent = cast.user("competent_department")
    meeting = reviews.meeting_create(
        actor=competent, project=project, specialty=SPECIALTY, size=size
    )
    reviews.draw_make(actor=competent, meeting=meeting)
    return ReviewMeeting.objects.get(pk=meeting.pk)


def give(meeting, expert, conclusion="approve", score="90"):
    return reviews.opinion_submit(
        actor=expert.user, meeting=meeting, text="同意", score=score, conclusion=conclusion
    )


@pytest.fixture
def cast(tree):  # noqa: F811
    return make_cast(tree, "yueyang")


@pytest.fixture
def pool(cast):
    return experts(cast, SPECIALTY, 4, prefix="yueyang")


@pytest.fixture
def project(cast, pool):
    return in_expert_review(cast, pool)


@pytest.fixture
def meeting(cast, project):
    return drawn(cast, project)


def outsider(meeting, pool):
    """The expert of the pool the draw left out."""
    seated = {e.pk for e in current_panel(meeting)}
    return next(e for e in pool if e.pk not in seated)


def events(project) -> int:
    return Event.objects.filter(project=project).count()


# --- the expert's pages ----------------------------------------------------------------------


def test_an_expert_on_the_panel_reads_the_materials_and_gives_an_opinion(
    client, meeting, project, django_assert_max_num_queries
):
    expert = current_panel(meeting)[0]
    client.force_login(expert.user)
    url = reverse("expert-opinion", args=[meeting.pk])
    mine = client.get(reverse("expert-my-meetings")).content.decode()
    assert url in mine and escape(meeting.title) in mine
    with django_assert_max_num_queries(12):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert escape(project.name) in html and ">第十六条</summary>" in html
    # every material of the project, each downloadable by the expert, with its SM3
    versions = DocumentVersion.objects.filter(document__project=project)
    assert versions.count() > 0
    for version in versions:
        link = reverse("expert-material", args=[meeting.pk, version.pk])
        assert link in html and version.sm3 in html
    version = versions.first()
    download = client.get(reverse("expert-material", args=[meeting.pk, version.pk]))
    assert download.status_code == 200 and download["X-Content-SM3"] == version.sm3
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    before = events(project)
    response = client.post(
        url, {"conclusion": "return", "score": "78.5", "text": "投资估算偏高，建议核减"}
    )
    assert response.status_code == 302 and response["Location"] == url
    opinion = ExpertOpinion.objects.get(meeting=meeting)
    assert (opinion.expert_id, opinion.conclusion, opinion.score, opinion.text) == (
        expert.pk,
        "return",
        Decimal("78.50"),
        "投资估算偏高，建议核减",
    )
    recorded = Event.objects.filter(project=project).order_by("-seq").first()
    assert events(project) == before + 1
    assert (recorded.kind, recorded.actor_id) == ("opinion.recorded", expert.user.pk)
    html = client.get(url).content.decode()
    assert "投资估算偏高，建议核减" in html and "建议修改后再审" in html
    assert 'name="score"' not in html  # given once; no second form
    # a second opinion is refused in words and changes nothing
    response = client.post(url, {"conclusion": "approve", "score": "90", "text": "同意"})
    assert response.status_code == 422
    assert "您已提交过本次评审意见" in response.content.decode()
    assert ExpertOpinion.objects.filter(meeting=meeting).count() == 1


def test_an_opinion_out_of_range_is_refused_field_by_field(client, meeting):
    expert = current_panel(meeting)[0]
    client.force_login(expert.user)
    response = client.post(
        reverse("expert-opinion", args=[meeting.pk]),
        {"conclusion": "approve", "score": "101", "text": ""},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "100" in html and "这个字段是必填项" in html
    assert not ExpertOpinion.objects.exists()


def test_an_expert_the_draw_left_out_sees_nothing_of_the_meeting(client, meeting, pool, project):
    other = outsider(meeting, pool)
    client.force_login(other.user)
    version = DocumentVersion.objects.filter(document__project=project).first()
    url = reverse("expert-opinion", args=[meeting.pk])
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"conclusion": "approve", "score": "90", "text": "同意"}).status_code
        == 404
    )
    assert client.get(reverse("expert-material", args=[meeting.pk, version.pk])).status_code == 404
    assert url not in client.get(reverse("expert-my-meetings")).content.decode()
    assert not ExpertOpinion.objects.exists()


def test_the_expert_pages_are_for_experts(client, cast, meeting):
    client.force_login(cast.user("competent_department"))
    assert client.get(reverse("expert-opinion", args=[meeting.pk])).status_code == 403
    assert client.get(reverse("expert-my-meetings")).status_code == 403


def test_a_panel_expert_reads_only_this_projects_materials(client, cast, meeting, pool):
    other_project = flows.declared(cast, unit="other_unit", amount=300_000)
    foreign = DocumentVersion.objects.filter(document__project=other_project).first()
    client.force_login(current_panel(meeting)[0].user)
    response = client.get(reverse("expert-material", args=[meeting.pk, foreign.pk]))
    assert response.status_code == 404


def test_a_replaced_expert_is_refused_with_the_article_and_nothing_changes(
    client, cast, meeting, project
):
    out = current_panel(meeting)[1]
    reviews.draw_replace(
        actor=cast.user("competent_department"), meeting=meeting, expert=out, reason="因病不能参加"
    )
    client.force_login(out.user)
    url = reverse("expert-opinion", args=[meeting.pk])
    html = client.get(url).content.decode()
    assert "被替换（因病不能参加）" in html
    assert f"{url}materials/" not in html  # no materials any more
    before = events(project)
    response = client.post(url, {"conclusion": "approve", "score": "90", "text": "同意"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "只有本次评审会抽中的专家可以提交评审意见" in html
    assert "依据：" in html and ">第十七条</summary>" in html
    assert not ExpertOpinion.objects.exists() and events(project) == before


def test_a_cancelled_meetings_expert_no_longer_reads_its_materials(client, cast, meeting, project):
    expert = current_panel(meeting)[0]
    version = DocumentVersion.objects.filter(document__project=project).first()
    material = reverse("expert-material", args=[meeting.pk, version.pk])
    client.force_login(expert.user)
    assert client.get(material).status_code == 200
    reviews.meeting_cancel(
        actor=cast.user("competent_department"), meeting=meeting, reason="会议时间冲突"
    )
    html = client.get(reverse("expert-opinion", args=[meeting.pk])).content.decode()
    assert "取消（会议时间冲突），您的席位已解除" in html and material not in html
    response = client.get(material)
    assert response.status_code == 403
    assert "评审会已取消，您的席位已解除，不能再查阅评审材料。" in response.content.decode()


# --- the competent department concludes ------------------------------------------------------


def test_the_conclusion_waits_for_every_opinion(client, cast, meeting, project):
    panel = current_panel(meeting)
    give(meeting, panel[0])
    client.force_login(cast.user("competent_department"))
    html = client.get(reverse("expert-meeting", args=[meeting.pk])).content.decode()
    assert reverse("expert-conclude", args=[meeting.pk]) not in html
    assert "还有 2 名专家尚未提交评审意见" in html
    url = reverse("expert-conclude", args=[meeting.pk])
    html = client.get(url).content.decode()
    assert escape(panel[1].name) in html and escape(panel[2].name) in html
    assert "全部提交后方可形成结论" in html and 'name="conclusion"' not in html
    response = client.post(url, {"conclusion": "approve", "text": "同意"})
    assert response.status_code == 422
    assert (
        f"以下专家尚未提交评审意见：{panel[1].name}、{panel[2].name}" in response.content.decode()
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.DRAWN
    assert project.steps.get(kind="expert_review").status == StepStatus.IN_REVIEW


def test_only_the_competent_department_concludes(client, cast, meeting, tree):  # noqa: F811
    for expert in current_panel(meeting):
        give(meeting, expert)
    url = reverse("expert-conclude", args=[meeting.pk])
    for user in (cast.user("unit"), cast.user("finance"), current_panel(meeting)[0].user):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"conclusion": "approve", "text": "同意"}).status_code == 403
    client.force_login(make_cast(tree, "linxiang").user("competent_department"))
    assert client.get(url).status_code == 404
    assert ReviewMeeting.objects.get(pk=meeting.pk).status == MeetingStatus.DRAWN


def test_one_review_through_the_pages_passes_the_step(client, cast, project, pool):
    """The competent department convenes and draws, each expert drawn gives an opinion on their
    page, the department reads them all and concludes: the 专家评审 passes and the project moves
    on to 立项."""
    competent = cast.user("competent_department")
    step = project.steps.get(kind="expert_review")
    client.force_login(competent)
    client.post(
        reverse("expert-meeting-create", args=[step.pk]), {"specialty": SPECIALTY, "size": "3"}
    )
    meeting = ReviewMeeting.objects.get(project=project)
    assert client.post(reverse("expert-draw", args=[meeting.pk])).status_code == 302
    panel = current_panel(meeting)
    scores = ["92", "85.5", "88"]
    for expert, score in zip(panel, scores, strict=True):
        client.force_login(expert.user)
        response = client.post(
            reverse("expert-opinion", args=[meeting.pk]),
            {"conclusion": "approve", "score": score, "text": f"{expert.name}：方案可行"},
        )
        assert response.status_code == 302
    given = ExpertOpinion.objects.filter(meeting=meeting)
    assert {o.expert_id: o.score for o in given} == {
        e.pk: Decimal(s) for e, s in zip(panel, scores, strict=True)
    }
    client.force_login(competent)
    html = client.get(reverse("expert-meeting", args=[meeting.pk])).content.decode()
    url = reverse("expert-conclude", args=[meeting.pk])
    assert url in html
    html = client.get(url).content.decode()
    table = html.split('<table class="grid stack opinions">', 1)[1].split("</table>", 1)[0]
    for expert in panel:
        assert f"{expert.name}：方案可行" in table
    assert "平均分 88.50" in html  # (92 + 85.5 + 88) / 3
    response = client.post(url, {"conclusion": "approve", "text": "专家组同意该方案"})
    assert response.status_code == 302
    assert response["Location"] == reverse("expert-meeting", args=[meeting.pk])
    meeting.refresh_from_db()
    assert (meeting.status, meeting.conclusion, meeting.conclusion_text) == (
        MeetingStatus.CONCLUDED,
        "approve",
        "专家组同意该方案",
    )
    step.refresh_from_db()
    assert step.status == StepStatus.PASSED
    assert workflow.current_step(project).kind == "project_approval"
    assert project.events.filter(kind="meeting.concluded").count() == 1
    # afterwards an expert sees the conclusion, and a late opinion is refused with the article
    expert = panel[0]
    client.force_login(expert.user)
    url = reverse("expert-opinion", args=[meeting.pk])
    assert "专家组同意该方案" in client.get(url).content.decode()
    response = client.post(url, {"conclusion": "reject", "score": "10", "text": "改变主意"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "评审会不在评审中" in html and ">第十六条</summary>" in html
    assert ExpertOpinion.objects.get(meeting=meeting, expert=expert).conclusion == "approve"


# --- a rulebook whose expert review must confirm a check ------------------------------------

CHECK = "{code: PANEL_FROM_POOL, text: 评审专家均从专家库中抽取，与项目无利害关系, cite: 第十七条}"


@pytest.fixture
def confirming(tree, tmp_path, monkeypatch):  # noqa: F811
    """岳阳 with a 2nd version of its rulebook, whose 专家评审 asks the conclusion to confirm
    (a block-level check) that the panel came from the pool."""
    text = (DEFAULT_RULEBOOK_DIR / "yueyang.yaml").read_text(encoding="utf-8")
    pool_check = "      - {code: EXPERTS_FROM_POOL, text: 评审专家原则上从专家库中抽取"
    assert text.count(pool_check) == 1
    line = next(x for x in text.splitlines() if x.startswith(pool_check))
    text = next_version(text.replace(line, f"{line}\n      - {CHECK}"))
    (tmp_path / "yueyang.yaml").write_text(text, encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setenv("GOVIT_RULEBOOK_DIRS", str(tmp_path))
        version = rulebook_register(actor=system_user(), rulebook_id="yueyang")
    assert version.version == tree["yueyang"].rulebook.version + 1
    jurisdiction_bind(actor=system_user(), jurisdiction=tree["yueyang"], version=version)
    return make_cast(tree, "yueyang")


def test_a_conclusion_without_confirming_the_checks_is_refused_with_the_article(client, confirming):
    cast = confirming
    pool = experts(cast, SPECIALTY, 3, prefix="yueyang2")
    project = in_expert_review(cast, pool)
    step = project.steps.get(kind="expert_review")
    assert [c["code"] for c in step.checks if c["severity"] == "block"] == ["PANEL_FROM_POOL"]
    meeting = drawn(cast, project)
    for expert in current_panel(meeting):
        give(meeting, expert)
    client.force_login(cast.user("competent_department"))
    url = reverse("expert-conclude", args=[meeting.pk])
    html = client.get(url).content.decode()
    # the check to confirm, with its article that opens to the text
    assert 'name="confirmed_checks" value="PANEL_FROM_POOL"' in html
    assert "评审专家均从专家库中抽取，与项目无利害关系" in html and ">第十七条</summary>" in html
    before = events(project)
    response = client.post(url, {"conclusion": "approve", "text": "专家组同意"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "须确认以下核查事项：评审专家均从专家库中抽取，与项目无利害关系" in html
    assert "依据：" in html and ">第十七条</summary>" in html
    meeting.refresh_from_db()
    step.refresh_from_db()
    assert (meeting.status, meeting.conclusion) == (MeetingStatus.DRAWN, "")
    assert step.status == StepStatus.IN_REVIEW and events(project) == before
    # confirmed, the same conclusion passes the step and the confirmation is on the record
    response = client.post(
        url, {"conclusion": "approve", "text": "专家组同意", "confirmed_checks": "PANEL_FROM_POOL"}
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.status == StepStatus.PASSED
    opinion = Opinion.objects.filter(step=step, action="approve").get()
    assert opinion.confirmed_checks == ["PANEL_FROM_POOL"]
