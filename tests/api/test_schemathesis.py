"""Schemathesis against /api/v1/openapi.json: no generated request gets a 5xx.

The schema is loaded in-process from the WSGI application (no server, no network). A small world
is built once through the services (tests/api/world.py); every operation is then called with the
bearer token of several roles and without one, so generated requests reach the real handlers and
not only the 401 of the authentication. Path parameters and the ids in JSON bodies are, about half
the time, replaced by ids of the world, so handlers also run on objects that exist.

Every call runs in a savepoint that is rolled back: no generated request sees another's changes.
Examples are bounded and seeded, so a run is reproducible and takes a minute or two.

Asserted: no 5xx (schemathesis' ``not_a_server_error``), and every 4xx is the API's error shape
{code, message, cite} with a Chinese message.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.meta import TestPhase

from govit.access.services import token_create
from govit.core import clock
from govit.demo.cast import DEMO_PASSWORD, build_tree
from govit.documents.models import Document, DocumentVersion
from govit.organizations.models import Organization, User
from govit.policy.loader import rulebook_paths
from govit.projects import services as projects
from govit.projects.models import ProjectStep, Task
from govit.reviews.models import Expert
from govit.wsgi import application
from tests.api.world import World, build_world
from tests.conftest import ON

pytestmark = pytest.mark.django_db

# Who calls each generated request: the construction unit's clerk (owns projects), the competent
# department's clerk (reviews, compiles plans, organizes meetings), the audit bureau (reads
# everything, may do nothing), an expert (sees one meeting), and nobody (no token).
ROLES = ("own_unit", "competent", "audit", "expert", "anon")
# The coverage phase's deterministic cases (each parameter at and past its bounds, missing, of the
# wrong type, methods an address does not serve: about 40 an operation) are sent as one role only.
COVERAGE_ROLES = ("competent",)
MAX_EXAMPLES = 15  # random cases an operation (the fuzzing phase), each sent as every role
SEED = 20261123

# Parameters and body fields that name an object, and where the world's ids for them come from.
ID_FIELDS = {
    "project_id": "projects",
    "jurisdiction_id": "jurisdictions",
    "organization_id": "organizations",
    "unit_id": "organizations",
    "employer_id": "organizations",
    "task_id": "tasks",
    "plan_id": "plans",
    "meeting_id": "meetings",
    "expert_id": "experts",
    "version_id": "versions",
    "delegate_id": "users",
    "to_user_id": "users",
    "rulebook_id": "rulebooks",
    "kind": "step_kinds",
    "username": "usernames",
    "password": "passwords",
}
ID_LISTS = {"document_ids": "documents"}
POOLS: dict[str, list[Any]] = {}  # filled by the world fixture
# Numbers at and past the range of a database key (SQLite cannot bind those past 2**63 - 1).
EDGE_IDS = [0, -1, 2**63 - 1, 2**63, 10**30]


def _pools(world: World) -> dict[str, list[Any]]:
    home, foreign = world.home, world.foreign
    return {
        "projects": sorted(p.pk for p in world.projects.values()),
        "jurisdictions": [home.jurisdiction.pk, foreign.jurisdiction.pk],
        "organizations": sorted(
            Organization.objects.filter(
                jurisdiction__in=[home.jurisdiction, foreign.jurisdiction]
            ).values_list("pk", flat=True)
        ),
        "tasks": sorted(Task.objects.values_list("pk", flat=True)),
        "plans": sorted(p.pk for p in world.plans.values()),
        "meetings": [world.meeting.pk],
        "experts": sorted(Expert.objects.values_list("pk", flat=True)),
        "versions": sorted(DocumentVersion.objects.values_list("pk", flat=True)),
        "documents": sorted(Document.objects.values_list("pk", flat=True)),
        "users": sorted(User.objects.values_list("pk", flat=True)),
        "rulebooks": sorted(rulebook_paths()),
        "step_kinds": sorted(set(ProjectStep.objects.values_list("kind", flat=True))),
        "usernames": sorted(u.username for u in world.users().values() if u is not None),
        "passwords": [DEMO_PASSWORD],
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[dict[str, Any]]:
    """The world, built once for the module in a transaction rolled back at its end; each test
    (one per operation) runs in a savepoint of its own (pytest-django's ``db``), each call in
    another."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media)),
        clock.frozen(ON),
        transaction.atomic(),
    ):
        world = build_world(build_tree())
        # A draft as well, so that editing and declaring run on a project in the state they need.
        world.projects["draft"] = projects.project_create(
            actor=world.home.user("unit"),
            name="岳阳市教育局教育数据中台",
            plan_year=2027,
            total_investment=1_800_000,
        )
        users = world.users()
        tokens = {
            role: None if role == "anon" else token_create(actor=users[role], name="fuzz")[1]
            for role in ROLES
        }
        POOLS.update(_pools(world))
        try:
            yield {"world": world, "tokens": tokens}
        finally:
            POOLS.clear()
            transaction.set_rollback(True)


