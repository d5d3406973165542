"""The pages issue 13 added for what only the API could do, clicked in a real browser by the people
who use them, each reached from the header: the competent department registers an expert and
pauses them (专家库), records a vendor's blacklisting that a construction unit then reads
(处理和信用), a clerk delegates to a colleague (委托); each page passes axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from govit.projects.models import Delegation
from govit.reviews.models import Expert
from govit.supervision.models import CreditRecord
from tests.browser.conftest import assert_accessible, login
from tests.browser.world import World
from tests.workflow import flows

pytestmark = pytest.mark.browser


def label(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def sign_in(page: Any, user: Any) -> None:
    page.context.clear_cookies()
    login(page, user)


def section(page: Any, name: str) -> None:
    page.locator("nav.sections").get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()


def test_the_pool_the_blacklist_and_a_delegation_through_their_pages(page):
    world = World()
    cast = world.cast
    clerk = cast.user("competent_department")

    # 专家库: register, then pause with the reason
    sign_in(page, clerk)
    section(page, "专家库")
    assert_accessible(page)
    form = page.locator("form.card")
    form.get_by_label(label("姓名")).fill("周评审")
    form.get_by_label(label("专业领域")).fill("教育信息化、网络安全")
    form.get_by_label(label("工作单位名称")).fill("湖南大学")
    form.get_by_role("button", name="入库").click()
    assert "专家周评审已入库" in page.locator("main .messages").inner_text()
    page.get_by_role("link", name="周评审").click()
    page.get_by_label(label("暂停抽取的原因")).fill("出国访学")
    page.get_by_role("button", name="暂停抽取").click()
    expert = Expert.objects.get(name="周评审")
    assert expert.specialties == ["教育信息化", "网络安全"] and not expert.available
    assert expert.unavailable_reason == "出国访学"

    # 处理和信用: the competent department blacklists a vendor under 第三十八条
    section(page, "处理和信用")
    form = page.locator("form[action$='/supervision/credit/']")
    vendor = cast.user("consultant").organization
    form.get_by_label(label("服务机构")).select_option(label=vendor.name)
    form.get_by_label(label("类别")).select_option(label="列入黑名单")
    form.get_by_label(label("不良行为")).fill("串通投标")
    form.get_by_role("button", name="记录").click()
    assert CreditRecord.objects.get(vendor=vendor).cite == "第三十八条"
    assert_accessible(page)
    # a construction unit reads it (public within the jurisdiction) and may not write
    sign_in(page, cast.user("unit"))
    page.goto(reverse("supervision"))
    blacklist = page.locator("section", has=page.locator("#h-blacklist"))
    assert "串通投标" in blacklist.inner_text() and vendor.name in blacklist.inner_text()
    assert page.locator("form[action$='/supervision/credit/']").count() == 0

    # 委托: the clerk lets a colleague act for a week
    colleague = flows.colleague(cast, "competent_department", "yueyang.cd.clerk2")
    sign_in(page, clerk)
    section(page, "委托")
    assert_accessible(page)
    form = page.locator("form.card")
    form.get_by_label(label("被委托人（本单位同事）")).select_option(label=colleague.display_name)
    form.get_by_label(label("结束日期")).fill("2026-11-30")
    form.get_by_label(label("事由")).fill("外出培训")
    form.get_by_role("button", name="委托").click()
    delegation = Delegation.objects.get()
    assert (delegation.delegator, delegation.delegate) == (clerk, colleague)
    assert "生效中" in page.locator(f"#given-{delegation.pk}").inner_text()
