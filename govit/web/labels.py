"""The fixed vocabulary as a reader sees it: a step kind in the reader's language (the engine's
vocabulary holds both the Chinese and the English label), never the code itself; an event's kind
and the system's part of who did it, translated as they are shown."""

from __future__ import annotations

from typing import Any

from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext, pgettext

from govit.events import phrases
from govit.events import selectors as event_selectors
from govit.events.registry import EVENT_KINDS
from govit.policy.vocab import STEP_LABELS

EVENT_KIND = "event kind"  # the translations' context: 支付 the event is not 支付 the section


def english() -> bool:
    return (get_language() or "").startswith("en")


def day(value: Any) -> str:
    """A date as every page writes it, in the reader's language (govit/web/formats)."""
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def moment(value: Any) -> str:
    """A moment, in China's time, as every page writes it (govit/web/formats)."""
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else ""


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


def event_kind_label(kind: str) -> str:
    """An event kind's registered label (events/registry.py) in the reader's language, translated
    as it is shown: the label is the message id."""
    label = EVENT_KINDS.get(kind, kind)
    return pgettext(EVENT_KIND, label)


def _say(context: str, message: str) -> str:
    return pgettext(context, message) if context else gettext(message)


def event_summary(event: Any) -> tuple[str, bool]:
    """What an event says in the reader's language, and whether it is shown as recorded: in
    English, the phrase it was recorded with (events.phrases) through the English catalog; an
    event recorded before phrases, or whose words have no translation, as it was recorded."""
    if english():
        text = phrases.render((event.data or {}).get("phrase"), _say, step_title, day)
        if text is not None:
            return text, False
        return event.summary, True
    return event.summary, False


def notification_text(notification: Any, part: str) -> str:
    """A notification's title or body in the reader's language: in English its wording
    (``Notification.words``) through the English catalog, where it was kept and translates;
    otherwise as it was sent."""
    sent = getattr(notification, part)
    if english():
        text = phrases.render((notification.words or {}).get(part), _say, step_title, day)
        if text is not None:
            return text
    return sent


def event_actor_text(event: Any) -> str:
    """Who did an event, the system's part in the reader's language (events.selectors)."""
    return event_selectors.actor_text(event, pgettext)


def event_actor_name(value: str, text: str) -> str:
    """A choice of the log's person filter: a person as recorded, the system in the reader's
    language."""
    return pgettext("event actor", text) if value == event_selectors.SYSTEM else text
