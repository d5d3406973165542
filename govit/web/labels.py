"""The fixed vocabulary as a reader sees it: a step kind in the reader's language (the engine's
vocabulary holds both the Chinese and the English label), never the code itself."""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import get_language

from govit.policy.vocab import STEP_LABELS


def english() -> bool:
    return (get_language() or "").startswith("en")


def step_label(kind: str) -> str:
    """建设方案评审 / Scheme review for ``scheme_review``."""
    pair = STEP_LABELS.get(kind)
    if pair is None:
        return kind
    return pair[1] if english() else pair[0]


step_label_lazy = lazy(step_label, str)


def step_choices() -> list[tuple[str, str]]:
    """Every step kind as a choice: the kind is the value, its label in the reader's language."""
    return [(kind, step_label_lazy(kind)) for kind in STEP_LABELS]


def step_title(kind: str, name: str) -> str:
    """A project's step as the reader names it: the rulebook's own name (向市发改委申请立项) in
    Chinese; in English the step's English name (the rulebook names it only in Chinese)."""
    return step_label(kind) if english() and kind else name


step_title_lazy = lazy(step_title, str)
