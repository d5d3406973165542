"""The hourly e-mail job: sends what the other jobs could not (a mail server that was down)."""

from __future__ import annotations

import datetime as dt

from govit.notifications.email import send_pending


def run(today: dt.date) -> dict[str, int]:
    return {"emails": send_pending()}
