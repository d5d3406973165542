"""The form an administrator fills from the State Council's notice: for each holiday, its days
off and the weekend days worked instead (调休), as dates or ranges ("2027-02-06至2027-02-12")."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The holidays of 《全国年节及纪念日放假办法》, as the notices and calendar/<year>.yaml name them.
HOLIDAYS = ("元旦", "春节", "清明", "劳动节", "端午", "中秋", "国庆节")
LONGEST_RANGE = 31  # days; a longer range is a typing mistake, not a holiday

_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_ITEM = re.compile(rf"{_DATE}(?:\s*(?:至|到|~|～|—|–)\s*{_DATE})?")
_SEPARATORS = re.compile(r"[\s,，、;；]*")


def _date(year: str, month: str, day: str, text: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValidationError(_("日期不存在：%(text)s") % {"text": text}) from None


def parse_days(text: str) -> list[dt.date]:
    """“2027-02-06至2027-02-12、2027-02-14” → the dates, in order, ranges expanded."""
    days: list[dt.date] = []
    position = 0
    text = text.strip()
    while position < len(text):
        gap = _SEPARATORS.match(text, position)
        position = gap.end() if gap else position
        if position >= len(text):
            break
        item = _ITEM.match(text, position)
        if item is None:
            rest = text[position:].split()[0][:20]
            raise ValidationError(
                _("无法识别的日期：%(text)s（请写成 2027-02-06，区间写成 2027-02-06至2027-02-12）")
                % {"text": rest}
            )
        first = _date(*item.group(1, 2, 3), item.group(0))
        last = first if item.group(4) is None else _date(*item.group(4, 5, 6), item.group(0))
        if last < first:
            raise ValidationError(_("区间的结束日早于开始日：%(text)s") % {"text": item.group(0)})
        if (last - first).days >= LONGEST_RANGE:
            raise ValidationError(_("区间过长：%(text)s") % {"text": item.group(0)})
        days.extend(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
        position = item.end()
    return days


class DaysField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 500)
        super().__init__(**kwargs)

    def clean(self, value):
        return parse_days(super().clean(value) or "")


class CalendarYearForm(forms.Form):
    """One fieldset per holiday (days off, 调休 working days), one for another holiday the
    notice may name, then the notice itself and why it is being entered."""

    source = forms.CharField(
        label=_("依据的通知"),
        max_length=200,
        help_text=_("国务院办公厅关于该年部分节假日安排的通知的名称和文号"),
    )
    other_name = forms.CharField(label=_("其他放假节日名称"), max_length=60, required=False)
    reason = forms.CharField(
        label=_("录入说明"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text=_("为什么录入、核对了哪份文件；记入操作记录"),
    )

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.fields["source"].initial = f"国务院办公厅关于{year}年部分节假日安排的通知"
        self.rows = []
        for index, name in enumerate((*HOLIDAYS, None)):
            label = name or _("其他节日")
            off, on = f"off_{index}", f"on_{index}"
            self.fields[off] = DaysField(label=_("%(name)s 放假日期") % {"name": label})
            self.fields[on] = DaysField(label=_("%(name)s 调休上班日期") % {"name": label})
            self.rows.append({"name": name, "label": label, "off": self[off], "on": self[on]})

    def prefill(self, holidays: dict[str, list[dt.date]], workdays: dict[str, list[dt.date]]):
        """Fill the days from a draft (govit.policy.calendar.draft_from_holidays), for the
        administrator to check against the notice before saving."""
        for index, name in enumerate(HOLIDAYS):
            self.initial[f"off_{index}"] = "、".join(d.isoformat() for d in holidays.get(name, []))
            self.initial[f"on_{index}"] = "、".join(d.isoformat() for d in workdays.get(name, []))

    def clean(self):
        data = super().clean()
        other = (data.get("other_name") or "").strip()
        last = len(HOLIDAYS)
        if (data.get(f"off_{last}") or data.get(f"on_{last}")) and not other:
            self.add_error("other_name", _("填写了其他节日的日期，请同时填写节日名称"))
        return data

    def schedule(self) -> tuple[dict[str, list[dt.date]], dict[str, list[dt.date]]]:
        """The days off and the days worked, by holiday name, for ``calendar_year_add``."""
        data = self.cleaned_data
        holidays: dict[str, list[dt.date]] = {}
        workdays: dict[str, list[dt.date]] = {}
        for index, name in enumerate((*HOLIDAYS, None)):
            name = name or data.get("other_name", "").strip()
            holidays[name] = data.get(f"off_{index}") or []
            workdays[name] = data.get(f"on_{index}") or []
        return holidays, workdays
