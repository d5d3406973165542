"""消息提醒: each user sees only their own notifications, with the article, and marks them read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govit.notifications.models import Notification
from govit.notifications.selectors import unread_count
from tests.jobs.conftest import D, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(joint_review):
    run("deadline_scan", D(2026, 6, 24))
    return joint_review


def test_the_page_lists_my_notifications_with_their_article(
    client, heilongjiang, overdue, django_assert_max_num_queries
):
    clerk = heilongjiang.user("cyberspace")
    mine = Notification.objects.get(user=clerk)
    client.force_login(clerk)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("notifications"))
    assert page.status_code == 200
    html = page.content.decode()
    assert mine.title in html and mine.body in html
    assert (
        "第十条" in html and f"{reverse('rulebook-detail', args=['heilongjiang'])}#第十条" in html
    )
    assert reverse("project-detail", args=[overdue.pk]) in html
    assert "您有 1 条未读提醒" in html
    # the competent department's escalations are not the cyberspace clerk's to see
    assert "逾期督办" not in html


def test_mark_one_read_then_all_and_never_someone_elses(client, heilongjiang, overdue):
    leader = heilongjiang.user("competent_department.leader")
    clerk = heilongjiang.user("cyberspace")
    others = Notification.objects.get(user=clerk)
    assert unread_count(leader) == 4  # its own task overdue, and three escalations
    client.force_login(leader)
    first = Notification.objects.filter(user=leader).first()
    answer = client.post(reverse("notifications-read"), {"id": [first.pk, others.pk]})
    assert answer.status_code == 302
    assert unread_count(leader) == 3
    assert Notification.objects.get(pk=others.pk).read_at is None  # not the leader's
    unread = client.get(reverse("notifications"), {"show": "unread"}).content.decode()
    assert f'id="n{first.pk}"' not in unread
    assert all(
        f'id="n{n.pk}"' in unread for n in Notification.objects.filter(user=leader, read_at=None)
    )
    client.post(reverse("notifications-read"), {"all": "1"})
    assert unread_count(leader) == 0
    assert unread_count(clerk) == 1


def test_the_page_needs_a_signed_in_user(client):
    answer = client.get(reverse("notifications"))
    assert answer.status_code == 302 and reverse("login") in answer["Location"]
