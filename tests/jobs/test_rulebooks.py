"""Rulebooks expiring within 90 days or expired: the bound jurisdiction's administrators are told."""

from __future__ import annotations

import pytest

from govit.events.models import Event
from govit.notifications.models import Kind, Notification
from tests.jobs.conftest import D, run, told
from tests.workflow.conftest import make_cast

pytestmark = pytest.mark.django_db


def test_linxiang_expired_on_2025_05_10_and_its_administrator_is_told(tree):
    cast = make_cast(tree, "linxiang")
    make_cast(tree, "yueyang")  # in force until 2028-07-19: nothing to say on 2026-11-23
    outcome = run("rulebook_expiry", D(2026, 11, 23))
    assert outcome.result["notices"] == 1
    note = Notification.objects.get()
    assert note.user == cast.user("admin")  # Role.ADMIN: the competent department's leader
    assert note.kind == Kind.RULEBOOK_EXPIRED
    assert note.title == "规则手册已过有效期：《临湘市政务数字化项目建设管理暂行办法》"
    assert cast.jurisdiction.rulebook.title == "临湘市政务数字化项目建设管理暂行办法"
    assert "自2023年5月11日起施行，有效期2年（依据第三十八条），已于2025年5月10日届满" in note.body
    assert (note.cite, note.rulebook_id, note.jurisdiction) == (
        "第三十八条",
        "linxiang",
        cast.jurisdiction,
    )
    event = Event.objects.get(kind="notification.sent")
    assert (event.stream, event.cite) == (f"jurisdiction:{cast.jurisdiction.pk}", "第三十八条")
    run("rulebook_expiry", D(2026, 11, 24))
    assert Notification.objects.count() == 1


def test_yueyang_is_told_90_days_before_its_five_years_end_and_again_when_expired(tree):
    cast = make_cast(tree, "yueyang")  # 2023-07-20 + 5年 → last day 2028-07-19 (第四十一条)
    run("rulebook_expiry", D(2028, 4, 19))  # 91 days before
    assert told() == []
    run("rulebook_expiry", D(2028, 4, 20))  # 90 days before
    key = f"rulebook_expiring:jurisdiction:{cast.jurisdiction.pk}:rulebook:"
    (row,) = told()
    assert row[:2] == ("yueyang.competent_department.leader", Kind.RULEBOOK_EXPIRING)
    assert row[2].startswith(key)
    note = Notification.objects.get()
    assert "将于2028年7月19日届满，尚余90天" in note.body and note.cite == "第四十一条"
    run("rulebook_expiry", D(2028, 7, 19))  # the last day in force: already told
    assert len(told()) == 1
    run("rulebook_expiry", D(2028, 7, 20))
    assert [k for _, k, _ in told()] == [Kind.RULEBOOK_EXPIRED, Kind.RULEBOOK_EXPIRING]
