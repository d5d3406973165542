"""Machines keep the invariants: the engine stays pure; every rule cites a real article."""

from __future__ import annotations

import ast
from pathlib import Path

from govit.policy.loader import all_rulebooks

POLICY = Path(__file__).resolve().parents[2] / "govit" / "policy"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_policy_engine_imports_no_django():
    """…and nothing of govit but itself (import-linter's "policy" contract says it too)."""
    for path in POLICY.rglob("*.py"):
        forbidden = {
            m
            for m in imported_modules(path)
            if m == "django"
            or m.startswith("django.")
            or (m.split(".")[0] == "govit" and not m.startswith("govit.policy"))
        }
        assert not forbidden, f"{path.name} imports {forbidden}"


def test_every_cite_of_every_rulebook_resolves_in_its_source():
    for rb in all_rulebooks():
        for ref in rb.rules():
            rb.regulation.resolve(ref.cite)


def test_every_rulebook_cites_only_its_own_text():
    sources = {(rb.model.source.file, rb.model.source.title) for rb in all_rulebooks()}
    assert len(sources) == 6


GOVIT = Path(__file__).resolve().parents[2] / "govit"
PERMISSION_CALLS = {"authorize", "_require_superuser"}
# calls that record the event: the log itself, a task's act, the correction trail's writes
RECORDING_CALLS = {"record", "task_act", "record_void", "record_correction"}


def _calls(node: ast.AST) -> set[str]:
    names = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            func = child.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                names.add(func.attr)
    return names


def _is_atomic(func: ast.FunctionDef) -> bool:
    return any(
        (isinstance(d, ast.Attribute) and d.attr == "atomic")
        or (isinstance(d, ast.Name) and d.id == "atomic")
        for d in func.decorator_list
    )


def service_functions():
    for path in sorted(GOVIT.glob("*/services.py")):
        if path.parent.name == "events":
            continue  # the event log itself
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                yield path.parent.name, node


def test_every_write_service_is_one_transaction_that_checks_permission_and_records_an_event():
    checked = 0
    for app, func in service_functions():
        takes_actor = any(arg.arg == "actor" for arg in func.args.kwonlyargs)
        if not takes_actor:
            continue  # bootstrap helpers (system_user) take no actor
        checked += 1
        where = f"{app}.services.{func.name}"
        assert _is_atomic(func), f"{where} is not @transaction.atomic"
        calls = _calls(func)
        assert calls & PERMISSION_CALLS, f"{where} never checks a permission"
        assert calls & RECORDING_CALLS, f"{where} never records an event"
    assert checked >= 25


def test_services_modules_hold_only_writes():
    for app, func in service_functions():
        if func.name in {"system_user", "max_upload_bytes"}:
            continue
        assert any(arg.arg == "actor" for arg in func.args.kwonlyargs), (
            f"{app}.services.{func.name} takes no actor: a read belongs in selectors.py"
        )


def test_every_recorded_event_kind_is_registered():
    from govit.events.registry import EVENT_KINDS

    for path in GOVIT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "record"
                and node.args
            ):
                first = node.args[0]
                if isinstance(first, ast.Constant):
                    assert first.value in EVENT_KINDS, (
                        f"{path.name}: unregistered event kind {first.value}"
                    )
