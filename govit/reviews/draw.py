"""The expert draw, as a pure, reproducible algorithm.

Every eligible expert is ranked by SM3(seed ‖ ":" ‖ id): the first N are drawn, and replacements
take the next ones in rank order. Anyone holding the recorded seed and the pool snapshot can
recompute the ranking — with this code or any SM3 tool — and check the panel. The pool snapshot's
own SM3 digest shows it was not edited after the draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from govit.core.digest import canonical_json, sm3

ALGORITHM = "SM3-rank-v1"


def rank(seed: str, ids: Sequence[int]) -> list[int]:
    return sorted(ids, key=lambda expert_id: (sm3(f"{seed}:{expert_id}".encode()), expert_id))


def pool_digest(pool: list[dict[str, Any]]) -> str:
    return sm3(canonical_json(pool))


def next_candidate(ranking: Sequence[int], used: set[int]) -> int | None:
    return next((expert_id for expert_id in ranking if expert_id not in used), None)


@dataclass
class Verification:
    ok: bool
    problems: list[str]
    ranking: list[int]
    expected_panel: list[int]


def verify(
    *,
    seed: str,
    pool: list[dict[str, Any]],
    recorded_digest: str,
    recorded_ranking: Sequence[int],
    drawn: Sequence[int],
    replacements: Sequence[tuple[int, int]],
) -> Verification:
    """Recompute a draw from its seed and snapshot and compare it with what was recorded."""
    problems = []
    if pool_digest(pool) != recorded_digest:
        problems.append("专家库快照与抽取时记录的摘要不符（快照被改动过）")
    ids = [entry["id"] for entry in pool]
    if len(set(ids)) != len(ids):
        problems.append("专家库快照中有重复的专家")
    ranking = rank(seed, ids)
    if list(recorded_ranking) != ranking:
        problems.append("记录的抽取顺序与按种子重新计算的结果不符")
    size = len(drawn)
    if list(drawn) != ranking[:size]:
        problems.append("抽中的专家不是按种子排序的前若干名")
    used = set(ranking[:size])
    panel = list(ranking[:size])
    for replaced, replacement in replacements:
        if replaced not in panel:
            # a replacement must free a seat: one "for" an expert who is not sitting seats nobody
            problems.append(f"被替换的{replaced}号专家不在当时的评审专家名单中")
        expected = next_candidate(ranking, used)
        if expected is None:
            problems.append(f"可抽取的专家已全部用尽，不应再有补抽（记录为{replacement}号）")
        elif replacement != expected:
            problems.append(f"补抽专家应为{expected}号，记录为{replacement}号")
        used.add(replacement)
        panel = [replacement if x == replaced else x for x in panel]
    return Verification(ok=not problems, problems=problems, ranking=ranking, expected_panel=panel)
