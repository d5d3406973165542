from govit.demo.cast import add_vendor
from tests.workflow.conftest import make_cast, tree  # noqa: F401 - fixture


def staffed(jurisdictions, key):
    """A jurisdiction's cast with a contractor and a supervisor (监理) to build its projects."""
    cast = make_cast(jurisdictions, key)
    add_vendor(cast, f"{key}数字科技有限公司", "contractor", key="contractor", prefix=key)
    add_vendor(cast, f"{key}工程监理有限公司", "supervisor", key="supervisor", prefix=key)
    return cast
