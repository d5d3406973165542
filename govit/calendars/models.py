"""A year's holidays and 调休 working days entered on the administration screen.

Written once through ``services.calendar_year_add`` and never changed: a correction is a data file
``calendar/<year>.yaml``, which wins over the stored year (govit/policy/calendar.py load_calendar).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField("年度", unique=True)
    source = models.CharField("依据的通知", max_length=200)
    reason = models.TextField("录入说明")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = "年度节假日安排"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "调休上班"


class CalendarDay(models.Model):
    """One date of a stored year: a day off, or a weekend day worked (调休)."""

    year = models.ForeignKey(CalendarYear, on_delete=models.PROTECT, related_name="days")
    # unique: no date can be both a holiday and a working day, nor listed twice
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类别", max_length=8, choices=DayKind.choices)
    name = models.CharField("节日", max_length=60)

    class Meta:
        verbose_name = "节假日安排日期"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}{self.get_kind_display()}"
