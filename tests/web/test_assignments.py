"""Bodies a regulation does not name (issue 15, point 4): the jurisdiction's administrator assigns
one — 连平第二十二条 says a project without its 档案验收 may not pass acceptance, and names nobody to
organise it. The assignment routes the step's task, is recorded with its reason, and is shown as
the jurisdiction's choice, not the regulation's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from govit.access.services import assignment_set
from govit.core import clock
from govit.core.errors import InvalidInput, PermissionDenied
from govit.demo.driver import advance_to
from govit.events.models import Event
from govit.organizations.models import Assignment
from tests.delivery.conftest import staffed
from tests.delivery.test_rules import built
from tests.delivery.test_rules import change as change_request
from tests.workflow.flows import rulebook_confirm

pytestmark = pytest.mark.django_db
RULE = "steps.archive_acceptance.actor"


@pytest.fixture
def lianping(tree):
    cast = staffed(tree, "lianping")
    with clock.frozen(dt.date(2026, 6, 1)):
        rulebook_confirm(
            actor=cast.user("admin"), jurisdiction=cast.jurisdiction, reason="按二次征求意见稿试行"
        )
    return cast


def test_the_administrator_assigns_who_organises_the_archive_acceptance(lianping):
    cast, admin = lianping, lianping.user("admin")
    office = cast.orgs["competent_department"]
    for actor, kwargs, error in [
        (cast.user("unit"), {}, PermissionDenied),  # only the jurisdiction's administrator
        (admin, {"rule": "steps.construction.actor"}, InvalidInput),  # the text names that one
        (admin, {"reason": "  "}, InvalidInput),
        (admin, {"organization": cast.user("contractor").organization}, InvalidInput),  # a company
    ]:
        with pytest.raises(error):
            assignment_set(
                actor=actor,
                jurisdiction=cast.jurisdiction,
                **{"rule": RULE, "organization": office, "reason": "局务会决定", **kwargs},
            )
    assert not Assignment.objects.exists()
    first = assignment_set(
        actor=admin,
        jurisdiction=cast.jurisdiction,
        rule=RULE,
        organization=cast.units["unit"],
        reason="暂由建设单位自行组织",
    )
    again = assignment_set(
        actor=admin,
        jurisdiction=cast.jurisdiction,
        rule=RULE,
        organization=office,
        reason="局务会纪要〔2026〕3号",
    )
    assert Assignment.objects.count() == 2 and again.pk > first.pk  # the first stays on record
    event = Event.objects.filter(kind="assignment.set").latest("seq")
    assert event.cite == "第二十二条" and "局务会纪要〔2026〕3号" in event.summary


def test_the_step_the_regulation_leaves_open_goes_to_the_assigned_body(lianping, client):
    cast = lianping
    office = cast.orgs["competent_department"]
    assignment_set(
        actor=cast.user("admin"),
        jurisdiction=cast.jurisdiction,
        rule=RULE,
        organization=office,
        reason="局务会纪要〔2026〕3号",
    )
    project = built(cast, "lianping", amount=800_000, stage="construction")
    with clock.frozen(dt.date(2026, 11, 2)):
        project = advance_to(cast, project, "archive_acceptance")
    step = project.steps.get(kind="archive_acceptance")
    lead = step.tasks.get(lead=True, round=step.round)
    assert lead.organization == office
    client.force_login(cast.user("competent_department"))
    html = client.get(reverse("project-detail", args=[project.pk])).content.decode()
    assert f"{office.name}（办法未规定办理机关，由辖区指定）" in html


def test_the_administration_page_lists_what_the_rulebook_leaves_open(lianping, client):
    cast = lianping
    client.force_login(cast.user("admin"))
    url = reverse("admin-assignments")
    html = client.get(url).content.decode()
    assert "未规定由谁组织档案验收" in html and html.count("缺省，尚未指定") == 2
    office = cast.orgs["competent_department"]
    response = client.post(
        url, {"rule": RULE, "organization": office.pk, "reason": "局务会纪要〔2026〕3号"}
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    # the assigned rule's row says who and why; 第三十条's "相关监管部门" is still the default's
    assert "局务会纪要〔2026〕3号" in html and html.count("缺省，尚未指定") == 1
    assert "未规定由哪个机关通报、处理" in html
    assert (
        client.post(url, {"rule": RULE, "organization": office.pk, "reason": ""}).status_code == 200
    )
    assert Assignment.objects.count() == 1  # a refused form changes nothing


def test_a_change_the_regulation_names_no_approver_for_goes_to_the_assigned_body(tree):
    """临湘第二十四条: "依法依规办理变更手续，并做好备案登记" — it names no approver."""
    cast = staffed(tree, "linxiang")
    with clock.frozen(dt.date(2026, 10, 1)):
        rulebook_confirm(
            actor=cast.user("admin"), jurisdiction=cast.jurisdiction, reason="新办法出台前继续执行"
        )
    finance = cast.orgs["finance"]
    assignment_set(
        actor=cast.user("admin"),
        jurisdiction=cast.jurisdiction,
        rule="change.approver",
        organization=finance,
        reason="市政府常务会议决定",
    )
    project = built(cast, "linxiang", stage="construction")
    change = change_request(cast, project, original=10_000, new=10_000)
    lead = change.approvals.get(lead=True)
    assert lead.organization == finance
