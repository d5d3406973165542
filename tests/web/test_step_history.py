"""A returned step puts its 退回修改 opinion — who returned it, when, why and by when to rectify —
on the page where the unit resubmits; the reviewer's task page shows the unit's 报送说明 and the
earlier rounds' returns (岳阳第二十八条: a failed acceptance is rectified by its deadline)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from govit.core import clock
from govit.demo.driver import advance_to
from govit.projects import services as projects
from tests.delivery.conftest import staffed
from tests.delivery.test_rules import built
from tests.workflow import flows
from tests.workflow.conftest import tree  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_return_opinion_is_on_the_resubmit_page_and_the_note_on_the_next_task(client, tree):  # noqa: F811
    cast = staffed(tree, "yueyang")
    project = built(cast, "yueyang")
    unit = cast.user("unit")
    with clock.frozen(D(2026, 11, 2)):
        project = advance_to(cast, project, "final_acceptance")
        step = project.steps.get(kind="final_acceptance")
        flows.upload_all(unit, project, step.documents)
        projects.step_submit(actor=unit, step=step, note="初验问题已全部整改")
        task = flows.open_task(project, "final_acceptance")
        reviewer = cast.user(task.organization.kind)
        projects.task_act(
            actor=reviewer,
            task_id=task.pk,
            action="return",
            opinion="等保测评报告未提交",
            rectify_by=D(2026, 11, 16),
        )

    client.force_login(unit)
    html = client.get(reverse("step-submit", args=[project.pk, "final_acceptance"])).content
    html = html.decode()
    assert "退回修改意见" in html and "等保测评报告未提交" in html
    assert reviewer.display_name in html and task.organization.name in html
    assert "整改期限：2026年11月16日" in html

    with clock.frozen(D(2026, 11, 10)):
        step.refresh_from_db()
        projects.step_submit(actor=unit, step=step, note="已补交等保测评报告")
    again = flows.open_task(project, "final_acceptance")
    client.force_login(cast.user(again.organization.kind))
    html = client.get(reverse("task-act", args=[project.pk, again.pk])).content.decode()
    # the unit's note of this round, and the earlier round's submission and return
    assert "已补交等保测评报告" in html and "第 2 轮" in html
    assert "初验问题已全部整改" in html and "等保测评报告未提交" in html
    assert "退回修改意见" not in html  # no longer the step's state: only its record