@pytest.fixture(scope="module")
def wsgi_calls() -> Iterator[None]:
    """Like Django's test client, calls must not close the database connection at the start and
    end of each request: the test's transaction lives on it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _is_id(name: str, value: Any) -> bool:
    ints = value if isinstance(value, list) else [value]
    return name.endswith(("_id", "_ids")) and all(type(v) is int for v in ints)


def _maybe_real(values: Any, optional: list[str] = ()) -> st.SearchStrategy[Any]:
    """As generated; or with the fields that name objects (also the ``optional`` ones the case
    left out) set to objects of the world; or with the numeric ids at the edges of (and past)
    what a database key can hold."""
    if not isinstance(values, dict) or not POOLS:
        return st.just(values)
    present = [*values, *(n for n in optional if n not in values and n.endswith("_id"))]
    names = [n for n in present if n in ID_FIELDS or n in ID_LISTS]
    edged = [n for n in present if _is_id(n, values.get(n, 0))]
    choices = [st.just(values)]
    if names:
        real = {
            name: (
                st.sampled_from(POOLS[ID_FIELDS[name]])
                if name in ID_FIELDS
                else st.lists(st.sampled_from(POOLS[ID_LISTS[name]]), max_size=3)
            )
            for name in names
        }
        choices.append(st.fixed_dictionaries(real).map(lambda r: {**values, **r}))
    if edged:
        edge = {
            name: st.sampled_from(EDGE_IDS).map(
                lambda v, name=name: [v] if isinstance(values.get(name), list) else v
            )
            for name in edged
        }
        choices.append(st.fixed_dictionaries(edge).map(lambda r: {**values, **r}))
    return st.one_of(*choices)


schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json",
    application,
    config=schemathesis.Config.from_dict({"seed": SEED}),
)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return _maybe_real(path_parameters)


@schema.hook
def flatmap_query(context, query):
    return _maybe_real(query, [p.name for p in context.operation.query])


@schema.hook
def flatmap_body(context, body):
    return _maybe_real(body)


def _is_chinese(text: Any) -> bool:
    return isinstance(text, str) and any("\u4e00" <= c <= "\u9fff" for c in text)


class _Errors(logging.Handler):
    """Keeps the tracebacks the application logs while it answers 500, to show them."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(logging.Formatter().format(record))


@pytest.fixture
def server_errors() -> Iterator[_Errors]:
    handler = _Errors()
    loggers = [logging.getLogger(name) for name in ("govit.api", "django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case, world, wsgi_calls, server_errors):
    coverage = case.meta is not None and case.meta.phase.name == TestPhase.COVERAGE
    for role in COVERAGE_ROLES if coverage else ROLES:
        token = world["tokens"][role]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        server_errors.records.clear()
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        try:
            case.validate_response(response, checks=[not_a_server_error], headers=headers)
        except Exception as failure:
            logged = "\n".join(server_errors.records) or "(nothing)"
            # (pytest shows neither notes nor causes of schemathesis' failures: one message)
            raise AssertionError(
                f"{failure}\nAs {role}; the application logged:\n{logged}"
            ) from None
        if 400 <= response.status_code < 500:
            _assert_error_shape(response, role)


def _assert_error_shape(response, role: str) -> None:
    where = f"{response.request.method} {response.request.url} as {role} → {response.status_code}"
    try:
        body = json.loads(response.content)
    except ValueError:
        pytest.fail(f"{where}: the error is not JSON: {response.content[:300]!r}")
    assert isinstance(body, dict) and {"code", "message", "cite"} <= set(body), (
        f"{where}: the error is not {{code, message, cite}}: {body}"
    )
    assert _is_chinese(body["message"]), f"{where}: the message is not Chinese: {body}"
