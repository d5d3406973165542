"""What SQLite let pass and PostgreSQL refused (or ordered differently): each a 500 or a changed
answer on the production database. These run on both; `make test` runs the suite on both."""

from __future__ import annotations

import datetime as dt

import pytest

from govit.access.services import token_create, user_create
from govit.core import clock
from govit.demo.cast import DEMO_PASSWORD
from govit.events.models import Event
from govit.events.services import verify_stream
from govit.organizations.models import Role
from govit.organizations.services import system_user
from govit.projects.models import Project, Task
from tests.api.conftest import Api, expect
from tests.api.helpers import create_project, declare, experts, open_task, step_of
from tests.workflow.conftest import make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db) -> Api:
    return Api()


@pytest.fixture
def heilongjiang(tree):
    return make_cast(tree, "heilongjiang")


def declared(api: Api, cast, name: str = "省一体化政务服务平台") -> int:
    """A heilongjiang project in 联合审核, whose tasks are open."""
    with clock.frozen(dt.date(2026, 6, 15)):
        project = create_project(api, cast, name=name, total_investment="30000000")
        declare(api, cast, project, "heilongjiang")
    return project["id"]


def test_tasks_without_a_due_date_come_last_in_the_task_list(api, heilongjiang):
    # SQLite sorts NULL before any date, PostgreSQL after: the list must not depend on it
    cast = heilongjiang
    competent = cast.user("competent_department")
    first, second = declared(api, cast, "项目一"), declared(api, cast, "项目二")
    org = cast.orgs["competent_department"].pk
    undated = open_task(step_of(api, competent, first, "joint_review"), org)["id"]
    dated = open_task(step_of(api, competent, second, "joint_review"), org)["id"]
    Task.objects.filter(pk=undated).update(due_on=None)
    listed = [t["id"] for t in expect(api.as_(competent).get("/tasks"), 200)["items"]]
    assert listed.index(dated) < listed.index(undated)


def test_a_meeting_of_a_project_with_a_200_character_name(api, heilongjiang):
    # the default title (project name + step name + 会) overflowed varchar(200): a 500 on PostgreSQL
    cast = heilongjiang
    experts(cast, "政务服务", 3, prefix="long")  # a panel the pool cannot fill is refused
    pid = declared(api, cast, "政" * 200)
    meeting = expect(
        api.as_(cast.user("competent_department")).post(
            f"/projects/{pid}/meetings",
            {"specialty": "政务服务", "size": 3, "step_kind": "joint_review"},
        ),
        201,
    )
    assert meeting["title"] == "政" * 200


def test_an_actor_known_by_a_long_username_is_recorded(heilongjiang):
    # a username may have 150 characters, the event's actor_name column 100
    user = user_create(
        actor=system_user(),
        organization=heilongjiang.orgs["finance"],
        username="u" * 150,
        password=DEMO_PASSWORD,
        real_name="",
        roles=[Role.CLERK],
    )
    token_create(actor=user, name="长用户名")
    event = Event.objects.filter(actor=user).get()
    assert event.actor_name == "u" * 100
    assert verify_stream(event.stream) == []


@pytest.mark.parametrize(
    "request_",
    [
        ("post", "/projects", {"name": "含\x00空字符", "plan_year": 2027, "total_investment": "1"}),
        (
            "post",
            "/projects",
            {"name": "项目", "plan_year": 2027, "total_investment": "1", "summary": "\x00"},
        ),
        ("get", "/projects", {"q": "\x00"}),
        ("get", "/tasks", {"status": "open\x00"}),
    ],
    ids=["json-field", "json-optional-field", "query", "query-filter"],
)
def test_a_nul_character_is_refused_with_422_not_a_server_error(api, heilongjiang, request_):
    # PostgreSQL text cannot hold U+0000 (psycopg refuses the query); SQLite stored it
    method, path, payload = request_
    unit = api.as_(heilongjiang.user("unit"))
    reply = unit.post(path, payload) if method == "post" else unit.get(path, **payload)
    assert reply.status == 422 and reply["code"] == "INVALID_INPUT", reply.body
    assert "空字符" in reply["message"]
    assert not Project.objects.exists()


def test_a_nul_character_in_an_upload_is_refused(api, heilongjiang):
    cast = heilongjiang
    project = create_project(api, cast)
    unit = api.as_(cast.user("unit"))
    assert unit.upload(project["id"], "建设方案\x00").status == 422
    assert unit.upload(project["id"], "建设方案").status == 201
