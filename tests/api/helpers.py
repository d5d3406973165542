"""Steps every front-half flow repeats, done through the API as the user who would do them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from govit.access.services import user_create
from govit.core import clock
from govit.demo.cast import DEMO_PASSWORD, Cast
from govit.organizations.models import User
from govit.organizations.services import system_user
from govit.projects.services import AMOUNT_KINDS
from govit.reviews.models import Expert
from govit.reviews.services import expert_register
from tests.api.conftest import Api, expect


def create_project(api: Api, cast: Cast, unit: str = "unit", **fields: Any) -> dict[str, Any]:
    payload = {
        "name": "政务信息化测试项目",
        "plan_year": 2027,
        "total_investment": "1500000",
        **fields,
    }
    return expect(api.as_(cast.user(unit)).post("/projects", payload), 201)


def upload_step_documents(
    api: Api, cast: Cast, project_id: int, documents: list[dict[str, Any]], unit: str = "unit"
):
    ids = []
    for doc in documents:
        if doc.get("by", "construction_unit") == "construction_unit":
            ids.append(expect(api.as_(cast.user(unit)).upload(project_id, doc["name"]), 201)["id"])
    return ids


def declare(
    api: Api, cast: Cast, project: dict[str, Any], rulebook: str, unit: str = "unit"
) -> dict[str, Any]:
    """Ask decide() what the declaration needs (the self-check), upload it, declare."""
    facts = {
        "total_investment": float(project["total_investment"]),
        "classified": project["classified"],
        "involves_crypto": project["involves_crypto"],
        "funding_source": project["funding_source"],
        "construction_type": project["construction_type"],
        "plan_year": project["plan_year"],
    }
    answer = expect(api.as_(cast.user(unit)).post(f"/rulebooks/{rulebook}/decide", facts), 200)
    upload_step_documents(api, cast, project["id"], answer["steps"][0]["documents"], unit)
    return expect(api.as_(cast.user(unit)).post(f"/projects/{project['id']}/declare"), 200)


def step_of(api: Api, user: User, project_id: int, kind: str) -> dict[str, Any]:
    detail = expect(api.as_(user).get(f"/projects/{project_id}"), 200)
    matches = [s for s in detail["steps"] if s["kind"] == kind]
    assert matches, f"{kind} not in {[s['kind'] for s in detail['steps']]}"
    return matches[0]


def open_task(step: dict[str, Any], org_id: int | None = None) -> dict[str, Any]:
    tasks = [
        t
        for t in step["tasks"]
        if t["status"] == "open" and (org_id is None or t["organization"]["id"] == org_id)
    ]
    assert tasks, f"no open task on {step['kind']}: {step['tasks']}"
    return tasks[0]


def act(
    api: Api,
    user: User,
    task: dict[str, Any],
    action: str,
    opinion: str = "",
    checks: list[str] | None = None,
    amount: Any = None,
):
    payload = {"action": action, "opinion": opinion, "expected_version": task["version"]}
    if checks is not None:
        payload["confirmed_checks"] = checks
    if amount is not None:  # 批复概算 / 核定金额
        payload["approved_budget"] = str(amount)
    return api.as_(user).post(f"/tasks/{task['id']}/actions", payload)


def block_checks(step: dict[str, Any]) -> list[str]:
    return [c["code"] for c in step["checks"] if c["severity"] == "block"]


def pass_step(
    api: Api, cast: Cast, project_id: int, kind: str, who: dict[str, str] | None = None
) -> dict[str, Any]:
    """Every open task of the step approved (or acknowledged / completed) by its organization."""
    who = who or {}
    total = expect(api.as_(cast.user("competent_department")).get(f"/projects/{project_id}"), 200)[
        "total_investment"
    ]
    for _ in range(4):  # the lead last; bodies acting in turn open the next one's task
        step = step_of(api, cast.user("competent_department"), project_id, kind)
        tasks = [t for t in step["tasks"] if t["status"] == "open"]
        if not tasks:
            break
        for task in sorted(tasks, key=lambda t: t["lead"]):
            org_kind = task["organization"]["kind"]
            user = cast.user(
                who.get(org_kind, org_kind if org_kind != "construction_unit" else "unit")
            )
            action = (
                "complete"
                if task["actor"] == "construction_unit"
                else ("acknowledge" if step["filing"] else "approve")
            )
            amount = (
                total if task["lead"] and action == "approve" and kind in AMOUNT_KINDS else None
            )
            checks = block_checks(step) if task["lead"] else None
            expect(act(api, user, task, action, "同意", checks, amount), 200)
    return step_of(api, cast.user("competent_department"), project_id, kind)


def submit(api: Api, cast: Cast, project_id: int, kind: str, note: str = "", unit: str = "unit"):
    step = step_of(api, cast.user(unit), project_id, kind)
    upload_step_documents(api, cast, project_id, step["documents"], unit)
    return api.as_(cast.user(unit)).post(
        f"/projects/{project_id}/steps/{kind}/submit", {"note": note}
    )


def plan_through(
    api: Api, cast: Cast, project_ids: list[int], year: int, *, compiler: str, approver: str
):
    """Compile the annual plan, have the co-compilers countersign, and have it approved."""
    plan = expect(
        api.as_(cast.user(compiler)).post("/plans", {"year": year, "kind": "annual"}), 201
    )
    for pid in project_ids:
        expect(
            api.as_(cast.user(compiler)).post(f"/plans/{plan['id']}/entries", {"project_id": pid}),
            200,
        )
    plan = expect(api.as_(cast.user(compiler)).post(f"/plans/{plan['id']}/submit"), 200)
    countersigned = []
    for signoff in plan["signoffs"]:
        org = next(k for k, o in cast.orgs.items() if o.name == signoff["organization"])
        plan = expect(
            api.as_(cast.user(org)).post(
                f"/plans/{plan['id']}/countersign", {"decision": "approve", "opinion": "同意"}
            ),
            200,
        )
        countersigned.append(org)
    assert plan["status"] == "submitted"
    plan = expect(
        api.as_(cast.user(approver)).post(f"/plans/{plan['id']}/approve", {"opinion": "同意"}), 200
    )
    assert plan["status"] == "approved"
    return plan, countersigned


def experts(
    cast: Cast, specialty: str, count: int, *, prefix: str, employers: dict[int, Any] | None = None
):
    """Register ``count`` experts with user accounts; ``employers`` maps an index to an organization."""
    actor = system_user()
    made = []
    for i in range(count):
        user = user_create(
            actor=actor,
            organization=None,
            jurisdiction=cast.jurisdiction,
            username=f"{prefix}.expert{i}",
            password=DEMO_PASSWORD,
            real_name=f"专家{i}",
            roles=[],
        )
        employer = (employers or {}).get(i)
        made.append(
            expert_register(
                actor=actor,
                jurisdiction=cast.jurisdiction,
                name=f"专家{i}",
                specialties=[specialty],
                employer=employer,
                employer_name=employer.name if employer else f"某大学{i}",
                user=user,
            )
        )
    return made


def expert_review(
    api: Api, cast: Cast, project_id: int, pool: list[Expert], size: int = 3
) -> dict[str, Any]:
    """Convene, draw, replace one drawn expert, collect opinions, conclude, then verify the draw."""
    competent = cast.user("competent_department")
    meeting = expect(
        api.as_(competent).post(
            f"/projects/{project_id}/meetings", {"specialty": pool[0].specialties[0], "size": size}
        ),
        201,
    )
    meeting = expect(api.as_(competent).post(f"/meetings/{meeting['id']}/draw"), 200)
    seated = [s["expert_id"] for s in meeting["seats"] if not s["vacated"]]
    assert len(seated) == size
    meeting = expect(
        api.as_(competent).post(
            f"/meetings/{meeting['id']}/replacements",
            {"expert_id": seated[0], "reason": "出差无法参会"},
        ),
        200,
    )
    panel = [s["expert_id"] for s in meeting["seats"] if not s["vacated"]]
    assert seated[0] not in panel and len(panel) == size
    by_id = {e.pk: e for e in pool}
    for expert_id in panel:
        expect(
            api.as_(by_id[expert_id].user).post(
                f"/meetings/{meeting['id']}/opinions",
                {"text": "方案可行", "score": "88.5", "conclusion": "approve"},
            ),
            201,
        )
    step = step_of(api, competent, project_id, "expert_review")
    meeting = expect(
        api.as_(competent).post(
            f"/meetings/{meeting['id']}/conclusion",
            {
                "conclusion": "approve",
                "text": "专家组同意通过",
                "confirmed_checks": block_checks(step),
            },
        ),
        200,
    )
    auditor = cast.user("audit")
    verification = expect(api.as_(auditor).get(f"/meetings/{meeting['id']}/verification"), 200)
    assert verification["ok"], verification["problems"]
    assert verification["expected_panel"] == verification["current_panel"] == panel
    return {"meeting": meeting, "verification": verification}


def today() -> dt.date:
    return clock.today()
