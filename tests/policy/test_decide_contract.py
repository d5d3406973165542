"""The decide() contract: every key present with the right type for every rulebook and any valid
facts; every block or warn names its article; the answer is JSON; inputs are never changed."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govit.policy.classify import RulebookConflict
from govit.policy.decide import decide
from govit.policy.facts import Facts, parse_facts
from govit.policy.loader import get_rulebook, rulebook_paths
from govit.policy.vocab import ACTORS, STEP_KINDS

RULEBOOKS = sorted(rulebook_paths())
ANSWER_KEYS = [
    "rulebook",
    "track",
    "expert_review_required",
    "steps",
    "acceptance",
    "change",
    "declaration",
    "new_projects_eligible",
    "om_period_ok",
    "self_evaluation_window",
    "interpretations",
    "companions",
    "findings",
]
ISO = r"^\d{4}-\d{2}-\d{2}$"

dates = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2026, 12, 31))
money = st.one_of(
    st.integers(min_value=0, max_value=100_000_000),
    st.sampled_from([499_999, 500_000, 999_999, 1_000_000, 1_999_999, 2_000_000]),
)
facts_strategy = st.fixed_dictionaries(
    {"total_investment": money},
    optional={
        "funding_source": st.sampled_from(["local_fiscal", "superior_allocated", "self_raised"]),
        "classified": st.booleans(),
        "involves_crypto": st.booleans(),
        "construction_type": st.sampled_from(
            ["new", "expansion", "renovation", "equipment_purchase", "emergency"]
        ),
        "simple_scope": st.booleans(),
        "plan_year": st.integers(min_value=2024, max_value=2027),
        "declared_on": dates.map(dt.date.isoformat),
        "unfinished_prior_year_projects": st.integers(min_value=0, max_value=3),
        "contract_amount": money,
        "approved_budget": money,
        "om_period_years": st.integers(min_value=0, max_value=6),
        "prior_changes": st.integers(min_value=0, max_value=2),
        "proposed_change": st.fixed_dictionaries(
            {"amount": money},
            optional={
                "new_total": money,
                "goal_changed": st.booleans(),
                "reason": st.sampled_from(
                    [
                        "policy_requirement",
                        "technical_optimization",
                        "business_development",
                        "other",
                    ]
                ),
            },
        ),
        "completed_on": dates.map(dt.date.isoformat),
        "operation_started_on": dates.map(dt.date.isoformat),
        "step_started_on": st.dictionaries(
            st.sampled_from(STEP_KINDS), dates.map(dt.date.isoformat), max_size=4
        ),
    },
)


def check_answer(answer):
    assert list(answer) == ANSWER_KEYS
    json.dumps(answer, ensure_ascii=False)
    assert set(answer["rulebook"]) == {"id", "title", "status", "effective_from", "effective_until"}
    assert answer["track"] in (None, "approval", "filing")
    assert answer["expert_review_required"] in (None, True, False)
    step_kinds = [s["kind"] for s in answer["steps"]]
    assert len(step_kinds) == len(set(step_kinds)), "one step per kind"
    for s in answer["steps"]:
        assert {"kind", "actor", "working_days", "due", "cite"} <= set(s)
        assert s["kind"] in STEP_KINDS and s["actor"] in ACTORS
        assert s["cite"].startswith("第")
        assert all(actor in ACTORS for actor in s["co_actors"])
    outside = answer["track"] is None and any(
        f["code"].startswith("OUT_OF_SCOPE") for f in answer["findings"]
    )
    if outside:  # 连平第五条: the regulation governs none of it, so none of its rules is listed
        assert answer["steps"] == [] and answer["acceptance"] is None
        assert answer["new_projects_eligible"] is None and answer["interpretations"] == []
        return
    assert set(answer["acceptance"]) == {
        "organizer",
        "co_organizers",
        "preliminary_required",
        "compliance_review_required",
        "application_due",
        "cite",
    }
    if answer["change"] is not None:
        assert set(answer["change"]) == {"within_limits", "procedure", "reasons", "cite"}
        assert answer["change"]["procedure"] in (None, "filing", "approval", "escalate")
    if answer["declaration"] is not None:
        assert set(answer["declaration"]) == {"deadline", "on_time", "cite"}
    assert isinstance(answer["new_projects_eligible"], bool)
    for reading in answer["interpretations"]:
        assert set(reading) == {"text", "reading", "cite"}
        get_rulebook(answer["rulebook"]["id"]).regulation.resolve(reading["cite"])
    for f in answer["findings"]:
        assert set(f) == {"code", "severity", "message", "cite"}
        assert f["severity"] in ("block", "warn", "info")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in f["message"]), f
        if f["severity"] in ("block", "warn"):
            assert f["cite"], f"a {f['severity']} must name its article: {f}"
            get_rulebook(answer["rulebook"]["id"]).regulation.resolve(f["cite"])


@pytest.mark.parametrize("rulebook", RULEBOOKS)
def test_minimal_facts_answer_every_key(rulebook):
    check_answer(decide(rulebook, {"total_investment": 1}, dt.date(2026, 11, 23)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=facts_strategy, on=dates, rulebook=st.sampled_from(RULEBOOKS))
def test_any_valid_facts_get_a_complete_answer_and_never_a_rule_conflict(facts, on, rulebook):
    before = copy.deepcopy(facts)
    try:
        answer = decide(rulebook, facts, on)
    except RulebookConflict as exc:  # pragma: no cover - the failure this test exists to find
        pytest.fail(f"规则冲突：{exc}")
    check_answer(answer)
    assert facts == before


@pytest.mark.parametrize("rulebook", RULEBOOKS)
def test_exhaustive_classifying_facts_never_conflict(rulebook):
    """Every combination of the facts that conditions read, on both sides of every threshold."""
    amounts = [0, 499_999, 500_000, 999_999, 1_000_000, 1_999_999, 2_000_000]
    for amount in amounts:
        for funding in ("local_fiscal", "superior_allocated", "self_raised"):
            for kind in ("new", "expansion", "renovation", "equipment_purchase", "emergency"):
                for flags in range(8):
                    facts = Facts(
                        total_investment=amount,
                        funding_source=funding,
                        construction_type=kind,
                        classified=bool(flags & 1),
                        involves_crypto=bool(flags & 2),
                        simple_scope=bool(flags & 4),
                        unfinished_prior_year_projects=flags % 2,
                    )
                    decide(rulebook, facts, dt.date(2026, 11, 23))


def test_answers_are_independent_of_each_other():
    first = decide("yueyang", {"total_investment": 1}, dt.date(2026, 11, 23))
    first["steps"][0]["documents"].clear()
    first["steps"][0]["co_actors"].append("audit")
    second = decide("yueyang", {"total_investment": 1}, dt.date(2026, 11, 23))
    assert second["steps"][0]["documents"] and second["steps"][0]["co_actors"] == []
    with pytest.raises(TypeError):
        second["steps"][0]["documents"][0]["name"] = "x"


def test_memoised_classification_gives_the_same_answer_as_a_fresh_one():
    rb = get_rulebook("lianping")
    facts = parse_facts({"total_investment": 1_234_567, "involves_crypto": True})
    warm = decide(rb, facts, dt.date(2026, 11, 23))
    rb.plans.clear()
    cold = decide(rb, facts, dt.date(2026, 11, 23))
    assert warm == cold


def test_assumed_defaults_are_reported_not_silent():
    answer = decide("xiangxi", {"total_investment": 1}, dt.date(2026, 11, 23))
    assumed = {f["message"] for f in answer["findings"] if f["code"] == "FACT_ASSUMED"}
    assert "未提供“资金来源”，按“本级财政资金”判断" in assumed
    stated = decide(
        "xiangxi",
        {
            "total_investment": 1,
            "funding_source": "local_fiscal",
            "classified": False,
            "plan_year": 2027,
            "unfinished_prior_year_projects": 0,
        },
        dt.date(2026, 11, 23),
    )
    assert [f for f in stated["findings"] if f["code"] == "FACT_ASSUMED"] == []
