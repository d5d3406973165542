"""Fixtures for workflow tests: jurisdictions staffed through the real services."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from govit.access.services import rulebook_confirm
from govit.core import clock
from govit.demo.cast import Cast, add_unit, add_vendor, build_tree, staff
from govit.documents.services import document_upload

PDF = b"%PDF-1.7\n% GovIT test document\n"


@pytest.fixture
def tree(db):
    return build_tree()


def make_cast(tree, key: str) -> Cast:
    cast = staff(tree[key], prefix=key)
    add_unit(cast, f"{tree[key].name}教育局", key="unit", prefix=key)
    add_unit(cast, f"{tree[key].name}卫生健康委员会", key="other_unit", prefix=key)
    add_vendor(cast, f"{key}信息技术咨询有限公司", "consultant", key="consultant", prefix=key)
    return cast


@pytest.fixture
def lianping(tree):
    """连平's people, its draft rulebook confirmed by the administrator on 2026-06-10 (第三十三条:
    二次征求意见稿, used only once confirmed)."""

    cast = make_cast(tree, "lianping")
    with clock.frozen(dt.date(2026, 6, 10)):
        rulebook_confirm(
            actor=cast.user("admin"), jurisdiction=cast.jurisdiction, reason="按二次征求意见稿试行"
        )
    return cast


@pytest.fixture
def casts(tree):
    return {
        key: make_cast(tree, key)
        for key in ("yueyang", "xiangxi", "heilongjiang", "linxiang", "lianping")
    }


def upload(user, project, name: str, *, content: bytes = PDF, filename: str = "材料.pdf"):
    return document_upload(
        actor=user, project=project, name=name, upload=io.BytesIO(content), filename=filename
    )


@pytest.fixture
def at():
    """Move the clock: ``with at(2026, 10, 20): …``."""

    def move(year: int, month: int, day: int):
        return clock.frozen(dt.date(year, month, day))

    return move
