"""The workflow calls what the back half registered (govit/projects/hooks.py): step hooks per
kind, gate requirements, values and listeners; a name it needs that nothing registered is an error
at the call and at startup (govit.E001); a new gate needs a registration, not a workflow edit."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core import checks

from govit.core import clock
from govit.core.errors import RuleRefused
from govit.policy.schema import Gate
from govit.projects import hooks, workflow
from govit.projects.apps import hooks_registered
from tests.workflow import flows


def test_step_hooks_run_for_their_kind_in_the_order_registered():
    calls = []
    with hooks.isolated(keep_apps=False):
        hooks.on_step("after_pass", "construction", lambda s, a: calls.append(("built", a)))
        hooks.on_step("after_pass", hooks.ANY_KIND, lambda s, a: calls.append(("any", a)))
        hooks.on_step("after_pass", ("x", "construction"), lambda s, a: calls.append(("x", a)))
        hooks.on_step("opened", "construction", lambda s, a: calls.append(("opened", a)))
        hooks.run_step("after_pass", SimpleNamespace(kind="construction"), "actor")
        hooks.run_step("after_pass", SimpleNamespace(kind="other"), "actor")
    assert calls == [("built", "actor"), ("any", "actor"), ("x", "actor"), ("any", "actor")]
    with pytest.raises(ValueError):
        hooks.on_step("sometime", "construction", print)


def test_a_name_nothing_registered_is_refused_by_name():
    with hooks.isolated():
        with pytest.raises(hooks.NotRegistered) as raised:
            hooks.get("no_such_value", None)
        assert raised.value.code == "HOOK_NOT_REGISTERED" and raised.value.name == "no_such_value"
        with pytest.raises(hooks.NotRegistered):
            hooks.shortfalls("no_such_requirement", None)
        with pytest.raises(hooks.NotRegistered):
            hooks.notify("no_such_listener")
        hooks.value("answer", lambda: 42)
        assert hooks.get("answer") == 42
        with pytest.raises(ValueError):
            hooks.value("answer", lambda: 43)  # one provider per name
    with pytest.raises(hooks.NotRegistered):
        hooks.get("answer")  # what the block registered is forgotten after it


def test_the_apps_register_everything_the_workflow_needs():
    assert hooks.missing() == []
    assert hooks_registered() == []
    # every requirement a rulebook's gate may name has its provider
    assert "prior_year_projects_accepted" in hooks.required_requirements()
    assert all(n in hooks._registry.requirements for n in hooks.required_requirements())


def test_a_missing_hook_fails_the_system_check():
    with hooks.isolated() as registry:
        del registry.values["contract_amount"]
        del registry.requirements["in_annual_plan"]
        errors = [e for e in checks.run_checks() if e.id == "govit.E001"]
    assert len(errors) == 2
    assert any("contract_amount" in e.msg for e in errors)
    assert any("in_annual_plan" in e.msg for e in errors)
    assert [e for e in checks.run_checks() if e.id == "govit.E001"] == []


def _rulebook_with(project, gate: Gate):
    """The project's rulebook with one more gate, as a later issue's rulebook would say it."""
    model = workflow.rulebook_of(project).model
    return SimpleNamespace(model=model.model_copy(update={"gates": [*model.gates, gate]}))


@pytest.mark.django_db
def test_a_new_gate_needs_only_its_registration(casts, monkeypatch):
    project = flows.yueyang_in_scheme_review(casts["yueyang"])
    blocking = Gate.model_construct(
        code="DATA_RESOURCES_UNREGISTERED",
        effect="blocks_steps",
        blocks=["expert_review"],
        when=None,
        requires="data_resources_registered",
        severity="block",
        message="须先登记本项目的数据资源",
        cite="测试第一条",
    )
    unit = Gate.model_construct(
        code="SYSTEMS_UNCATALOGUED",
        effect="no_new_projects",
        blocks=[],
        when=None,
        requires="systems_catalogued",
        severity="warn",
        message="本单位已建系统未纳入目录",
        cite="测试第二条",
    )
    rulebook = _rulebook_with(project, blocking)
    rulebook.model.gates.append(unit)
    monkeypatch.setattr(workflow, "rulebook_of", lambda p: rulebook)
    with hooks.isolated():
        with pytest.raises(hooks.NotRegistered):
            workflow.gates_blocking(project, "expert_review")
        registered = {"data": [project.name], "systems": ["旧系统"]}
        hooks.requirement("data_resources_registered", lambda p: registered["data"])
        hooks.requirement("systems_catalogued", lambda p: registered["systems"])
        with clock.frozen(dt.date(2026, 11, 9)):
            with pytest.raises(RuleRefused) as refused:
                workflow.refuse_if_gated(project, "expert_review")
            assert refused.value.code == "DATA_RESOURCES_UNREGISTERED"
            workflow.refuse_if_gated(project, "scheme_review")  # not a step it blocks
            findings = workflow.unit_record_findings(project)
            assert [f["code"] for f in findings] == ["SYSTEMS_UNCATALOGUED"]
            assert findings[0]["message"] == "本单位已建系统未纳入目录（“旧系统”）"
            registered["data"] = []
            assert workflow.gates_blocking(project, "expert_review") == []
