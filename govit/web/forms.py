"""Forms and form fields shared by several pages: sign-in, amounts in 万元, dates with a picker."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.forms.utils import from_current_timezone
from django.utils.translation import gettext_lazy as _


def translated(choices: Iterable[tuple[str, str]]) -> list[tuple[str, Any]]:
    """A model's choices, whose labels it keeps in Chinese, in the reader's language."""
    return [(value, _(label)) for value, label in choices]


class SignInForm(AuthenticationForm):
    error_messages: ClassVar[dict] = {
        "invalid_login": _("用户名或密码不正确。"),
        "inactive": _("该账号已停用，请联系本单位管理员。"),
    }


# --- amounts in 万元, stored in 元 -------------------------------------------------------------

WAN = Decimal(10000)
FEN = Decimal("0.01")
MAX_YUAN = Decimal("9999999999999.99")  # 15 digits, 2 of them decimals: what the models store
_WAN_SUFFIXES = ("万元", "万")


def yuan_as_wan(amount: Any) -> str:
    """元 → the 万元 a form shows: exact (up to 6 decimals), without trailing zeros (80万元 → "80")."""
    wan = (Decimal(str(amount)) / WAN).quantize(Decimal("0.000001"))
    text = f"{wan:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class WanYuanField(forms.DecimalField):
    """An amount typed in 万元 and cleaned to 元 (Decimal, 2 places), exact to the 分: a 万元 figure
    has at most 6 decimals (0.000001万元 = 1分); more precision is refused, never rounded. An amount
    in 元 given as the initial value is shown in 万元 (800000 → "80")."""

    default_error_messages: ClassVar[dict] = {
        "invalid": _("请填写数字金额（单位：万元），如 80 或 12.5"),
        "required": _("请填写金额"),
        "precision": _("金额最多精确到分（以万元为单位时最多6位小数）"),
        "min_value": _("金额应不低于 %(limit_value)s 元"),
        "max_value": _("金额过大"),
        "max_digits": _("金额过大"),
        "max_decimal_places": _("金额最多精确到分（以万元为单位时最多6位小数）"),
    }

    def __init__(
        self,
        *,
        min_value: Decimal | None = FEN,
        max_value: Decimal | None = MAX_YUAN,
        **kwargs: Any,
    ):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        kwargs.setdefault("help_text", _("单位：万元（可精确到分，即最多6位小数）"))
        super().__init__(
            min_value=min_value, max_value=max_value, max_digits=15, decimal_places=2, **kwargs
        )

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int):
            wan = Decimal(value)
        else:
            text = str(value).strip().replace(",", "").replace("，", "").replace(" ", "")
            for suffix in _WAN_SUFFIXES:
                text = text.removesuffix(suffix)
            try:
                wan = Decimal(text)
            except InvalidOperation:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not wan.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if abs(wan) * WAN > (self.max_value or MAX_YUAN):
            raise ValidationError(self.error_messages["max_value"], code="max_value")
        if wan.as_tuple().exponent < -6 and wan != wan.quantize(Decimal("0.000001")):
            raise ValidationError(self.error_messages["precision"], code="precision")
        return (wan * WAN).quantize(FEN)

    def prepare_value(self, value: Any) -> Any:
        # a number is an amount in 元 (an initial value); text is what the reader typed, in 万元
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return yuan_as_wan(value)
        return value

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return forms.Field.widget_attrs(self, widget)


# --- dates: the browser's date picker, and typed dates read leniently ----------------------------

_DATE_PATTERN = re.compile(r"^\s*(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*日?\s*$")


def parse_date(text: str) -> dt.date | None:
    """2026-12-01, 2026-12-1, 2026/12/01, 2026.12.1, 2026年12月1日 → the date; else None."""
    match = _DATE_PATTERN.match(text or "")
    if match is None:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


class DateInput(forms.DateInput):
    """The browser's own date picker; the value in ISO form, which every browser accepts."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateField(forms.DateField):
    """A date with the browser's picker and a format hint; typed dates read leniently (2026年12月1日,
    2026-12-1, 2026/12/01), the error naming the format expected."""

    widget = DateInput
    default_error_messages: ClassVar[dict] = {
        "invalid": _("请按“年-月-日”填写日期，如 2026-12-01 或 2026年12月1日"),
    }

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("help_text", _("格式：年-月-日，如 2026-12-01"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        parsed = parse_date(str(value))
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


_DATETIME_PATTERN = re.compile(
    r"^\s*(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*日?\s*[T\s]?\s*"
    r"(\d{1,2})\s*[:：时点]\s*(\d{1,2})\s*分?\s*$"
)


class DateTimeInput(forms.DateTimeInput):
    """The browser's own date-and-time picker."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class DateTimeField(forms.DateTimeField):
    """A moment with the browser's picker; typed moments read leniently (2026年12月1日 9:30,
    2026-12-1 09:30, 2026/12/01T09:30), in the site's time zone."""

    widget = DateTimeInput
    default_error_messages: ClassVar[dict] = {
        "invalid": _("请按“年-月-日 时:分”填写，如 2026-12-01 09:30"),
    }

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("help_text", _("格式：年-月-日 时:分，如 2026-12-01 09:30"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values or isinstance(value, dt.datetime):
            return super().to_python(value)
        match = _DATETIME_PATTERN.match(str(value))
        try:
            moment = dt.datetime(*(int(part) for part in match.groups())) if match else None
        except ValueError:
            moment = None
        if moment is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return from_current_timezone(moment)
