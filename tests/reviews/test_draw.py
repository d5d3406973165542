"""The expert draw: the pure ranking and its verification, and the services on a real project at
its 专家评审 step (岳阳, 250万元: 第十六条; experts from the pool: 第十七条)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from govit.access.services import user_create
from govit.core import clock
from govit.core.digest import canonical_json, sm3
from govit.core.errors import Conflict, InvalidInput, PermissionDenied, RuleRefused
from govit.demo.cast import DEMO_PASSWORD
from govit.events.models import Event
from govit.events.services import verify_stream
from govit.organizations.services import system_user
from govit.projects import services as projects
from govit.projects.models import ProjectStep, StepStatus, Task, TaskStatus
from govit.reviews import draw
from govit.reviews import services as reviews
from govit.reviews.models import (
    DrawReplacement,
    ExpertDraw,
    ExpertOpinion,
    MeetingStatus,
    ReviewMeeting,
    Seat,
)
from tests.workflow import flows
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixtures

SPECIALTY = "教育信息化"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded files go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- the pure algorithm --------------------------------------------------------------------------


def test_sm3_is_the_standard_one_so_any_sm3_tool_can_recompute_a_draw():
    # GB/T 32905-2016, appendix A.1
    assert sm3(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_rank_orders_by_the_sm3_of_seed_colon_id():
    ids = list(range(1, 9))
    assert draw.rank("seed-a", ids) == sorted(ids, key=lambda i: sm3(f"seed-a:{i}".encode()))
    assert draw.rank("seed-a", ids) == [3, 8, 6, 7, 1, 4, 5, 2]  # SM3-rank-v1, pinned


def test_rank_is_the_same_for_a_seed_whatever_the_order_of_the_input():
    ids = list(range(101, 131))
    expected = draw.rank("4f1c2a9e0b7d", ids)
    for seed in range(5):
        shuffled = ids[:]
        random.Random(seed).shuffle(shuffled)
        assert draw.rank("4f1c2a9e0b7d", shuffled) == expected
    assert draw.rank("4f1c2a9e0b7d", tuple(reversed(ids))) == expected
    assert sorted(expected) == ids


def test_another_seed_gives_another_ranking():
    ids = list(range(1, 31))
    rankings = {tuple(draw.rank(f"seed-{n}", ids)) for n in range(10)}
    assert len(rankings) == 10


def test_next_candidate_is_the_first_unused_in_rank_order():
    assert draw.next_candidate([5, 3, 9, 1], {5, 3}) == 9
    assert draw.next_candidate([5, 3, 9, 1], {5, 9, 3}) == 1
    assert draw.next_candidate([5, 3, 9, 1], {5, 3, 9, 1}) is None


POOL = [
    {"id": i, "name": f"专家{i}", "specialties": [SPECIALTY], "employer": f"某大学{i}"}
    for i in range(1, 9)
]
SEED = "seed-a"
RANKING = draw.rank(SEED, [e["id"] for e in POOL])  # [3, 8, 6, 7, 1, 4, 5, 2]


def check(**changes):
    recorded = {
        "seed": SEED,
        "pool": POOL,
        "recorded_digest": draw.pool_digest(POOL),
        "recorded_ranking": RANKING,
        "drawn": RANKING[:3],
        "replacements": [],
    }
    return draw.verify(**{**recorded, **changes})


def test_an_honest_draw_verifies_with_its_replacements():
    r = RANKING
    result = check(replacements=[(r[1], r[3]), (r[3], r[4]), (r[0], r[5])])
    assert (result.ok, result.problems) == (True, [])
    assert result.ranking == RANKING
    assert result.expected_panel == [r[5], r[4], r[2]]


def test_the_pool_digest_is_sm3_of_the_canonical_snapshot():
    assert draw.pool_digest(POOL) == sm3(canonical_json(POOL))


def test_a_changed_pool_is_flagged():
    edited = [dict(e) for e in POOL]
    edited[0]["employer"] = "本项目建设单位"
    result = check(pool=edited)
    assert (result.ok, result.problems) == (
        False,
        ["专家库快照与抽取时记录的摘要不符（快照被改动过）"],
    )
    grown = [*POOL, {"id": 9, "name": "专家9", "specialties": [SPECIALTY], "employer": "x"}]
    result = check(pool=grown)
    assert result.problems[0] == "专家库快照与抽取时记录的摘要不符（快照被改动过）"
    assert "记录的抽取顺序与按种子重新计算的结果不符" in result.problems


def test_a_changed_seed_is_flagged():
    result = check(seed="seed-b")
    assert result.ok is False
    assert result.problems == [
        "记录的抽取顺序与按种子重新计算的结果不符",
        "抽中的专家不是按种子排序的前若干名",
    ]
    assert result.ranking == draw.rank("seed-b", [e["id"] for e in POOL])


def test_a_drawn_list_that_is_not_the_top_n_is_flagged():
    r = RANKING
    for drawn in ([r[0], r[1], r[3]], [r[1], r[0], r[2]], [r[0], r[1], r[1]]):
        result = check(drawn=drawn)
        assert (result.ok, result.problems) == (False, ["抽中的专家不是按种子排序的前若干名"])


def test_a_recorded_ranking_that_is_not_the_seeds_is_flagged():
    tampered = [RANKING[1], RANKING[0], *RANKING[2:]]
    result = check(recorded_ranking=tampered)
    assert result.problems == ["记录的抽取顺序与按种子重新计算的结果不符"]


def test_a_replacement_out_of_rank_order_is_flagged():
    r = RANKING
    result = check(replacements=[(r[0], r[4])])
    assert (result.ok, result.problems) == (False, [f"补抽专家应为{r[3]}号，记录为{r[4]}号"])
    result = check(replacements=[(r[0], r[3]), (r[1], r[3])])  # the same expert twice
    assert result.problems == [f"补抽专家应为{r[4]}号，记录为{r[3]}号"]


def test_a_replacement_for_an_expert_not_on_the_panel_is_flagged():
    r = RANKING
    result = check(replacements=[(r[6], r[3])])
    assert (result.ok, result.problems) == (
        False,
        [f"被替换的{r[6]}号专家不在当时的评审专家名单中"],
    )
    assert result.expected_panel == r[:3]
    # a replaced expert cannot be replaced a second time
    result = check(replacements=[(r[0], r[3]), (r[0], r[4])])
    assert result.problems == [f"被替换的{r[0]}号专家不在当时的评审专家名单中"]


def test_a_replacement_beyond_the_pool_is_flagged_in_words():
    r = RANKING
    replacements = [*zip(r[:5], r[3:8], strict=True), (r[5], 99)]
    result = check(replacements=replacements)
    assert result.problems == ["可抽取的专家已全部用尽，不应再有补抽（记录为99号）"]


def test_a_snapshot_listing_an_expert_twice_is_flagged():
    doubled = [*POOL, POOL[0]]
    result = check(
        pool=doubled,
        recorded_digest=draw.pool_digest(doubled),
        recorded_ranking=draw.rank(SEED, [e["id"] for e in doubled]),
        drawn=draw.rank(SEED, [e["id"] for e in doubled])[:3],
    )
    assert result.problems == ["专家库快照中有重复的专家"]


# --- the services, on a project at its expert_review step ----------------------------------------


@pytest.fixture
def cast(tree):  # noqa: F811
    return make_cast(tree, "yueyang")


@pytest.fixture
def project(cast):
    return flows.yueyang_in_expert_review(cast)


def register(cast, name, *, specialties=(SPECIALTY,), employer=None, employer_name="湖南大学"):
    system = system_user()
    user = user_create(
        actor=system,
        organization=None,
        jurisdiction=cast.jurisdiction,
        username=f"expert.{name}",
        password=DEMO_PASSWORD,
        real_name=name,
        roles=[],
    )
    return reviews.expert_register(
        actor=system,
        jurisdiction=cast.jurisdiction,
        name=name,
        specialties=list(specialties),
        employer=employer,
        employer_name=employer.name if employer else employer_name,
        title="教授",
        user=user,
    )


@pytest.fixture
def pool(cast, project, tree):  # noqa: F811
    """Three excluded experts, five eligible, one of another specialty, one of another place."""
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
            register(cast, "李二", employer=cast.orgs["finance"]),  # an authority is no party
            register(cast, "李三", employer=cast.units["other_unit"]),
            register(cast, "李四", specialties=("财政投资", SPECIALTY)),
            register(cast, "李五", employer_name="中南大学"),
        ],
        "other_specialty": register(cast, "赵财政", specialties=("财政投资",)),
    }
    reviews.expert_set_availability(
        actor=cast.user("competent_department"),
        expert=made["away"],
        available=False,
        reason="出国访问",
    )
    made["elsewhere"] = reviews.expert_register(
        actor=system_user(),
        jurisdiction=tree["heilongjiang"],
        name="孙外省",
        specialties=[SPECIALTY],
        employer_name="哈尔滨工业大学",
    )
    return made


def meeting_for(cast, project, size=3):
    return reviews.meeting_create(
        actor=cast.user("competent_department"), project=project, specialty=SPECIALTY, size=size
    )


def drawn(cast, project, size=3):
    meeting = meeting_for(cast, project, size)
    reviews.draw_make(actor=cast.user("competent_department"), meeting=meeting)
    return ReviewMeeting.objects.get(pk=meeting.pk)


def verification(meeting):
    """What anyone holding the recorded draw can check."""
    record = ExpertDraw.objects.get(meeting=meeting)
    return draw.verify(
        seed=record.seed,
        pool=record.pool,
        recorded_digest=record.pool_digest,
        recorded_ranking=record.ranking,
        drawn=record.drawn,
        replacements=[
            (r.replaced_id, r.replacement_id) for r in record.replacements.order_by("id")
        ],
    )


def panel_ids(meeting) -> list[int]:
    return list(
        Seat.objects.filter(meeting=meeting, vacated_at__isnull=True)
        .order_by("position")
        .values_list("expert_id", flat=True)
    )


def expert(pk):
    from govit.reviews.models import Expert

    return Expert.objects.select_related("user").get(pk=pk)


def review_state(project) -> tuple:
    step = ProjectStep.objects.get(project=project, kind="expert_review")
    return (
        list(ReviewMeeting.objects.filter(project=project).values_list("status", "conclusion")),
        ExpertDraw.objects.filter(meeting__project=project).count(),
        list(Seat.objects.filter(meeting__project=project).values_list("expert_id", "vacated_at")),
        DrawReplacement.objects.filter(draw__meeting__project=project).count(),
        ExpertOpinion.objects.filter(meeting__project=project).count(),
        step.status,
        list(Task.objects.filter(step=step).values_list("status", "version")),
        Event.objects.filter(project=project).count(),
    )


@pytest.mark.django_db
def test_the_draw_snapshots_the_eligible_excludes_with_reasons_and_is_verifiable(
    cast, project, pool
):
    with clock.frozen(dt.datetime(2026, 11, 10, 10, 0, tzinfo=clock.CHINA)):
        meeting = meeting_for(cast, project)
        record = reviews.draw_make(actor=cast.user("competent_department"), meeting=meeting)
    eligible = pool["eligible"]
    assert record.pool == [
        {"id": e.pk, "name": e.name, "specialties": sorted(e.specialties), "employer": employer}
        for e, employer in zip(
            eligible,
            ["湖南大学", "岳阳市财政局", "岳阳市卫生健康委员会", "湖南大学", "中南大学"],
            strict=True,
        )
    ]
    assert record.exclusions == [
        {"id": pool["unit"].pk, "name": "王建设", "reason": "受聘于本项目建设单位，须回避"},
        {"id": pool["vendor"].pk, "name": "王咨询", "reason": "受聘于本项目咨询机构，须回避"},
        {"id": pool["away"].pk, "name": "王出国", "reason": "不可抽取：出国访问"},
    ]
    listed = {e["id"] for e in record.pool} | {e["id"] for e in record.exclusions}
    assert pool["other_specialty"].pk not in listed and pool["elsewhere"].pk not in listed
    assert len(record.seed) == 32 and int(record.seed, 16) >= 0
    assert record.algorithm == "SM3-rank-v1"
    assert record.pool_digest == sm3(canonical_json(record.pool))
    assert record.ranking == draw.rank(record.seed, [e.pk for e in eligible])
    assert record.drawn == record.ranking[:3]
    assert record.drawn_at == dt.datetime(2026, 11, 10, 10, 0, tzinfo=clock.CHINA)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.DRAWN
    assert panel_ids(meeting) == record.drawn
    assert list(Seat.objects.filter(meeting=meeting).values_list("position", flat=True)) == [
        1,
        2,
        3,
    ]
    event = Event.objects.get(project=project, kind="draw.made")
    names = {e.pk: e.name for e in eligible}
    assert event.summary == (
        f"从5名可抽取专家中随机抽取3名：{'、'.join(names[i] for i in record.drawn)}"
        "；回避或不可抽取3名"
    )
    assert event.cite == "第十七条"
    assert event.after == {"meeting": meeting.pk, "drawn": record.drawn}
    assert {k: v for k, v in event.data.items() if k != "phrase"} == {
        "seed": record.seed,
        "pool_digest": record.pool_digest,
        "algorithm": "SM3-rank-v1",
        "exclusions": record.exclusions,
    }
    result = verification(meeting)
    assert (result.ok, result.problems, result.expected_panel) == (True, [], record.drawn)
    assert verify_stream(f"project:{project.pk}") == []


@pytest.mark.django_db
def test_a_vendor_on_another_project_is_no_reason_to_step_aside(cast, project, pool):
    other = flows.declared(cast, unit="other_unit", name="岳阳市卫健委健康平台")
    consultant = cast.user("consultant").organization
    projects.party_add(
        actor=cast.user("other_unit"), project=other, organization=consultant, role="agent"
    )
    record = reviews.draw_make(
        actor=cast.user("competent_department"), meeting=meeting_for(cast, project)
    )
    assert [e["reason"] for e in record.exclusions] == [
        "受聘于本项目建设单位，须回避",
        "受聘于本项目咨询机构，须回避",
        "不可抽取：出国访问",
    ]


@pytest.mark.django_db
def test_a_meeting_the_pool_cannot_fill_is_refused_when_convened(cast, project, pool):
    before = review_state(project)
    with pytest.raises(RuleRefused) as refused:
        meeting_for(cast, project, size=6)
    assert (refused.value.code, refused.value.message, refused.value.cite) == (
        "EXPERT_POOL_TOO_SMALL",
        "教育信息化专业可抽取的专家仅5人（已除去须回避和暂停抽取的），不足6人；"
        "请减少抽取人数、调整专业或扩充专家库",
        "第十七条",
    )
    assert review_state(project) == before
    assert not ReviewMeeting.objects.filter(project=project).exists()


@pytest.mark.django_db
def test_a_pool_that_shrank_after_convening_is_refused_at_the_draw_and_nothing_is_drawn(
    cast, project, pool
):
    meeting = meeting_for(cast, project, size=5)
    reviews.expert_set_availability(
        actor=cast.user("competent_department"),
        expert=pool["eligible"][0],
        available=False,
        reason="因病",
    )
    before = review_state(project)
    with pytest.raises(RuleRefused) as refused:
        reviews.draw_make(actor=cast.user("competent_department"), meeting=meeting)
    assert (refused.value.code, refused.value.message, refused.value.cite) == (
        "EXPERT_POOL_TOO_SMALL",
        "教育信息化专业可抽取的专家仅4人（已除去须回避和暂停抽取的），不足5人；"
        "请减少抽取人数、调整专业或扩充专家库；也可取消本次评审会后重新发起",
        "第十七条",
    )
    assert review_state(project) == before
    assert ReviewMeeting.objects.get(pk=meeting.pk).status == MeetingStatus.PLANNED


@pytest.mark.django_db
def test_a_pool_exactly_the_size_of_the_panel_is_drawn_entirely(cast, project, pool):
    meeting = drawn(cast, project, size=5)
    assert sorted(panel_ids(meeting)) == sorted(e.pk for e in pool["eligible"])


@pytest.mark.django_db
def test_only_the_competent_department_draws(cast, project, pool):
    meeting = meeting_for(cast, project)
    before = review_state(project)
    for who in ("unit", "finance", "audit"):
        with pytest.raises(PermissionDenied):
            reviews.draw_make(actor=cast.user(who), meeting=meeting)
    assert review_state(project) == before


@pytest.mark.django_db
def test_a_replacement_takes_the_next_in_rank_order_and_stays_verifiable(cast, project, pool):
    meeting = drawn(cast, project)
    record = ExpertDraw.objects.get(meeting=meeting)
    r = record.ranking
    competent = cast.user("competent_department")
    with clock.frozen(dt.datetime(2026, 11, 11, 15, 0, tzinfo=clock.CHINA)):
        first = reviews.draw_replace(
            actor=competent, meeting=meeting, expert=expert(r[1]), reason="出差无法参会"
        )
    assert (first.replaced_id, first.replacement_id, first.reason) == (r[1], r[3], "出差无法参会")
    assert panel_ids(meeting) == [r[0], r[3], r[2]]  # the replacement takes the vacated seat
    vacated = Seat.objects.get(meeting=meeting, expert_id=r[1])
    assert (vacated.position, vacated.vacated_reason, vacated.vacated_at) == (
        2,
        "出差无法参会",
        dt.datetime(2026, 11, 11, 15, 0, tzinfo=clock.CHINA),
    )
    event = Event.objects.get(project=project, kind="draw.replaced")
    assert event.summary == (
        f"{expert(r[1]).name}因“出差无法参会”不能参加，按抽取顺序补抽{expert(r[3]).name}"
    )
    assert event.after == {"meeting": meeting.pk, "replaced": r[1], "replacement": r[3]}
    # the replacement can be replaced in turn, by the next one
    second = reviews.draw_replace(
        actor=competent, meeting=meeting, expert=expert(r[3]), reason="与项目有利害关系"
    )
    assert second.replacement_id == r[4]
    assert panel_ids(meeting) == [r[0], r[4], r[2]]
    result = verification(meeting)
    assert (result.ok, result.problems, result.expected_panel) == (True, [], panel_ids(meeting))
    # all five eligible experts used: no one is left to draw
    before = review_state(project)
    with pytest.raises(RuleRefused) as refused:
        reviews.draw_replace(actor=competent, meeting=meeting, expert=expert(r[0]), reason="生病")
    assert (refused.value.code, refused.value.message) == (
        "EXPERT_POOL_EXHAUSTED",
        "抽取时的可抽取专家已全部用尽，无法补抽",
    )
    assert review_state(project) == before


@pytest.mark.django_db
def test_a_replacement_needs_a_reason_and_a_seated_expert(cast, project, pool):
    meeting = drawn(cast, project)
    r = ExpertDraw.objects.get(meeting=meeting).ranking
    competent = cast.user("competent_department")
    before = review_state(project)
    with pytest.raises(InvalidInput) as refused:
        reviews.draw_replace(actor=competent, meeting=meeting, expert=expert(r[0]), reason=" ")
    assert (refused.value.code, refused.value.message) == ("REASON_REQUIRED", "请说明补抽原因")
    with pytest.raises(InvalidInput) as refused:
        reviews.draw_replace(actor=competent, meeting=meeting, expert=expert(r[3]), reason="生病")
    assert (refused.value.code, refused.value.message) == (
        "NOT_ON_PANEL",
        f"{expert(r[3]).name}不在本次评审专家名单中",
    )
    assert review_state(project) == before


@pytest.mark.django_db
def test_an_expert_who_gave_an_opinion_cannot_be_replaced(cast, project, pool):
    meeting = drawn(cast, project)
    r = ExpertDraw.objects.get(meeting=meeting).ranking
    reviews.opinion_submit(
        actor=expert(r[0]).user, meeting=meeting, text="方案可行", score=90, conclusion="approve"
    )
    before = review_state(project)
    with pytest.raises(Conflict) as refused:
        reviews.draw_replace(
            actor=cast.user("competent_department"),
            meeting=meeting,
            expert=expert(r[0]),
            reason="临时有事",
        )
    assert (refused.value.code, refused.value.message) == (
        "OPINION_GIVEN",
        f"{expert(r[0]).name}已提交评审意见，不能替换",
    )
    assert review_state(project) == before


@pytest.mark.django_db
def test_an_opinion_is_recorded_with_its_score(cast, project, pool):
    meeting = drawn(cast, project)
    r = ExpertDraw.objects.get(meeting=meeting).ranking
    who = expert(r[0])
    with clock.frozen(dt.datetime(2026, 11, 12, 9, 30, tzinfo=clock.CHINA)):
        opinion = reviews.opinion_submit(
            actor=who.user, meeting=meeting, text="方案可行", score="88.5", conclusion="approve"
        )
    opinion.refresh_from_db()
    assert (opinion.expert_id, opinion.text, opinion.score, opinion.conclusion) == (
        who.pk,
        "方案可行",
        Decimal("88.50"),
        "approve",
    )
    assert opinion.submitted_at == dt.datetime(2026, 11, 12, 9, 30, tzinfo=clock.CHINA)
    event = Event.objects.get(project=project, kind="opinion.recorded")
    assert event.summary == f"专家{who.name}：建议通过，评分88.50"
    assert event.actor == who.user
    before = review_state(project)
    with pytest.raises(Conflict) as refused:
        reviews.opinion_submit(
            actor=who.user, meeting=meeting, text="再说一次", score=80, conclusion="approve"
        )
    assert (refused.value.code, refused.value.message) == (
        "OPINION_EXISTS",
        "您已提交过本次评审意见",
    )
    assert review_state(project) == before


@pytest.mark.django_db
@pytest.mark.parametrize("score", [0, "0", 100, "100.00", "99.999"])
def test_scores_from_0_to_100_are_accepted(cast, project, pool, score):
    meeting = drawn(cast, project)
    r = ExpertDraw.objects.get(meeting=meeting).ranking
    opinion = reviews.opinion_submit(
        actor=expert(r[0]).user, meeting=meeting, text="意见", score=score, conclusion="return"
    )
    opinion.refresh_from_db()
    assert opinion.score == Decimal(str(score)).quantize(Decimal("0.01"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "score", [-1, "-0.01", "100.01", 101, 1e9, "abc", "", None, "NaN", "Infinity", "-Infinity"]
)
def test_a_score_outside_0_to_100_is_refused(cast, project, pool, score):
    meeting = drawn(cast, project)
    r = ExpertDraw.objects.get(meeting=meeting).ranking
    before = review_state(project)
    with pytest.raises(InvalidInput) as refused:
        reviews.opinion_submit(
            actor=expert(r[0]).user, meeting=meeting, text="意见", score=score, conclusion="approve"
        )
    assert (refused.value.code, refused.value.message) == ("INVALID_SCORE", "评分应为0至100的数字")
    assert review_state(project) == before


@pytest.mark.django_db
def test_only_an_expert_seated_on_the_panel_may_give_an_opinion(cast, project, pool):
    meeting = drawn(cast, project)
    r = ExpertDraw.objects.get(meeting=meeting).ranking
    reviews.draw_replace(
        actor=cast.user("competent_department"),
        meeting=meeting,
        expert=expert(r[0]),
        reason="出差",
    )
    outsiders = [
        expert(r[0]).user,  # replaced
        expert(r[4]).user,  # eligible, not drawn
        pool["unit"].user,  # excluded
        pool["other_specialty"].user,
        cast.user("competent_department"),
        cast.user("unit"),
    ]
    before = review_state(project)
    for user in outsiders:
        with pytest.raises(PermissionDenied) as refused:
            reviews.opinion_submit(
                actor=user, meeting=meeting, text="意见", score=90, conclusion="approve"
            )
        assert refused.value.message == "只有本次评审会抽中的专家可以提交评审意见"
    assert review_state(project) == before


@pytest.mark.django_db
def test_the_step_cannot_be_decided_without_a_meeting(cast, project, pool):
    task = flows.open_task(project, "expert_review")
    before = review_state(project)
    with pytest.raises(RuleRefused) as refused:
        projects.task_act(
            actor=cast.user("competent_department"), task_id=task.pk, action="approve"
        )
    assert (refused.value.code, refused.value.message, refused.value.cite) == (
        "MEETING_REQUIRED",
        "专家评审环节须通过评审会形成结论",
        "第十六条",
    )
    assert review_state(project) == before


@pytest.mark.django_db
def test_the_conclusion_waits_for_every_seated_expert_then_passes_the_step(cast, project, pool):
    meeting = drawn(cast, project)
    r = ExpertDraw.objects.get(meeting=meeting).ranking
    competent = cast.user("competent_department")
    reviews.draw_replace(actor=competent, meeting=meeting, expert=expert(r[1]), reason="出差")
    seated = [expert(pk) for pk in panel_ids(meeting)]  # r[0], r[3], r[2]

    def conclude():
        return reviews.meeting_conclude(
            actor=competent, meeting=meeting, conclusion="approve", text="专家组同意通过"
        )

    for given in range(3):
        before = review_state(project)
        with pytest.raises(RuleRefused) as refused:
            conclude()
        assert (refused.value.code, refused.value.message) == (
            "OPINIONS_MISSING",
            "以下专家尚未提交评审意见：" + "、".join(e.name for e in seated[given:]),
        )
        assert review_state(project) == before
        reviews.opinion_submit(
            actor=seated[given].user,
            meeting=meeting,
            text="同意",
            score=85 + given,
            conclusion="approve",
        )

    with clock.frozen(dt.date(2026, 11, 13)):
        conclude()
    meeting.refresh_from_db()
    assert (meeting.status, meeting.conclusion, meeting.conclusion_text) == (
        MeetingStatus.CONCLUDED,
        "approve",
        "专家组同意通过",
    )
    step = ProjectStep.objects.get(project=project, kind="expert_review")
    assert step.status == StepStatus.PASSED
    task = Task.objects.get(step=step)
    assert (task.status, task.closed_by) == (TaskStatus.APPROVED, competent)
    project.refresh_from_db()
    assert project.stage == "project_approval"
    assert ProjectStep.objects.get(project=project, kind="project_approval").status == (
        StepStatus.READY
    )
    kinds = list(
        Event.objects.filter(project=project).order_by("seq").values_list("kind", flat=True)
    )
    assert kinds[-4:] == ["meeting.concluded", "task.approved", "step.passed", "step.opened"]
    concluded = Event.objects.get(project=project, kind="meeting.concluded")
    assert concluded.summary == f"“{meeting.title}”结论：通过：专家组同意通过"
    assert concluded.cite == "第十六条"
    # once concluded, nothing more can be added to the meeting
    with pytest.raises(Conflict):
        reviews.draw_replace(actor=competent, meeting=meeting, expert=seated[0], reason="x")
    with pytest.raises(Conflict):
        conclude()
    assert verification(meeting).ok
    assert verify_stream(f"project:{project.pk}") == []


@pytest.mark.django_db
def test_a_returned_review_is_held_again_after_resubmission(cast, project, pool):
    meeting = drawn(cast, project)
    competent = cast.user("competent_department")
    for seated in panel_ids(meeting):
        reviews.opinion_submit(
            actor=expert(seated).user,
            meeting=meeting,
            text="需补充测算",
            score=60,
            conclusion="return",
        )
    reviews.meeting_conclude(
        actor=competent, meeting=meeting, conclusion="return", text="请补充投资测算依据"
    )
    step = ProjectStep.objects.get(project=project, kind="expert_review")
    assert (step.status, step.round) == (StepStatus.RETURNED, 1)
    assert Task.objects.get(step=step).status == TaskStatus.RETURNED
    projects.step_submit(actor=cast.user("unit"), step=step, note="已补充")
    step.refresh_from_db()
    assert (step.status, step.round) == (StepStatus.IN_REVIEW, 2)
    again = drawn(cast, project)
    assert again.pk != meeting.pk and again.status == MeetingStatus.DRAWN


@pytest.mark.django_db
def test_a_meeting_needs_a_specialty_a_size_of_1_to_25_and_no_other_open_meeting(
    cast, project, pool
):
    competent = cast.user("competent_department")
    before = review_state(project)
    for size in (0, 26, "3"):
        with pytest.raises(InvalidInput) as refused:
            reviews.meeting_create(actor=competent, project=project, specialty=SPECIALTY, size=size)
        assert (refused.value.code, refused.value.message) == (
            "INVALID_SIZE",
            "抽取人数应为1至25人",
        )
    with pytest.raises(InvalidInput) as refused:
        reviews.meeting_create(actor=competent, project=project, specialty="  ", size=3)
    assert (refused.value.code, refused.value.message) == ("INVALID_SPECIALTY", "请填写专业领域")
    assert review_state(project) == before
    meeting = meeting_for(cast, project, 5)  # the whole eligible pool
    assert (meeting.size, meeting.title, meeting.status) == (
        5,
        "政务信息化测试项目专家评审组评审会",
        MeetingStatus.PLANNED,
    )
    with pytest.raises(Conflict) as refused:
        meeting_for(cast, project, 1)
    assert (refused.value.code, refused.value.message) == (
        "MEETING_EXISTS",
        "本环节已有未结束的评审会；不能举行的，请先取消该评审会（写明原因）再重新发起",
    )


@pytest.mark.django_db
def test_a_panel_of_one_is_the_first_in_rank_order(cast, project, pool):
    meeting = drawn(cast, project, size=1)
    assert panel_ids(meeting) == ExpertDraw.objects.get(meeting=meeting).ranking[:1]


@pytest.mark.django_db
def test_no_meeting_before_the_previous_step_is_done(cast):
    project = flows.yueyang_in_scheme_review(cast)
    with pytest.raises(RuleRefused) as refused:
        meeting_for(cast, project)
    assert (refused.value.code, refused.value.message, refused.value.cite) == (
        "PREVIOUS_STEP_PENDING",
        "须先完成“建设方案评审”，才能办理“专家评审组评审”",
        "第十六条",
    )
    assert not ReviewMeeting.objects.filter(project=project).exists()


@pytest.mark.django_db
def test_a_project_without_an_expert_review_says_so_in_chinese(cast):
    project = flows.declared(cast, amount=1_500_000)  # below 200万元: no 专家评审 (第十六条)
    with pytest.raises(RuleRefused) as refused:
        meeting_for(cast, project)
    assert refused.value.code == "NO_SUCH_STEP"
    assert refused.value.message == "按其规则手册，本项目没有“专家评审”环节"
