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
    for path in POLICY.rglob("*.py"):
        forbidden = {
            m
            for m in imported_modules(path)
            if m == "django" or m.startswith(("django.", "govit.web", "govit.settings"))
        }
        assert not forbidden, f"{path.name} imports {forbidden}"


def test_every_cite_of_every_rulebook_resolves_in_its_source():
    for rb in all_rulebooks():
        for ref in rb.rules():
            rb.regulation.resolve(ref.cite)


def test_every_rulebook_cites_only_its_own_text():
    sources = {(rb.model.source.file, rb.model.source.title) for rb in all_rulebooks()}
    assert len(sources) == 6
