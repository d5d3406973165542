"""Kept reads (govit/kept/reads.py): a page or API read answered from the cache must be exactly what
the view would answer now — after every change, on every new day, in every language — and only
to the reader it was read for."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govit.access.services import token_create, user_active_set, user_roles_change
from govit.core import clock, stamps
from govit.demo.cast import add_vendor
from govit.demo.driver import advance_to
from govit.documents.services import document_upload
from govit.events.models import Event
from govit.events.signals import data_changed
from govit.kept import reads as kept
from govit.notifications.inbox import mark_read
from govit.notifications.services import notify
from govit.organizations.models import Role, User
from govit.organizations.services import system_user
from govit.projects import services as projects
from govit.projects.models import DONE_STEP_STATUSES, ProjectStep
from tests.workflow.conftest import casts, make_cast, tree  # noqa: F401 - fixtures
from tests.workflow.flows import declared, lianping_declared, planned, submitted

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 10, 21)
FRESH = {"HTTP_CACHE_CONTROL": "no-cache"}


@pytest.fixture
def cast(tree):  # noqa: F811 - tree is the fixture imported above
    return make_cast(tree, "yueyang")


def signed_in(user: User) -> Client:
    """A browser signed in as ``user`` that has already opened one page (it has the CSRF cookie
    every page's forms use)."""
    client = Client()
    client.force_login(user)
    with clock.frozen(DAY):
        client.get(reverse("rulebook-list"))
    return client


def get(client: Client, url: str, on: dt.date = DAY, **headers):
    with clock.frozen(on):
        return client.get(url, **headers)


def answered(response) -> str:
    return response.get(kept.HEADER, "")


def twice(client: Client, url: str, on: dt.date = DAY, **headers):
    """The second of two reads (the first keeps it)."""
    get(client, url, on, **headers)
    return get(client, url, on, **headers)


def uploaded(cast, project, name: str) -> None:
    """The unit uploads a document (an event on the project's stream)."""
    with clock.frozen(DAY):
        document_upload(
            actor=cast.user("unit"),
            project=project,
            name=name,
            upload=io.BytesIO(b"%PDF-1.7 more"),
            filename="补充.pdf",
        )


def told(user: User, key: str, **where) -> None:
    """``user`` is notified (``where``: the project or the jurisdiction it is about)."""
    with clock.frozen(DAY):
        notify(
            actor=system_user(),
            recipients=[user],
            kind="deadline",
            key=key,
            title="待办即将到期",
            body="请及时办理",
            **where,
        )


# --- kept, and not -------------------------------------------------------------------------------


def test_a_read_again_is_answered_from_the_cache_without_the_view(cast, kept_on):
    declared(cast)
    client = signed_in(cast.user("competent_department"))
    url = reverse("project-list")
    first = get(client, url)
    assert answered(first) == "miss"
    with clock.frozen(DAY), CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert answered(again) == "hit" and again.content == first.content
    # the session is read (the suite keeps sessions in the database); the user and the page not
    assert [q["sql"] for q in queries.captured_queries if "django_session" not in q["sql"]] == []


def test_nothing_is_kept_when_kept_reads_are_off(cast, settings):
    settings.GOVIT_KEPT_READS = False
    client = signed_in(cast.user("competent_department"))
    assert kept.HEADER not in twice(client, reverse("project-list"))


def test_only_the_reads_named_are_kept(cast, kept_on):
    client = signed_in(cast.user("competent_department"))
    assert kept.HEADER not in twice(client, reverse("notifications"))
    assert answered(twice(client, reverse("home"))) == "hit"
    # a write is never answered from the cache, nor a POST to a kept address
    assert kept.HEADER not in client.post("/api/v1/projects", {}, content_type="application/json")


def test_a_hard_reload_is_always_answered_fresh(cast, kept_on):
    client = signed_in(cast.user("competent_department"))
    url = reverse("home")
    get(client, url)
    assert answered(get(client, url, **FRESH)) == "miss"
    assert answered(get(client, url)) == "hit"


def test_a_superuser_who_sees_every_jurisdiction_is_never_kept(cast, kept_on):
    client = signed_in(system_user())
    assert kept.HEADER not in twice(client, reverse("project-list"))


def test_pages_are_kept_for_their_reader_only(cast, kept_on):
    """Two readers of one office at the same address: each gets their own page (the header names
    the reader)."""
    mine = cast.user("competent_department")
    leader = cast.user("competent_department.leader")
    declared(cast)
    one, other = signed_in(mine), signed_in(leader)
    url = reverse("project-list")
    first = twice(one, url)
    second = get(other, url)
    assert answered(second) == "miss"
    assert mine.display_name in first.content.decode()
    assert leader.display_name in second.content.decode()


def test_a_browser_without_the_csrf_cookie_is_not_given_a_page_kept_for_another(cast, kept_on):
    """A page's forms carry a token for the browser's own CSRF cookie: a page kept for one browser
    is not another's, and a form from a kept page is accepted."""
    unit = cast.user("unit")
    browser = signed_in(unit)
    url = reverse("project-create")  # a form page, not kept: the form posts from a kept page below
    project = declared(cast)
    page = reverse("project-detail", args=[project.pk])
    assert answered(twice(browser, page)) == "hit"
    other = Client()
    other.force_login(unit)
    assert answered(get(other, page)) == "miss"  # its first page: a new CSRF cookie is set
    # a form of the kept page posts with the kept token
    html = get(browser, page).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = browser.cookies
    with clock.frozen(DAY):
        response = strict.post(url, {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code != 403


def test_a_page_with_a_message_waiting_is_read_fresh(cast, kept_on):
    """A form's redirect leaves a message for the next page ("已保存。"): that page is worked out
    anew to show it, even if nothing it shows has changed."""
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    project = declared(cast)
    client = signed_in(cast.user("unit"))
    page = reverse("project-detail", args=[project.pk])
    assert answered(twice(client, page)) == "hit"
    waiting = CookieStorage(HttpRequest())._encode([Message(constants.SUCCESS, "已保存。")])
    client.cookies[CookieStorage.cookie_name] = waiting
    response = get(client, page)
    assert kept.HEADER not in response and "已保存。" in response.content.decode()
    assert answered(get(client, page)) == "hit"  # shown once, then the page is kept again


# --- every change shows at once ------------------------------------------------------------------


def test_a_change_in_the_jurisdiction_shows_at_the_next_read(cast, kept_on):
    client = signed_in(cast.user("competent_department"))
    url = reverse("project-list")
    before = twice(client, url)
    assert answered(before) == "hit"
    project = declared(cast, name="新申报的智慧教育平台")
    after = get(client, url)
    assert answered(after) == "miss"
    assert project.name in after.content.decode() and project.name not in before.content.decode()


def test_a_change_in_another_jurisdiction_keeps_what_was_kept(tree, kept_on):  # noqa: F811
    yueyang, lianping = make_cast(tree, "yueyang"), make_cast(tree, "lianping")
    client = signed_in(yueyang.user("competent_department"))
    url = reverse("project-list")
    twice(client, url)
    lianping_declared(lianping)
    assert answered(get(client, url)) == "hit"


def test_a_project_page_stays_kept_while_other_projects_change_but_not_the_list(cast, kept_on):
    mine, other = declared(cast, name="智慧教育平台"), declared(cast, name="校园安防系统")
    client = signed_in(cast.user("competent_department"))
    page = reverse("project-detail", args=[mine.pk])
    api = f"/api/v1/projects/{mine.pk}/events"
    listing = reverse("project-list")
    for url in (page, api, listing):
        twice(client, url)
    uploaded(cast, other, "校园安防系统补充材料")
    assert answered(get(client, page)) == "hit" and answered(get(client, api)) == "hit"
    assert answered(get(client, listing)) == "miss"  # the list shows the other project too


def test_an_event_of_no_project_makes_every_project_page_of_the_jurisdiction_stale(cast, kept_on):
    """Plans, organizations, accounts, delegations, vendors' credit: what a project page may
    show of them is recorded on the jurisdiction's stream."""
    from govit.access.services import organization_create

    project = declared(cast)
    client = signed_in(cast.user("competent_department"))
    page = reverse("project-detail", args=[project.pk])
    twice(client, page)
    organization_create(
        actor=system_user(),
        jurisdiction=cast.jurisdiction,
        kind="construction_unit",
        name="岳阳市新设的数据资源局",
    )
    assert answered(get(client, page)) == "miss"


def test_a_notification_about_one_project_shows_in_the_badge_on_another_projects_page(
    cast, kept_on
):
    mine, other = declared(cast, name="智慧教育平台"), declared(cast, name="校园安防系统")
    clerk = cast.user("competent_department")
    client = signed_in(clerk)
    page = reverse("project-detail", args=[mine.pk])
    assert "提醒（" not in twice(client, page).content.decode()
    told(clerk, f"test:other:{other.pk}", project=other)
    assert "提醒（1）" in get(client, page).content.decode()


def test_every_kind_of_reader_sees_a_task_leave_their_desk_at_once(cast, kept_on):
    project = declared(cast, amount=1_000_000)
    planned(cast, [project])
    with clock.frozen(DAY):
        step = submitted(cast, project, "scheme_review")
    clerk = cast.user("competent_department")
    client = signed_in(clerk)
    home = reverse("home")
    api = "/api/v1/tasks"
    assert project.name in twice(client, home).content.decode()
    assert project.name in twice(client, api).content.decode()
    with clock.frozen(DAY):
        task = step.tasks.get(organization=clerk.organization, status="open")
        projects.task_act(
            actor=clerk,
            task_id=task.pk,
            action="approve",
            opinion="同意",
            confirmed_checks=[c["code"] for c in step.checks if c["severity"] == "block"],
        )
    assert project.name not in get(client, home).content.decode()
    assert project.name not in get(client, api).content.decode()


def test_an_upload_shows_on_the_project_page_and_in_the_api_at_once(cast, kept_on):
    project = declared(cast)
    client = signed_in(cast.user("competent_department"))
    page = reverse("project-detail", args=[project.pk])
    api = f"/api/v1/projects/{project.pk}/documents"
    twice(client, page)
    twice(client, api)
    uploaded(cast, project, "补充说明材料")
    assert "补充说明材料" in get(client, page).content.decode()
    assert "补充说明材料" in get(client, api).content.decode()


def test_the_badge_counts_a_new_notification_and_one_read(cast, kept_on):
    clerk = cast.user("competent_department")
    client = signed_in(clerk)
    url = reverse("rulebook-list")
    assert "提醒（" not in twice(client, url).content.decode()
    told(clerk, "test:badge", jurisdiction=cast.jurisdiction)
    assert "提醒（1）" in get(client, url).content.decode()
    twice(client, url)
    mark_read(clerk)  # the inbox records no event: the reader's own stamp tells
    assert "提醒（" not in get(client, url).content.decode()


def test_a_nights_batch_of_notices_shows_in_every_recipients_badge(cast, kept_on):
    """The deadline scan tells thousands at once (notify_many): each recipient's pages count
    them at the next read, whatever project the page is of."""
    from govit.notifications.services import Notice, notify_many

    mine, other = declared(cast, name="智慧教育平台"), declared(cast, name="校园安防系统")
    clerk, leader = cast.user("competent_department"), cast.user("competent_department.leader")
    readers = [signed_in(clerk), signed_in(leader)]
    page = reverse("project-detail", args=[mine.pk])
    for client in readers:
        assert "提醒（" not in twice(client, page).content.decode()
    with clock.frozen(DAY):
        notify_many(
            actor=system_user(),
            notices=[
                Notice(
                    recipients=[clerk, leader],
                    kind="deadline",
                    key=f"test:batch:{other.pk}",
                    title="校园安防系统：待办即将到期",
                    body="请及时办理",
                    project=other,
                )
            ],
        )
    for client in readers:
        assert "提醒（1）" in get(client, page).content.decode()


def test_roles_taken_away_show_at_the_next_page(cast, kept_on):
    admin = cast.user("admin")
    client = signed_in(admin)
    url = reverse("rulebook-list")
    assert reverse("admin-home") in twice(client, url).content.decode()
    other_admin = cast.user("competent_department")
    user_roles_change(
        actor=admin, user=other_admin, roles=[Role.CLERK, Role.ADMIN], reason="增设管理员"
    )
    user_roles_change(
        actor=other_admin,
        user=User.objects.get(pk=admin.pk),
        roles=[Role.LEADER],
        reason="岗位调整",
    )
    assert reverse("admin-home") not in get(client, url).content.decode()
    assert get(client, reverse("admin-home")).status_code in (403, 404)


def test_roles_taken_away_while_a_page_is_being_read_are_not_kept_under_the_new_stamp(
    cast, kept_on, monkeypatch, django_capture_on_commit_callbacks
):
    """The reader is signed in (their roles read) before the page's stamps are: a change of
    roles committed in between must not leave the old roles' page kept under the new stamp."""
    admin, other = cast.user("admin"), cast.user("competent_department")
    user_roles_change(actor=admin, user=other, roles=[Role.CLERK, Role.ADMIN], reason="增设")
    client = signed_in(admin)
    url = reverse("admin-home")
    real, raced = kept.response_key, []

    def racing(request, user):
        if not raced:
            raced.append(True)
            with django_capture_on_commit_callbacks(execute=True):
                user_roles_change(
                    actor=other,
                    user=User.objects.get(pk=admin.pk),
                    roles=[Role.LEADER],
                    reason="岗位调整",
                )
        return real(request, user)

    monkeypatch.setattr(kept, "response_key", racing)
    assert get(client, url).status_code == 200  # read with the roles of before
    monkeypatch.setattr(kept, "response_key", real)
    assert get(client, url).status_code in (403, 404)


def test_a_password_changed_outside_the_services_signs_the_old_sessions_out(cast, kept_on):
    """`govit manage changepassword`, or Django re-hashing a password at sign-in with a newer
    hasher: the old sessions end, the new one works at once."""
    clerk = User.objects.get(pk=cast.user("competent_department").pk)
    clerk.set_password("Old-Passw0rd!2026")
    clerk.save()
    old = Client()
    assert old.login(username=clerk.username, password="Old-Passw0rd!2026")
    assert get(old, reverse("home")).status_code == 200  # the user is kept now
    clerk.set_password("New-Passw0rd!2026")
    clerk.save()
    assert get(old, reverse("home")).status_code == 302
    new = Client()
    assert new.login(username=clerk.username, password="New-Passw0rd!2026")
    assert get(new, reverse("home")).status_code == 200


def test_a_password_re_hashed_at_sign_in_leaves_the_new_session_signed_in(cast, kept_on, settings):
    clerk = User.objects.get(pk=cast.user("competent_department").pk)
    clerk.set_password("Passw0rd!2026")
    clerk.save()
    first = Client()
    assert first.login(username=clerk.username, password="Passw0rd!2026")
    assert get(first, reverse("home")).status_code == 200
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    second = Client()
    assert second.login(username=clerk.username, password="Passw0rd!2026")  # re-hashed, saved
    assert User.objects.get(pk=clerk.pk).password.startswith("pbkdf2_")
    assert get(second, reverse("home")).status_code == 200


def test_a_bearer_header_ninja_does_not_take_is_not_kept_as_the_tokens_user(cast, kept_on):
    """Two spaces after Bearer: ninja finds no token and answers as the session's user; that
    answer must not be kept as the token's user's."""
    declared(cast)
    owner, other = cast.user("competent_department"), cast.user("other_unit")
    _token, key = token_create(actor=owner, name="对接系统")
    odd = Client(HTTP_AUTHORIZATION=f"Bearer  {key}")
    odd.force_login(other)
    get(odd, "/api/v1/projects")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    answer = get(client, "/api/v1/projects")
    assert answer.content == get(client, "/api/v1/projects", **FRESH).content
    assert json.loads(answer.content)["count"] == 1


def test_a_deactivated_account_is_signed_out_at_its_next_request(cast, kept_on):
    clerk = cast.user("competent_department")
    client = signed_in(clerk)
    url = reverse("home")
    assert answered(twice(client, url)) == "hit"
    user_active_set(actor=cast.user("admin"), user=clerk, active=False, reason="调离")
    response = get(client, url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert get(client, "/api/v1/tasks").status_code == 401


def test_overdue_appears_the_next_day_with_nothing_changed(casts, kept_on):  # noqa: F811
    cast = casts["lianping"]
    project = lianping_declared(cast)
    with clock.frozen(dt.date(2026, 9, 7)):
        advance_to(cast, project, "preliminary_review")
        submitted(cast, project, "preliminary_review")
    due = ProjectStep.objects.get(project=project, kind="preliminary_review").due_on
    client = signed_in(cast.user("competent_department"))
    page = reverse("project-detail", args=[project.pk])
    on_time = twice(client, page, due)
    late = get(client, page, due + dt.timedelta(days=1))
    assert answered(on_time) == "hit" and answered(late) == "miss"
    assert "已逾期" not in on_time.content.decode() and "已逾期" in late.content.decode()


def test_each_language_and_the_htmx_part_are_kept_apart(cast, kept_on):
    project = declared(cast)
    client = signed_in(cast.user("competent_department"))
    page = reverse("project-detail", args=[project.pk])
    chinese = twice(client, page)
    english = twice(client, page, HTTP_ACCEPT_LANGUAGE="en")
    assert "生命周期" in chinese.content.decode()
    assert "生命周期" not in english.content.decode()
    part = reverse("project-section", args=[project.pk, "history"])
    whole = twice(client, part).content.decode()
    alone = twice(client, part, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" in whole and "<html" not in alone


def test_an_api_client_with_a_token_is_kept_as_its_user_and_refused_once_revoked(cast, kept_on):
    from govit.organizations.models import ApiToken

    clerk = cast.user("competent_department")
    declared(cast)
    token, key = token_create(actor=clerk, name="对接系统")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    first = twice(client, "/api/v1/projects")
    assert first.status_code == 200 and answered(first) == "hit"
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=clock.now())
    assert twice(client, "/api/v1/projects").status_code == 401


def test_the_cache_failing_leaves_every_read_working(cast, kept_on, monkeypatch):
    client = signed_in(cast.user("competent_department"))
    twice(client, reverse("home"))

    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    from django.core.cache.backends.locmem import LocMemCache

    for name in ("get", "get_many", "set", "set_many", "add"):
        monkeypatch.setattr(LocMemCache, name, down)
    response = get(client, reverse("home"))
    assert response.status_code == 200 and kept.HEADER not in response
    declared(cast, name="缓存中断期间申报的项目")  # a write renews nothing, and still succeeds


def test_a_read_made_before_a_commit_is_not_served_after_it(
    cast, kept_on, django_capture_on_commit_callbacks
):
    """The stamp is renewed when the write is made and again when it commits: a page read in
    between (without the write) is kept under a token no later reader holds."""
    client = signed_in(cast.user("competent_department"))
    url = reverse("project-list")
    scope = kept.jurisdiction_scope(cast.jurisdiction.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        data_changed.send(sender=Event, where={(cast.jurisdiction.pk, None)})
    assert answered(twice(client, url)) == "hit"
    written = stamps.tokens([scope])
    for callback in callbacks:
        callback()
    assert stamps.tokens([scope]) != written
    assert answered(get(client, url)) == "miss"


def test_a_lost_stamp_is_never_trusted(cast, kept_on):
    client = signed_in(cast.user("competent_department"))
    url = reverse("project-list")
    assert answered(twice(client, url)) == "hit"
    cache.delete(stamps.key(kept.jurisdiction_scope(cast.jurisdiction.pk)))
    assert answered(get(client, url)) == "miss"


# --- the signed-in user --------------------------------------------------------------------------


def test_the_kept_user_holds_no_password_hash_and_cannot_be_saved(cast, kept_on):
    clerk = cast.user("competent_department")
    client = signed_in(clerk)
    get(client, reverse("home"))
    entry = cache.get(f"kept:user:{clerk.pk}")
    assert entry is not None
    copy = entry[-1]
    assert copy.password == "" and clerk.password
    assert copy.get_session_auth_hash() == clerk.get_session_auth_hash()
    with pytest.raises(RuntimeError):
        copy.save()


def test_a_new_secret_key_reads_the_user_again_instead_of_signing_everyone_out(
    cast, kept_on, settings
):
    clerk = cast.user("competent_department")
    client = signed_in(clerk)
    assert get(client, reverse("home")).status_code == 200
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "govit-test-rotated-" + "k" * 40, [old]
    assert get(client, reverse("home")).status_code == 200  # the session moves to the new key
    assert get(client, reverse("home")).status_code == 200


# --- the whole life of a project -----------------------------------------------------------------

CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+(")')


def _same(response) -> bytes:
    """The answer without the per-request masking of the CSRF token."""
    return CSRF.sub(rb"\1\2", response.content)


def test_at_every_step_of_a_project_every_kept_read_is_the_fresh_one(cast, kept_on):
    """岳阳: a 150万元 project from declaration to post-evaluation, another of the same unit
    standing still. After each step every reader's kept pages and API reads — of both — are
    exactly what the view answers fresh."""
    add_vendor(cast, "岳阳数字科技有限公司", "contractor", key="contractor", prefix="yueyang")
    add_vendor(cast, "岳阳工程监理有限公司", "supervisor", key="supervisor", prefix="yueyang")
    project = declared(cast, amount=1_500_000, name="智慧教育平台")
    other = declared(cast, amount=600_000, name="校园安防系统")  # of the same unit, left behind
    readers = {
        key: signed_in(cast.user(key))
        for key in ("competent_department", "unit", "audit", "finance", "contractor")
    }
    reads = [
        reverse("home"),
        reverse("project-list"),
        reverse("project-detail", args=[project.pk]),
        reverse("project-section", args=[project.pk, "history"]),
        reverse("project-section", args=[project.pk, "delivery"]),
        "/api/v1/projects",
        f"/api/v1/projects/{project.pk}",
        f"/api/v1/projects/{project.pk}/events",
        f"/api/v1/projects/{project.pk}/documents",
        "/api/v1/tasks",
        reverse("project-detail", args=[other.pk]),
        f"/api/v1/projects/{other.pk}",
    ]
    kinds = list(project.steps.order_by("seq").values_list("kind", flat=True))
    compared = 0
    for kind in kinds[1:]:
        with clock.frozen(DAY):  # one day: only the changes can make a kept read stale
            advance_to(cast, project, kind)
        for key, client in readers.items():
            for url in reads:
                answer = get(client, url)  # kept at the step before, unless the step changed it
                fresh = get(client, url, **FRESH)
                assert answer.status_code == fresh.status_code, (kind, key, url)
                if fresh.status_code != 200:
                    continue
                assert _same(answer) == _same(fresh), (kind, key, url)
                assert answered(get(client, url)) == "hit", (kind, key, url)  # for the next step
                compared += 1
    assert len(kinds) > 8 and compared > 8 * len(reads)
    # it went the whole way: every step before the last one is done
    assert (
        not project.steps.exclude(status__in=DONE_STEP_STATUSES)
        .filter(kind__in=kinds[:-1])
        .exists()
    )


def test_govit_cache_clear_drops_every_kept_read(cast, kept_on, capsys):
    """After the database was changed other than through GovIT (no event told the kept reads)."""
    from govit.cli import main

    client = signed_in(cast.user("competent_department"))
    url = reverse("project-list")
    assert answered(twice(client, url)) == "hit"
    assert main(["cache", "clear"]) == 0
    assert "已清空缓存" in capsys.readouterr().out
    assert answered(get(client, url)) == "miss"


def test_every_kept_read_is_a_url_of_the_platform():
    from django.urls import URLPattern, URLResolver, get_resolver

    def names(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from names(p.url_patterns, inner)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{namespace}{p.name}"

    assert set(names(get_resolver().url_patterns)) >= kept.VIEWS
