"""Rulebooks: each article beside the rules that encode it, and two rulebooks side by side.
Public: the law is not a secret.

Also the one way pages cite an article: :class:`Citer` turns a ``cite`` ("第四条第七款、第三十九条")
into its parts, each with the regulation's own words and a link to the article's anchor
(``#第X条``) on the rulebook's page."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from govit.policy import render as rulebook_render
from govit.policy.articles import split_cite
from govit.policy.decide import today
from govit.policy.loader import LoadedRulebook, UnknownRulebook, all_rulebooks, get_rulebook
from govit.policy.vocab import LEVEL_LABELS, STATUS_LABELS

_CODE = re.compile(r"[A-Z][A-Z0-9_]*(#\d+)?")
# 【第十七条】 or 【第四条第七款、第三十九条】 in the engine's Chinese renderings
_BRACKETED = re.compile(r"【([^】]+)】")


def article_of(cite_part: str) -> str:
    """The article a citation part is in: 第十一条第（四）项 → 第十一条 (the anchor's id)."""
    return cite_part.split("条", 1)[0] + "条"


class Citer:
    """Citations of one rulebook as the pages show them: each part of a ``cite`` an element that
    opens to the article's own words, with a link to its anchor on the rulebook's page. Memoised:
    a page cites the same article many times, and rendering it once is what keeps a long
    procedure map fast."""

    def __init__(self, rb: LoadedRulebook):
        self.rb = rb
        self.page = reverse("rulebook-detail", args=[rb.id])
        self._seen: dict[str, SafeString] = {}

    def __call__(self, cite: str | None) -> SafeString:
        if not cite:
            return mark_safe("")
        if cite not in self._seen:
            self._seen[cite] = mark_safe(
                "".join(self._part(part) for part in split_cite(cite) if part)
            )
        return self._seen[cite]

    def _part(self, part: str) -> str:
        try:
            text = self.rb.cite_text(part)
        except (ValueError, LookupError):  # a cite that does not resolve shows as written
            text = ""
        href = f"{self.page}#{article_of(part)}"
        if not text:
            return format_html(
                '<details class="article cite-part"><summary class="cite">{}</summary><div>'
                '<span class="muted">{}</span> <a href="{}">{}</a></div></details>',
                part,
                _t("（未能找到该条款的原文）"),
                href,
                _t("在规则手册中查看此条"),
            )
        return format_html(
            '<details class="article cite-part"><summary class="cite" title="{}">{}</summary>'
            '<div>{}\n<a href="{}">{}</a></div></details>',
            text if len(text) <= 300 else text[:299] + "…",
            part,
            text,
            href,
            _t("在规则手册中查看此条"),
        )


def linked_citations(text: str, page: str = "") -> SafeString:
    """Escape ``text`` and make every 【第X条…】 in it a link to the article's anchor."""

    def link(match: re.Match[str]) -> str:
        # the text is escaped already, and a citation holds no markup of its own
        parts = [f'<a href="{page}#{article_of(p)}">{p}</a>' for p in split_cite(match.group(1))]
        return "【" + "、".join(parts) + "】"

    return mark_safe(_BRACKETED.sub(link, str(escape(text))))


def _choices() -> list[tuple[str, str]]:
    return [
        (rb.id, f"{rb.model.jurisdiction.name}：{rb.title}")
        for rb in sorted(all_rulebooks(), key=lambda rb: rb.id)
    ]


def _rulebook_or_404(rulebook_id: str) -> LoadedRulebook:
    try:
        return get_rulebook(rulebook_id)
    except UnknownRulebook:
        raise Http404(_("没有这部规则手册")) from None


@login_not_required
def rulebook_list(request: HttpRequest) -> HttpResponse:
    on = today()
    rulebooks = [
        {
            "id": rb.id,
            "title": rb.title,
            "jurisdiction": rb.model.jurisdiction.name,
            "level": LEVEL_LABELS[rb.model.jurisdiction.level],
            "status": rb.status_on(on),
            "status_label": STATUS_LABELS[rb.status_on(on)],
            "articles": len(rb.regulation.articles),
        }
        for rb in sorted(all_rulebooks(), key=lambda rb: rb.id)
    ]
    return render(request, "web/rulebooks/list.html", {"rulebooks": rulebooks, "on": on})


def _rule_line(rb: LoadedRulebook, rule: str) -> SafeString:
    """A coverage line: what the rule says, as a reader names it (render.rule_label: not its place
    in the file, its class or its code, which stay in the title for whoever maintains the file),
    and its citation as a link to the article's anchor."""
    where, _, cite = rule.rpartition("【")
    return format_html(
        '<span title="{}">{}</span> <span class="cite">{}</span>',
        where,
        rulebook_render.rule_label(rb, where),
        linked_citations("【" + cite, ""),
    )


@login_not_required
def rulebook_detail(request: HttpRequest, rulebook_id: str) -> HttpResponse:
    rb = _rulebook_or_404(rulebook_id)
    articles = {a.label: a for a in rb.regulation.articles}
    rows = [
        {
            "row": row,
            "text": articles[row.article].text,
            "rules": [_rule_line(rb, rule) for rule in row.rules],
        }
        for row in rulebook_render.coverage(rb)
    ]
    context = {
        "rb": rb,
        "status_label": STATUS_LABELS[rb.status_on(today())],
        "rows": rows,
        "summary": linked_citations(rulebook_render.show(rb, codes=False)),
    }
    return render(request, "web/rulebooks/detail.html", context)


class CompareForm(forms.Form):
    a = forms.ChoiceField(label=_("规则手册甲"))
    b = forms.ChoiceField(label=_("规则手册乙"))
    same = forms.BooleanField(label=_("同时列出相同的规则"), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = _choices()
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("a") and data.get("a") == data.get("b"):
            self.add_error("b", _("请选择另一部规则手册进行比对"))
        return data


def _side(aspect: rulebook_render.Aspect | None, cite: Citer) -> dict[str, Any]:
    if aspect is None:
        return {"value": None, "cite": ""}
    return {"value": aspect.value, "cite": cite(aspect.cite)}


@login_not_required
def rulebook_compare(request: HttpRequest) -> HttpResponse:
    """Two rulebooks rule by rule: the rows `govit rulebooks diff` prints, each side with its
    article."""
    ids = [rid for rid, _label in _choices()]
    initial = {"a": ids[0] if ids else "", "b": ids[1] if len(ids) > 1 else ""}
    data = request.GET.copy()
    for alias, name in (("left", "a"), ("right", "b")):  # ?left=…&right=… reads as well
        if alias in data and name not in data:
            data[name] = data[alias]
    form = CompareForm(data or initial)
    context: dict[str, Any] = {"form": form, "rows": None}
    if form.is_valid():
        a = _rulebook_or_404(form.cleaned_data["a"])
        b = _rulebook_or_404(form.cleaned_data["b"])
        left = {f"{x.group}·{x.key}": x for x in rulebook_render.aspects(a)}
        right = {f"{x.group}·{x.key}": x for x in rulebook_render.aspects(b)}
        cite_a, cite_b = Citer(a), Citer(b)
        rows = []
        for aspect, _left, _right, marker in rulebook_render.diff(
            a, b, include_same=form.cleaned_data["same"]
        ):
            group, _dot, key = aspect.partition("·")
            rows.append(
                {
                    "group": group,
                    # a code (PRIOR_YEAR_UNFINISHED) identifies the row; the reader reads its text
                    "key": "" if _CODE.fullmatch(key) else key,
                    "sides": [_side(left.get(aspect), cite_a), _side(right.get(aspect), cite_b)],
                    "differs": marker != "=",
                }
            )
        context.update(
            a=a,
            b=b,
            rows=rows,
            differences=sum(1 for row in rows if row["differs"]),
        )
    return render(request, "web/rulebooks/compare.html", context)


urlpatterns = [
    path("rulebooks/", rulebook_list, name="rulebook-list"),
    # before the detail pattern: "compare" would otherwise be taken for a rulebook's id
    path("rulebooks/compare/", rulebook_compare, name="rulebook-compare"),
    path("rulebooks/<slug:rulebook_id>/", rulebook_detail, name="rulebook-detail"),
]
