"""Two clerks of the same department approve the same open task at the same moment, from two
threads, each through the REST API with their own token: exactly one succeeds, the other gets 409,
and the database holds one approval, one ``task.approved`` event and one ``step.passed`` event.

PostgreSQL only: the guarantee rests on ``SELECT … FOR UPDATE`` and the conditional update in
``workflow.claim``; SQLite serialises writers by locking the whole file, so it proves nothing."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connections

from govit.access.services import user_create
from govit.core import clock
from govit.demo.cast import DEMO_PASSWORD
from govit.events.models import Event
from govit.events.services import verify_stream
from govit.organizations.models import Role
from govit.organizations.services import system_user
from govit.projects.models import Opinion, ProjectStep, Task
from tests.api.conftest import Api, Reply, expect
from tests.api.helpers import act, block_checks, create_project, declare, open_task, step_of
from tests.workflow.conftest import make_cast

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(attempts: list[Any]) -> list[Reply | BaseException]:
    """Run the callables in threads released together by a barrier; each thread closes its own
    database connections when done (they would otherwise outlive the test)."""
    barrier = threading.Barrier(len(attempts))
    results: list[Reply | BaseException | None] = [None] * len(attempts)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = attempts[index]()
        except BaseException as exc:  # reported in the main thread
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request hung (deadlock?)"
    return results  # type: ignore[return-value]


def test_two_clerks_approve_the_same_task_at_once(tree):
    cast = make_cast(tree, "heilongjiang")
    competent = cast.orgs["competent_department"]
    first = cast.user("competent_department")
    second = user_create(
        actor=system_user(),
        organization=competent,
        username="heilongjiang.competent_department.clerk2",
        password=DEMO_PASSWORD,
        real_name="营商环境局第二经办人",
        roles=[Role.CLERK],
    )
    api = Api()
    with clock.frozen(dt.date(2026, 6, 15)):
        project = create_project(
            api, cast, name="省一体化政务服务平台", total_investment="30000000"
        )
        declare(api, cast, project, "heilongjiang")
    pid = project["id"]

    # 联合审核 is a 会签 of three: the two co-reviewers approve first, so that the competent
    # department's lead task is the last open one and approving it passes the step.
    with clock.frozen(dt.date(2026, 6, 16)):
        joint = step_of(api, first, pid, "joint_review")
        for kind in ("cyberspace", "crypto_administration"):
            task = open_task(joint, cast.orgs[kind].pk)
            expect(act(api, cast.user(kind), task, "approve", "同意"), 200)
        joint = step_of(api, first, pid, "joint_review")
        assert joint["status"] == "in_review"
        task = open_task(joint, competent.pk)
        assert task["lead"]
        checks = block_checks(joint)

        # one token per user, one client per thread
        clients = {user.pk: Api() for user in (first, second)}
        for user in (first, second):
            clients[user.pk].as_(user)
        before = Event.objects.filter(project_id=pid).count()
        replies = race(
            [
                lambda user=user: act(clients[user.pk], user, task, "approve", "同意", checks)
                for user in (first, second)
            ]
        )

    for reply in replies:
        if isinstance(reply, BaseException):
            raise reply
    statuses = sorted(reply.status for reply in replies)  # type: ignore[union-attr]
    assert statuses == [200, 409], [(r.status, r.body) for r in replies]  # type: ignore[union-attr]
    winner = next(r for r in replies if r.status == 200)  # type: ignore[union-attr]
    loser = next(r for r in replies if r.status == 409)  # type: ignore[union-attr]
    assert loser["code"] in ("TASK_CLOSED", "TASK_VERSION_CONFLICT"), loser.body
    assert winner["status"] == "approved"

    closed = Task.objects.get(pk=task["id"])
    assert closed.status == "approved" and closed.version == task["version"] + 1
    assert closed.closed_by_id in (first.pk, second.pk)
    assert Opinion.objects.filter(task_id=task["id"], action="approve").count() == 1
    events = list(Event.objects.filter(project_id=pid).order_by("id"))
    approved = [e for e in events if e.kind == "task.approved" and e.after["task"] == task["id"]]
    assert len(approved) == 1
    assert approved[0].actor_id == closed.closed_by_id
    passed = [e for e in events if e.kind == "step.passed" and e.after["step"] == "joint_review"]
    assert len(passed) == 1
    assert ProjectStep.objects.get(project_id=pid, kind="joint_review").status == "passed"
    # the loser left nothing behind: only the winner's approval and what it set off
    new_kinds = [e.kind for e in events[before:]]
    assert new_kinds.count("task.approved") == 1 and new_kinds.count("step.passed") == 1
    assert verify_stream(f"project:{pid}") == []


def test_the_last_two_countersigners_approve_at_once_and_the_step_passes_once(tree):
    # 黑龙江第十条 (sign=lead): 网信 and 密码 give their opinions at the same moment; each approval
    # reads the round's open tasks. Neither may be lost, and the organiser, deciding last, sees
    # both and passes the step exactly once.
    cast = make_cast(tree, "heilongjiang")
    api = Api()
    with clock.frozen(dt.date(2026, 6, 15)):
        project = create_project(
            api, cast, name="省一体化政务服务平台", total_investment="30000000"
        )
        declare(api, cast, project, "heilongjiang")
    pid = project["id"]
    lead_user = cast.user("competent_department")
    with clock.frozen(dt.date(2026, 6, 16)):
        joint = step_of(api, lead_user, pid, "joint_review")
        lead = open_task(joint, cast.orgs["competent_department"].pk)
        kinds = ("cyberspace", "crypto_administration")
        tasks = {kind: open_task(joint, cast.orgs[kind].pk) for kind in kinds}
        clients = {kind: Api() for kind in kinds}
        for kind in kinds:
            clients[kind].as_(cast.user(kind))
        replies = race(
            [
                lambda kind=kind: act(
                    clients[kind], cast.user(kind), tasks[kind], "approve", "同意"
                )
                for kind in kinds
            ]
        )
        for reply in replies:
            if isinstance(reply, BaseException):
                raise reply
        assert ProjectStep.objects.get(project_id=pid, kind="joint_review").status == "in_review"
        expect(act(api, lead_user, lead, "approve", "同意", block_checks(joint)), 200)

    for reply in replies:
        if isinstance(reply, BaseException):
            raise reply
    assert [r.status for r in replies] == [200, 200], [r.body for r in replies]  # type: ignore[union-attr]
    assert ProjectStep.objects.get(project_id=pid, kind="joint_review").status == "passed"
    events = list(Event.objects.filter(project_id=pid))
    assert [e.after["step"] for e in events if e.kind == "step.passed"].count("joint_review") == 1
    assert sum(1 for e in events if e.kind == "task.approved") == 3
    assert verify_stream(f"project:{pid}") == []
