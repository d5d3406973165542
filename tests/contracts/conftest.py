"""Fixtures for the contracts tests: the jurisdictions staffed through the real services, and
the API client."""

from tests.api.conftest import api  # noqa: F401 - fixture
from tests.workflow.conftest import tree  # noqa: F401 - fixture
