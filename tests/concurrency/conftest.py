from tests.workflow.conftest import tree  # noqa: F401 - fixture
