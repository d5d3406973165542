"""What a step tells people as it moves, beyond the tasks it opens: the unit when its step is
returned (what was asked, in its 提醒 as well as its 工作台), and the bodies a step is copied to
(抄送: the result and a notice, no task — 连平第二十五条, 黑龙江第三十三条). Registered with the
workflow's step hooks in apps.py."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from govit.events.phrases import Step, maybe, said
from govit.notifications.models import Kind
from govit.notifications.services import notify
from govit.organizations.models import Organization, Role, User
from govit.organizations.services import system_user


def _people(organization_ids: list[int]) -> list[User]:
    """Those who work for these organizations (clerks and leaders, active)."""
    return list(
        User.objects.filter(
            organization_id__in=organization_ids,
            is_active=True,
            roles__role__in=(Role.CLERK, Role.LEADER),
        ).distinct()
    )


def tell_unit_returned(step: Any, actor: Any, opinion: str = "", *_: Any) -> None:
    project = step.project
    notify(
        actor=system_user(),
        recipients=_people([project.unit_id]),
        kind=Kind.STEP_RETURNED,
        key=f"step_returned:{step.pk}:{step.round}",
        title=said(gettext_noop("退回修改：%(step)s"), step=Step.of(step)),
        body=said(
            gettext_noop("“%(project)s”的“%(step)s”退回修改"),
            project=project.name,
            step=Step.of(step),
        )
        + maybe(opinion, gettext_noop("：%(opinion)s"), opinion=opinion)
        + said(gettext_noop("。请按意见修改后重新报送。")),
        cite=step.cite,
        project=project,
    )


def copy_out(step: Any, actor: Any, *_: Any) -> None:
    if not step.copied:
        return
    project = step.project
    offices = Organization.objects.filter(
        jurisdiction_id=project.jurisdiction_id, kind__in=step.copied, is_active=True
    )
    notify(
        actor=system_user(),
        recipients=_people([o.pk for o in offices]),
        kind=Kind.STEP_COPIED,
        key=f"step_copied:{step.pk}",
        title=said(gettext_noop("抄送：%(step)s"), step=Step.of(step)),
        body=said(
            gettext_noop("“%(project)s”的“%(step)s”已办结，抄送贵单位知悉（无须办理）。"),
            project=project.name,
            step=Step.of(step),
        ),
        cite=step.cite,
        project=project,
    )
