"""What an event says, kept so that it can be read in either language.

An event's summary is written in Chinese when it is recorded, and that text is the record (it is
digested into the stream's chain and never rewritten). A service that records an event words its
summary as a ``Phrase``: message ids (Chinese, with ``%(name)s`` placeholders, marked with
``gettext_noop`` so that ``makemessages`` finds them) and the values put into them. ``record``
stores the Chinese text as the summary and the phrase itself in the event's ``data["phrase"]``;
a page in English renders the phrase through the English catalog (``web.labels.event_summary``).

A value is a name people gave (a project, an office, an opinion: shown as written), a number, a
``Step`` (a project's step: the rulebook's Chinese name, or its kind's English label), a ``Word``
(a fixed word of the platform, 通过 or 退回修改, translated in the context "event word"), a
``Money`` (an amount in 元, written in 万元 as everywhere) or a list of these (、 between them in
Chinese, commas in English).

    said(gettext_noop("报送“%(step)s”的材料，第%(round)s轮"), step=Step.of(step), round=2)
      + said(gettext_noop("：%(opinion)s"), opinion=opinion)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from govit.policy.conditions import money
from govit.policy.decide import cn_date

CHINESE = re.compile(r"[\u4e00-\u9fff]")
Say = Callable[[str, str], str]  # (context, message id) → the reader's words: pgettext
StepName = Callable[
    [str, str], str
]  # (kind, the rulebook's name) → the step as the reader names it
DayText = Callable[[dt.date], str]  # a date as the reader's pages write it


@dataclass(frozen=True)
class Step:
    """A project's step named in a phrase."""

    kind: str
    name: str

    @classmethod
    def of(cls, step: Any) -> Step:
        return cls(kind=getattr(step, "kind", ""), name=getattr(step, "name", ""))


@dataclass(frozen=True)
class Word:
    """A fixed word of the platform (its Chinese is the message id of its translations, in the
    context ``WORD``)."""

    text: str


WORD = "event word"


@dataclass(frozen=True)
class Day:
    """A date: 2026年3月5日 in Chinese (as the regulations write it), the reader's format else."""

    day: dt.date


@dataclass(frozen=True)
class Money:
    """An amount in 元."""

    yuan: Decimal | int | str


def _kept(value: Any) -> Any:
    if isinstance(value, Step):
        return {"step": value.kind, "name": value.name}
    if isinstance(value, Word):
        return {"word": value.text}
    if isinstance(value, Money):
        return {"yuan": str(value.yuan)}
    if isinstance(value, Day):
        return {"day": value.day.isoformat()}
    if isinstance(value, list | tuple):
        return {"list": [_kept(v) for v in value]}
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | str):
        return value
    if isinstance(value, Decimal | float):
        return str(value)
    return str(value)


def _chinese(value: Any) -> Any:
    if isinstance(value, Step):
        return value.name
    if isinstance(value, Word):
        return value.text
    if isinstance(value, Money):
        return money(value.yuan)
    if isinstance(value, Day):
        return cn_date(value.day)
    if isinstance(value, list | tuple):
        return "、".join(str(_chinese(v)) for v in value)
    return value


@dataclass(frozen=True)
class Phrase:
    """Parts read one after another, each a message id and its values."""

    parts: tuple[tuple[str, dict[str, Any]], ...]

    def __add__(self, other: Phrase | None) -> Phrase:
        if other is None:
            return self
        if not isinstance(other, Phrase):
            raise TypeError("a phrase continues with a phrase (said(...)), not with text")
        return Phrase(self.parts + other.parts)

    def chinese(self) -> str:
        return "".join(
            msgid % {k: _chinese(v) for k, v in params.items()} for msgid, params in self.parts
        )

    def kept(self) -> list[list[Any]]:
        """The phrase as ``data["phrase"]`` keeps it (JSON)."""
        return [[msgid, {k: _kept(v) for k, v in params.items()}] for msgid, params in self.parts]


def said(msgid: str, **values: Any) -> Phrase:
    """One part of what an event says: a message id (pass it through ``gettext_noop``)."""
    phrase = Phrase(((msgid, values),))
    phrase.chinese()  # a placeholder without its value is refused when written, not when read
    return phrase


def maybe(condition: Any, msgid: str, **values: Any) -> Phrase | None:
    """An optional part: ``said(...)`` where ``condition`` holds, nothing otherwise."""
    return said(msgid, **values) if condition else None


def _value(value: Any, say: Say, step_name: StepName, day_text: DayText) -> Any:
    if not isinstance(value, dict):
        return value
    if "step" in value:
        return step_name(value["step"], value.get("name", ""))
    if "word" in value:
        return say(WORD, value["word"])
    if "yuan" in value:
        return f"{money(value['yuan']).removesuffix('万元')} {say('', '万元')}"
    if "day" in value:
        return day_text(dt.date.fromisoformat(value["day"]))
    if "list" in value:
        return ", ".join(str(_value(v, say, step_name, day_text)) for v in value["list"])
    raise ValueError(value)


def render(kept: Any, say: Say, step_name: StepName, day_text: DayText) -> str | None:
    """A kept phrase in the reader's language, ``say`` being the catalog's pgettext (an empty
    context: gettext). None where a part has no translation or does not fit its values (the
    summary as recorded is then shown)."""
    if not isinstance(kept, list) or not kept:
        return None
    out = []
    for part in kept:
        try:
            msgid, params = part
            template = say("", msgid)
            if template == msgid and CHINESE.search(msgid):
                return None  # not translated
            values = {key: _value(value, say, step_name, day_text) for key, value in params.items()}
            out.append(template % values)
        except (TypeError, ValueError, KeyError):
            return None
    return "".join(out)
