"""The lists people take away as spreadsheets: the project list, each ledger (台账) — procurement,
contracts, payments, changes, assets, obligations, penalties, vendors' credit records — and a
project's event log. Each is read scoped to what the reader may see (``visible_projects``); the
amounts are in 万元, exact to the 分."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from govit.access.policy import authorize, jurisdiction_id
from govit.contracts.models import ChangeRequest, Contract, Payment, Procurement
from govit.core.errors import PermissionDenied
from govit.delivery.models import Asset, Obligation
from govit.events import selectors as event_selectors
from govit.exchange.common import WAN_FORMAT, wan
from govit.exchange.tables import Column
from govit.organizations.models import User
from govit.policy.vocab import STEP_LABELS
from govit.projects.models import Project
from govit.projects.visibility import visible_projects
from govit.supervision.models import CreditRecord, Penalty
from govit.supervision.services import MEASURE_LABELS


def local(moment: Any) -> str:
    """An aware time as the reader's wall clock shows it: ``2026-11-02 10:03``."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def findings_text(findings: list[dict[str, Any]] | None) -> str:
    """A record's stored findings as one cell: each message with its article."""
    return "；".join(
        f"{f.get('message', '')}（{f['cite']}）" if f.get("cite") else str(f.get("message", ""))
        for f in findings or []
    )


def _trail(record: Any) -> str:
    """A voided or corrected record stays in its ledger, marked (govit.events.trail)."""
    return f"{record.void_label}：{record.void_reason}" if record.voided else ""


TRAIL_COLUMN = Column("作废/更正", 30)


def _project(project: Project) -> list[Any]:
    return [project.code or "", project.name]


PROJECT_COLUMNS = (Column("项目编码", 18), Column("项目名称", 36))
WAN = "万元"


def project_list_columns() -> list[Column]:
    return [
        *PROJECT_COLUMNS,
        Column("建设单位", 28),
        Column("辖区", 12),
        Column("计划年度", 9),
        Column(f"总投资（{WAN}）", 14, WAN_FORMAT),
        Column(f"批复概算（{WAN}）", 14, WAN_FORMAT),
        Column("当前环节", 16),
        Column("状态", 10),
        Column("申报日期", 12),
    ]


def project_list_rows(projects: QuerySet[Project]) -> Iterator[list[Any]]:
    for p in projects.iterator(chunk_size=1000):
        yield [
            *_project(p),
            p.unit.name,
            p.jurisdiction.name,
            p.plan_year,
            wan(p.total_investment),
            wan(p.approved_budget),
            STEP_LABELS[p.stage][0] if p.stage in STEP_LABELS else "",
            p.get_status_display(),
            p.declared_on,
        ]


@dataclass(frozen=True)
class Ledger:
    slug: str
    title: str
    columns: tuple[Column, ...]
    read: Callable[[User, QuerySet[Project]], QuerySet[Any]]
    row: Callable[[Any], list[Any]]

    def rows(
        self, user: User, projects: QuerySet[Project], project: Project | None = None
    ) -> Iterable[list[Any]]:
        records = self.read(user, projects)
        if project is not None:
            records = records.filter(project=project)  # not the jurisdiction's other records
        for record in records.iterator(chunk_size=1000):
            yield self.row(record)


def _in(model: Any, projects: QuerySet[Project], *related: str) -> QuerySet[Any]:
    return (
        model.objects.filter(project__in=projects.values("pk"))
        .select_related("project", *related)
        .order_by("project_id", "id")
    )


def _public_in(user: User) -> int | None:
    """The jurisdiction whose penalties and credit records the reader may read whole (they are
    public within it, as the 处理和信用 page shows them), if any."""
    jid = jurisdiction_id(user)
    if jid is None:
        return None
    try:
        authorize(user, "jurisdiction.read", jid)
    except PermissionDenied:
        return None
    return jid


def _penalties(user: User, projects: QuerySet[Project]) -> QuerySet[Penalty]:
    visible = Q(project__in=projects.values("pk"))
    if user.is_superuser:
        visible = Q()
    elif (jid := _public_in(user)) is not None:
        visible |= Q(jurisdiction_id=jid)
    return (
        Penalty.objects.filter(visible)
        .select_related("project", "imposed_org")
        .order_by("imposed_at", "id")
    )


def _credit(user: User, projects: QuerySet[Project]) -> QuerySet[CreditRecord]:
    """Vendors' credit records: those of the reader's jurisdiction's vendors (public within it)
    and those on projects the reader sees."""
    visible = Q(project__in=projects.values("pk"))
    if user.is_superuser:
        visible = Q()
    elif (jid := _public_in(user)) is not None:
        visible |= Q(vendor__jurisdiction_id=jid)
    return (
        CreditRecord.objects.filter(visible)
        .select_related("vendor", "project")
        .order_by("recorded_at", "id")
    )


def _project_or_blank(record: Any) -> list[Any]:
    return _project(record.project) if record.project_id else ["", ""]


