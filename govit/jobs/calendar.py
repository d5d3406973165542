"""Next year's holidays not entered: from November (the State Council publishes the next year's
schedule in November or December) every jurisdiction's administrators are reminded, once a week,
while the calendar does not reach next year — a working-day limit that runs into it has no due
date until then (docs/calendar.md). They enter it on 管理 → 节假日 (a draft from the holidays
package can be compared there with the notice)."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils.translation import gettext_noop

from govit.calendars.selectors import next_year_to_add
from govit.calendars.sync import load_into_engine
from govit.events.phrases import said
from govit.jobs.common import already_told, system, untold
from govit.jobs.recipients import administrators
from govit.jurisdictions.models import Jurisdiction
from govit.notifications.email import send_pending
from govit.notifications.models import Kind
from govit.notifications.services import notify

log = logging.getLogger(__name__)
FROM_MONTH = 11  # the notice comes in November or December


def run(today: dt.date) -> dict[str, int]:
    counts = {"jurisdictions": 0, "notices": 0}
    load_into_engine()  # what any server stored, not only this process
    if today.month < FROM_MONTH or next_year_to_add(today) != today.year + 1:
        return counts
    year = today.year + 1
    week = today.isocalendar()
    key = f"{Kind.CALENDAR_MISSING}:{year}:{week.year}-W{week.week:02d}"
    jurisdictions = list(Jurisdiction.objects.order_by("pk"))
    admins = administrators(j.pk for j in jurisdictions)
    told = already_told([key])
    actor = system()
    title = said(gettext_noop("%(year)s年节假日安排尚未录入"), year=year)
    body = said(
        gettext_noop(
            "平台的工作日历尚未录入%(year)s年的法定节假日和调休上班日，涉及%(year)s年的办理时限"
            "无法计算到期日。国务院办公厅关于%(year)s年部分节假日安排的通知发布后，请在“管理 → "
            "节假日”页面录入（可先以 holidays 软件包的草稿预填，再与通知逐日核对）。"
        ),
        year=year,
    )
    for jurisdiction in jurisdictions:
        recipients = admins.get(jurisdiction.pk, [])
        if not recipients or not untold(recipients, key, told):
            continue
        counts["jurisdictions"] += 1
        counts["notices"] += len(
            notify(
                actor=actor,
                recipients=recipients,
                kind=Kind.CALENDAR_MISSING,
                key=key,
                title=title,
                body=body,
                jurisdiction=jurisdiction,
                summary=title,
            )
        )
    counts["emails"] = send_pending()
    return counts
