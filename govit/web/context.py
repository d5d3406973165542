"""What every page's header needs: the sections this user may open."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from govit.access.policy import is_auditor, org_kind, works
from govit.kept.reads import PROJECT_VIEWS
from govit.notifications.selectors import unread_count
from govit.organizations.models import Role
from govit.policy.vocab import AUTHORITY_KINDS
from govit.web import duties

BADGE_MAX = 99  # the header shows "99+" above this many unread notifications

# (url name, label, who sees it: "all", "office" (all but an expert's own account), "authority",
# "competent", "pool" (the competent department and auditors), "worker" (clerks and leaders: 委托),
# "expert", "admin", "platform" (superusers))
SECTIONS = [
    ("home", _("工作台"), "all"),
    ("project-list", _("项目"), "office"),
    ("plan-board", _("年度计划"), "authority"),
    ("expert-draws", _("专家抽取"), "competent"),
    ("expert-pool", _("专家库"), "pool"),
    ("expert-my-meetings", _("我的评审会"), "expert"),
    ("selfcheck", _("合规自检"), "all"),
    ("dashboard", _("统计"), "authority"),
    ("supervision", _("处理和信用"), "authority"),
    ("delegations", _("委托"), "worker"),
    ("rulebook-list", _("规则手册"), "all"),
    ("admin-home", _("管理"), "admin"),
    ("platform-jurisdictions", _("辖区和规则手册"), "platform"),
    ("notifications", _("提醒"), "all"),
]


def expert_only(user: Any) -> bool:
    """An expert's own account (of no organization): it owes opinions on the meetings it sits on
    and sees no project as such (access.policy), so no project list nor an office's tasks."""
    return (
        getattr(user, "expert", None) is not None
        and user.organization_id is None
        and not user.is_superuser
    )


def audience(user: Any) -> set[str]:
    if not user.is_authenticated:
        return set()
    kinds = {"all"}
    kind = org_kind(user)
    if kind in AUTHORITY_KINDS or is_auditor(user) or user.is_superuser:
        kinds.add("authority")
    if kind == "competent_department" or user.is_superuser:
        kinds.add("competent")
    if kind == "competent_department" or is_auditor(user):
        kinds.add("pool")
    if user.organization_id is not None and works(user):
        kinds.add("worker")
    if getattr(user, "expert", None) is not None:
        kinds.add("expert")
    if not expert_only(user):
        kinds.add("office")
    if user.has_role(Role.ADMIN) or user.is_superuser:
        kinds.add("admin")
    if user.is_superuser:
        kinds.add("platform")
    return kinds


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None:
        return {"sections": []}
    allowed = audience(user)
    sections = []
    for name, label, who in SECTIONS:
        if who not in allowed:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # an area not served by this deployment
            continue
        current = request.path == url or (url != "/" and request.path.startswith(url))
        sections.append({"url": url, "label": label, "current": current})
    unread, owed = badges(request, user)
    if unread:
        badge = f"{BADGE_MAX}+" if unread > BADGE_MAX else str(unread)
        inbox = reverse("notifications")
        for section in sections:
            if section["url"] == inbox:
                section["label"] = counted(section["label"], badge)
    if owed:
        home = reverse("home")
        for section in sections:
            if section["url"] == home:
                section["label"] = counted(section["label"], owed)
    return {"sections": sections, "unread_notifications": unread, "duties_owed": owed}


def counted(label: str, n: int | str) -> str:
    """A section's label with its count: 工作台（3） in Chinese, "Workbench (3)" in English."""
    return gettext("%(label)s（%(n)s）") % {"label": label, "n": n}


def badges(request: HttpRequest, user: Any) -> tuple[int, int]:
    """The unread notifications (counted up to BADGE_MAX + 1 only: the badge says "99+" beyond)
    and the duties the user owes (govit/web/duties.py) — one query for both. The 工作台 passes
    the figure it has just worked out. A project's page is kept while only that project is
    unchanged (kept/reads.py), so a figure of duties on it could be stale: none is shown there,
    nor on a part of a page (htmx), which has no header."""
    if not user.is_authenticated:
        return 0, 0
    match = getattr(request, "resolver_match", None)
    partial = request.headers.get("HX-Request") == "true" or (
        match is not None and match.url_name in PROJECT_VIEWS
    )
    known = getattr(request, "duties_owed", None)
    if partial or known is not None:
        return unread_count(user, at_most=BADGE_MAX + 1), 0 if partial else known
    owed, unread = duties.header_figures(user, unread_at_most=BADGE_MAX + 1)
    return unread, owed