LEDGERS: dict[str, Ledger] = {
    ledger.slug: ledger
    for ledger in (
        Ledger(
            "procurements",
            "采购台账",
            (
                *PROJECT_COLUMNS,
                Column("采购方式", 14),
                Column("中标/成交供应商", 30),
                Column("公告日期", 12),
                Column("成交/中标日期", 12),
                Column("说明", 30),
                TRAIL_COLUMN,
            ),
            lambda user, projects: _in(Procurement, projects, "winner"),
            lambda r: [
                *_project(r.project),
                r.get_method_display(),
                r.winner.name,
                r.announced_on,
                r.awarded_on,
                r.note,
                _trail(r),
            ],
        ),
        Ledger(
            "contracts",
            "合同台账",
            (
                *PROJECT_COLUMNS,
                Column("合同类别", 12),
                Column("合同编号", 18),
                Column("供应商", 30),
                Column("签订单位", 24),
                Column(f"合同金额（{WAN}）", 14, WAN_FORMAT),
                Column("签订日期", 12),
                Column("运维期（年）", 10),
                Column("审查意见", 40),
                TRAIL_COLUMN,
            ),
            lambda user, projects: _in(Contract, projects, "vendor", "signatory", "project__unit"),
            lambda r: [
                *_project(r.project),
                r.get_kind_display(),
                r.number,
                r.vendor.name,
                (r.signatory or r.project.unit).name,
                wan(r.amount),
                r.signed_on,
                r.om_period_years,
                findings_text(r.findings),
                _trail(r),
            ],
        ),
        Ledger(
            "payments",
            "支付台账",
            (
                *PROJECT_COLUMNS,
                Column("合同编号", 18),
                Column("期次", 6),
                Column(f"金额（{WAN}）", 14, WAN_FORMAT),
                Column("计划支付日期", 12),
                Column("状态", 10),
                Column("支付日期", 12),
                Column("暂停支付原因", 30),
                TRAIL_COLUMN,
            ),
            lambda user, projects: _in(Payment, projects, "contract"),
            lambda r: [
                *_project(r.project),
                r.contract.number,
                r.number,
                wan(r.amount),
                r.due_on,
                r.get_status_display(),
                r.paid_on,
                r.withheld_reason,
                _trail(r),
            ],
        ),
        Ledger(
            "changes",
            "变更台账",
            (
                *PROJECT_COLUMNS,
                Column("变更序号", 8),
                Column("变更内容", 40),
                Column("变更依据", 30),
                Column(f"变更部分金额（{WAN}）", 14, WAN_FORMAT),
                Column(f"变更后合同总金额（{WAN}）", 16, WAN_FORMAT),
                Column("状态", 10),
                Column("依据条款", 16),
            ),
            lambda user, projects: _in(ChangeRequest, projects),
            lambda r: [
                *_project(r.project),
                r.number,
                r.description,
                r.basis,
                wan(r.amount),
                wan(r.new_total),
                r.get_status_display(),
                r.cite,
            ],
        ),
        Ledger(
            "assets",
            "资产台账",
            (
                *PROJECT_COLUMNS,
                Column("资产名称", 30),
                Column(f"价值（{WAN}）", 14, WAN_FORMAT),
                Column("入账日期", 12),
                Column("使用单位", 28),
                Column("转移日期", 12),
            ),
            lambda user, projects: _in(Asset, projects, "using_unit"),
            lambda r: [
                *_project(r.project),
                r.name,
                wan(r.value),
                r.entered_on,
                r.using_unit.name if r.using_unit_id else "",
                r.transferred_on,
            ],
        ),
        Ledger(
            "obligations",
            "义务台账",
            (
                *PROJECT_COLUMNS,
                Column("名称", 30),
                Column("年度", 8),
                Column("开始日期", 12),
                Column("到期日", 12),
                Column("履行时间", 16),
                Column("依据条款", 16),
            ),
            lambda user, projects: _in(Obligation, projects),
            lambda r: [
                *_project(r.project),
                r.name,
                r.period,
                r.opens_on,
                r.due_on,
                local(r.fulfilled_at),
                r.cite,
            ],
        ),
        Ledger(
            "penalties",
            "处理措施台账",
            (
                *PROJECT_COLUMNS,
                Column("措施", 30),
                Column("事实与理由", 40),
                Column(f"收回金额（{WAN}）", 14, WAN_FORMAT),
                Column("作出单位", 24),
                Column("作出时间", 16),
                Column("解除时间", 16),
                Column("依据条款", 16),
            ),
            _penalties,
            lambda r: [
                *_project_or_blank(r),
                "、".join(MEASURE_LABELS.get(m, m) for m in r.measures or []),
                r.reason,
                wan(r.amount),
                r.imposed_org.name,
                local(r.imposed_at),
                local(r.lifted_at),
                r.cite,
            ],
        ),
        Ledger(
            "credit",
            "供应商信用记录",
            (
                *PROJECT_COLUMNS,
                Column("供应商", 30),
                Column("类别", 12),
                Column("不良行为", 40),
                Column("记录时间", 16),
                Column("有效期至", 12),
                Column("撤销时间", 16),
                Column("依据条款", 16),
            ),
            _credit,
            lambda r: [
                *_project_or_blank(r),
                r.vendor.name,
                r.get_kind_display(),
                r.reason,
                local(r.recorded_at),
                r.until,
                local(r.revoked_at),
                r.cite,
            ],
        ),
    )
}


def ledger_projects(user: User, project: Project | None = None) -> QuerySet[Project]:
    """The projects a ledger covers: the reader's visible ones, or one of them."""
    projects = visible_projects(user)
    return projects.filter(pk=project.pk) if project is not None else projects


EVENT_COLUMNS = (
    Column("序号", 7),
    Column("时间", 17),
    Column("类型", 16),
    Column("操作人", 40),
    Column("操作单位", 26),
    Column("内容", 60),
    Column("依据条款", 16),
    Column("SM3 摘要", 66),
)


def event_rows(events: QuerySet[Any]) -> Iterator[list[Any]]:
    for e in events.iterator(chunk_size=2000):
        yield [
            e.seq,
            local(e.at),
            event_selectors.kind_label(e.kind),
            event_selectors.actor_text(e) if e.actor_id is None else e.actor_name,
            e.actor_org_name,
            e.summary,
            e.cite,
            e.digest,
        ]
