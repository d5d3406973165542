"""What every generated document shares: amounts in 万元, dates as printed, file types, names."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

WAN = Decimal(10000)
WAN_FORMAT = "#,##0.00####"  # a spreadsheet cell in 万元, exact to the 分: 123.456789


def wan(amount: Any) -> Decimal | None:
    """元 → 万元, exactly (1,234,567.89元 → 123.456789); None stays None."""
    if amount is None:
        return None
    value = Decimal(str(amount)) / WAN
    # a Decimal with no trailing zeros but never in exponent form (2.5E+2 → 250)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def wan_text(amount: Any) -> str:
    """元 → the 万元 figure as printed on a form: ``250``, ``123.4567``; empty when unknown."""
    value = wan(amount)
    return "" if value is None else f"{value:f}"


def yuan_text(amount: Any) -> str:
    """An amount in 元 with two decimals and thousands separators: ``12,345.00``."""
    if amount is None:
        return ""
    return f"{Decimal(str(amount)):,.2f}"


def number_text(value: Any) -> str:
    """A quantity without trailing zeros: ``2``, ``1.5``."""
    if value is None:
        return ""
    number = Decimal(str(value))
    return f"{number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize():f}"


def date_text(day: dt.date | dt.datetime | None) -> str:
    """A date as the forms print it, always in Chinese: ``2026年3月2日``."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        from django.utils import timezone

        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return f"{day.year}年{day.month}月{day.day}日"


def month_text(day: dt.date | None) -> str:
    """``2026年3月``, or the blank ``   年   月`` of the form when unknown."""
    return f"{day.year}年{day.month}月" if day else "   年   月"


def safe_filename(text: str) -> str:
    """A file name that every operating system accepts (the Chinese kept)."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_")[:120] or "GovIT"
