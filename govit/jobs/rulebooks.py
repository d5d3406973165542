"""Rulebooks that expire within 90 days or have expired (有效期N年: 临湘's ended on 2025-05-10):
each jurisdiction bound to one is told through its administrators, once per version and stage.
Past the last day, declarations under it need the administrator's recorded confirmation."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils.translation import gettext_noop

from govit.events.phrases import Day, maybe, said
from govit.jobs.common import already_told, system, untold
from govit.jobs.recipients import administrators
from govit.jurisdictions.models import Jurisdiction
from govit.notifications.email import send_pending
from govit.notifications.models import Kind
from govit.notifications.services import notify

log = logging.getLogger(__name__)
SOON = dt.timedelta(days=90)


def run(today: dt.date) -> dict[str, int]:
    actor = system()
    counts = {"jurisdictions": 0, "notices": 0}
    bound = list(Jurisdiction.objects.filter(rulebook__isnull=False).select_related("rulebook"))
    admins = administrators(j.pk for j in bound)
    plan = []
    for jurisdiction in bound:
        version = jurisdiction.rulebook
        rb = version.load()
        until = rb.effective_until
        if until is None:
            continue  # no 有效期 (or a draft, which is not in force to begin with)
        status = rb.status_on(today)
        if status == "expired":
            kind = Kind.RULEBOOK_EXPIRED
        elif status == "in_force" and until - today <= SOON:
            kind = Kind.RULEBOOK_EXPIRING
        else:
            continue
        key = f"{kind}:jurisdiction:{jurisdiction.pk}:rulebook:{version.pk}:{until.isoformat()}"
        plan.append((jurisdiction, version, rb, until, kind, key))
    counts["jurisdictions"] = len(plan)
    told = already_told(p[-1] for p in plan)
    for jurisdiction, version, rb, until, kind, key in plan:
        recipients = admins.get(jurisdiction.pk, [])
        if not recipients:
            log.warning("%s：规则手册%s，但本辖区没有管理员可以提醒", jurisdiction.name, kind)
            continue
        if not untold(recipients, key, told):
            continue
        m = rb.model
        cite = m.validity.cite if m.validity else ""
        applies = said(
            gettext_noop("%(place)s现行适用的《%(title)s》"), place=jurisdiction.name, title=m.title
        ) + maybe(
            m.validity,
            gettext_noop("自%(start)s起施行，有效期%(years)s年"),
            start=Day(m.effective_from.date) if m.validity else None,
            years=m.validity.years if m.validity else 0,
        )
        if kind == Kind.RULEBOOK_EXPIRED:
            title = said(gettext_noop("规则手册已过有效期：《%(title)s》"), title=m.title)
            body = applies + said(
                gettext_noop(
                    "（依据%(cite)s），已于%(until)s届满。此后按其申报、办理项目须由辖区管理员确认；"
                    "请跟进修订后的办法，并登记、启用新版本规则手册。"
                ),
                cite=cite,
                until=Day(until),
            )
        else:
            title = said(gettext_noop("规则手册即将到期：《%(title)s》"), title=m.title)
            body = applies + said(
                gettext_noop(
                    "（依据%(cite)s），将于%(until)s届满，尚余%(left)s天。请提前跟进修订，"
                    "届满后按其办理项目须由辖区管理员确认。"
                ),
                cite=cite,
                until=Day(until),
                left=(until - today).days,
            )
        counts["notices"] += len(
            notify(
                actor=actor,
                recipients=recipients,
                kind=kind,
                key=key,
                title=title,
                body=body,
                cite=cite,
                rulebook_id=version.rulebook_id,
                jurisdiction=jurisdiction,
                summary=title,
            )
        )
    counts["emails"] = send_pending()
    return counts
