"""Severity follows the wording (docs/rulebooks.md): 须/不得/应当 → block where the act can be
refused; 原则上/一般 → warning. Each row quotes the article it checks (issue 15, point 3)."""

from __future__ import annotations

import re

import pytest

from govit.policy.loader import get_rulebook


def severity_of(rulebook: str, code: str) -> tuple[str, str]:
    m = get_rulebook(rulebook).model
    found = [(g.severity, g.cite) for g in m.gates if g.code == code]
    found += [(c.severity, c.cite) for s in m.steps for c in s.checks if c.code == code]
    if m.data_sharing:
        found += [(d.severity, d.cite) for d in m.data_sharing.duties if d.code == code]
    assert len(set(found)) == 1, f"{rulebook}:{code} → {found}"
    return found[0]


@pytest.mark.parametrize(
    ("rulebook", "code", "cite", "severity", "words"),
    [
        (
            "yueyang",
            "ONE_NETWORK_PLATFORM",
            "第七条",
            "block",
            "各级各部门政务服务系统须依托其建设",
        ),
        ("xiangxi", "SHARED_PLATFORM", "第五条", "block", "专用应用系统应依托共享资源平台进行开发"),
        ("xiangxi", "NO_NEW_MACHINE_ROOM", "第五条", "warn", "一般不得新建机房"),
        ("xiangxi", "CENTRAL_HOSTING", "第五条", "block", "应当将硬件设施集中托管到州政府中心机房"),
        ("heilongjiang", "INTENSIVE_BUILD", "第六条", "block", "应当依托公共平台支撑体系"),
        (
            "heilongjiang",
            "CROSS_DEPARTMENT_DESIGN",
            "第十三条",
            "block",
            "由牵头部门会同参建部门共同开展",
        ),
        ("heilongjiang", "CYBER_RESPONSIBILITY", "第二十二条", "block", "项目建设单位应当严格落实"),
        ("heilongjiang", "PRIOR_YEAR_UNFINISHED", "第十二条第二款", "warn", "原则上不予安排新项目"),
        ("linxiang", "SELF_BUILD_REASON", "第十条", "block", "对自建项目应说明原因、提供依据"),
        (
            "linxiang-data",
            "CHIEF_DATA_OFFICER",
            "第六条第四款",
            "block",
            "应当明确一名“首席数据官”",
        ),
        ("linxiang-data", "DATA_WORK_PLAN", "第七条第二款", "block", "政务部门应当根据全市规划"),
        ("linxiang-data", "TECHNICAL_STANDARDS", "第九条", "block", "各政务部门应当遵守各技术规范"),
        ("linxiang-data", "NO_DUPLICATE_PLATFORM", "第十条第一款", "warn", "原则上不得再重复建设"),
        ("linxiang-data", "DATA_AGGREGATION", "第十四条", "block", "各政务部门应当先归集"),
        ("lianping", "NOT_IN_SYSTEM_CATALOG", "第九条第（一）项", "warn", "原则上不予立项"),
        ("lianping", "DATA_NOT_SHARED", "第九条第（二）项", "warn", "原则上不予立项"),
        ("lianping", "SECURITY_COMPLIANCE", "第九条第（三）项", "warn", "原则上不予立项"),
        ("lianping", "DIGITAL_GOV_REQUIREMENTS", "第九条第（四）项", "warn", "原则上不予立项"),
        ("lianping", "SECURE_PRODUCTS", "第九条第（五）项", "warn", "原则上不予立项"),
    ],
)
def test_severity_follows_the_wording_of_the_article(rulebook, code, cite, severity, words):
    article = cite.split("条")[0] + "条"  # the whole article: an item's 原则上 is in its lead
    text = get_rulebook(rulebook).regulation.cite_text(article)
    assert bare(words) in bare(text), f"{rulebook} {article} does not say “{words}”"
    assert severity_of(rulebook, code) == (severity, cite)


def bare(text: str) -> str:
    """Without spaces and punctuation: the texts mix half- and full-width commas."""
    return re.sub(r"[\s,，.。;；:：、()（）“”\"]", "", text)


def test_a_departure_from_the_convention_says_why():
    """连平第六条第二款 says "原则上不予办理项目立项审批手续" but also "不纳入下一年度项目建设计划"."""
    gate = next(g for g in get_rulebook("lianping").model.gates if g.code == "NOT_DECLARED_ON_TIME")
    assert gate.severity == "block" and "不纳入下一年度项目建设计划" in gate.severity_note
