"""The test suite: fast hashing; the database from DATABASE_URL (SQLite by default); every file
the suite writes in a directory of its own run, never in the checkout."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from govit.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# One temporary directory a run (uploads, var/, backups, bench and screenshot outputs; Hypothesis's
# examples: tests/conftest.py), removed when the run ends. Without it a full run left ~1,400 files
# under var/media. Only the process that made it removes it: a forked worker leaves it alone.
TEST_RUN_DIR = Path(tempfile.mkdtemp(prefix="govit-test-"))
_MAKER = os.getpid()


@atexit.register
def _remove_run_dir() -> None:
    if os.getpid() == _MAKER:
        shutil.rmtree(TEST_RUN_DIR, ignore_errors=True)


VAR_DIR = TEST_RUN_DIR / "var"
MEDIA_ROOT = VAR_DIR / "media"
STATIC_ROOT = VAR_DIR / "static"
# The browser suite's screenshots: GOVIT_SCREENSHOTS_DIR keeps them (.ci/run sets it to the
# checkout's git-ignored var/screenshots); by default they go with the run.
SCREENSHOTS_DIR = Path(os.environ.get("GOVIT_SCREENSHOTS_DIR") or VAR_DIR / "screenshots")
# The browser suite's measurements (test_web_vitals): GOVIT_BENCH_DIR keeps them.
BENCH_DIR = Path(os.environ.get("GOVIT_BENCH_DIR") or VAR_DIR / "bench")
