"""Parse a regulation's published text into chapters, articles (条), paragraphs (款) and items (项).

The texts in ``regulations/`` are kept exactly as published; rulebooks cite them and this module
is the only place that reads them. Nothing here is retyped: every article's words come from the
file, and a citation such as ``第二十七条第（二）项`` resolves to the words it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMERAL = "零一二两三四五六七八九十百"


class ArticleParseError(ValueError):
    """The text does not segment into consecutively numbered articles."""


class CitationError(ValueError):
    """A citation is malformed or names an article, paragraph or item the text does not have."""


def cn_to_int(numeral: str) -> int:
    """``"二十七"`` → 27. Handles the numbers regulations use (1–199)."""
    if not numeral or any(ch not in _NUMERAL for ch in numeral):
        raise ValueError(f"不是中文数字：{numeral!r}")
    total = 0
    if "百" in numeral:
        head, numeral = numeral.split("百", 1)
        total += (_DIGITS[head] if head else 1) * 100
        numeral = numeral.lstrip("零")
    if "十" in numeral:
        head, tail = numeral.split("十", 1)
        total += (_DIGITS[head] if head else 1) * 10
        total += _DIGITS[tail] if tail else 0
    elif numeral:
        total += _DIGITS[numeral]
    return total


def int_to_cn(number: int) -> str:
    """27 → ``"二十七"``; the inverse of :func:`cn_to_int` for 1–199."""
    if not 0 < number < 200:
        raise ValueError(number)
    digits = "零一二三四五六七八九"
    hundreds, rest = divmod(number, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += digits[hundreds] + "百"
        if rest and tens == 0:
            out += "零"
    if tens:
        out += ("" if tens == 1 and not hundreds else digits[tens]) + "十"
    if ones:
        out += digits[ones]
    return out


@dataclass(frozen=True)
class Item:
    number: int
    text: str

    @property
    def label(self) -> str:
        return f"（{int_to_cn(self.number)}）"


@dataclass
class Paragraph:
    number: int
    text: str
    items: list[Item] = field(default_factory=list)

    @property
    def full_text(self) -> str:
        return "\n".join([self.text, *(item.label + item.text for item in self.items)])


@dataclass
class Article:
    number: int
    chapter: str | None
    paragraphs: list[Paragraph] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"第{int_to_cn(self.number)}条"

    @property
    def text(self) -> str:
        return "\n".join(p.full_text for p in self.paragraphs)

    @property
    def items(self) -> list[Item]:
        return [item for p in self.paragraphs for item in p.items]


@dataclass
class Regulation:
    title: str
    articles: list[Article]
    chapters: list[str]
    trailer: str = ""  # annex forms or anything after the last article

    def article(self, number: int) -> Article:
        if not 1 <= number <= len(self.articles):
            raise CitationError(
                f"《{self.title}》没有第{int_to_cn(number)}条（共{len(self.articles)}条）"
            )
        return self.articles[number - 1]

    def resolve(self, cite: str) -> list[Citation]:
        """Check every part of ``cite`` (several joined by 、) and return them resolved."""
        return [resolve_one(self, part) for part in split_cite(cite)]

    def cite_text(self, cite: str) -> str:
        return "\n".join(f"{c.label}　{c.text}" for c in self.resolve(cite))


_CLEAN = re.compile(r"[\s\u3000\xa0]+")
_ARTICLE_RE = re.compile(rf"^第([{_NUMERAL}]+)条\s*(.*)$")
_CHAPTER_RE = re.compile(rf"^第([{_NUMERAL}]+)章\s*(.*)$")
_ITEM_RE = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]\s*(.*)$")


def _clean(line: str) -> str:
    return _CLEAN.sub(" ", line).strip()


def parse_regulation(
    text: str, *, title: str, begins_at: str | None = None, ends_before: str | None = None
) -> Regulation:
    """Segment ``text`` into articles.

    ``begins_at`` is the exact line where the regulation's body starts (its title line), so a
    notice that carries two regulations, like 临湘's, can be read one regulation at a time;
    ``ends_before`` is the line (or line prefix) where it stops.
    """
    lines = [_clean(line) for line in text.splitlines()]
    start = 0
    if begins_at is not None:
        try:
            start = next(i for i, line in enumerate(lines) if line == begins_at) + 1
        except StopIteration:
            raise ArticleParseError(f"找不到起始行“{begins_at}”") from None
    articles: list[Article] = []
    chapters: list[str] = []
    chapter: str | None = None
    trailer: list[str] = []
    for line in lines[start:]:
        if ends_before is not None and line.startswith(ends_before):
            break
        if not line:
            continue
        if trailer:
            trailer.append(line)
            continue
        if m := _CHAPTER_RE.match(line):
            chapter = f"第{m.group(1)}章 {m.group(2).replace(' ', '')}".strip()
            chapters.append(chapter)
            continue
        if m := _ARTICLE_RE.match(line):
            number = cn_to_int(m.group(1))
            if number != len(articles) + 1:
                raise ArticleParseError(
                    f"《{title}》条文编号不连续：第{len(articles)}条之后出现“{line[:20]}”"
                )
            articles.append(Article(number, chapter, [Paragraph(1, m.group(2))]))
            continue
        if not articles:
            continue  # preamble before 第一条
        current = articles[-1]
        if m := _ITEM_RE.match(line):
            paragraph = current.paragraphs[-1]
            expected = len(paragraph.items) + 1
            number = cn_to_int(m.group(1))
            if number != expected:
                raise ArticleParseError(f"《{title}》{current.label}的项编号不连续：“{line[:20]}”")
            paragraph.items.append(Item(number, m.group(2)))
        elif line.startswith(("附表", "附件")) and current.number > 1:
            trailer.append(line)
        else:
            current.paragraphs.append(Paragraph(len(current.paragraphs) + 1, line))
    if not articles:
        raise ArticleParseError(f"《{title}》中没有找到任何条文")
    return Regulation(title=title, articles=articles, chapters=chapters, trailer="\n".join(trailer))


# --- citations -------------------------------------------------------------------------------

_CITE_RE = re.compile(
    rf"^第(?P<article>[{_NUMERAL}]+)条"
    rf"(?:第(?P<paragraph>[{_NUMERAL}]+)款)?"
    r"(?:第（(?P<item>[一二三四五六七八九十]+)）项)?$"
)


@dataclass(frozen=True)
class Citation:
    article: int
    paragraph: int | None
    item: int | None
    text: str

    @property
    def label(self) -> str:
        out = f"第{int_to_cn(self.article)}条"
        if self.paragraph is not None:
            out += f"第{int_to_cn(self.paragraph)}款"
        if self.item is not None:
            out += f"第（{int_to_cn(self.item)}）项"
        return out


def split_cite(cite: str) -> list[str]:
    return [part.strip() for part in cite.split("、")]


def parse_cite(cite: str) -> tuple[int, int | None, int | None]:
    m = _CITE_RE.match(cite)
    if not m:
        raise CitationError(
            f"引用格式不正确：“{cite}”（应为“第X条”“第X条第X款”或“第X条第（X）项”）"
        )
    paragraph = m.group("paragraph")
    item = m.group("item")
    return (
        cn_to_int(m.group("article")),
        cn_to_int(paragraph) if paragraph else None,
        cn_to_int(item) if item else None,
    )


def resolve_one(regulation: Regulation, cite: str) -> Citation:
    article_no, paragraph_no, item_no = parse_cite(cite)
    article = regulation.article(article_no)
    text = article.text
    paragraph = None
    if paragraph_no is not None:
        if paragraph_no > len(article.paragraphs):
            raise CitationError(
                f"{article.label}没有第{int_to_cn(paragraph_no)}款（共{len(article.paragraphs)}款）"
            )
        paragraph = article.paragraphs[paragraph_no - 1]
        text = paragraph.full_text
    if item_no is not None:
        if paragraph is None:
            # an article of several paragraphs cites an item with its paragraph
            # (第二十八条第一款第（一）项), as the official citation form does
            if len(article.paragraphs) != 1:
                raise CitationError(
                    f"{article.label}共{len(article.paragraphs)}款，项须注明所在的款：“{cite}”"
                )
            paragraph = article.paragraphs[0]
        if item_no > len(paragraph.items):
            raise CitationError(f"{article.label}没有第（{int_to_cn(item_no)}）项")
        text = paragraph.items[item_no - 1].text
    return Citation(article_no, paragraph_no, item_no, text)


@cache
def load_regulation_file(
    path: Path, title: str, begins_at: str | None, ends_before: str | None
) -> Regulation:
    text = path.read_text(encoding="utf-8")
    return parse_regulation(text, title=title, begins_at=begins_at, ends_before=ends_before)
