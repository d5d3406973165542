"""Template helpers: an article citation that shows its text, amounts in 万元, row links."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from govit.web import labels
from govit.web.forms import yuan_as_wan

register = template.Library()


_RENDERED: dict[tuple[str, str], str] = {}  # (rulebook digest, cite) → HTML; a few hundred at most


@register.simple_tag
def article(rb: Any, cite: str) -> str:
    """A citation the reader can open to read the article itself (the regulation's own words).
    The same articles recur on every page: each is rendered once per rulebook version."""
    if not cite:
        return ""
    key = (getattr(rb, "digest", ""), cite)
    if key[0] and key in _RENDERED:
        return _RENDERED[key]
    html = _article(rb, cite)
    if key[0] and len(_RENDERED) < 5000:
        _RENDERED[key] = html
    return html


def _article(rb: Any, cite: str) -> str:
    text = ""
    if hasattr(rb, "cite_text"):
        try:
            text = rb.cite_text(cite)
        except (ValueError, LookupError):
            text = ""
    if not text:
        return format_html('<span class="cite">{}</span>', cite)
    return format_html(
        '<details class="article"><summary class="cite" title="{}">{}</summary><div>{}</div></details>',
        text[:300],
        cite,
        text,
    )


@register.filter
def wan(amount: Any) -> str:
    """元 → 万元 with up to two decimals (1800000 → 180)."""
    try:
        value = Decimal(str(amount)) / Decimal(10000)
    except (InvalidOperation, ValueError, TypeError):
        return ""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text


@register.filter
def wan_exact(amount: Any) -> str:
    """元 → 万元 to the 分, as a form shows it (1234.56 → 0.123456): a figure someone decides on
    (a 变更清单's prices) rounded to two decimals of 万元 would hide up to 50 元."""
    try:
        return yuan_as_wan(amount)
    except (InvalidOperation, ValueError, TypeError):
        return ""


_PATHS: dict[tuple[str, int, str], str] = {}  # (url name, arguments, script prefix) → pattern
_MARK = "7310731073"  # a number no real id is: stands for argument i as _MARK + i


@register.simple_tag
def path(name: str, *args: Any) -> str:
    """``{% url name pk %}`` for whole-number arguments, reversed once per URL name: a list page
    links every row, and ``reverse`` per row costs more than the row. Other arguments (text,
    negative numbers) go to ``reverse`` itself."""
    if not args or len(args) > 9 or any(type(a) is not int or a < 0 for a in args):
        return reverse(name, args=args)
    key = (name, len(args), get_script_prefix())
    pattern = _PATHS.get(key)
    if pattern is None:
        marks = [f"{_MARK}{i}" for i in range(len(args))]
        pattern = reverse(name, args=[int(m) for m in marks])
        if any(pattern.count(m) != 1 for m in marks):
            return reverse(name, args=args)
        _PATHS[key] = pattern
    for i, value in enumerate(args):
        pattern = pattern.replace(f"{_MARK}{i}", str(value))
    return pattern


@register.filter
def tr(label: Any) -> str:
    """A label the models keep in Chinese (a status's display, 草稿/办理中) in the reader's language:
    the Chinese is the message id, as everywhere in the interface."""
    return gettext(str(label)) if label not in (None, "") else ""


@register.filter
def moment(value: Any) -> str:
    """A moment (a datetime, or one kept in ISO form in a record's JSON) as every page writes it."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return labels.moment(value) if value else ""


@register.filter
def step_label(kind: str) -> str:
    """A step kind (``scheme_review``) as its name in the reader's language (建设方案评审)."""
    return labels.step_label(kind) if kind else ""


@register.filter
def step_title(step: Any) -> str:
    """A project's step as the reader names it (labels.step_title)."""
    if step is None:
        return ""
    if isinstance(step, dict):
        return labels.step_title(step.get("kind", ""), step.get("name", ""))
    return labels.step_title(getattr(step, "kind", ""), getattr(step, "name", ""))
