"""What every signed-in request pays for the header: the user is read with its organization,
expert entry and roles (organizations.backends), and the unread badge counts at most 100 rows
and says "99+" beyond 99 — while the notifications page still says exactly how many."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govit.core import clock
from govit.notifications.models import Notification
from govit.notifications.selectors import unread_count
from govit.organizations.backends import GovitBackend
from govit.organizations.models import Role, UserRole
from govit.reviews.models import Expert
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def unread(user, n: int, *, read: int = 0) -> None:
    at = clock.now()
    Notification.objects.bulk_create(
        Notification(
            user=user,
            kind="task_overdue",
            key=f"test:{user.pk}:{i}",
            title="待办已逾期",
            body="—",
            created_at=at - dt.timedelta(minutes=i),
            read_at=at if i < read else None,
        )
        for i in range(n + read)
    )


def nav(client, user) -> str:
    client.force_login(user)
    html = client.get(reverse("rulebook-list")).content.decode()
    start = html.index('<nav class="sections"')
    return html[start : html.index("</nav>", start)]


def test_the_signed_in_user_comes_with_organization_expert_and_roles_in_two_queries(tree):  # noqa: F811
    cast = make_cast(tree, "heilongjiang")
    auditor = cast.user("finance")
    UserRole.objects.get_or_create(user=auditor, role=Role.AUDITOR)
    with CaptureQueriesContext(connection) as queries:
        user = GovitBackend().get_user(auditor.pk)
        assert user.organization.kind == "finance"
        assert user.organization.jurisdiction_id == cast.jurisdiction.pk
        assert getattr(user, "expert", None) is None
        assert user.has_role(Role.AUDITOR) and not user.has_role(Role.ADMIN)
        codes = user.role_codes()
    assert len(queries) == 2, [q["sql"] for q in queries]
    assert codes == set(auditor.roles.values_list("role", flat=True)) >= {Role.AUDITOR}

    expert = Expert.objects.create(
        jurisdiction=cast.jurisdiction, user=auditor, name="专家", employer_name="某单位"
    )
    with CaptureQueriesContext(connection) as queries:
        assert GovitBackend().get_user(auditor.pk).expert == expert
    assert len(queries) == 2
    auditor.is_active = False
    auditor.save(update_fields=["is_active"])
    assert GovitBackend().get_user(auditor.pk) is None
    assert GovitBackend().get_user(10**9) is None


def test_a_page_without_data_reads_the_session_the_user_its_roles_and_the_badge(client, tree):  # noqa: F811
    cast = make_cast(tree, "lianping")
    client.force_login(cast.user("competent_department"))
    client.get(reverse("rulebook-list"))  # anything done once per process (the calendar)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("rulebook-list"))
    assert response.status_code == 200
    sql = [q["sql"] for q in queries]
    # the session, the user joined with its organization and expert entry, its roles, the badge
    assert len(sql) <= 4, sql
    # (the tables by their quoted names: the badge's query reads reviews_expertopinion)
    assert sum('"organizations_organization"' in q for q in sql) == 1
    assert sum('"reviews_expert"' in q for q in sql) == 1


def test_the_header_sections_follow_the_roles_read_with_the_user(client, tree):  # noqa: F811
    cast = make_cast(tree, "lianping")
    competent = nav(client, cast.user("competent_department"))
    assert reverse("expert-draws") in competent and reverse("plan-board") in competent
    unit = nav(client, cast.user("unit"))
    assert reverse("plan-board") not in unit and reverse("expert-draws") not in unit
    assert reverse("admin-home") not in unit
    admin = cast.user("unit")
    UserRole.objects.get_or_create(user=admin, role=Role.ADMIN)
    assert reverse("admin-home") in nav(client, admin)
    Expert.objects.create(
        jurisdiction=cast.jurisdiction, user=admin, name="专家", employer_name="某单位"
    )
    assert reverse("expert-my-meetings") in nav(client, admin)


@pytest.mark.parametrize(
    ("n", "badge"), [(0, None), (1, "1"), (99, "99"), (100, "99+"), (150, "99+")]
)
def test_the_badge_counts_unread_notifications_up_to_99_then_says_99_plus(client, tree, n, badge):  # noqa: F811
    cast = make_cast(tree, "lianping")
    clerk = cast.user("unit")
    unread(clerk, n, read=3)  # read ones never count
    html = nav(client, clerk)
    if badge is None:
        assert "提醒（" not in html and "提醒</a>" in html
    else:
        assert f"提醒（{badge}）</a>" in html
    assert unread_count(clerk) == n  # exact, for the notifications page
    assert unread_count(clerk, at_most=100) == min(n, 100)
    page = client.get(reverse("notifications")).content.decode()
    assert f"您有 {n} 条未读提醒" in page
