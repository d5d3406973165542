"""A new app-server worker is made ready before its first request (govit/ops/warm.py): its
rulebooks loaded and the release of kept reads worked out; a failure there never stops it."""

from __future__ import annotations

import logging

import pytest

from govit.jurisdictions.models import RulebookVersion
from govit.kept import reads as kept
from govit.ops.warm import warm_up
from govit.policy import loader

pytestmark = pytest.mark.django_db


def test_the_stored_rulebooks_are_loaded_before_the_first_request(tree):
    loader._by_digest.clear()
    kept.release.cache_clear()
    warm_up()
    versions = list(RulebookVersion.objects.all())
    assert len(versions) >= 5
    assert len(loader._by_digest) == len({v.yaml_text for v in versions})
    assert kept.release.cache_info().currsize == 1


def test_a_failing_warm_up_is_logged_and_the_worker_starts(tree, monkeypatch, caplog):
    def broken(self):
        raise RuntimeError("the database is not there yet")

    monkeypatch.setattr(RulebookVersion, "load", broken)
    with caplog.at_level(logging.WARNING, logger="govit.ops"):
        warm_up()
    assert "warm-up failed" in caplog.text
