"""The pages. Each area's module under govit/web/views/ declares its own ``urlpatterns``."""

from __future__ import annotations

from govit.web.views import (
    account,
    administration,
    dashboard,
    delegations,
    experts,
    exports,
    notifications,
    plans,
    platform,
    pool,
    projects,
    rulebooks,
    selfcheck,
    supervision,
    workbench,
)

urlpatterns = [
    *account.urlpatterns,
    *workbench.urlpatterns,
    *projects.urlpatterns,
    *plans.urlpatterns,
    *experts.urlpatterns,
    *selfcheck.urlpatterns,
    *rulebooks.urlpatterns,
    *dashboard.urlpatterns,
    *administration.urlpatterns,
    *exports.urlpatterns,
    *notifications.urlpatterns,
    *pool.urlpatterns,
    *supervision.urlpatterns,
    *delegations.urlpatterns,
    *platform.urlpatterns,
]
