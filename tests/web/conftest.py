"""Fixtures for the page tests: the jurisdictions staffed through the real services."""

import pytest

from tests.workflow.conftest import casts, lianping, make_cast, tree  # noqa: F401 - fixtures
from tests.workflow.flows import declared


@pytest.fixture
def cast(tree):  # noqa: F811 - tree is the fixture imported above
    """岳阳's people and offices (a test file that needs another jurisdiction defines its own)."""
    return make_cast(tree, "yueyang")


@pytest.fixture
def five(cast):
    """Five 岳阳 projects declared for 2027, 100万 to 104万元."""
    return [declared(cast, name=f"岳阳市项目{i}", amount=1_000_000 + 10_000 * i) for i in range(5)]
