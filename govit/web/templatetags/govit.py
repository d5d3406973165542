"""Template helpers: an article citation that shows its text, amounts in 万元."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def article(rb: Any, cite: str) -> str:
    """A citation the reader can open to read the article itself (the regulation's own words)."""
    if not cite:
        return ""
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
