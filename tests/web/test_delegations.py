"""委托 page: a clerk delegates to a colleague of the same office for a period with a reason, sees
and revokes it; the delegate sees it, with the delegator's open tasks they may act on, and may act
on them only while it runs; an auditor or an expert may not delegate; nobody else revokes it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from govit.events.models import Event
from govit.projects import services
from govit.projects.models import Delegation
from tests.workflow import flows
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def casts(tree):  # noqa: F811 - the fixture imported above
    return {key: make_cast(tree, key) for key in ("yueyang", "xiangxi")}


@pytest.fixture
def cast(casts):
    return casts["yueyang"]


@pytest.fixture
def clerk2(cast):
    return flows.colleague(cast, "competent_department", "yueyang.cd.clerk2")


def form(delegate, *, starts="2026-11-23", ends="2026-11-30", reason="外出培训"):
    return {"delegate": delegate.pk, "starts_on": starts, "ends_on": ends, "reason": reason}


def test_who_may_delegate_and_to_whom(client, casts, clerk2):
    cast = casts["yueyang"]
    url = reverse("delegations")
    clerk = cast.user("competent_department")
    client.force_login(clerk)
    html = client.get(url).content.decode()
    assert 'aria-current="page">委托<' in html
    # the colleagues of the office are offered, nobody else
    assert f'<option value="{clerk2.pk}">' in html
    assert f'<option value="{cast.user("finance").pk}">' not in html
    before = Event.objects.count()
    # someone of another office (or another jurisdiction) is not a choice: refused at the field
    for outsider in (cast.user("finance"), casts["xiangxi"].user("competent_department")):
        response = client.post(url, form(outsider))
        assert response.status_code == 422
        assert "选择一个有效的选项" in response.content.decode()
    # a read-only auditor has nothing to delegate
    client.force_login(cast.user("audit"))
    assert client.get(url).status_code == 403
    assert client.post(url, form(clerk2)).status_code == 403
    assert ">委托</a>" not in client.get(reverse("home")).content.decode()
    assert Event.objects.count() == before
    assert not Delegation.objects.exists()


def test_a_delegation_made_on_the_page_lets_the_delegate_act_until_revoked(client, cast, clerk2):
    clerk = cast.user("competent_department")
    project = flows.yueyang_in_scheme_review(cast)
    task = flows.open_task(project, "scheme_review")
    services.task_reassign(actor=clerk, task_id=task.pk, to_user=clerk2)
    client.force_login(clerk2)
    response = client.post(reverse("delegations"), form(clerk))
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.delegator, delegation.delegate, delegation.reason) == (
        clerk2,
        clerk,
        "外出培训",
    )
    assert (delegation.starts_on, delegation.ends_on) == (
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 30),
    )
    html = client.get(reverse("delegations")).content.decode()
    assert (
        "生效中" in html
        and f'action="{reverse("delegation-revoke", args=[delegation.pk])}"' in html
    )
    # the delegate sees it, and the delegator's open task with a link to act on it
    client.force_login(clerk)
    html = client.get(reverse("delegations")).content.decode()
    assert "委托给我的" in html and "yueyang.cd.clerk2" in html
    assert reverse("task-act", args=[project.pk, task.pk]) in html
    assert "（代yueyang.cd.clerk2）" in html
    # the delegate may not revoke it (nor may anyone else than the delegator or a leader)
    revoke = reverse("delegation-revoke", args=[delegation.pk])
    assert client.post(revoke, {"reason": "不需要"}).status_code == 403
    delegation.refresh_from_db()
    assert delegation.revoked_at is None
    # the delegator revokes it with a reason; the task is no longer offered
    client.force_login(clerk2)
    response = client.post(revoke, {"reason": ""}, follow=True)
    assert "请填写撤销理由" in response.content.decode()
    client.post(revoke, {"reason": "提前返岗"})
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    event = Event.objects.filter(kind="delegation.revoked").get()
    assert event.actor_id == clerk2.pk and event.summary.endswith("提前返岗")
    client.force_login(clerk)
    html = client.get(reverse("delegations")).content.decode()
    assert "已于 2026年11月23日 撤销" in html
    assert reverse("task-act", args=[project.pk, task.pk]) not in html


def test_another_office_cannot_revoke_and_dates_in_the_wrong_order_are_refused_at_the_field(
    client, casts, clerk2
):
    cast = casts["yueyang"]
    clerk = cast.user("competent_department")
    delegation = services.delegation_create(
        actor=clerk,
        delegate=clerk2,
        starts_on=dt.date(2026, 11, 23),
        ends_on=dt.date(2026, 11, 30),
        reason="休假",
    )
    revoke = reverse("delegation-revoke", args=[delegation.pk])
    for outsider in (cast.user("finance"), casts["xiangxi"].user("competent_department")):
        client.force_login(outsider)
        assert client.post(revoke, {"reason": "x"}).status_code == 404
    # the office's leader may revoke it
    client.force_login(cast.user("competent_department.leader"))
    client.post(revoke, {"reason": "工作调整"})
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    client.force_login(clerk)
    response = client.post(
        reverse("delegations"), form(clerk2, starts="2026-11-30", ends="2026-11-24")
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "结束日期不能早于开始日期" in html
    assert Delegation.objects.count() == 1
