"""Fixtures for the page tests: the jurisdictions staffed through the real services."""

from tests.workflow.conftest import casts, make_cast, tree  # noqa: F401 - fixtures
