"""连平's 公共类 projects on the pages (issue 15, point 5): 县政务服务数据管理局 creates one with its 联合单位
(第四条第（一）项, 第十五条), the project page says whose part the office does and under which article,
and the clerk who submitted its materials is told, before acting, that a colleague must review them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from govit.core import clock
from govit.projects import services as projects
from govit.projects.models import PartyRole, Project, ProjectClass
from tests.workflow import flows

pytestmark = pytest.mark.django_db

JUNE = dt.date(2026, 6, 10)


def test_the_office_creates_a_public_project_with_its_joint_units(client, lianping):
    office = lianping.user("competent_department")
    client.force_login(office)
    listing = client.get(reverse("project-list")).content.decode()
    assert reverse("project-create") in listing  # the office may create: it is a unit here
    form = client.get(reverse("project-create")).content.decode()
    health = lianping.user("unit").organization
    assert "联合单位" in form and health.name in form
    with clock.frozen(JUNE):
        response = client.post(
            reverse("project-create"),
            {
                "name": "连平县统一身份认证公共支撑平台",
                "plan_year": 2027,
                "total_investment": "160",
                "funding_source": "local_fiscal",
                "construction_type": "new",
                "joint_units": [health.pk],
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(name="连平县统一身份认证公共支撑平台")
    assert project.project_class == ProjectClass.PUBLIC and project.unit == office.organization
    assert list(
        project.parties.filter(role=PartyRole.JOINT_UNIT).values_list("organization", flat=True)
    ) == [health.pk]
    detail = client.get(reverse("project-detail", args=[project.pk])).content.decode()
    assert "公共类" in detail and "代行建设单位职责" in detail and "第四条第（一）项" in detail
    assert health.name in detail


def test_a_units_form_does_not_offer_joint_units(client, lianping):
    client.force_login(lianping.user("unit"))
    form = client.get(reverse("project-create")).content.decode()
    assert 'name="joint_units"' not in form


def test_the_submitter_is_told_before_acting_and_a_colleague_acts(client, lianping):
    project = flows.declared(
        lianping, unit="competent_department", amount=1_600_000, on=JUNE, plan_year=2027
    )
    task = flows.open_task(project, "declaration")
    url = reverse("task-act", args=[project.pk, task.pk])
    client.force_login(lianping.user("competent_department"))
    page = client.get(url).content.decode()
    assert 'id="self-review"' in page and "职责分离" in page and "第四条第（一）项" in page
    assert "提交办理结果" not in page
    client.force_login(lianping.user("competent_department.leader"))
    page = client.get(url).content.decode()
    assert 'id="self-review"' not in page and "提交办理结果" in page


def test_the_forms_say_who_declares_and_who_signs(client, lianping):
    """The rules beside the form name 第四条第（一）项 before anyone declares; a joint unit may be
    chosen as a contract's 签订单位, the unit itself by default (第十五条)."""
    client.force_login(lianping.user("unit"))
    form = client.get(reverse("project-create")).content.decode()
    assert "公共类项目" in form and "第四条第（一）项" in form
    project = flows.declared(
        lianping, unit="competent_department", amount=1_600_000, on=JUNE, plan_year=2027
    )
    health = lianping.user("unit").organization
    projects.joint_units_set(
        actor=lianping.user("competent_department"), project=project, organizations=[health]
    )
    client.force_login(lianping.user("competent_department"))
    page = client.get(reverse("project-action", args=[project.pk, "contract"])).content.decode()
    signatory = page.split('name="signatory"')[1].split("</select>")[0]
    assert f'<option value="" selected>{project.unit.name}</option>' in signatory
    assert health.name in signatory
    assert "由县政务服务数据管理局代行" in page  # the procurement rule names who does it
