"""The permission matrix: every endpoint × every role × own project / another unit's project /
another jurisdiction's. A role that may not see an object gets 404, one that sees it but may not
act gets 403, and neither changes anything; anonymous requests get 401."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from govit.access.services import token_create
from govit.api.api import api as ninja_api
from govit.events.models import Event
from govit.organizations.models import Organization, User
from govit.projects.services import delegation_create
from tests.api.world import World, build_back_half, build_world

pytestmark = pytest.mark.django_db

OK = "ok"  # allowed: whatever the state answers (2xx, or 409/422 with a reason), never 401/403/404/5xx

HOME_PROJECT_SEERS = {
    "own": {
        "own_unit",
        "competent",
        "admin",
        "audit",
        "finance",
        "development_reform",
        "government",
        "vendor",
    },
    "other": {
        "other_unit",
        "competent",
        "admin",
        "audit",
        "finance",
        "development_reform",
        "government",
    },
    "foreign": {"foreign"},
}
MEETING_SEERS = {
    "own_unit",
    "competent",
    "admin",
    "audit",
    "finance",
    "development_reform",
    "government",
    "expert",
}
HOME_USERS = {
    "own_unit",
    "other_unit",
    "competent",
    "admin",
    "finance",
    "development_reform",
    "government",
    "secrecy",
    "audit",
    "vendor",
    "expert",
}
BUILT_SEERS = {
    "own": {
        "own_unit",
        "competent",
        "admin",
        "audit",
        "finance",
        "development_reform",
        "government",
    },
    "other": {
        "other_unit",
        "competent",
        "admin",
        "audit",
        "finance",
        "development_reform",
        "government",
    },
    "foreign": {"foreign"},
}
UNIT_OF = {
    "own": "own_unit",
    "other": "other_unit",
    "foreign": "foreign_unit",
    "meeting": "own_unit",
}


def project_rule(allowed: Callable[[str, str], bool] | set[str] | None = None):
    """404 unless the role sees the target project; then OK if allowed, else 403 (reads: OK)."""

    def rule(role: str, target: str) -> Any:
        if role not in HOME_PROJECT_SEERS[target]:
            return 404
        if allowed is None:
            return OK
        ok = allowed(role, target) if callable(allowed) else role in allowed
        return OK if ok else 403

    return rule


def built_rule(allowed: Callable[[str, str], bool] | None = None):
    """Like project_rule, for the built projects (at construction and beyond) of the back half."""

    def rule(role: str, target: str) -> Any:
        if role not in BUILT_SEERS[target]:
            return 404
        return OK if allowed is None or allowed(role, target) else 403

    return rule


def vendor_rule(allowed_home: set[str] | None):
    def rule(role: str, target: str) -> Any:
        if target == "foreign":
            return OK if role == "foreign" else 404
        if role not in HOME_USERS or role == "expert":
            return 404
        return OK if allowed_home is None or role in allowed_home else 403

    return rule


def is_unit(role: str, target: str) -> bool:
    return UNIT_OF[target] == role


def competent_of(role: str, target: str) -> bool:
    return role in ({"foreign"} if target == "foreign" else {"competent", "admin"})


def plan_rule(allowed: set[str] | None, foreign_allowed: bool = False):
    def rule(role: str, target: str) -> Any:
        seers = {"foreign"} if target == "foreign" else HOME_USERS - {"expert"}
        if role not in seers:
            return 404
        if allowed is None:
            return OK
        if target == "foreign":
            return OK if foreign_allowed else 403
        return OK if role in allowed else 403

    return rule


def meeting_rule(allowed: set[str] | None):
    def rule(role: str, target: str) -> Any:
        if role not in MEETING_SEERS:
            return 404
        return OK if allowed is None or role in allowed else 403

    return rule


def everyone(role: str, target: str) -> Any:
    return OK


@dataclass
class Endpoint:
    method: str
    path: str
    targets: tuple[str, ...]
    expect: Callable[[str, str], Any]
    body: Callable[[World, str, str], Any] | None = None
    multipart: bool = False


def _colleague(world: World, role: str) -> dict[str, Any]:
    user = world.users()[role]
    if user is None:
        return {}
    others = (
        User.objects.filter(organization_id=user.organization_id).exclude(pk=user.pk)
        if user.organization_id
        else []
    )
    other = others.first() if others else None
    return {
        "delegate_id": other.pk if other else 999999,
        "starts_on": "2026-11-23",
        "ends_on": "2026-12-31",
        "reason": "出差",
    }


def _vendor_of(world: World, target: str) -> dict[str, Any]:
    cast = world.foreign if target == "foreign" else world.home
    org = Organization.objects.get(jurisdiction=cast.jurisdiction, kind="consultant")
    return {"organization_id": org.pk, "role": "consultant"}


def _reassign_to(world: World, target: str) -> dict[str, Any]:
    cast = world.foreign if target == "foreign" else world.home
    return {"to_user_id": cast.user("competent_department.leader").pk}


G = ("global",)
P = ("own", "other", "foreign")
T = ("own", "other", "foreign")
PL = ("home", "foreign")
J = ("home", "foreign")

ENDPOINTS = [
    Endpoint("get", "/me", G, everyone),
    Endpoint("get", "/jurisdictions", G, everyone),
    Endpoint("get", "/organizations", G, everyone),
    Endpoint("get", "/rulebooks", G, everyone),
    Endpoint("get", "/rulebooks/{rulebook}", G, everyone),
    Endpoint("get", "/rulebooks/{rulebook}/articles", G, everyone),
    Endpoint("get", "/rulebooks/{rulebook}/rules", G, everyone),
    Endpoint(
        "post", "/rulebooks/{rulebook}/decide", G, everyone, lambda w, r, t: {"total_investment": 1}
    ),
    Endpoint("get", "/projects", G, everyone),
    Endpoint("get", "/tasks", G, everyone),
    Endpoint("get", "/meetings", G, everyone),
    Endpoint("get", "/plans", G, lambda r, t: 404 if r == "expert" else OK),
    Endpoint(
        "get",
        "/experts",
        G,
        lambda r, t: OK if r in {"competent", "admin", "audit", "foreign"} else 404,
    ),
    Endpoint(
        "post",
        "/projects",
        G,
        lambda r, t: OK if r in {"own_unit", "other_unit"} else 403,
        lambda w, r, t: {"name": "新项目", "plan_year": 2027, "total_investment": "100000"},
    ),
    Endpoint(
        "post",
        "/plans",
        G,
        lambda r, t: OK if r in {"competent", "admin", "foreign"} else 403,
        lambda w, r, t: {"year": 2028, "kind": "annual"},
    ),
    Endpoint(
        "post",
        "/experts",
        G,
        lambda r, t: OK if r in {"competent", "admin", "foreign"} else 403,
        lambda w, r, t: {
            "name": "新专家",
            "specialties": ["网络安全"],
            "employer_name": "某研究院",
        },
    ),
    Endpoint(
        "post",
        "/delegations",
        G,
        lambda r, t: 404 if r in {"vendor", "expert"} else (403 if r == "audit" else OK),
        lambda w, r, t: _colleague(w, r),
    ),
    Endpoint(
        "post",
        "/delegations/{delegation}/revoke",
        ("home",),
        # the competent department's clerk gave it: they and their office's leader may revoke it;
        # to anyone outside that office it does not exist
        lambda r, t: OK if r in {"competent", "admin"} else 404,
        lambda w, r, t: {"reason": "提前返岗"},
    ),
    # projects
    Endpoint("get", "/projects/{project}", P, project_rule()),
    Endpoint(
        "patch", "/projects/{project}", P, project_rule(is_unit), lambda w, r, t: {"name": "改名"}
    ),
    Endpoint("post", "/projects/{project}/declare", P, project_rule(is_unit)),
    Endpoint("get", "/projects/{project}/steps", P, project_rule()),
    Endpoint(
        "post",
        "/projects/{project}/steps/{kind}/submit",
        P,
        project_rule(is_unit),
        lambda w, r, t: {"note": "报送"},
    ),
    Endpoint(
        "post",
        "/projects/{project}/steps/{kind}/supplement",
        P,
        project_rule(is_unit),
        lambda w, r, t: {"note": "陈述和补正"},
    ),
    Endpoint("get", "/projects/{project}/decision", P, project_rule()),
    Endpoint("get", "/projects/{project}/events", P, project_rule()),
    Endpoint("get", "/projects/{project}/opinions", P, project_rule()),
    Endpoint("get", "/projects/{project}/documents", P, project_rule()),
    Endpoint("post", "/projects/{project}/documents", P, project_rule(is_unit), multipart=True),
    Endpoint("get", "/projects/{project}/documents/versions/{version}/download", P, project_rule()),
    Endpoint("get", "/projects/{project}/parties", P, project_rule()),
    Endpoint(
        "post",
        "/projects/{project}/parties",
        P,
        project_rule(lambda r, t: is_unit(r, t) or competent_of(r, t)),
        lambda w, r, t: _vendor_of(w, t),
    ),
    Endpoint(
        "post",
        "/projects/{project}/meetings",
        P,
        project_rule(competent_of),
        lambda w, r, t: {"specialty": "教育信息化", "size": 3},
    ),
    # tasks
    Endpoint("get", "/tasks/{task}", T, project_rule()),
    Endpoint(
        "post",
        "/tasks/{task}/actions",
        T,
        project_rule(competent_of),
        lambda w, r, t: {"action": "approve", "opinion": "同意"},
    ),
    Endpoint(
        "post",
        "/tasks/{task}/reassign",
        T,
        project_rule(competent_of),
        lambda w, r, t: _reassign_to(w, t),
    ),
    Endpoint(
        "post",
        "/tasks/{task}/urge",
        T,
        project_rule(lambda r, t: is_unit(r, t) or competent_of(r, t)),
        lambda w, r, t: {"text": "请尽快办理"},
    ),
    # plans
    Endpoint("get", "/plans/{plan}", PL, plan_rule(None)),
    Endpoint(
        "post",
        "/plans/{plan}/entries",
        PL,
        plan_rule({"competent", "admin"}, foreign_allowed=True),
        lambda w, r, t: {"project_id": w.projects["own" if t == "home" else "foreign"].pk},
    ),
    Endpoint(
        "delete",
        "/plans/{plan}/entries/{plan_project}",
        PL,
        plan_rule({"competent", "admin"}, foreign_allowed=True),
    ),
    Endpoint(
        "post", "/plans/{plan}/submit", PL, plan_rule({"competent", "admin"}, foreign_allowed=True)
    ),
    Endpoint(
        "post",
        "/plans/{plan}/countersign",
        PL,
        plan_rule({"finance", "development_reform"}),
        lambda w, r, t: {"decision": "approve"},
    ),
    Endpoint(
        "post",
        "/plans/{plan}/approve",
        PL,
        plan_rule({"government"}),
        lambda w, r, t: {"opinion": "同意"},
    ),
    Endpoint(
        "post",
        "/plans/{plan}/return",
        PL,
        plan_rule({"government"}),
        lambda w, r, t: {"opinion": "请修改"},
    ),
    # experts and meetings
    Endpoint(
        "post",
        "/experts/{expert}/correction",
        ("home",),
        lambda r, t: OK if r in {"competent", "admin"} else (403 if r == "audit" else 404),
        lambda w, r, t: {
            "name": "更正后的姓名",
            "specialties": ["网络安全"],
            "employer_name": "某研究院",
            "reason": "录入有误",
        },
    ),
    Endpoint(
        "post",
        "/experts/{expert}/availability",
        ("home",),
        lambda r, t: OK if r in {"competent", "admin"} else (403 if r == "audit" else 404),
        lambda w, r, t: {"available": True},
    ),
    Endpoint("get", "/meetings/{meeting}", ("home",), meeting_rule(None)),
    Endpoint("post", "/meetings/{meeting}/draw", ("home",), meeting_rule({"competent", "admin"})),
    Endpoint(
        "post",
        "/meetings/{meeting}/replacements",
        ("home",),
        meeting_rule({"competent", "admin"}),
        lambda w, r, t: {"expert_id": w.expert.pk, "reason": "回避"},
    ),
    Endpoint("get", "/meetings/{meeting}/verification", ("home",), meeting_rule(None)),
    Endpoint("get", "/meetings/{meeting}/materials", ("home",), meeting_rule(None)),
    Endpoint(
        "get",
        "/meetings/{meeting}/materials/{meeting_version}/download",
        ("home",),
        meeting_rule(None),
    ),
    Endpoint(
        "post",
        "/meetings/{meeting}/opinions",
        ("home",),
        meeting_rule({"expert"}),
        lambda w, r, t: {"text": "可行", "score": 90, "conclusion": "approve"},
    ),
    Endpoint(
        "post",
        "/meetings/{meeting}/conclusion",
        ("home",),
        meeting_rule({"competent", "admin"}),
        lambda w, r, t: {"conclusion": "approve", "text": "通过"},
    ),
    Endpoint(
        "post",
        "/meetings/{meeting}/cancellation",
        ("home",),
        meeting_rule({"competent", "admin"}),
        lambda w, r, t: {"reason": "可抽取专家不足"},
    ),
    # the back half, on built projects
    *[
        Endpoint("get", f"/projects/{{built}}/{tail}", P, built_rule())
        for tail in (
            "procurements",
            "contracts",
            "payments",
            "changes",
            "reports",
            "extensions",
            "rectifications",
            "assets",
            "obligations",
            "evaluations",
            "penalties",
        )
    ],
    Endpoint(
        "post",
        "/projects/{built}/procurements",
        P,
        built_rule(is_unit),
        lambda w, r, t: {
            "method": "open_tender",
            "winner_id": w.back[t]["vendor"].pk,
            "awarded_on": "2026-06-01",
        },
    ),
    Endpoint(
        "post",
        "/projects/{built}/contracts",
        P,
        built_rule(is_unit),
        lambda w, r, t: {
            "kind": "other",
            "vendor_id": w.back[t]["vendor"].pk,
            "number": "X-1",
            "amount": "1000",
            "signed_on": "2026-06-01",
        },
    ),
    Endpoint(
        "post",
        "/projects/{built}/changes",
        P,
        built_rule(is_unit),
        lambda w, r, t: {
            "reason": "other",
            "basis": "x",
            "description": "x",
            "items": [
                {
                    "category": "software",
                    "new_model": "x",
                    "new_quantity": "1",
                    "new_unit_price": "10",
                }
            ],
        },
    ),
    Endpoint(
        "post",
        "/projects/{built}/progress-reports",
        P,
        built_rule(is_unit),
        lambda w, r, t: {"period": "2026年6月", "percent": 50, "text": "按计划推进"},
    ),
    Endpoint(
        "post",
        "/projects/{built}/incidents",
        P,
        built_rule(is_unit),
        lambda w, r, t: {"kind": "serious_delay", "text": "x"},
    ),
    Endpoint(
        "post",
        "/progress-reports/{progress}/void",
        P,
        built_rule(is_unit),
        lambda w, r, t: {"reason": "误填"},
    ),
    Endpoint(
        "post",
        "/progress-reports/{progress}/correction",
        P,
        built_rule(is_unit),
        lambda w, r, t: {"period": "2026年6月", "percent": 100, "text": "更正", "reason": "误填"},
    ),
    Endpoint(
        "post",
        "/trial-runs/{trial_run}/void",
        P,
        built_rule(is_unit),
        lambda w, r, t: {"reason": "日期填错"},
    ),
    Endpoint(
        "post",
        "/incidents/{incident}/void",
        P,
        built_rule(is_unit),
        lambda w, r, t: {"reason": "误报"},
    ),
    Endpoint(
        "post",
        "/incidents/{incident}/correction",
        P,
        built_rule(is_unit),
        lambda w, r, t: {"kind": "major_loss", "text": "更正", "reason": "类别错"},
    ),
    Endpoint(
        "post",
        "/projects/{built}/trial-runs",
        P,
        built_rule(is_unit),
        lambda w, r, t: {"started_on": "2026-07-01", "ended_on": "2026-09-01"},
    ),
    Endpoint(
        "post",
        "/projects/{built}/extensions",
        P,
        built_rule(is_unit),
        lambda w, r, t: {"until": "2027-12-31", "reason": "x"},
    ),
    Endpoint(
        "post",
        "/projects/{built}/termination",
        P,
        built_rule(is_unit),
        lambda w, r, t: {"reason": "x", "statement_version_id": 999999},
    ),
    Endpoint(
        "post",
        "/projects/{built}/assets",
        P,
        built_rule(is_unit),
        lambda w, r, t: {"name": "服务器", "value": "1000", "entered_on": "2027-01-20"},
    ),
    Endpoint(
        "post",
        "/projects/{built}/evaluations",
        P,
        built_rule(competent_of),
        lambda w, r, t: {"kind": "post", "score": "80", "grade": "good"},
    ),
    Endpoint(
        "post",
        "/projects/{built}/penalties",
        P,
        built_rule(lambda r, t: competent_of(r, t) or (t != "foreign" and r == "finance")),
        lambda w, r, t: (
            {"code": "SERIOUS_DELAY", "measures": ["rectify"], "reason": "x"}
            if t == "foreign"
            else {"code": "PROJECT_VIOLATION", "measures": ["accountability"], "reason": "x"}
        ),
    ),
    Endpoint(
        "post",
        "/contracts/{contract}/payments",
        P,
        built_rule(is_unit),
        lambda w, r, t: {"amount": "1", "due_on": "2027-01-31"},
    ),
    # the findings before a record is entered: whoever sees the project (a read; issue 13)
    Endpoint(
        "post",
        "/projects/{built}/procurements/findings",
        P,
        built_rule(),
        lambda w, r, t: {
            "method": "open_tender",
            "winner_id": w.back[t]["contract"].vendor_id,
            "awarded_on": "2026-06-01",
        },
    ),
    Endpoint(
        "post",
        "/projects/{built}/contracts/findings",
        P,
        built_rule(),
        lambda w, r, t: {
            "kind": "main",
            "vendor_id": w.back[t]["contract"].vendor_id,
            "number": "X-9",
            "amount": "1000",
            "signed_on": "2026-06-15",
        },
    ),
    # voiding and correcting a record: its construction unit only (issue 13)
    *[
        Endpoint("post", path, P, built_rule(is_unit), lambda w, r, t: {"reason": "录入错误"})
        for path in (
            "/procurements/{procurement}/void",
            "/contracts/{contract}/void",
            "/payments/{payment}/void",
        )
    ],
    Endpoint(
        "post",
        "/procurements/{procurement}/correction",
        P,
        built_rule(is_unit),
        lambda w, r, t: {
            "reason": "成交日期录错",
            "method": "open_tender",
            "winner_id": w.back[t]["contract"].vendor_id,
            "awarded_on": "2026-06-01",
        },
    ),
    Endpoint(
        "post",
        "/contracts/{contract}/correction",
        P,
        built_rule(is_unit),
        lambda w, r, t: {
            "reason": "金额录错",
            "vendor_id": w.back[t]["contract"].vendor_id,
            "number": "X-2",
            "amount": "1000",
            "signed_on": "2026-06-15",
        },
    ),
    Endpoint(
        "post",
        "/payments/{payment}/correction",
        P,
        built_rule(is_unit),
        lambda w, r, t: {"reason": "金额录错", "amount": "900", "due_on": "2026-06-20"},
    ),
    Endpoint(
        "post",
        "/payments/{payment}/pay",
        P,
        built_rule(lambda r, t: is_unit(r, t) or (t != "foreign" and r == "finance")),
        lambda w, r, t: {"paid_on": "2027-01-20"},
    ),
    Endpoint(
        "post",
        "/changes/{change}/decision",
        P,
        built_rule(competent_of),
        lambda w, r, t: {"decision": "approve"},
    ),
    Endpoint(
        "post",
        "/extensions/{extension}/decision",
        ("foreign",),
        built_rule(competent_of),
        lambda w, r, t: {"approve": True},
    ),
    Endpoint(
        "post",
        "/obligations/{obligation}/fulfil",
        P,
        built_rule(is_unit),
        lambda w, r, t: {"note": "完成"},
    ),
    Endpoint(
        "post",
        "/evaluations/{evaluation}/rectified",
        P,
        built_rule(competent_of),
        lambda w, r, t: {"note": "已整改"},
    ),
    Endpoint(
        "post",
        "/penalties/{penalty}/lift",
        P,
        built_rule(competent_of),
        lambda w, r, t: {"note": "已整改"},
    ),
    Endpoint("get", "/vendors/{vendor}/credit", J, vendor_rule(None)),
    Endpoint(
        "post",
        "/vendors/{vendor}/credit",
        J,
        vendor_rule({"competent", "admin"}),
        lambda w, r, t: {"kind": "credit_record", "code": "VENDOR_VIOLATION", "reason": "x"},
    ),
    Endpoint(
        "post",
        "/credit/{credit}/revoke",
        ("home",),
        vendor_rule({"competent", "admin"}),
        lambda w, r, t: {"note": "x"},
    ),
    Endpoint("get", "/blacklist", G, lambda r, t: 404 if r == "expert" else OK),
    # jurisdictions and organizations
    Endpoint(
        "post",
        "/jurisdictions/{jurisdiction}/rulebook-confirmations",
        J,
        lambda r, t: (OK if r == "admin" else 403) if (r in HOME_USERS) == (t == "home") else 404,
        lambda w, r, t: {"reason": "确认"},
    ),
    Endpoint(
        "get",
        "/organizations/{organization}/overdue-tasks",
        J,
        lambda r, t: (
            (OK if r in {"competent", "admin", "audit"} else 404)
            if t == "home"
            else (OK if r == "foreign" else 404)
        ),
    ),
]

PLACEHOLDER = {
    "{built}": lambda w, t: w.back[t]["project"].pk,
    "{procurement}": lambda w, t: w.back[t]["procurement"].pk,
    "{contract}": lambda w, t: w.back[t]["contract"].pk,
    "{payment}": lambda w, t: w.back[t]["payment"].pk,
    "{change}": lambda w, t: w.back[t]["change"].pk,
    "{extension}": lambda w, t: w.back[t]["extension"].pk,
    "{obligation}": lambda w, t: w.back[t]["obligation"].pk,
    "{evaluation}": lambda w, t: w.back[t]["evaluation"].pk,
    "{progress}": lambda w, t: w.back[t]["progress"].pk,
    "{incident}": lambda w, t: w.back[t]["incident"].pk,
    "{trial_run}": lambda w, t: w.back[t]["trial_run"].pk,
    "{penalty}": lambda w, t: w.back[t]["penalty"].pk,
    "{vendor}": lambda w, t: w.back["own" if t == "home" else "foreign"]["vendor"].pk,
    "{credit}": lambda w, t: w.back["own"]["credit"].pk,
    "{rulebook}": lambda w, t: "yueyang",
    "{project}": lambda w, t: w.projects[t].pk,
    "{task}": lambda w, t: w.tasks[t].pk,
    "{plan}": lambda w, t: w.plans[t].pk,
    "{plan_project}": lambda w, t: w.projects["own" if t == "home" else "foreign"].pk,
    "{version}": lambda w, t: w.versions[t],
    "{kind}": lambda w, t: "joint_review" if t == "foreign" else "scheme_review",
    "{meeting}": lambda w, t: w.meeting.pk,
    "{meeting_version}": lambda w, t: w.versions["meeting"],
    "{expert}": lambda w, t: w.expert.pk,
    "{delegation}": lambda w, t: w.delegation.pk,
    "{jurisdiction}": lambda w, t: (w.home if t == "home" else w.foreign).jurisdiction.pk,
    "{organization}": lambda w, t: (
        (w.home if t == "home" else w.foreign).orgs["competent_department"].pk
    ),
}


def concrete(path: str, world: World, target: str) -> str:
    for token, value in PLACEHOLDER.items():
        if token in path:
            path = path.replace(token, str(value(world, target)))
    return path


def api_paths() -> set[tuple[str, str]]:
    schema = ninja_api.get_openapi_schema(path_prefix="")
    found = set()
    for path, methods in schema["paths"].items():
        for method in methods:
            found.add((method, path))
    return found


def test_the_matrix_covers_every_endpoint():
    import re

    covered = {(e.method, re.sub(r"\{\w+\}", "{}", e.path)) for e in ENDPOINTS}
    served = {(m, re.sub(r"\{\w+\}", "{}", p.rstrip("/"))) for m, p in api_paths()} - {
        ("post", "/auth/token")
    }
    assert served - covered == set(), "endpoints without a row in the permission matrix"
    assert covered - served == set(), "matrix rows for endpoints that do not exist"


def _request(
    client: Client, user: User | None, endpoint: Endpoint, world: World, role: str, target: str
):
    headers = {}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[user.pk]}"  # type: ignore[attr-defined]
    path = "/api/v1" + concrete(endpoint.path, world, target)
    if endpoint.multipart:
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {"name": "补充材料", "file": SimpleUploadedFile("a.pdf", b"%PDF-1.7\n")}
        return client.post(path, data, **headers)
    body = endpoint.body(world, role, target) if endpoint.body else None
    if endpoint.method == "get":
        return client.get(path, **headers)
    import json

    return getattr(client, endpoint.method)(
        path, json.dumps(body or {}), content_type="application/json", **headers
    )


def test_every_endpoint_for_every_role_and_target(tree, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    world = build_world(tree)
    world.back = build_back_half(world)  # type: ignore[attr-defined]
    world.delegation = delegation_create(  # type: ignore[attr-defined]
        actor=world.home.user("competent_department"),
        delegate=world.home.user("competent_department.leader"),
        starts_on=dt.date(2026, 11, 23),
        ends_on=dt.date(2026, 12, 31),
        reason="出差",
    )
    world.tokens = {u.pk: token_create(actor=u)[1] for u in world.users().values() if u is not None}  # type: ignore[attr-defined]
    client = Client()
    failures = []
    cases = 0
    for endpoint in ENDPOINTS:
        for target in endpoint.targets:
            for role, user in world.users().items():
                expected = 401 if user is None else endpoint.expect(role, target)
                with transaction.atomic():
                    before = Event.objects.count()
                    response = _request(client, user, endpoint, world, role, target)
                    changed = Event.objects.count() != before
                    transaction.set_rollback(True)
                cases += 1
                status = response.status_code
                where = f"{endpoint.method.upper()} {endpoint.path} [{target}] as {role}"
                if expected == OK:
                    if status in (401, 403, 404) or status >= 500:
                        failures.append(
                            f"{where}: expected allowed, got {status} {response.content[:200]!r}"
                        )
                elif status != expected:
                    failures.append(
                        f"{where}: expected {expected}, got {status} {response.content[:200]!r}"
                    )
                elif changed:
                    failures.append(f"{where}: refused with {status} but an event was recorded")
                if status in (401, 403, 404):
                    body = response.json()
                    if not {"code", "message", "cite"} <= set(body) or not any(
                        "\u4e00" <= c <= "\u9fff" for c in body["message"]
                    ):
                        failures.append(
                            f"{where}: error body is not {{code, message, cite}} in Chinese: {body}"
                        )
    assert cases > 500
    assert not failures, f"{len(failures)} of {cases} cases wrong:\n" + "\n".join(failures[:60])


def test_lists_show_only_what_the_role_may_see(tree, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    world = build_world(tree)
    client = Client()
    ids = {key: p.pk for key, p in world.projects.items()}
    expected = {
        "own_unit": {ids["own"], ids["meeting"]},
        "other_unit": {ids["other"]},
        "competent": {ids["own"], ids["other"], ids["meeting"]},
        "audit": {ids["own"], ids["other"], ids["meeting"]},
        "vendor": {ids["own"]},
        "secrecy": set(),
        "expert": set(),
        "foreign": {ids["foreign"]},
    }
    for role, want in expected.items():
        user = world.users()[role]
        _, key = token_create(actor=user)
        body = client.get(
            "/api/v1/projects", {"page_size": 100}, HTTP_AUTHORIZATION=f"Bearer {key}"
        ).json()
        assert {p["id"] for p in body["items"]} == want, role
        assert body["count"] == len(want)
    expert_user = world.users()["expert"]
    _, key = token_create(actor=expert_user)
    meetings = client.get("/api/v1/meetings", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert [m["id"] for m in meetings["items"]] == [world.meeting.pk]
