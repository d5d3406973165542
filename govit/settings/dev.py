"""Local development: SQLite in var/, debug pages on."""

from govit.settings.base import *  # noqa: F403

DEBUG = True
