"""Run GovIT the way an operator does: its commands in a fresh process, with an environment that
holds only what the test gives it (none of pytest's settings or the developer's variables)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
PROD = "govit.settings.prod"


def production_key() -> str:
    return secrets.token_urlsafe(50)


def environment(var_dir: Path, **variables: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(var_dir),  # gunicorn keeps its control socket there: one per test
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "GOVIT_VAR_DIR": str(var_dir),
    }
    return env | variables


def production(var_dir: Path, database_dir: Path, **variables: str) -> dict[str, str]:
    """A production server's environment: a key of its own, ``localhost``, and a SQLite database
    in ``database_dir``."""
    return environment(
        var_dir,
        DJANGO_SETTINGS_MODULE=PROD,
        SECRET_KEY=production_key(),
        ALLOWED_HOSTS="localhost",
        DATABASE_URL=f"sqlite:///{database_dir / 'govit.sqlite3'}",
        **variables,
    )


def run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    command = [str(BIN / args[0]), *args[1:]]
    return subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
