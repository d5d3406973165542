"""``govit demo load``: put the demo's jurisdictions, people and about sixty projects into an empty
database (once: a loaded database is left as it is), and list who can sign in, and how."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from django.db import transaction
from django.test import override_settings

from govit.core import clock
from govit.demo import catalog
from govit.demo.cast import DEMO_PASSWORD, JURISDICTIONS
from govit.demo.history import build, history_end
from govit.jurisdictions.models import Jurisdiction
from govit.organizations.models import Organization, OrgKind, Role, User
from govit.policy.decide import cn_date
from govit.policy.vocab import AUTHORITY_KINDS, step_label
from govit.projects.models import Project

DOCS = Path(__file__).resolve().parents[2] / "docs" / "demo.md"
EXIT_OK = 0


@dataclass(frozen=True)
class Account:
    place: str
    username: str
    organization: str
    role: str


def load(out: TextIO, *, docs: Path | None = None) -> int:
    """Load the demo unless it is there already; print the accounts; write them to ``docs``
    (the command writes docs/demo.md of the checkout)."""
    if loaded():
        out.write(f"演示数据已装入（{Project.objects.count()}个项目），本次未做任何更改。\n")
    elif Project.objects.exists():
        out.write(
            f"数据库中已有{Project.objects.count()}个项目，不是演示数据，未装入演示数据。\n"
            "演示数据只装入空数据库：如需演示数据，请换用新的数据库（如删除 var/govit.sqlite3）"
            "后再运行 make run。\n"
        )
        return EXIT_OK
    else:
        started = time.monotonic()
        today = clock.today()
        # DEBUG's query log would keep ~40,000 queries for nothing
        with override_settings(DEBUG=False), one_hash(DEMO_PASSWORD), transaction.atomic():
            world = build(today)
        seconds = time.monotonic() - started
        end = history_end(today)
        out.write(
            f"已装入演示数据：{len(catalog.PLACES)}个辖区，{len(world.projects)}个项目，"
            f"{User.objects.exclude(username='system').count()}个账号；用时{seconds:.0f}秒。\n"
        )
        if end < today:
            out.write(
                f"工作日历只录入到{end.year}年，演示数据的历史截至{cn_date(end)}"
                f"（添加 calendar/{end.year + 1}.yaml 后重新装入即可延续到今天）。\n"
            )
    accounts = demo_accounts()
    out.write(accounts_text(accounts))
    if docs is not None and docs.parent.is_dir():
        text = markdown(accounts)
        if not docs.exists() or docs.read_text(encoding="utf-8") != text:
            docs.write_text(text, encoding="utf-8")
            out.write(f"账号清单已写入 {docs}\n")
    return EXIT_OK


def loaded() -> bool:
    """The demo is in the database: its declared projects are (their names can no longer be
    edited; a draft's can)."""
    names = {s.name for s in catalog.STORIES if s.target != catalog.DRAFT}
    return Project.objects.filter(name__in=names).values("name").distinct().count() == len(names)


@contextmanager
def one_hash(password: str) -> Iterator[None]:
    """Every demo account has the same published password: hash it once (with the configured
    hasher and one salt) instead of some three hundred times, which would take minutes."""
    from django.contrib.auth import base_user, hashers

    encoded = hashers.make_password(password)
    real = base_user.make_password

    def make_password(raw, *args, **kwargs):
        if raw == password and not args and not kwargs:
            return encoded
        return real(raw, *args, **kwargs)

    base_user.make_password = make_password
    try:
        yield
    finally:
        base_user.make_password = real


def _role(user: User) -> str:
    if user.organization is None:
        expert = getattr(user, "expert", None)
        return f"评审专家（{'、'.join(expert.specialties)}）" if expert else "评审专家"
    if user.organization.is_vendor:
        return f"{OrgKind(user.organization.kind).label}联系人"
    roles = user.role_codes()
    labels = [
        Role(r).label for r in (Role.CLERK, Role.LEADER, Role.ADMIN, Role.AUDITOR) if r in roles
    ]
    return "、".join(labels)


def demo_accounts() -> list[Account]:
    """The demo's accounts, in the order of the catalog: per jurisdiction its authorities, the
    construction units, the vendors, then the experts."""
    accounts = []
    for place in catalog.PLACES:
        jurisdiction = Jurisdiction.objects.get(code=JURISDICTIONS[place][0])
        users = (
            User.objects.filter(username__startswith=f"{place}.")
            .select_related("organization", "expert")
            .prefetch_related("roles")
        )
        by_name = {u.username: u for u in users}
        order = [f"{place}.{k}.{r}" for k in AUTHORITY_KINDS for r in ("clerk", "leader")]
        order += [f"{place}.{k}.{r}" for k in catalog.UNITS[place] for r in ("clerk", "leader")]
        order += [f"{place}.{k}" for k in catalog.VENDORS[place]]
        order += sorted(name for name in by_name if name.startswith(f"{place}.expert"))
        for username in order:
            user = by_name.get(username)
            if user is None:
                continue
            user._role_codes = {r.role for r in user.roles.all()}
            if user.organization is not None:
                org = user.organization.name
            else:  # an expert of the jurisdiction's pool, at the place they work
                expert = getattr(user, "expert", None)
                org = (
                    f"{jurisdiction.name}专家库（{expert.employer_name}）"
                    if expert
                    else jurisdiction.name
                )
            accounts.append(Account(place, username, org, f"{_role(user)}·{user.display_name}"))
    return accounts


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(1, width - _width(text))


def accounts_text(accounts: list[Account]) -> str:
    lines = ["", "演示账号（用户名 / 单位 / 角色·姓名）："]
    for place in catalog.PLACES:
        rows = [a for a in accounts if a.place == place]
        if not rows:
            continue
        lines.append(f"【{JURISDICTIONS[place][1]}】")
        name_width = max(_width(a.username) for a in rows) + 2
        org_width = min(max(_width(a.organization) for a in rows), 40) + 2
        for a in rows:
            lines.append(
                "  " + _pad(a.username, name_width) + _pad(a.organization, org_width) + a.role
            )
    lines.append(f"所有演示账号的密码都是：{DEMO_PASSWORD}")
    lines.append("登录地址：http://127.0.0.1:8000/ （账号清单也在 docs/demo.md）")
    return "\n".join(lines) + "\n"


def _stage(story: catalog.Story) -> str:
    if story.target == catalog.DRAFT:
        return "草稿（未申报）"
    if story.target == catalog.DONE:
        return "已完成（后评价已办结）"
    label = step_label(story.target)
    return {
        "ready": f"{label}（待报送）",
        "open": f"{label}（待组织评审会）",
        "returned": f"{label}（退回修改）",
        "failed": f"{label}（验收不合格，限期整改）",
        "partial": f"{label}（部分会签）",
    }.get(story.landing, label)


NOTES = {
    "change_approved": "变更已同意",
    "change_refused": "变更申请不予同意（第八条：技术方案评审后原则上不得变更）",
    "change_filed": "限额内变更已备案",
    "change_pending": "变更待审批",
    "terminated": "建设单位终止项目（书面说明已报）",
    "suspended": "严重逾期，被责令暂停建设",
    "extension": "已获准延期申请竣工验收",
}


def _note(story: catalog.Story) -> str:
    notes = []
    if story.late:
        notes.append("逾期申报")
    if story.landing == "failed":
        notes.append("剩余款项暂停支付")
    if story.grade == "poor" and story.target == catalog.DONE:
        notes.append("后评价为“差”")
    notes += [NOTES[e] for e in story.extras if e in NOTES]
    if story.note:
        notes.append(story.note)
    return "；".join(notes)


def markdown(accounts: list[Account]) -> str:
    """docs/demo.md: the accounts and the projects of the demo."""
    out = [
        "# 演示数据",
        "",
        "<!-- 本文件由 `govit demo load` 生成，请勿手工修改。 -->",
        "",
        "`make run` 在迁移数据库之后运行 `govit demo load`：五部规则手册的辖区（岳阳市、临湘市、"
        "湘西土家族苗族自治州、黑龙江省、连平县），规则手册点名的每个机关（各有经办人和负责人）、"
        "建设单位、服务机构和专家库，以及约六十个处于各个环节的项目。项目的历史按今天倒推，"
        "在过去的日期里通过与页面相同的服务办理，所以到期日、超期待办和事件记录的时间都是真实的。"
        "再次运行不会改变已装入的数据。",
        "",
        f"**所有演示账号的密码：`{DEMO_PASSWORD}`**",
        "",
        "各辖区主管部门负责人同时是该辖区的管理员；审计机关的账号只能查看。专家账号只能看到抽中自己的评审会。",
        "",
    ]
    for place in catalog.PLACES:
        out += [
            f"## {JURISDICTIONS[place][1]}",
            "",
            "| 用户名 | 单位 | 角色·姓名 |",
            "|---|---|---|",
        ]
        out += [
            f"| `{a.username}` | {a.organization} | {a.role} |"
            for a in accounts
            if a.place == place
        ]
        out.append("")
    out += [
        "## 演示项目",
        "",
        "装入时各项目停在下表的环节；办理日期按装入当天倒推，到期日按法定工作日计算。",
        "",
        "| 辖区 | 项目 | 建设单位 | 总投资 | 所处环节 | 说明 |",
        "|---|---|---|---|---|---|",
    ]
    for story in catalog.STORIES:
        amount = f"{story.amount / 10000:g}万元"
        unit = catalog.UNITS[story.place].get(story.unit) or (  # an authority's own (连平公共类)
            Organization.objects.get(
                jurisdiction__code=JURISDICTIONS[story.place][0], kind=story.unit
            ).name
        )
        out.append(
            f"| {JURISDICTIONS[story.place][1]} | {story.name} | {unit} | {amount} | "
            f"{_stage(story)} | {_note(story)} |"
        )
    out.append("")
    return "\n".join(out)
