"""Sessions with several app servers: with Redis a session is read from the cache and written
through to the database, so a sign-in survives Redis being emptied or restarted; without Redis
it lives in the database alone."""

from __future__ import annotations

from tests.ops.procs import production, run

SCRIPT = """
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import call_command
from importlib import import_module

call_command("migrate", verbosity=0)
engine = import_module(settings.SESSION_ENGINE)
store = engine.SessionStore()
store["_auth_user_id"] = "7"
store.save()
print("stored in database:", Session.objects.filter(session_key=store.session_key).exists())
cache.clear()  # Redis emptied (or restarted): the cache forgets every session
print("after the cache is emptied:", engine.SessionStore(store.session_key).get("_auth_user_id"))
"""


def _run(tmp_path, **variables):
    env = production(tmp_path, tmp_path, **variables)
    done = run(["python", "-c", "import django; django.setup()\n" + SCRIPT], env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_with_redis_a_signed_in_user_stays_signed_in_when_redis_is_emptied(tmp_path, redis_url):
    out = _run(tmp_path, REDIS_URL=redis_url)
    assert "stored in database: True" in out
    assert "after the cache is emptied: 7" in out


def test_without_redis_sessions_live_in_the_database(tmp_path):
    out = _run(tmp_path)
    assert "stored in database: True" in out
    assert "after the cache is emptied: 7" in out
