"""Which steps seat experts drawn from the pool, as data: the 专家评审 itself, the acceptances the
text gives to experts (co-actors: 临湘第二十六条第（二）项, 连平第二十四条) and the acceptance meetings
whose experts the text draws from the pool without making them a deciding party (``experts``:
岳阳第十七条, 临湘第十五条)."""

from __future__ import annotations

from govit.policy.loader import get_rulebook


def panels(rulebook_id: str) -> list[tuple[str, str, bool, str]]:
    rb = get_rulebook(rulebook_id)
    return [
        (s.kind, s.name, s.experts.required, s.experts.cite)
        for s in rb.model.steps
        if s.experts is not None
    ]


def test_yueyang_acceptance_meetings_draw_their_experts_from_the_pool():
    assert panels("yueyang") == [
        ("final_acceptance", "建设单位组织竣工验收", False, "第十七条"),
        ("final_acceptance", "市行政审批服务局组织竣工验收", False, "第十七条"),
    ]


def test_linxiang_unit_acceptance_draws_from_the_pool_and_the_large_one_requires_experts():
    assert panels("linxiang") == [
        ("final_acceptance", "受主管部门委托，业主单位组织竣工验收", False, "第十五条"),
    ]
    rb = get_rulebook("linxiang")
    large = next(s for s in rb.model.steps if s.name == "主管部门和财政部门组织专家竣工验收")
    assert "experts" in [c.actor for c in large.co_actors]


def test_every_article_an_expert_panel_cites_says_experts_come_from_the_pool():
    for rulebook_id in ("yueyang", "linxiang"):
        rb = get_rulebook(rulebook_id)
        for step in rb.model.steps:
            if step.experts is not None:
                assert "专家库" in rb.cite_text(step.experts.cite)
