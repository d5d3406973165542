"""项目列表's 辖区 and 建设单位 choices come from who the user is, not from reading every visible
project: an authority is offered its jurisdiction's construction units, a unit itself, and
nobody is offered another jurisdiction's units; choosing one lists that unit's projects."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from govit.organizations.models import Organization
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixture
from tests.workflow.flows import declared

pytestmark = pytest.mark.django_db


def choices(html: str, field: str) -> dict[str, str]:
    select = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no {field} select"
    return {
        name: value
        for value, name in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[1])
        if value
    }


def test_the_filter_choices_are_the_users_jurisdiction_and_its_units(client, tree):  # noqa: F811
    cast = make_cast(tree, "yueyang")
    other = make_cast(tree, "lianping")
    mine = declared(cast, name="岳阳市智慧教育平台")
    theirs = declared(cast, name="岳阳市远程会诊系统", unit="other_unit")
    units = Organization.objects.filter(
        jurisdiction=cast.jurisdiction, kind="construction_unit"
    ).values_list("name", flat=True)

    client.force_login(cast.user("competent_department"))
    html = client.get(reverse("project-list")).content.decode()
    both = {cast.units["unit"].name, cast.units["other_unit"].name}
    assert set(choices(html, "unit")) == set(units) >= both
    assert set(choices(html, "jurisdiction")) == {cast.jurisdiction.name}
    assert not set(choices(html, "unit")) & {other.units["unit"].name}
    # choosing a unit lists its projects only
    unit_id = choices(html, "unit")[cast.units["other_unit"].name]
    listed = client.get(reverse("project-list"), {"unit": unit_id}).content.decode()
    assert theirs.name in listed and mine.name not in listed

    client.force_login(cast.user("unit"))
    html = client.get(reverse("project-list")).content.decode()
    assert set(choices(html, "unit")) == {cast.units["unit"].name}
    assert mine.name in html and theirs.name not in html

    client.force_login(cast.user("consultant"))  # a vendor party to no project
    html = client.get(reverse("project-list")).content.decode()
    assert choices(html, "unit") == {}
