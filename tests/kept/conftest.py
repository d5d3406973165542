"""Kept reads on, for the tests of this folder (and those that import the fixture)."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture
def kept_on(settings):
    """Kept reads on, over a cache of this process (the suite's cache is the database's)."""
    settings.GOVIT_KEPT_READS = True
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kept"}
    }
    cache.clear()
    yield
    cache.clear()
