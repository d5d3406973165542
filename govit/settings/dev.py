"""Local development: SQLite in var/, debug pages on; without Redis, the background jobs run in the
development server's own process (govit/jobs/inprocess.py, docs/jobs.md)."""

from govit.settings.base import *  # noqa: F403
from govit.settings.env import env_bool, env_str

DEBUG = True

# `runserver` runs the registered jobs (reminders, escalations) every few minutes in a thread of
# its own; with REDIS_URL, Celery worker and beat run them instead
GOVIT_INPROCESS_JOBS = env_bool("GOVIT_INPROCESS_JOBS", not env_str("REDIS_URL"))
# A mistyped address shows the site's Chinese 404 (and 403, 500), as in production, not Django's
# debug page with the URL list (govit/web/errors.py). GOVIT_DEBUG_PAGES=1: Django's debug pages.
if not env_bool("GOVIT_DEBUG_PAGES", False):
    MIDDLEWARE = [*MIDDLEWARE, "govit.web.errors.DebugShowsSitePages"]  # noqa: F405
