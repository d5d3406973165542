"""The rulebook pages: public, each article beside the rules that encode it (anchored #第X条 so
other pages can link to it), and two rulebooks compared rule by rule with each side's article."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from govit.policy import render
from govit.policy.loader import all_rulebooks, get_rulebook

pytestmark = pytest.mark.django_db


def row_of(html: str, label: str) -> str:
    """The table row whose header cell reads ``label``."""
    rows = [chunk for chunk in html.split("<tr")[1:] if label in chunk.split("</th>", 1)[0]]
    assert len(rows) == 1, f"{label}: {len(rows)} rows"
    return rows[0].split("</tr>", 1)[0]


def test_the_list_is_public_and_names_every_rulebook(client):
    response = client.get(reverse("rulebook-list"))
    assert response.status_code == 200
    html = response.content.decode()
    for rb in all_rulebooks():
        assert reverse("rulebook-detail", args=[rb.id]) in html
        assert escape(rb.title) in html
    assert reverse("rulebook-compare") in html


def test_each_article_is_an_anchor_beside_the_rules_that_cite_it(client):
    rb = get_rulebook("yueyang")
    step = next(s for s in rb.model.steps if s.kind == "expert_review")
    article = step.cite.split("条", 1)[0] + "条"  # 第十六条
    response = client.get(reverse("rulebook-detail", args=["yueyang"]))
    assert response.status_code == 200
    html = response.content.decode()
    row = row_of(html, f'<a href="#{article}">{article}</a>')
    assert f'<tr id="{article}">' in html
    # the article's own words, and the expert-review step among the rules that encode it
    first_line = next(a for a in rb.regulation.articles if a.label == article).text.splitlines()[0]
    assert escape(first_line[:20]) in row
    assert escape(step.name) in row
    assert f'<a href="#{article}">{step.cite}</a>' in row
    # every article of the regulation has its anchor
    for a in rb.regulation.articles:
        assert f'id="{a.label}"' in html
    # the rulebook's text links its citations to the anchors too
    summary = html.split('<pre class="summary">', 1)[1]
    assert f'【<a href="#{article}">{step.cite}</a>】' in summary


def test_an_article_without_rules_says_why(client):
    rb = get_rulebook("yueyang")
    label, reason = next(iter(rb.model.not_encoded.items()))
    html = client.get(reverse("rulebook-detail", args=["yueyang"])).content.decode()
    row = html.split(f'<tr id="{label}">', 1)[1].split("</tr>", 1)[0]
    assert "未编码" in row and escape(reason) in row


def test_an_unknown_rulebook_is_404(client):
    assert client.get(reverse("rulebook-detail", args=["atlantis"])).status_code == 404


def differing(a: str, b: str) -> tuple[render.Aspect, render.Aspect]:
    """An aspect both rulebooks state, with different rules: derived from the data."""
    left = {(x.group, x.key): x for x in render.aspects(get_rulebook(a))}
    right = {(x.group, x.key): x for x in render.aspects(get_rulebook(b))}
    for key, x in left.items():
        y = right.get(key)
        if y is not None and x.value != y.value and x.cite and y.cite:
            return x, y
    raise AssertionError(f"{a} and {b} state nothing differently")


def test_compare_shows_a_difference_side_by_side_each_with_its_article(client):
    x, y = differing("yueyang", "linxiang")
    a, b = get_rulebook("yueyang"), get_rulebook("linxiang")
    response = client.get(reverse("rulebook-compare"), {"a": "yueyang", "b": "linxiang"})
    assert response.status_code == 200
    html = response.content.decode()
    row = row_of(html, f"{x.group} · {x.key}")
    left, right = row.split("<td", 2)[1:]
    assert escape(x.value) in left and escape(y.value) in right
    # each side cites its own article, with the article's words, linking to its rulebook's anchor
    assert f">{x.cite}</summary>" in left and f">{y.cite}</summary>" in right
    anchor_a = reverse("rulebook-detail", args=["yueyang"]) + "#" + x.cite.split("条", 1)[0] + "条"
    anchor_b = reverse("rulebook-detail", args=["linxiang"]) + "#" + y.cite.split("条", 1)[0] + "条"
    assert anchor_a in left and anchor_b in right
    assert escape(a.cite_text(x.cite).splitlines()[0][:20]) in left
    assert escape(b.cite_text(y.cite).splitlines()[0][:20]) in right
    # the rows are those of `govit rulebooks diff`
    rows = render.diff(a, b)
    assert f"{len(rows)}处不同" in html
    assert html.count('<tr class="differs">') == len(rows)


def test_compare_lists_the_same_rules_only_when_asked(client):
    a, b = get_rulebook("yueyang"), get_rulebook("linxiang")
    left = {(x.group, x.key): x for x in render.aspects(a)}
    right = {(x.group, x.key): x for x in render.aspects(b)}
    same = next(k for k, x in left.items() if k in right and right[k].value == x.value)
    label = f"{same[0]} · {same[1]}"
    url = reverse("rulebook-compare")
    assert label not in client.get(url, {"a": "yueyang", "b": "linxiang"}).content.decode()
    html = client.get(url, {"a": "yueyang", "b": "linxiang", "same": "on"}).content.decode()
    assert "相同" in row_of(html, label)


def test_compare_refuses_a_rulebook_with_itself_or_an_unknown_one_in_words(client):
    url = reverse("rulebook-compare")
    response = client.get(url, {"a": "yueyang", "b": "yueyang"})
    assert response.status_code == 200
    assert "请选择另一部规则手册进行比对" in response.content.decode()
    response = client.get(url, {"a": "yueyang", "b": "atlantis"})
    assert response.status_code == 200
    assert (
        "atlantis" in response.content.decode()
    )  # Django: 选择一个有效的选项。atlantis 不在可用的选项中。
    assert 'class="differs"' not in response.content.decode()


def test_compare_opens_with_two_rulebooks_already_compared(client):
    html = client.get(reverse("rulebook-compare")).content.decode()
    ids = sorted(rb.id for rb in all_rulebooks())
    rows = render.diff(get_rulebook(ids[0]), get_rulebook(ids[1]))
    assert html.count('<tr class="differs">') == len(rows)


def test_compare_also_reads_left_and_right(client):
    html = client.get(
        reverse("rulebook-compare"), {"left": "yueyang", "right": "linxiang"}
    ).content.decode()
    rows = render.diff(get_rulebook("yueyang"), get_rulebook("linxiang"))
    assert html.count('<tr class="differs">') == len(rows)
