"""QuickSelect writes the markup Django's Select writes, without a template per option."""

from __future__ import annotations

import re

from django import forms
from django.test.html import parse_html

from govit.web.widgets import QuickSelect

UNITS = [("", "全部"), (7, "岳阳市<教育>局 & 分局"), (12, "岳阳市卫生健康委员会")]


def form(widget, data=None, *, choices=UNITS):
    class Filter(forms.Form):
        unit = forms.TypedChoiceField(
            label="建设单位", choices=choices, required=False, coerce=int, widget=widget
        )
        kind = forms.ChoiceField(label="类别", choices=[("a", "甲"), ("b", "乙")], widget=widget)

    return Filter(data)


def markup(bound) -> str:
    return re.sub(r">\s+<", "><", str(bound)).strip()


def same(quick, slow) -> bool:
    """The same elements, attributes and text (attributes in any order)."""
    return parse_html(markup(quick)) == parse_html(markup(slow))


def test_the_same_options_selection_escaping_and_attributes_as_django():
    for data in (None, {"unit": "12", "kind": "b"}, {"unit": "99", "kind": ""}):
        slow, quick = form(forms.Select, data), form(QuickSelect, data)
        if data is not None:
            slow.is_valid(), quick.is_valid()  # errors add aria-invalid to the widget
        for name in ("unit", "kind"):
            assert same(quick[name], slow[name])
    html = markup(form(QuickSelect, {"unit": "12", "kind": "a"})["unit"])
    assert '<option value="12" selected>' in html
    assert "岳阳市&lt;教育&gt;局 &amp; 分局" in html  # names are escaped, never markup


def test_grouped_choices_are_left_to_django():
    grouped = [("", "全部"), ("岳阳", [(7, "教育局"), (12, "卫健委")])]
    slow = form(forms.Select, {"unit": "12", "kind": "a"}, choices=grouped)
    quick = form(QuickSelect, {"unit": "12", "kind": "a"}, choices=grouped)
    assert "<optgroup" in markup(quick["unit"])
    assert same(quick["unit"], slow["unit"])
