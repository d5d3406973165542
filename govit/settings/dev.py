"""Local development: SQLite in var/, debug pages on."""

from govit.settings.base import *  # noqa: F403

DEBUG = True

# A mistyped address shows the site's Chinese 404 (and 403, 500), as in production, not Django's
# debug page with the URL list (govit/web/errors.py). GOVIT_DEBUG_PAGES=1: Django's debug pages.
if not env_bool("GOVIT_DEBUG_PAGES", False):  # noqa: F405
    MIDDLEWARE = [*MIDDLEWARE, "govit.web.errors.DebugShowsSitePages"]  # noqa: F405
