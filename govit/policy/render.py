"""Readable Chinese views of rulebooks: ``show`` (one rulebook), ``diff`` (two, rule by rule) and
``coverage`` (every article of the source beside the rules that encode it)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from govit.policy.conditions import describe, money
from govit.policy.decide import cn_date
from govit.policy.loader import LoadedRulebook
from govit.policy.schema import ActorRole, Change, CoActor, Dated, Document, Gate, OmPeriod, Step
from govit.policy.vocab import (
    ACTOR_LABELS,
    CHANGE_REASON_LABELS,
    LEVEL_LABELS,
    PROCEDURE_LABELS,
    REQUIREMENT_LABELS,
    SEVERITY_LABELS,
    SIGN_LABELS,
    STATUS_LABELS,
    TRACK_LABELS,
    actor_label,
    step_label,
)

_MEASURES = {
    "rectify": "限期整改",
    "suspend": "暂停项目建设",
    "terminate": "终止项目",
    "stop_funds": "暂停、终止拨付资金",
    "recover_funds": "收回已拨付资金",
    "withhold_payment": "不予支付剩余款项",
    "defer_investment": "暂缓安排信息化投资计划",
    "public_notice": "通报批评/公布",
    "accountability": "追究责任",
    "credit_record": "记入信用档案",
    "blacklist": "列入黑名单",
    "compensation": "承担赔偿责任",
    "refer_prosecution": "移送司法机关",
}


def gate_test(g: Gate, rb: LoadedRulebook) -> str:
    if g.when is not None:
        return describe(g.when, rb.thresholds)
    return "须" + REQUIREMENT_LABELS[g.requires or ""]


def _when(rb: LoadedRulebook, rule: object, applies: bool = False) -> str:
    """The condition under which a rule applies; none when it is known to apply (a project's own)."""
    raw = getattr(rule, "when", None)
    return "" if raw is None or applies else f"〔适用：{describe(raw, rb.thresholds)}〕"


def _step_line(rb: LoadedRulebook, step: Step, applied: object = None) -> str:
    """One step as text; with ``applied`` (the project's own step: its co-actors) only what applies
    to the project, without the conditions that select it."""
    co_actors = step.co_actors
    if applied is not None:
        present = {
            c if isinstance(c, str) else c["actor"] for c in _get(applied, "co_actors") or ()
        }
        co_actors = [c for c in co_actors if c.actor in present]
    unstated = "（办法未规定，由辖区指定）" if "actor" in step.unstated else ""
    by = _get(applied, "performed_by") if applied is not None else None
    if by:  # the project's own: another body does this actor's part (连平第四条第（一）项)
        unstated = f"（由{_get(by, 'name')}代行，{_get(by, 'cite')}）"
    parts = [
        f"{step.name}（{step_label(step.kind)}）",
        f"办理：{rb.actor_name(step.actor)}{unstated}",
    ]
    if co_actors:
        sign = SIGN_LABELS[step.sign]
        named = [rb.actor_name(c.actor) + _when(rb, c, applied is not None) for c in co_actors]
        if step.sign == "sequence":  # in this order, the actor last
            parts.append(f"{sign}：{' → '.join([*named, rb.actor_name(step.actor)])}")
        else:
            parts.append(f"{sign}：{'、'.join(named)}")
    if step.approver:
        parts.append(f"审定：{rb.actor_name(step.approver)}")
    if step.filing:
        parts.append("备案（确认收到）")
    if step.start_mode == "after_previous":
        parts.append("上一环节办结后转入")
    elif step.start_mode == "on_submission" and step.actor != "construction_unit":
        parts.append("建设单位报送后受理")
    if step.working_days:
        parts.append(f"时限：{step.working_days}个工作日")
    if step.deadline:
        parts.append(f"时限：每年{step.deadline}前")
    if step.every:
        parts.append("每年一次")
    if step.window:
        w = step.window
        parts.append(f"期间：投入运行后{w.from_months}至{w.to_months}个月内")
    return "；".join(parts) + _when(rb, step, applied is not None) + f"【{step.cite}】"


def _get(obj: object, name: str) -> object:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def step_rules(
    rb: LoadedRulebook, kinds: tuple[str, ...], applied: dict[str, object] | None = None
) -> list[tuple[str, str]]:
    """The rulebook's steps of these kinds as (text, cite): what a page shows before an action.
    ``applied`` (kind → the project's step, stored or as decide() gives it): only the rules that
    apply to the project — the step the project has, not its alternatives for other tracks or
    amounts — and without 〔适用：…〕."""
    rules = []
    for step in rb.model.steps:
        if step.kind not in kinds:
            continue
        own = None
        if applied is not None:
            own = applied.get(step.kind)
            if own is None or _get(own, "name") != step.name:
                continue
        rules.append((_step_line(rb, step, own).rsplit("【", 1)[0], step.cite))
    return rules


def change_rules(rb: LoadedRulebook, applied: object = None) -> list[tuple[str, str]]:
    """The rulebook's change rules as (text, cite); none where the regulation sets none."""
    return _change_rules(rb.model.change) if rb.model.change else []


def show(rb: LoadedRulebook, *, codes: bool = True) -> str:
    """The whole rulebook in Chinese. ``codes``: the file's own keys beside the names (for whoever
    writes rulebooks, `govit rulebooks show`); without them for a page's reader."""
    m = rb.model
    out: list[str] = [f"《{m.title}》（{m.id}，第{m.version}版）", ""]
    j = m.jurisdiction
    parent = f"，上级：{j.parent.name}【{j.parent.cite}】" if j.parent else ""
    out.append(
        f"辖区：{j.name}（{LEVEL_LABELS[j.level]}{'，' + j.scope if j.scope else ''}）{parent}"
    )
    out.append(
        f"发布机关：{m.issuing_office}"
        + (f"，文号：{m.document_number}" if m.document_number else "")
    )
    if m.issued_on:
        out.append(f"印发日期：{cn_date(m.issued_on)}")
    if m.draft:
        out.append(f"状态：{STATUS_LABELS['draft']}——{m.draft.note}【{m.draft.cite}】")
    if m.effective_from:
        out.append(f"施行日期：{cn_date(m.effective_from.date)}【{m.effective_from.cite}】")
    if m.validity:
        until = cn_date(rb.effective_until) if rb.effective_until else ""
        out.append(f"有效期：{m.validity.years}年，至{until}【{m.validity.cite}】")
    out.append(
        f"原文：regulations/{m.source.file}（共{len(rb.regulation.articles)}条），SM3 {rb.digest[:16]}…"
    )
    if m.companions:
        out.append(f"同时适用：{'、'.join(m.companions)}")

    out += ["", "一、职责分工"]
    for actor, role in m.actors.items():
        duties = f"：{role.duties}" if role.duties else ""
        key = actor if codes else actor_label(actor)
        out.append(f"  · {role.name}（{key}）{duties}【{role.cite}】")

    if m.thresholds:
        out += ["", "二、金额限额"]
        for key, t in m.thresholds.items():
            named = f"{t.name}（{key}）" if codes else t.name
            out.append(f"  · {named}：{money(t.amount)}【{t.cite}】")

    if m.tracks:
        out += ["", "三、管理方式"]
        out.append(f"  · 默认：{TRACK_LABELS[m.tracks.default.track]}【{m.tracks.default.cite}】")
        for rule in m.tracks.rules:
            out.append(
                f"  · {TRACK_LABELS[rule.track]}：{describe(rule.when, rb.thresholds)}【{rule.cite}】"
            )

    if m.declaration:
        d = m.declaration
        out += ["", "四、年度申报"]
        window = f"{d.opens}至{d.deadline}" if d.opens else f"{d.deadline}前"
        out.append(f"  · 申报期：计划年度前一年{window}{_when(rb, d)}【{d.cite}】")
        out.append(
            f"  · 逾期（{SEVERITY_LABELS[d.late.severity]}）：{d.late.message}【{d.late.cite}】"
        )
        if d.supplement:
            out.append(f"  · 增补计划：{d.supplement.message}【{d.supplement.cite}】")

    if m.gates:
        out += ["", "五、前置条件（关口）"]
        for g in m.gates:
            test = gate_test(g, rb)
            blocks = "、".join(step_label(k) for k in g.blocks)
            effect = {
                "no_new_projects": "不予安排新项目" if g.severity == "block" else "申报时提示审核",
                "out_of_scope": "不适用本办法",
            }.get(g.effect, f"阻止：{blocks}")
            out.append(
                f"  · [{SEVERITY_LABELS[g.severity]}] {g.message}（{test}；{effect}）【{g.cite}】"
            )
            if g.severity_note:
                out.append(f"    强度说明：{g.severity_note}")

    out += ["", "六、办理环节"]
    for i, step in enumerate(m.steps, 1):
        out.append(f"  {i:>2}. {_step_line(rb, step)}")
        for doc in step.documents:
            by = "" if doc.by == "construction_unit" else f"（由{rb.actor_name(doc.by)}出具）"
            out.append(f"      材料：{doc.name}{by}{_when(rb, doc)}【{doc.cite}】")
        for check in step.checks:
            out.append(
                f"      核查[{SEVERITY_LABELS[check.severity]}]：{check.text}{_when(rb, check)}【{check.cite}】"
            )
            if check.severity_note:
                out.append(f"        强度说明：{check.severity_note}")
        if step.experts:
            kind = "须形成同意的专家结论" if step.experts.required else "可从专家库抽取专家"
            out.append(f"      专家：{step.experts.text}（{kind}）【{step.experts.cite}】")

    if m.acceptance:
        a = m.acceptance
        out += ["", "七、验收"]
        out.append(f"  · 须通过竣工验收后方可投入使用【{a.cite}】")
        if a.application_due:
            ad = a.application_due
            ext = (
                f"；不能按期申请的提出延期申请【{ad.extension_cite}】" if ad.extension_cite else ""
            )
            out.append(f"  · 建成后{ad.months}个月内申请竣工验收【{ad.cite}】{ext}")
        if a.rectification:
            r = a.rectification
            tail = (
                "，拒不整改或整改后仍不合格的不予支付剩余款项"
                if r.withhold_remaining_payments
                else ""
            )
            out.append(f"  · 未通过验收的限期整改后重新验收{tail}【{r.cite}】")

    if m.change:
        out += ["", "八、变更"]
        out += [
            f"  · {text}【{cite}】" if cite else f"  · {text}"
            for text, cite in _change_rules(m.change)
        ]

    if m.contract:
        out += ["", "九、合同要求"]
        if m.contract.om_period:
            op = m.contract.om_period
            out.append(
                f"  · 运维期不少于{op.min_years.normalize():f}年（{SEVERITY_LABELS[op.severity]}）【{op.cite}】"
            )
        for clause in m.contract.clauses:
            out.append(f"  · {clause.text}（{SEVERITY_LABELS[clause.severity]}）【{clause.cite}】")

    if m.obligations:
        out += ["", "十、其他义务"]
        for o in m.obligations:
            when = "每年" + (f"{o.due}前" if o.due else "") if o.every else (o.trigger or "")
            to = f"→{rb.actor_name(o.recipient)}" if o.recipient else ""
            to += "（办法未规定，由辖区指定）" if "recipient" in o.unstated else ""
            out.append(
                f"  · {o.name}：{rb.actor_name(o.actor)}{to}；{when}{_when(rb, o)}【{o.cite}】"
            )

    if m.data_sharing:
        ds = m.data_sharing
        out += ["", "十一、数据共享与开放"]
        for term in ds.share_types + ds.open_types:
            out.append(f"  · {term.name}：{term.access or ''}【{term.cite}】")
        for label, terms in (
            ("提供方式", ds.provide_methods),
            ("使用方式", ds.use_types),
            ("开放方式", ds.open_methods),
        ):
            if terms:
                out.append(f"  · {label}：" + "、".join(f"{t.name}【{t.cite}】" for t in terms))
        for provision in (
            ds.refusal_reason,
            ds.dispute,
            ds.exception_request,
            ds.correction,
            ds.appeal,
        ):
            if provision:
                out.append(f"  · {provision.text}【{provision.cite}】")
        for exclusion in ds.open_exclusions:
            out.append(f"  · 不予开放：{exclusion.name}【{exclusion.cite}】")
        for duty in ds.duties:
            out.append(f"  · [{SEVERITY_LABELS[duty.severity]}] {duty.text}【{duty.cite}】")

    if m.penalties:
        out += ["", "十二、责任追究"]
        for p in m.penalties:
            measures = "、".join(_MEASURES[x] for x in p.measures)
            by = "、".join(rb.actor_name(a) for a in p.imposed_by)
            by += "；办法未规定，由辖区指定" if "imposed_by" in p.unstated else ""
            out.append(f"  · {'；'.join(p.triggers)} → {measures}（{by}）【{p.cite}】")

    if m.interpretations:
        out += ["", "十三、条文理解（原文留有选择之处，平台所取的理解）"]
        for i in m.interpretations:
            out.append(f"  · 原文：{i.text}{_when(rb, i)}【{i.cite}】")
            out.append(f"    理解：{i.reading}")
    return "\n".join(out)


def _change_rules(change: Change) -> list[tuple[str, str]]:
    """The change rules as (text, cite) pairs; the note, if any, has an empty cite."""
    rules = [(f"限额内：{PROCEDURE_LABELS[change.procedure]}", change.cite)]
    if "approver" in change.unstated:
        rules.append(
            (f"审批机关：办法未规定，由辖区指定（{change.unstated['approver']}）", change.cite)
        )
    for limit in change.limits:
        if limit.type == "total_within":
            base = "合同金额" if limit.of == "contract_amount" else "批复概算"
            rules.append((f"变更后总金额不超过{base}", limit.cite))
        elif limit.type == "share_of":
            base = "合同金额" if limit.of == "contract_amount" else "批复概算总投资"
            rules.append(
                (f"变更部分金额不超过{base}的{limit.max_percent.normalize():f}%", limit.cite)
            )
        elif limit.type == "max_count":
            rules.append((f"同一项目变更不多于{limit.count}次", limit.cite))
        elif limit.type == "goal_unchanged":
            rules.append(("建设目标不变", limit.cite))
        elif limit.type == "reason_in":
            for reason, cite in limit.reasons.items():
                rules.append((f"变更原因属于：{CHANGE_REASON_LABELS[reason]}", cite))
        else:
            rules.append((limit.message, limit.cite))
    if change.outside:
        rules.append(
            (f"超出限额：{PROCEDURE_LABELS[change.outside.procedure]}", change.outside.cite)
        )
    for doc in change.documents:
        rules.append((f"材料：{doc.name}", doc.cite))
    if change.note:
        rules.append((f"说明：{change.note}", ""))
    return rules


# --- diff ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Aspect:
    group: str
    key: str
    value: str
    cite: str


def aspects(rb: LoadedRulebook) -> Iterator[Aspect]:
    """The rulebook as comparable (group, key) → value rows, one per rule."""
    m = rb.model
    yield Aspect("基本信息", "层级", LEVEL_LABELS[m.jurisdiction.level], "")
    yield Aspect(
        "基本信息", "状态", "征求意见稿" if m.draft else "正式印发", m.draft.cite if m.draft else ""
    )
    if m.validity:
        yield Aspect("基本信息", "有效期", f"{m.validity.years}年", m.validity.cite)
    else:
        yield Aspect("基本信息", "有效期", "未规定", "")
    for t in m.thresholds.values():
        yield Aspect("金额限额", t.name, money(t.amount) + "（含）以上", t.cite)
    if m.tracks:
        yield Aspect(
            "管理方式", "默认", TRACK_LABELS[m.tracks.default.track], m.tracks.default.cite
        )
        for rule in m.tracks.rules:
            yield Aspect(
                "管理方式", TRACK_LABELS[rule.track], describe(rule.when, rb.thresholds), rule.cite
            )
    if m.declaration:
        d = m.declaration
        window = f"{d.opens}至{d.deadline}" if d.opens else f"{d.deadline}前"
        yield Aspect("年度申报", "申报截止", window, d.cite)
        yield Aspect(
            "年度申报",
            "逾期后果",
            f"{SEVERITY_LABELS[d.late.severity]}：{d.late.message}",
            d.late.cite,
        )
        yield Aspect(
            "年度申报",
            "增补计划",
            d.supplement.message if d.supplement else "未规定",
            d.supplement.cite if d.supplement else "",
        )
    for g in m.gates:
        test = gate_test(g, rb)
        yield Aspect("前置条件", g.code, f"{g.message}（{test}）", g.cite)
    counts: dict[str, int] = {}
    for step in m.steps:
        counts[step.kind] = counts.get(step.kind, 0) + 1
        suffix = f"#{counts[step.kind]}" if counts[step.kind] > 1 else ""
        value = f"{rb.actor_name(step.actor)}"
        if step.working_days:
            value += f"，{step.working_days}个工作日"
        if step.when is not None:
            value += f"，适用：{describe(step.when, rb.thresholds)}"
        yield Aspect("办理环节", step_label(step.kind) + suffix, value, step.cite)
    if m.acceptance and m.acceptance.application_due:
        ad = m.acceptance.application_due
        yield Aspect("验收", "申请期限", f"建成后{ad.months}个月内", ad.cite)
    if m.acceptance and m.acceptance.rectification:
        r = m.acceptance.rectification
        yield Aspect(
            "验收",
            "整改不合格",
            "不予支付剩余款项" if r.withhold_remaining_payments else "整改后再次报审",
            r.cite,
        )
    if m.change:
        for i, (text, cite) in enumerate(_change_rules(m.change)):
            yield Aspect("变更", f"第{i + 1}项", text, cite)
    if m.contract and m.contract.om_period:
        op = m.contract.om_period
        yield Aspect("合同", "运维期", f"不少于{op.min_years.normalize():f}年", op.cite)
    for clause in m.contract.clauses if m.contract else []:
        yield Aspect("合同", clause.code, clause.text, clause.cite)
    for o in m.obligations:
        yield Aspect("其他义务", o.code, o.name, o.cite)
    for p in m.penalties:
        yield Aspect("责任追究", p.code, "、".join(_MEASURES[x] for x in p.measures), p.cite)


def diff(
    a: LoadedRulebook, b: LoadedRulebook, *, include_same: bool = False
) -> list[tuple[str, str, str, str]]:
    """Rows (aspect, a's rule, b's rule, marker) where the two rulebooks differ."""
    left = {(x.group, x.key): x for x in aspects(a)}
    right = {(x.group, x.key): x for x in aspects(b)}
    keys = list(left) + [k for k in right if k not in left]
    rows = []
    for key in keys:
        x, y = left.get(key), right.get(key)
        same = x is not None and y is not None and x.value == y.value
        if same and not include_same:
            continue
        rows.append(
            (
                f"{key[0]}·{key[1]}",
                f"{x.value}【{x.cite}】" if x and x.cite else (x.value if x else "（未规定）"),
                f"{y.value}【{y.cite}】" if y and y.cite else (y.value if y else "（未规定）"),
                "=" if same else "≠",
            )
        )
    return rows


def diff_text(a: LoadedRulebook, b: LoadedRulebook, *, include_same: bool = False) -> str:
    rows = diff(a, b, include_same=include_same)
    out = [
        f"《{a.title}》（{a.id}） ⇄ 《{b.title}》（{b.id}）：{len(rows)}处{'比对' if include_same else '不同'}",
        "",
    ]
    for aspect, left, right, marker in rows:
        out += [
            f"{marker} {aspect}",
            f"    {a.model.short_name}：{left}",
            f"    {b.model.short_name}：{right}",
        ]
    return "\n".join(out)


# --- coverage --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    article: str
    chapter: str | None
    excerpt: str
    rules: tuple[str, ...]
    reason: str | None

    @property
    def covered(self) -> bool:
        return bool(self.rules) or self.reason is not None


def coverage(rb: LoadedRulebook) -> list[CoverageRow]:
    by_article: dict[str, list[str]] = {}
    for ref in rb.rules():
        for part in ref.cite.split("、"):
            label = part.split("条", 1)[0] + "条"
            shown = f"{ref.path}【{part}】"
            if shown not in by_article.setdefault(label, []):
                by_article[label].append(shown)
    rows = []
    for article in rb.regulation.articles:
        text = article.text.replace("\n", " ")
        rows.append(
            CoverageRow(
                article=article.label,
                chapter=article.chapter,
                excerpt=text[:40] + ("…" if len(text) > 40 else ""),
                rules=tuple(by_article.get(article.label, ())),
                reason=rb.model.not_encoded.get(article.label),
            )
        )
    return rows


def coverage_text(rb: LoadedRulebook) -> str:
    rows = coverage(rb)
    encoded = sum(1 for r in rows if r.rules)
    explained = sum(1 for r in rows if not r.rules and r.reason)
    missing = [r.article for r in rows if not r.covered]
    out = [
        f"《{rb.title}》（{rb.id}）：共{len(rows)}条，已编码{encoded}条，说明未编码{explained}条"
        + (f"，缺漏{len(missing)}条：{'、'.join(missing)}" if missing else ""),
        "",
    ]
    chapter = None
    for row in rows:
        if row.chapter != chapter and row.chapter:
            chapter = row.chapter
            out.append(chapter)
        out.append(f"  {row.article}　{row.excerpt}")
        for rule in row.rules:  # as a reader names it, then where it is in the file
            path, _, cite = rule.partition("【")
            out.append(f"      ✓ {rule_label(rb, path)}（{path}）【{cite}")
        if not row.rules and row.reason:
            out.append(f"      – 未编码：{row.reason}")
        elif not row.rules:
            out.append("      ✗ 缺漏：既无规则引用，也未说明原因")
    return "\n".join(out)


# --- a rule's place in the rulebook, as a reader says it ----------------------------------------

_PATH_PART = re.compile(r"([A-Za-z_]+)|\[(\d+)\]")
# the parts of a rulebook as a reader names them (the schema's field names are for the file)
PART_LABELS = {
    "jurisdiction": "辖区",
    "source": "依据的文件",
    "parent": "上位文件",
    "effective_from": "施行日期",
    "validity": "有效期",
    "draft": "征求意见稿",
    "actors": "职责",
    "thresholds": "金额限额",
    "tracks": "管理方式",
    "rules": "管理方式规则",
    "default": "默认管理方式",
    "declaration": "年度申报",
    "late": "逾期申报",
    "supplement": "增补计划",
    "gates": "前置条件",
    "steps": "办理环节",
    "co_actors": "会签单位",
    "documents": "须提交材料",
    "checks": "核查事项",
    "window": "办理期间",
    "acceptance": "验收",
    "application_due": "竣工验收申请期限",
    "rectification": "验收整改",
    "change": "变更",
    "limits": "变更限额",
    "contract": "合同",
    "om_period": "免费运维期",
    "clauses": "合同条款",
    "obligations": "其他义务",
    "penalties": "责任追究",
    "terms": "名词解释",
    "provisions": "其他规定",
    "data_sharing": "数据共享",
    "interpretations": "条文理解",
}


def rule_label(rb: LoadedRulebook, path: str) -> str:
    """A rule of the rulebook named as a reader says it — 环节“…”的会签单位：州国家保密局 — never
    its place in the file (steps[0].co_actors[0]), its class (CoActor) or its code."""
    location = path.split("（", 1)[0]
    node: object = rb.model
    trail: list[tuple[str, object]] = []
    key = ""
    for name, index in _PATH_PART.findall(location):
        try:
            if name:
                key = name
                node = node.get(name) if isinstance(node, dict) else getattr(node, name)
            else:
                node = node[int(index)]  # type: ignore[index]
        except (AttributeError, IndexError, KeyError, TypeError):
            # a reason of a reason_in limit: "change.limits[2].policy_requirement"
            return CHANGE_REASON_LABELS.get(name, PART_LABELS.get(key, "规则"))
        trail.append((key, node))
    return _node_label(rb, trail)


def _node_label(rb: LoadedRulebook, trail: list[tuple[str, object]]) -> str:
    if not trail:
        return "规则"
    key, node = trail[-1]
    step = next((n for _, n in reversed(trail) if isinstance(n, Step)), None)
    where = f"“{step.name}”的" if step is not None and node is not step else ""
    part = PART_LABELS.get(key, "")
    if isinstance(node, Step):
        return f"办理环节：{node.name}（{step_label(node.kind)}）"
    if isinstance(node, CoActor):
        return f"{where}{part}：{rb.actor_name(node.actor)}"
    if isinstance(node, Document):
        by = "" if node.by == "construction_unit" else f"（由{rb.actor_name(node.by)}出具）"
        return f"{where}{part}：{node.name}{by}"
    if isinstance(node, Gate):
        return f"{part}：{node.message}"
    if isinstance(node, ActorRole):
        role = f"（{actor_label(key)}）" if key in ACTOR_LABELS else ""
        return f"{PART_LABELS['actors']}：{node.name}{role}"
    if isinstance(node, Dated):
        return f"{part}：{node.date.year}年{node.date.month}月{node.date.day}日"
    if isinstance(node, OmPeriod):
        return f"{part}：不少于{node.min_years.normalize():f}年"
    for attr in ("name", "text", "message", "note"):
        value = getattr(node, attr, None)
        if isinstance(value, str) and value:
            return f"{where}{part}：{value}" if part else f"{where}{value}"
    return f"{where}{part}" if part else "规则"


# --- the bodies a text leaves open (``unstated``), which a jurisdiction's administrator assigns ----

UNSTATED_FIELDS = {
    "actor": "办理机关",
    "approver": "审批机关",
    "recipient": "接收机关",
    "imposed_by": "处理机关",
}


@dataclass(frozen=True)
class UnstatedRule:
    key: str  # "steps.archive_acceptance.actor", "change.approver", "penalties.<code>.imposed_by"
    label: str  # the rule as a reader names it, and the field
    note: str  # what the text leaves open
    cite: str
    default: str  # the actor the platform uses until the jurisdiction assigns one


def unstated_rules(rb: LoadedRulebook) -> list[UnstatedRule]:
    """Every rule of ``rb`` whose body the text does not name, in the rulebook's order."""
    m = rb.model
    found: list[UnstatedRule] = []

    def add(key: str, name: str, node: Any, default: str) -> None:
        for field, note in node.unstated.items():
            found.append(
                UnstatedRule(
                    f"{key}.{field}", f"{name}的{UNSTATED_FIELDS[field]}", note, node.cite, default
                )
            )

    for step in m.steps:
        add(f"steps.{step.kind}", f"“{step.name}”", step, step.actor)
    if m.change is not None:
        add("change", "变更", m.change, m.change.approver or "competent_department")
    for duty in m.obligations:
        add(f"obligations.{duty.code}", f"“{duty.name}”", duty, duty.recipient or duty.actor)
    for penalty in m.penalties:
        name = f"责任追究（{penalty.triggers[0][:24]}）"
        add(f"penalties.{penalty.code}", name, penalty, penalty.imposed_by[0])
    return found
