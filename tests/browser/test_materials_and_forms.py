"""In a real browser: the declare page's checklist of required materials, one upload slot each,
marked once a file is in it; amounts typed in 万元 and shown in 万元; dates with the picker."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from govit.core import clock
from govit.projects import services as projects
from tests.browser.conftest import login
from tests.browser.world import World

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n% GovIT browser test document\n"


@pytest.fixture
def world(base_url: str) -> World:
    return World()


def test_a_material_uploaded_into_its_slot_is_ticked(world: World, page: Any) -> None:
    unit = world.user("unit")
    with clock.frozen(dt.date(2026, 10, 20)):
        draft = projects.project_create(
            actor=unit, name="岳阳市教育局档案系统", plan_year=2027, total_investment=800_000
        )
    login(page, unit)
    page.goto(reverse("project-declare", args=[draft.pk]))
    row = page.locator("tr[data-material='declaration.2']")
    assert row.get_attribute("data-satisfied") == "no"
    assert "投资估算" in row.inner_text() and "尚缺" in row.inner_text()
    row.get_by_label("上传“投资估算”").set_input_files(
        {"name": "估算表.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    with page.expect_navigation():
        row.get_by_role("button", name="上传", exact=True).click()
    assert page.url.endswith(reverse("project-declare", args=[draft.pk]))  # back on the page
    row = page.locator("tr[data-material='declaration.2']")
    assert row.get_attribute("data-satisfied") == "yes"
    assert "估算表.pdf" in row.inner_text() and "第 1 版" in row.inner_text()
    assert page.locator("tr[data-satisfied='no']").count() == 4  # the other four still owed

    # the 80万 draft edits as 80 (万元), and a change in 万元 is stored in 元
    page.goto(reverse("project-edit", args=[draft.pk]))
    amount = page.get_by_label("总投资（万元）")
    assert amount.input_value() == "80"
    amount.fill("80.5")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    draft.refresh_from_db()
    assert draft.total_investment == Decimal("805000.00")


def test_a_date_field_is_the_browsers_date_picker(world: World, page: Any) -> None:
    """The self-check's and the back half's date fields: <input type=date> with a hint."""
    from govit.web.forms import DateField

    html = DateField(label="签订日期").widget.render("signed_on", None)
    page.set_content(f"<label for=d>签订日期</label>{html.replace('name=', 'id=d name=')}")
    field = page.get_by_label("签订日期")
    assert field.get_attribute("type") == "date"
    field.fill("2026-12-01")  # what the picker gives
    assert field.input_value() == "2026-12-01"
