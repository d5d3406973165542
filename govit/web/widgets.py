"""Form widgets that render in Python what Django renders through a template per option.

Django's ``Select`` renders each ``<option>`` by including two templates: a filter with a
hundred construction units costs the project list a third of its time. ``QuickSelect`` writes
the same markup directly; choices in groups (``<optgroup>``) are left to Django."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

SELECTED = mark_safe(" selected")


class QuickSelect(forms.Select):
    def render(self, name: str, value: Any, attrs: dict | None = None, renderer=None) -> str:
        choices = list(self.choices)
        if self.allow_multiple_selected or any(
            isinstance(label, (list, tuple)) for _, label in choices
        ):
            return super().render(name, value, attrs, renderer)
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, SELECTED if str(key) in chosen else "", label)
                for key, label in (("" if k is None else k, label) for k, label in choices)
            ),
        )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attributes, options)
