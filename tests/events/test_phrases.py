"""What an event says is recorded in Chinese and kept as words a page can read in English
(govit/events/phrases.py): the Chinese text is the record, the phrase renders it again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext_noop

from govit.events.phrases import Day, Money, Step, Word, maybe, render, said
from govit.web import labels


def english(context: str, message: str) -> str:
    """A stand-in catalog: the message ids of this test and two words."""
    catalog = {
        ("", "%(office)s对“%(step)s”%(action)s"): "%(office)s %(action)s “%(step)s”",
        ("", "：%(opinion)s"): ": %(opinion)s",
        ("", "批复概算%(amount)s，%(day)s"): "approved %(amount)s on %(day)s",
        ("", "万元"): "×10k yuan",
        ("", "专家：%(names)s"): "Experts: %(names)s",
        ("event word", "通过"): "approved",
    }
    return catalog.get((context, message), message)


def step_name(kind: str, name: str) -> str:
    return {"scheme_review": "Scheme review"}.get(kind, name)


def test_a_phrase_reads_as_the_chinese_it_records_and_keeps_its_words():
    phrase = said(
        "%(office)s对“%(step)s”%(action)s",
        office="岳阳市财政局",
        step=Step("scheme_review", "建设方案评审"),
        action=Word("通过"),
    ) + maybe("同意", "：%(opinion)s", opinion="同意")
    assert phrase.chinese() == "岳阳市财政局对“建设方案评审”通过：同意"
    assert phrase.kept() == [
        [
            "%(office)s对“%(step)s”%(action)s",
            {
                "office": "岳阳市财政局",
                "step": {"step": "scheme_review", "name": "建设方案评审"},
                "action": {"word": "通过"},
            },
        ],
        ["：%(opinion)s", {"opinion": "同意"}],
    ]
    assert (
        render(phrase.kept(), english, step_name, str)
        == "岳阳市财政局 approved “Scheme review”: 同意"  # the office and the opinion as written
    )


def test_an_optional_part_that_does_not_apply_adds_nothing():
    phrase = said("%(office)s对“%(step)s”%(action)s", office="甲", step="乙", action="丙") + maybe(
        "", "：%(opinion)s", opinion=""
    )
    assert phrase.chinese() == "甲对“乙”丙"
    assert len(phrase.kept()) == 1


def test_amounts_in_wan_and_dates_in_the_readers_format():
    phrase = said(
        "批复概算%(amount)s，%(day)s",
        amount=Money(Decimal("2350000.00")),
        day=Day(dt.date(2026, 3, 5)),
    )
    assert phrase.chinese() == "批复概算235万元，2026年3月5日"
    assert (
        render(phrase.kept(), english, step_name, lambda d: d.strftime("%b %d, %Y"))
        == "approved 235 ×10k yuan on Mar 05, 2026"
    )


def test_a_list_reads_with_the_languages_separator():
    phrase = said("专家：%(names)s", names=["张三", "李四"])
    assert phrase.chinese() == "专家：张三、李四"
    assert render(phrase.kept(), english, step_name, str) == "Experts: 张三, 李四"


def test_without_a_translation_the_record_is_shown_as_it_was_written():
    phrase = said("未译的话%(x)s", x=1)
    assert render(phrase.kept(), english, step_name, str) is None
    assert render(None, english, step_name, str) is None
    assert render([["%(office)s对“%(step)s”%(action)s", {}]], english, step_name, str) is None


def test_a_placeholder_without_its_value_is_refused_when_the_event_is_written():
    with pytest.raises(KeyError):
        said("%(office)s对“%(step)s”", office="甲")
    with pytest.raises(TypeError):
        said("甲") + "乙"  # text is not a phrase


class Recorded:
    def __init__(self, summary: str, data: dict):
        self.summary, self.data = summary, data


def test_the_page_shows_the_readers_language_and_marks_what_is_shown_as_recorded():
    phrase = said(
        gettext_noop("“%(step)s”办结"), step=Step("scheme_review", "向市行政审批服务局报送建设方案")
    )
    event = Recorded(phrase.chinese(), {"phrase": phrase.kept()})
    old = Recorded("“建设方案评审”办结", {})  # recorded before phrases
    with translation.override("zh-hans"):
        assert labels.event_summary(event) == ("“向市行政审批服务局报送建设方案”办结", False)
        assert labels.event_summary(old) == ("“建设方案评审”办结", False)
    with translation.override("en"):
        assert labels.event_summary(event) == ("“Scheme review” completed", False)
        assert labels.event_summary(old) == ("“建设方案评审”办结", True)
