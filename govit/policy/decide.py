"""``decide(rulebook, facts, on)``: what this regulation requires of this project, now.

The answer is a JSON-ready dict (dates as ISO strings) whose keys are fixed by the contract in
docs/decide.md. Every finding names its article. Nothing here touches Django or a database.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from govit.policy.calendar import CalendarYearMissing, WorkCalendar, add_months, default_calendar
from govit.policy.classify import Classification, RulebookConflict, classify, unstated_reading
from govit.policy.conditions import Context, money
from govit.policy.facts import FACTS, Facts, parse_facts
from govit.policy.loader import LoadedRulebook, get_rulebook
from govit.policy.schema import Change, Rulebook, Step

__all__ = ["RulebookConflict", "cn_date", "decide", "today"]
from govit.policy.vocab import CHANGE_REASON_LABELS, PROCEDURE_LABELS, STATUS_LABELS, step_label

CHINA = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    return dt.datetime.now(CHINA).date()


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# the project states a gate can require that the project's facts state (the others — in the annual
# plan, declared on time, the unit's earlier projects — only the platform knows: the workflow)
FACT_REQUIREMENTS = ("data_sharing_supported",)


def decide(
    rulebook: LoadedRulebook | str,
    facts: Facts | dict[str, Any],
    on: dt.date | None = None,
    *,
    calendar: WorkCalendar | None = None,
    companions: list[LoadedRulebook] | None = None,
) -> dict[str, Any]:
    """``companions``: the jurisdiction's other regulations that apply beside this one (its
    ``companions``, 临湘数据资源办法 beside 临湘's); by default read from the rulebook files, the
    platform passes the versions it stores."""
    rb = rulebook if isinstance(rulebook, LoadedRulebook) else get_rulebook(rulebook)
    facts = facts if isinstance(facts, Facts) else parse_facts(facts)
    if companions is None:
        companions = [get_rulebook(rulebook_id) for rulebook_id in rb.model.companions]
    decision = _Decision(rb, facts, on or today(), calendar or default_calendar(), companions)
    return decision.answer()


class _Decision:
    def __init__(
        self,
        rb: LoadedRulebook,
        facts: Facts,
        on: dt.date,
        calendar: WorkCalendar,
        companions: list[LoadedRulebook] = (),  # type: ignore[assignment]
    ):
        self.rb = rb
        self.companions = list(companions)
        self.m: Rulebook = rb.model
        self.facts = facts
        self.on = on
        self.calendar = calendar
        given = {k: v for k, v in facts.__dict__.items() if v is not None}
        self.cls: Classification = classify(rb, given)
        self.ctx = Context(given)  # for the few amount rules outside the classification
        self.findings: list[dict[str, Any]] = []

    def find(self, code: str, severity: str, message: str, cite: str | None) -> None:
        self.findings.append({"code": code, "severity": severity, "message": message, "cite": cite})

    def find_gate(self, gate: Any, cite: str) -> None:
        """A gate tripped; one that holds back only some steps names them (``blocks``): the
        declaration goes on and those steps are refused when they come (临湘数据资源办法
        第十一条第三款 keeps the project out of the plan, not from being declared)."""
        self.find(gate.code, gate.severity, gate.message, cite)
        if gate.effect == "blocks_steps":
            self.findings[-1]["blocks"] = list(gate.blocks)

    # -- the answer -----------------------------------------------------------------------

    def answer(self) -> dict[str, Any]:
        cls = self.cls
        if cls.out_of_scope:
            return self.outside_scope()
        status = self.rulebook_status()
        eligible = True
        for gate in cls.gates:
            self.find(gate.code, gate.severity, gate.message, gate.cite)
            if gate.effect == "no_new_projects":
                eligible = False
        eligible = self.companion_gates() and eligible
        self.gates_on_facts()
        steps = self.steps()
        applied = {step.kind: step for step, _ in cls.steps}
        answer = {
            "rulebook": status,
            "track": cls.track,
            "expert_review_required": self.expert_review(applied),
            "steps": steps,
            "acceptance": self.acceptance(applied),
            "change": self.change(),
            "declaration": self.declaration(),
            "new_projects_eligible": eligible,
            "om_period_ok": self.om_period(),
            "self_evaluation_window": self.self_evaluation(applied),
            "interpretations": [
                {"text": i.text, "reading": i.reading, "cite": i.cite}
                for i in cls.interpretations + self.change_readings()
            ],
            "companions": [{"rulebook": c.id, "title": c.model.title} for c in self.companions],
            "findings": self.findings,
        }
        self.obligations()
        self.assumptions()
        return answer

    def companions_answer(self) -> list[dict[str, str]]:
        return [{"rulebook": c.id, "title": c.model.title} for c in self.companions]

    def regulations(self) -> list[tuple[LoadedRulebook, str]]:
        """The project's regulation and its companions, each with how its articles are cited: a
        companion's with its title (《临湘市政务数据资源管理办法》第十一条第三款)."""
        return [(self.rb, "")] + [(c, f"《{c.model.title}》") for c in self.companions]

    def companion_gates(self) -> bool:
        """The companions' gates on the project's facts (their ``when``), as the project's own
        are; False when one of them leaves the unit no new project."""
        eligible = True
        given = {k: v for k, v in self.facts.__dict__.items() if v is not None}
        for companion, title in self.regulations()[1:]:
            if not any(gate.when is not None for gate in companion.model.gates):
                continue
            for gate in classify(companion, given).gates:
                if gate.effect == "out_of_scope":
                    continue  # the companion does not govern it; the project's own rules still do
                self.find_gate(gate, title + gate.cite)
                if gate.effect == "no_new_projects":
                    eligible = False
        return eligible

    def gates_on_facts(self) -> None:
        """The gates — the project's regulation's and its companions' — that require a project
        state its facts give (FACT_REQUIREMENTS): a fact given as false trips them (临湘数据资源
        办法第十一条第三款: a system that does not support sharing enters no plan, gets no budget)."""
        for regulation, title in self.regulations():
            for gate in regulation.model.gates:
                if (
                    gate.requires in FACT_REQUIREMENTS
                    and getattr(self.facts, gate.requires) is False
                ):
                    self.find_gate(gate, title + gate.cite)

    def change_readings(self) -> tuple[Any, ...]:
        """The change's approver where the text names none (临湘第二十四条), when a change is asked."""
        spec = self.m.change
        if self.facts.proposed_change is None or spec is None or "approver" not in spec.unstated:
            return ()
        return (unstated_reading(self.rb, spec.unstated["approver"], spec.approver, spec.cite),)

    def outside_scope(self) -> dict[str, Any]:
        """The regulation does not govern this project: no step, limit or duty of it is listed,
        only the finding that says why (and the defaults the scope test assumed)."""
        for gate in self.cls.gates:
            self.find(gate.code, gate.severity, gate.message, gate.cite)
        self.assumptions()
        return {
            "rulebook": self.status_answer(),
            "track": None,
            "expert_review_required": None,
            "steps": [],
            "acceptance": None,
            "change": None,
            "declaration": None,
            "new_projects_eligible": None,
            "om_period_ok": None,
            "self_evaluation_window": None,
            "interpretations": [],
            "companions": self.companions_answer(),
            "findings": self.findings,
        }

    def rulebook_status(self) -> dict[str, Any]:
        m, rb = self.m, self.rb
        status = rb.status_on(self.on)
        until = rb.effective_until
        if status == "draft":
            assert m.draft is not None
            self.find(
                "RULEBOOK_DRAFT",
                "block",
                f"《{m.title}》为{STATUS_LABELS['draft']}：{m.draft.note}",
                m.draft.cite,
            )
        elif status == "expired":
            assert until is not None and m.validity is not None
            self.find(
                "RULEBOOK_EXPIRED",
                "block",
                f"《{m.title}》有效期{m.validity.years}年"
                + (
                    f"（办法未规定，辖区管理员依“{m.validity.source}”录入）"
                    if m.validity.source
                    else ""
                )
                + f"，已于{cn_date(until)}届满失效；"
                "按其办理须经辖区管理员确认。确认后环节、材料和核查按本办法办理，"
                "失效之后的日期期限（申报截止日、办理时限）仅作参照，不作为法定期限",
                m.validity.cite,
            )
        elif status == "not_yet_effective":
            assert m.effective_from is not None
            self.find(
                "RULEBOOK_NOT_YET_EFFECTIVE",
                "block",
                f"《{m.title}》自{cn_date(m.effective_from.date)}起施行，{cn_date(self.on)}尚未施行",
                m.effective_from.cite,
            )
        return self.status_answer()

    def status_answer(self) -> dict[str, Any]:
        m, until = self.m, self.rb.effective_until
        return {
            "id": m.id,
            "title": m.title,
            "status": self.rb.status_on(self.on),
            "effective_from": m.effective_from.date.isoformat() if m.effective_from else None,
            "effective_until": until.isoformat() if until else None,
        }

    def steps(self) -> list[dict[str, Any]]:
        started = self.facts.step_started_on or {}
        out: list[dict[str, Any]] = []
        for step, template in self.cls.steps:
            answer = template.copy()
            answer["co_actors"] = template["co_actors"].copy()
            answer["documents"] = template["documents"].copy()
            answer["checks"] = template["checks"].copy()
            begun = started.get(step.kind)
            if begun is not None and step.working_days is not None:
                due = self.due_date(step, begun)
                answer["due"] = due.isoformat() if due else None
            out.append(answer)
        kinds = {step.kind for step, _ in self.cls.steps}
        for kind in started:
            if kind not in kinds:
                self.find(
                    "STEP_NOT_APPLICABLE",
                    "info",
                    f"按本办法，本项目不经过“{step_label(kind)}”环节，所填受理日期未使用",
                    None,
                )
        return out

    def due_date(self, step: Step, started: dt.date) -> dt.date | None:
        assert step.working_days is not None
        try:
            due = self.calendar.add_working_days(started, step.working_days)
        except CalendarYearMissing as exc:
            self.find(
                "CALENDAR_YEAR_MISSING",
                "warn",
                f"“{step.name}”的办理期限无法计算：{exc}",
                step.cite,
            )
            return None
        if self.on > due:
            try:
                late = self.calendar.working_days_between(due, self.on)
                overdue = f"已逾期{late}个工作日"
            except CalendarYearMissing:
                overdue = "已逾期"
            message = (
                f"“{step.name}”应于{cn_date(due)}前办结（自{cn_date(started)}受理起"
                f"{step.working_days}个工作日），{overdue}"
            )
            if self.after_end(due):
                self.find("STEP_OVERDUE", "info", self.not_law(due, message), step.cite)
            else:
                self.find("STEP_OVERDUE", "warn", message, step.cite)
        return due

    def after_end(self, day: dt.date) -> bool:
        """A date the regulation sets that falls after its end: no longer law on that day."""
        until = self.rb.effective_until
        return until is not None and day > until

    def not_law(self, day: dt.date, message: str) -> str:
        until = self.rb.effective_until
        assert until is not None
        return (
            f"{message}（《{self.m.title}》已于{cn_date(until)}届满失效，{cn_date(day)}的期限"
            "在失效之后，不作为法定期限适用；辖区管理员确认继续按本办法办理的，仅作参照）"
        )

    def expert_review(self, applied: dict[str, Step]) -> bool | None:
        if not any(step.kind == "expert_review" for step in self.m.steps):
            return None
        return "expert_review" in applied

    def acceptance(self, applied: dict[str, Step]) -> dict[str, Any]:
        kinds = {step.kind for step in self.m.steps}
        final = applied.get("final_acceptance")
        spec = self.m.acceptance

        def required(kind: str) -> bool | None:
            return (kind in applied) if kind in kinds else None

        due = None
        if spec is not None and spec.application_due is not None and self.facts.completed_on:
            rule = spec.application_due
            due = add_months(self.facts.completed_on, rule.months)
            if self.on > due:
                self.find(
                    "ACCEPTANCE_APPLICATION_OVERDUE",
                    "warn",
                    f"项目于{cn_date(self.facts.completed_on)}建成，应在{rule.months}个月内"
                    f"（{cn_date(due)}前）申请竣工验收；不能按期申请的，应提出延期验收申请",
                    rule.extension_cite or rule.cite,
                )
        cite = final.cite if final else (spec.cite if spec else None)
        found = self.cls.step("final_acceptance")
        return {
            "organizer": final.actor if final else None,
            "co_organizers": list(found[1]["co_actors"]) if found else [],
            "preliminary_required": required("preliminary_acceptance"),
            "compliance_review_required": required("compliance_review"),
            "application_due": due.isoformat() if due else None,
            "cite": cite,
        }

    def change(self) -> dict[str, Any] | None:
        proposed = self.facts.proposed_change
        if proposed is None:
            return None
        spec = self.m.change
        if spec is None:
            return {"within_limits": None, "procedure": None, "reasons": [], "cite": None}
        reasons = [self.change_limit(limit, spec) for limit in spec.limits]
        verdicts = [r["ok"] for r in reasons]
        if not spec.limits:
            within, procedure, cite = None, spec.procedure, spec.cite
        elif False in verdicts:
            assert spec.outside is not None
            within, procedure, cite = False, spec.outside.procedure, spec.outside.cite
            failed = "；".join(r["message"] for r in reasons if r["ok"] is False)
            self.find(
                "CHANGE_OUTSIDE_LIMITS",
                "warn",
                f"拟变更超出本办法的变更限额（{failed}），应{PROCEDURE_LABELS[procedure]}",
                cite,
            )
        elif None in verdicts:
            within, procedure, cite = None, None, spec.cite
            self.find(
                "CHANGE_FACTS_MISSING",
                "warn",
                "无法判断拟变更是否在限额内："
                + "；".join(dict.fromkeys(r["message"] for r in reasons if r["ok"] is None)),
                spec.cite,
            )
        else:
            within, procedure, cite = True, spec.procedure, spec.cite
        return {"within_limits": within, "procedure": procedure, "reasons": reasons, "cite": cite}

    def change_limit(self, limit: Any, spec: Change) -> dict[str, Any]:
        proposed = self.facts.proposed_change
        assert proposed is not None

        def verdict(code: str, ok: bool | None, message: str, cite: str) -> dict[str, Any]:
            return {"code": code, "ok": ok, "message": message, "cite": cite}

        if limit.type in ("total_within", "share_of"):
            base = getattr(self.facts, limit.of)
            base_label = FACTS[limit.of].label
            if base is None:
                code = "CHANGE_TOTAL_WITHIN" if limit.type == "total_within" else "CHANGE_SHARE"
                return verdict(code, None, f"未提供{base_label}", limit.cite)
            if limit.type == "total_within":
                if proposed.new_total is None:
                    return verdict(
                        "CHANGE_TOTAL_WITHIN",
                        None,
                        "未提供变更后总金额",
                        limit.cite,
                    )
                ok = proposed.new_total <= base
                word = "未超出" if ok else "超出"
                return verdict(
                    "CHANGE_TOTAL_WITHIN",
                    ok,
                    f"变更后总金额{money(proposed.new_total)}{word}{base_label}{money(base)}",
                    limit.cite,
                )
            cap = base * limit.max_percent / Decimal(100)
            ok = proposed.amount <= cap
            share = (proposed.amount / base * 100) if base else Decimal("Infinity")
            share_text = f"{share:.2f}%" if base else "—"
            word = "未超过" if ok else "超过"
            return verdict(
                "CHANGE_SHARE",
                ok,
                f"变更部分金额{money(proposed.amount)}，占{base_label}的{share_text}，"
                f"{word}{limit.max_percent.normalize():f}%（上限{money(cap)}）",
                limit.cite,
            )
        if limit.type == "max_count":
            self.ctx.current_cite = limit.cite
            prior = self.ctx.value("prior_changes")
            ok = prior + 1 <= limit.count
            return verdict(
                "CHANGE_COUNT",
                ok,
                f"已变更{prior}次，本次为第{prior + 1}次；同一项目变更原则上不多于{limit.count}次",
                limit.cite,
            )
        if limit.type == "goal_unchanged":
            ok = not proposed.goal_changed
            return verdict(
                "CHANGE_GOAL", ok, "建设目标不变" if ok else "建设目标发生改变", limit.cite
            )
        if limit.type == "reason_in":
            allowed = limit.reasons
            if proposed.reason is None:
                return verdict(
                    "CHANGE_REASON",
                    None,
                    "未提供变更原因",
                    "、".join(allowed.values()),
                )
            ok = proposed.reason in allowed
            cite = allowed.get(proposed.reason, "、".join(allowed.values()))
            text = CHANGE_REASON_LABELS[proposed.reason]
            message = f"变更原因为{text}，{'属于' if ok else '不属于'}可由建设单位调整后备案的情形"
            return verdict("CHANGE_REASON", ok, message, cite)
        assert limit.type == "none_allowed"
        return verdict("CHANGE_NOT_ALLOWED", False, limit.message, limit.cite)

    def declaration(self) -> dict[str, Any] | None:
        spec = self.m.declaration
        if spec is None or not self.cls.declaration_applies:
            return None
        facts = self.facts
        if facts.plan_year is not None:
            plan_year = facts.plan_year
        else:
            plan_year = (facts.declared_on or self.on).year + 1
            basis = "申报日期" if facts.declared_on else "判断日期"
            self.find(
                "FACT_ASSUMED",
                "info",
                f"未提供“申报计划年度”，按{basis}的次年（{plan_year}年）判断",
                spec.cite,
            )
        deadline = spec.deadline.in_year(plan_year - 1)
        on_time = None
        late = False
        if facts.declared_on is not None:
            on_time = facts.declared_on <= deadline
            late = not on_time
            if on_time and spec.opens and facts.declared_on < spec.opens.in_year(plan_year - 1):
                self.find(
                    "DECLARATION_BEFORE_WINDOW",
                    "info",
                    f"申报期自{cn_date(spec.opens.in_year(plan_year - 1))}开始，申报日期早于申报期",
                    spec.cite,
                )
        elif self.on > deadline and facts.plan_year is not None:
            late = True  # declaring for that plan year, not yet declared, deadline passed
        elif self.on > deadline:
            self.find(
                "DECLARATION_WINDOW_CLOSED",
                "info",
                f"{plan_year}年度项目的申报已于{cn_date(deadline)}截止",
                spec.cite,
            )
        if late:
            when = (
                f"于{cn_date(facts.declared_on)}申报"
                if facts.declared_on
                else f"截至{cn_date(self.on)}尚未申报"
            )
            message = (
                f"{plan_year}年度项目应于{cn_date(deadline)}前申报，{when}：{spec.late.message}"
            )
            if self.after_end(deadline):
                self.find("DECLARATION_LATE", "info", self.not_law(deadline, message), spec.cite)
            else:
                self.find("DECLARATION_LATE", spec.late.severity, message, spec.late.cite)
            if spec.supplement is not None:
                self.find(
                    "SUPPLEMENT_PLAN_ROUTE", "info", spec.supplement.message, spec.supplement.cite
                )
        if self.after_end(deadline):
            on_time = None  # no deadline of law to be on time for
        return {"deadline": deadline.isoformat(), "on_time": on_time, "cite": spec.cite}

    def om_period(self) -> bool | None:
        contract = self.m.contract
        if contract is None or contract.om_period is None:
            return None
        rule = contract.om_period
        years = self.facts.om_period_years
        if years is None:
            return None
        ok = years >= rule.min_years
        if not ok:
            self.find(
                "OM_PERIOD_SHORT",
                rule.severity,
                f"合同约定运维期{years.normalize():f}年，少于本办法要求的{rule.min_years.normalize():f}年",
                rule.cite,
            )
        return ok

    def self_evaluation(self, applied: dict[str, Step]) -> dict[str, str] | None:
        step = applied.get("self_evaluation")
        if step is None or step.window is None:
            return None
        window = step.window
        start = getattr(self.facts, window.after)
        if start is None:
            return None
        begin = add_months(start, window.from_months)
        end = add_months(start, window.to_months)
        if begin <= self.on <= end:
            self.find(
                "SELF_EVALUATION_WINDOW_OPEN",
                "info",
                f"现处于自评价期（{cn_date(begin)}至{cn_date(end)}），应开展自评价并报送自评价报告",
                window.cite,
            )
        elif self.on > end:
            self.find(
                "SELF_EVALUATION_WINDOW_PASSED",
                "warn",
                f"自评价期已于{cn_date(end)}结束；尚未报送自评价报告的应尽快报送",
                window.cite,
            )
        return {"from": begin.isoformat(), "to": end.isoformat()}

    def obligations(self) -> None:
        for duty in self.cls.obligations:
            due = f"每年{duty.due}前" if duty.due else "每年"
            to = f"向{self.rb.actor_name(duty.recipient)}" if duty.recipient else ""
            phase = {"construction": "建设期内", "operation": "运行期内"}.get(duty.during, "")
            self.find(
                f"OBLIGATION_{duty.code}",
                "info",
                f"{phase}{due}{to}提交{duty.name}",
                duty.cite,
            )

    def assumptions(self) -> None:
        assumed = {name: list(cites) for name, cites in self.cls.assumed}
        for name, cites in self.ctx.assumed.items():
            assumed.setdefault(name, []).extend(c for c in cites if c not in assumed[name])
        for name, cites in assumed.items():
            spec = FACTS[name]
            self.find(
                "FACT_ASSUMED",
                "info",
                f"未提供“{spec.label}”，按“{spec.default_label}”判断",
                "、".join(cites[:3]) or None,
            )
