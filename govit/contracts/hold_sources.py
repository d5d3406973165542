"""What else withholds a project's remaining payments. Payments are contracts' business, but a
failed acceptance under rectification is delivery's, which sits above contracts: delivery registers
here (in its ``AppConfig.ready()``) and ``contracts.selectors.payment_holds`` asks, so contracts
never imports delivery. A source answers ``[{"reason": …, "said": …, "cite": …}]`` for a project: the reason in Chinese
and as a ``govit.events.phrases.Phrase`` for the event that withholds the payments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

HoldSource = Callable[[Any], list[dict[str, Any]]]

_sources: list[HoldSource] = []


def register(source: HoldSource) -> None:
    if source not in _sources:
        _sources.append(source)


def registered_holds(project: Any) -> list[dict[str, Any]]:
    """The holds every registered source reports, in the order the sources were registered."""
    return [hold for source in _sources for hold in source(project)]
