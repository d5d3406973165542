"""No import cycle, between apps or between files, counting the imports in function bodies; and a
function-body import of govit only where Django's own loading forces one, saying why on the line
above (`# deferred: <why>`). The layers themselves: import-linter, [tool.importlinter] in
pyproject.toml (ARCHITECTURE.md, "Layers"; docs/adr/0004-import-layers.md)."""

from __future__ import annotations

import pytest

from tests.architecture.imports import DEFERRED_MARK, app, cycles, describe, imports


def test_no_import_cycle_between_apps():
    found = imports()
    groups = cycles([(app(i.importer), app(i.imported)) for i in found])
    if groups:
        pytest.fail(
            f"{len(groups)} import cycle(s) between apps:\n"
            + "\n".join(describe(group, found, level=app) for group in groups),
            pytrace=False,
        )


def test_no_import_cycle_between_files():
    found = imports()
    groups = cycles([(i.importer, i.imported) for i in found])
    if groups:
        pytest.fail(
            f"{len(groups)} import cycle(s) between files:\n"
            + "\n".join(describe(group, found) for group in groups),
            pytrace=False,
        )


def test_every_deferred_import_says_why():
    # one line a statement; migrations are history, left as they were applied
    unexplained = {
        (i.path, i.line): f"{i.where}  {i.imported}"
        for i in imports()
        if i.deferred and ".migrations." not in i.importer and DEFERRED_MARK not in i.reason
    }
    if unexplained:
        pytest.fail(
            f"{len(unexplained)} import(s) of govit in a function body without a "
            f"'{DEFERRED_MARK} <why>' comment on the line above (move it to the module's top, or "
            "say which cycle of Django's loading forces it):\n  "
            + "\n  ".join(unexplained[key] for key in sorted(unexplained)),
            pytrace=False,
        )
