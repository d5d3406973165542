"""`make bench`: measure what the issues set targets for. Prints a Markdown report and writes it
to var/bench/latest.md; docs/benchmarks.md records dated runs.

decide(): decisions per second on one core (target ≥ 10,000/s), over realistic mixed facts for
all six rulebooks, warm (classification memo in use, as in the nightly re-check) and cold (memo
cleared before every decision: the worst case).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govit.policy.decide import decide  # noqa: E402
from govit.policy.facts import parse_facts  # noqa: E402
from govit.policy.loader import all_rulebooks  # noqa: E402

TARGET = 10_000


def realistic_facts(rng: random.Random, n: int) -> list:
    kinds = ["new"] * 6 + ["expansion", "renovation", "equipment_purchase", "emergency"]
    out = []
    for _ in range(n):
        amount = int(rng.lognormvariate(13.5, 1.1))  # median ≈ 73万元, long tail to tens of 百万
        facts = {
            "total_investment": amount,
            "funding_source": rng.choices(
                ["local_fiscal", "superior_allocated", "self_raised"], [8, 1, 1]
            )[0],
            "classified": rng.random() < 0.05,
            "involves_crypto": rng.random() < 0.4,
            "construction_type": rng.choice(kinds),
            "simple_scope": rng.random() < 0.2,
            "plan_year": rng.choice([2025, 2026, 2027]),
            "unfinished_prior_year_projects": rng.choice([0, 0, 0, 1]),
        }
        facts["declared_on"] = dt.date(
            facts["plan_year"] - 1, rng.randint(5, 11), rng.randint(1, 28)
        ).isoformat()
        stage = rng.random()
        if stage > 0.3:
            facts["step_started_on"] = {
                rng.choice(
                    ["preliminary_review", "joint_review", "crypto_review", "funds_review"]
                ): dt.date(2026, rng.randint(1, 11), rng.randint(1, 28)).isoformat()
            }
        if stage > 0.5:
            facts["contract_amount"] = int(amount * rng.uniform(0.8, 1.0))
            facts["approved_budget"] = amount
            facts["om_period_years"] = rng.choice([1, 2, 3, 3, 5])
        if stage > 0.7:
            facts["prior_changes"] = rng.choice([0, 0, 1])
            facts["proposed_change"] = {
                "amount": int(amount * rng.uniform(0.01, 0.2)),
                "new_total": int(amount * rng.uniform(0.85, 1.05)),
                "reason": rng.choice(
                    [
                        "policy_requirement",
                        "technical_optimization",
                        "business_development",
                        "other",
                    ]
                ),
            }
        if stage > 0.85:
            facts["completed_on"] = dt.date(
                2025, rng.randint(1, 12), rng.randint(1, 28)
            ).isoformat()
            facts["operation_started_on"] = dt.date(
                2026, rng.randint(1, 6), rng.randint(1, 28)
            ).isoformat()
        out.append(parse_facts(facts))
    return out


def measure(pairs, on, *, cold: bool, repeat: int = 5) -> list[float]:
    rates = []
    for _ in range(repeat):
        start = time.perf_counter()
        for rb, facts in pairs:
            if cold and (plan := rb.plans.get("classify")) is not None:
                plan.memo.clear()
            decide(rb, facts, on)
        rates.append(len(pairs) / (time.perf_counter() - start))
    return rates


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    rng = random.Random(20261123)
    rulebooks = all_rulebooks()
    facts = realistic_facts(rng, 5_000)
    pairs = [(rulebooks[i % len(rulebooks)], f) for i, f in enumerate(facts)]
    on = dt.date(2026, 11, 23)
    measure(pairs[:500], on, cold=False, repeat=1)  # warm up imports and caches
    warm = measure(pairs, on, cold=False)
    cold = measure(pairs[:1000], on, cold=True)
    per_rulebook = {
        rb.id: statistics.median(measure([(rb, f) for f in facts[:2000]], on, cold=False, repeat=3))
        for rb in rulebooks
    }
    lines = [
        f"## decide() — {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores (pinned to 1), "
        f"Python {platform.python_version()}. Command: `make bench`.",
        "",
        "| measurement | decisions/s (median of runs) | target |",
        "|---|---:|---:|",
        f"| mixed, 6 rulebooks, memo warm (nightly re-check) | {statistics.median(warm):,.0f} | ≥ {TARGET:,} |",
        f"| mixed, classification memo cleared before each decision (worst case) | {statistics.median(cold):,.0f} | — |",
    ]
    lines += [
        f"| {rid} only, warm | {rate:,.0f} | ≥ {TARGET:,} |" for rid, rate in per_rulebook.items()
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.md").write_text(report, encoding="utf-8")
    ok = statistics.median(warm) >= TARGET and min(per_rulebook.values()) >= TARGET
    print("PASS" if ok else "BELOW TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
