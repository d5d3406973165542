"""Background jobs: plain functions in a registry, run by Celery (with Redis) or in-process by
``govit jobs run-due`` (without) — the same code either way."""
