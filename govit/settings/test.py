"""The test suite: fast hashing; the database from DATABASE_URL (SQLite by default)."""

from govit.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
