"""Template helpers: an article citation that shows its text, amounts in 万元."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.html import format_html

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
