"""Stamps (govit/core/stamps.py): a token per scope, started once, renewed at a write and again
at its commit; the cache failing fails neither a read nor a write."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

from govit.core import stamps

pytestmark = pytest.mark.django_db  # a renewal also waits for the commit


@pytest.fixture
def locmem(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "st"}
    }
    cache.clear()
    yield
    cache.clear()


def test_a_token_is_started_once_and_read_back_the_same(locmem):
    first = stamps.tokens(["a", "b"])
    assert first is not None and first["a"] != first["b"]
    assert stamps.tokens(["a", "b"]) == first


def test_a_write_renews_now_and_again_at_its_commit(locmem, django_capture_on_commit_callbacks):
    before = stamps.tokens(["a", "b"])
    with django_capture_on_commit_callbacks() as callbacks:
        stamps.renew(["a"])
    written = stamps.tokens(["a", "b"])
    assert written["a"] != before["a"] and written["b"] == before["b"]
    for callback in callbacks:
        callback()
    committed = stamps.tokens(["a", "b"])
    assert committed["a"] not in (before["a"], written["a"]) and committed["b"] == before["b"]


def test_a_lost_token_starts_afresh(locmem):
    before = stamps.tokens(["a"])
    cache.delete(stamps.key("a"))
    assert stamps.tokens(["a"]) != before


def test_a_cache_that_keeps_nothing_or_does_not_answer_gives_no_tokens(settings, monkeypatch):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert stamps.tokens(["a"]) is None
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "down"}
    }

    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    for name in ("get_many", "set_many", "add"):
        monkeypatch.setattr(LocMemCache, name, down)
    assert stamps.tokens(["a"]) is None
    stamps.renew(["a"])  # logged, not raised
