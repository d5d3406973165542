"""Payments withheld and released as holds start and end (a failed acceptance, a stop-funds
order). Called inside the transaction of the service that opened or closed the hold: delivery
calls it; supervision, below contracts, says a penalty changed (``supervision.signals``) and
``penalty_changed`` here answers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from govit.contracts.models import Payment, PaymentStatus
from govit.contracts.selectors import payment_holds
from govit.events.phrases import said
from govit.events.services import record
from govit.organizations.models import User
from govit.projects.models import Project


def sync_payment_holds(project: Project, actor: User | None) -> None:
    """After a hold starts or ends: planned ↔ withheld, with the rule that withholds them."""
    holds = payment_holds(project)
    if holds:
        hold = holds[0]
        changed = (
            Payment.objects.live()
            .filter(project=project, status=PaymentStatus.PLANNED)
            .update(
                status=PaymentStatus.WITHHELD,
                withheld_reason=hold["reason"][:300],
                withheld_cite=hold["cite"],
            )
        )
        if changed:
            record(
                "payment.withheld",
                actor=actor,
                project=project,
                summary=hold["said"]
                + said(gettext_noop("：%(count)s期计划款项暂停支付"), count=changed),
                cite=hold["cite"],
            )
    else:
        changed = (
            Payment.objects.live()
            .filter(project=project, status=PaymentStatus.WITHHELD)
            .update(status=PaymentStatus.PLANNED, withheld_reason="", withheld_cite="")
        )
        if changed:
            record(
                "payment.released",
                actor=actor,
                project=project,
                summary=said(gettext_noop("%(count)s期款项恢复计划支付"), count=changed),
            )


def penalty_changed(sender: Any, *, project: Project, actor: User | None, **kwargs: Any) -> None:
    """A stop-funds order was imposed or lifted (supervision.signals.penalty_changed)."""
    sync_payment_holds(project, actor)
