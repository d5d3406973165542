"""The rulebooks: list, articles beside their rules, rules, and decide() for posted facts."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router

from govit.api.schemas import ERRORS, ArticleOut, FactsIn, RulebookOut, RuleOut
from govit.core import clock
from govit.core.errors import InvalidInput, NotFound
from govit.policy import render
from govit.policy.decide import decide
from govit.policy.facts import parse_facts
from govit.policy.loader import LoadedRulebook, UnknownRulebook, all_rulebooks, get_rulebook
from govit.policy.vocab import LEVEL_LABELS

router = Router(tags=["规则手册"])


def _rulebook(rulebook_id: str) -> LoadedRulebook:
    try:
        return get_rulebook(rulebook_id)
    except UnknownRulebook:
        raise NotFound(f"没有编号为“{rulebook_id}”的规则手册") from None


def _out(rb: LoadedRulebook) -> dict[str, Any]:
    m = rb.model
    return {
        "id": rb.id,
        "title": rb.title,
        "jurisdiction": m.jurisdiction.name,
        "level": LEVEL_LABELS[m.jurisdiction.level],
        "status": rb.status_on(clock.today()),
        "effective_from": m.effective_from.date if m.effective_from else None,
        "effective_until": rb.effective_until,
        "version": m.version,
        "articles": len(rb.regulation.articles),
    }


@router.get("", response={200: list[RulebookOut], **ERRORS}, summary="规则手册列表")
def rulebooks(request: HttpRequest):
    return [_out(rb) for rb in sorted(all_rulebooks(), key=lambda rb: rb.id)]


@router.get("/{rulebook_id}", response={200: RulebookOut, **ERRORS}, summary="一部规则手册")
def rulebook(request: HttpRequest, rulebook_id: str):
    return _out(_rulebook(rulebook_id))


@router.get(
    "/{rulebook_id}/articles",
    response={200: list[ArticleOut], **ERRORS},
    summary="原文各条及编码它的规则",
)
def articles(request: HttpRequest, rulebook_id: str):
    rb = _rulebook(rulebook_id)
    texts = {a.label: a.text for a in rb.regulation.articles}
    return [
        {
            "label": row.article,
            "chapter": row.chapter,
            "text": texts[row.article],
            "rules": list(row.rules),
            "not_encoded": row.reason,
        }
        for row in render.coverage(rb)
    ]


@router.get(
    "/{rulebook_id}/rules", response={200: list[RuleOut], **ERRORS}, summary="全部规则及其依据条款"
)
def rules(request: HttpRequest, rulebook_id: str):
    return [
        {"path": r.path, "cite": r.cite, "summary": r.summary}
        for r in _rulebook(rulebook_id).rules()
    ]


@router.post(
    "/{rulebook_id}/decide",
    response={200: dict[str, Any], **ERRORS},
    summary="合规自检：按规则手册判断项目须经的环节、时限和依据",
    description="请求体为 docs/decide.md 所列的事实（JSON 对象）；可用查询参数 on=YYYY-MM-DD 指定判断日期。",
)
def decide_endpoint(
    request: HttpRequest, rulebook_id: str, facts: FactsIn, on: dt.date | None = None
):
    rb = _rulebook(rulebook_id)
    if on is not None and not 2000 <= on.year <= 2100:
        raise InvalidInput("判断日期应在2000年至2100年之间", code="INVALID_DATE")
    return decide(rb, parse_facts(facts.model_dump(exclude_unset=True)), on or clock.today())
