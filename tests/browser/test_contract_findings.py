"""Issue 13 in the browser: the unit entering a contract sees every finding with its article
before it is saved — a block at its field, each warning with a 已知悉 box to tick — and the
record keeps who acknowledged them."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from govit.contracts import services as contracts
from govit.contracts.models import Contract
from govit.core import clock
from tests.browser.conftest import assert_accessible, login
from tests.browser.world import World
from tests.delivery.test_rules import built

pytestmark = pytest.mark.browser


def label(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def test_the_unit_acknowledges_each_warning_before_the_contract_is_saved(
    base_url: str, page: Any
) -> None:
    world = World()
    cast = world.cast
    project = built(cast, "yueyang", stage="procurement")
    today = clock.today()
    contractor = cast.user("contractor").organization
    contracts.procurement_record(
        actor=cast.user("unit"),
        project=project,
        method="inquiry",
        winner=contractor,
        awarded_on=today - dt.timedelta(days=3),
    )
    login(page, cast.user("unit"))
    page.goto(reverse("project-action", args=[project.pk, "contract"]))
    form = page.locator("main form")
    form.get_by_label(label("合同类别")).select_option("main")
    form.get_by_label(label("供应商")).select_option(str(contractor.pk))
    form.get_by_label(label("合同编号")).fill("YY-HT-1")
    form.get_by_label(label("合同金额（万元）")).fill("100.000001")  # the 100万 investment + 1分
    form.get_by_label(label("签订日期")).fill(today.isoformat())
    form.get_by_label(label("免费运维期（年）")).fill("1")
    with page.expect_navigation():
        form.get_by_role("button", name="提交").click()
    # the block, at its field; the two warnings with their articles and a box each
    amount = page.locator(".field.has-error", has_text="合同金额（万元）")
    assert "超过批复概算" in amount.inner_text()
    findings = page.locator("main .findings").inner_text()
    assert "第二十一条" in findings and "第二十二条" in findings
    assert page.locator("input[name=acknowledged]").count() == 2
    assert_accessible(page)

    form = page.locator("main form")
    form.get_by_label(label("合同金额（万元）")).fill("80")
    with page.expect_navigation():
        form.get_by_role("button", name="提交").click()
    assert not Contract.objects.filter(project=project).exists()  # not yet acknowledged
    assert "须逐条确认已知悉" in page.locator("main form").inner_text()
    for box in page.locator("input[name=acknowledged]").all():
        box.check()
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="提交").click()
    assert "已完成：登记合同" in page.locator("main .messages").inner_text()
    contract = Contract.objects.get(project=project)
    assert contract.amount == Decimal("800000.00")
    assert contract.acknowledgement["codes"] == ["CONTRACT_IP_OWNERSHIP", "OM_PERIOD_SHORT"]
