"""The import graph of govit as its source says it: every import statement, those in function
bodies (deferred) too, resolved to the module it names. import-linter (`make test`) checks the
layers on the same graph; the tests here keep what it does not say in one line: no cycle between
files, and a deferred import only with its reason."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOVIT = ROOT / "govit"
DEFERRED_MARK = "# deferred:"


@dataclass(frozen=True)
class Import:
    importer: str  # the importing module, e.g. govit.projects.workflow
    imported: str  # the govit module the statement names
    path: Path
    line: int
    deferred: bool  # in a function body: run when called, not when the module loads
    reason: str  # the comment block directly above, its lines joined ("" when there is none)

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(package: Path = GOVIT) -> dict[str, Path]:
    return {module_name(path): path for path in sorted(package.rglob("*.py"))}


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The module ``name`` is, or the innermost known package holding it (a name imported from a
    module resolves to that module)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def _named(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The dotted names an import statement asks for, relative ones made absolute."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    return [f"{base}.{alias.name}" for alias in node.names]


def _statements(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement with whether it is in a function body."""

    def walk(
        node: ast.AST, in_function: bool
    ) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child, in_function
            inner = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            yield from walk(child, inner)

    yield from walk(tree, False)


def imports(package: Path = GOVIT) -> list[Import]:
    """Every import of a govit module by a govit module (one per module named)."""
    known = modules(package)
    found: list[Import] = []
    for module, path in known.items():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node, deferred in _statements(ast.parse(source, filename=str(path))):
            above = _comment_above(lines, node.lineno)
            targets = {
                _resolve(name, known)
                for name in _named(node, module, path.name == "__init__.py")
                if name == "govit" or name.startswith("govit.")
            }
            for target in sorted(t for t in targets if t and t != module):
                found.append(Import(module, target, path, node.lineno, deferred, above))
    return found


def _comment_above(lines: list[str], lineno: int) -> str:
    """The comment block directly above line ``lineno`` (1-based), its lines joined: a reason may
    run over several lines."""
    block: list[str] = []
    i = lineno - 2
    while i >= 0 and lines[i].strip().startswith("#"):
        block.insert(0, lines[i].strip())
        i -= 1
    return " ".join(block)


def app(module: str) -> str:
    """govit.projects.workflow → govit.projects; a top-level module is its own app."""
    return ".".join(module.split(".")[:2])


def cycles(edges: list[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected groups of more than one node (Tarjan's, without recursion): every
    node of a group reaches every other, so each group is at least one cycle."""
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        if a != b:
            graph[a].add(b)
            graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = len(index)
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph[succ]))))
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return sorted(groups)


def describe(group: list[str], found: list[Import], level=lambda module: module) -> str:
    """A cycle group and the imports that tie it, one a line."""
    members = set(group)
    ties = sorted(
        {
            f"    {imp.importer} -> {imp.imported} ({imp.where}{', deferred' if imp.deferred else ''})"
            for imp in found
            if level(imp.importer) in members
            and level(imp.imported) in members
            and level(imp.importer) != level(imp.imported)
        }
    )
    return "  " + " ~ ".join(group) + "\n" + "\n".join(ties)
