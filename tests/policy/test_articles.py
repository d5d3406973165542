"""The regulation texts segment into chapters, articles, paragraphs and items; citations resolve."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from govit.policy.articles import (
    ArticleParseError,
    CitationError,
    cn_to_int,
    int_to_cn,
    parse_regulation,
)
from govit.policy.loader import DEFAULT_REGULATION_DIR, get_rulebook

EXPECTED_ARTICLES = {
    "yueyang": 41,
    "xiangxi": 19,
    "heilongjiang": 42,
    "linxiang": 38,
    "linxiang-data": 37,
    "lianping": 33,
}


@pytest.mark.parametrize(("rulebook", "count"), EXPECTED_ARTICLES.items())
def test_each_source_has_its_articles_numbered_consecutively(rulebook, count):
    regulation = get_rulebook(rulebook).regulation
    assert [a.number for a in regulation.articles] == list(range(1, count + 1))


def test_the_six_texts_hold_210_articles():
    assert sum(len(get_rulebook(r).regulation.articles) for r in EXPECTED_ARTICLES) == 210


def test_linxiang_notice_splits_into_its_two_regulations():
    projects = get_rulebook("linxiang").regulation
    data = get_rulebook("linxiang-data").regulation
    assert projects.articles[-1].text.startswith("本办法自公布之日起施行")
    assert data.articles[0].text.startswith("为进一步规范全市政务数据资源管理")
    assert data.articles[-1].text.startswith("本办法自公布之日起施行")


def test_chapters_are_kept_and_xiangxi_has_none():
    assert get_rulebook("yueyang").regulation.articles[26].chapter == "第六章 项目验收管理"
    assert get_rulebook("xiangxi").regulation.chapters == []


def test_items_with_half_and_full_width_parentheses():
    yueyang = get_rulebook("yueyang").regulation.article(27)  # (一)(二), half-width
    assert [i.number for i in yueyang.items] == [1, 2]
    assert yueyang.items[0].text.startswith("总投资100万元以下的项目")
    lianping = get_rulebook("lianping").regulation.article(11)  # （一）…（六）, full-width
    assert [i.label for i in lianping.items][-1] == "（六）"


def test_paragraphs_after_items_are_new_paragraphs():
    article = get_rulebook("heilongjiang").regulation.article(28)
    assert [len(p.items) for p in article.paragraphs] == [3, 0]
    assert article.paragraphs[1].text.startswith("不符合上述情形的")


def test_lianping_annex_forms_are_not_articles():
    regulation = get_rulebook("lianping").regulation
    assert regulation.articles[-1].text.startswith("本办法自印发之日起施行")
    assert "项目变更单" in regulation.trailer


@pytest.mark.parametrize(
    ("cite", "starts"),
    [
        ("第二十七条", "政务信息化项目应通过竣工验收后方可投入使用"),
        ("第二十七条第（二）项", "总投资100万元(含)以上的项目"),
        ("第四条第二款", "市发改委负责政务信息化项目建设的立项审批"),
        ("第十六条", "建设方案编制完成后"),
    ],
)
def test_citations_resolve_to_the_words_they_name(cite, starts):
    (citation,) = get_rulebook("yueyang").regulation.resolve(cite)
    assert citation.text.startswith(starts)
    assert citation.label == cite


@pytest.mark.parametrize(
    ("cite", "message"),
    [
        ("第四十二条", "没有第四十二条"),
        ("第四条第十款", "没有第十款"),
        ("第二十七条第（三）项", "没有第（三）项"),
        ("第27条", "引用格式不正确"),
        ("第二十七条(二)", "引用格式不正确"),
    ],
)
def test_bad_citations_are_refused_in_chinese(cite, message):
    with pytest.raises(CitationError, match=message):
        get_rulebook("yueyang").regulation.resolve(cite)


def test_an_item_without_its_paragraph_is_ambiguous_when_two_paragraphs_have_items():
    text = "第一条 甲：\n（一）子\n乙：\n（一）丑\n"
    regulation = parse_regulation(text, title="测试")
    with pytest.raises(CitationError, match="须注明所在的款"):
        regulation.resolve("第一条第（一）项")
    assert regulation.resolve("第一条第二款第（一）项")[0].text == "丑"


def test_numbering_gaps_are_errors_not_guesses():
    with pytest.raises(ArticleParseError, match="编号不连续"):
        parse_regulation("第一条 甲\n第三条 丙\n", title="测试")


@pytest.mark.parametrize("n", [1, 9, 10, 11, 19, 20, 27, 40, 42, 99, 100, 101, 110, 199])
def test_chinese_numerals_round_trip(n):
    assert cn_to_int(int_to_cn(n)) == n


def test_chinese_numerals():
    assert cn_to_int("十") == 10
    assert cn_to_int("二十七") == 27
    assert cn_to_int("四十二") == 42
    with pytest.raises(ValueError):
        cn_to_int("廿七")


SHARED = Path(__file__).resolve().parents[3] / "shared" / "regulations"


@pytest.mark.skipif(
    not SHARED.is_dir(), reason="the shared regulations folder is not beside this checkout"
)
def test_vendored_texts_are_byte_identical_to_the_published_ones():
    for source in SHARED.glob("*.txt"):
        assert filecmp.cmp(source, DEFAULT_REGULATION_DIR / source.name, shallow=False), source.name
