"""The benchmarks (bench/*.py, run by `make bench`, not by the suite) import only what exists: a
name moved in the code moves in them too — their imports sit in function bodies, so loading the
scripts would not find a stale one."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def govit_names(path: Path) -> list[tuple[int, str, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("govit"):
            found += [(node.lineno, node.module, alias.name) for alias in node.names]
    return found


@pytest.mark.parametrize("path", sorted(BENCH.glob("*.py")), ids=lambda p: p.name)
def test_every_govit_name_a_benchmark_imports_exists(path: Path) -> None:
    missing = []
    for line, module, name in govit_names(path):
        loaded = importlib.import_module(module)
        if not hasattr(loaded, name):
            try:
                importlib.import_module(f"{module}.{name}")
            except ImportError:
                missing.append(f"{path.name}:{line} {module}.{name}")
    assert missing == [], "bench imports names that no longer exist"
