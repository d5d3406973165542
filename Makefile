# GovIT: the two commands of a fresh machine are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run test lint bench clean

# (Re)install when pyproject.toml changes; the stamp keeps repeated runs fast.
$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "GovIT 需要 Python 3.11 或更高版本")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(INSTALLED)

run: install
	$(BIN)/govit manage migrate --noinput
	$(BIN)/govit demo load
	$(BIN)/govit manage runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The suite runs twice: on SQLite (the default) and on PostgreSQL at PG_TEST_URL, where
# pytest-django creates and drops test_<name> itself. An unreachable server skips the PostgreSQL
# run, unless GOVIT_REQUIRE_POSTGRES=1 (as .ci/run sets): then it is a failure. Both runs always
# run; `make test` fails if either does. PYTEST_ARGS passes options to both (e.g. -x, -k name).
# Before them: the import layers (lint-imports, [tool.importlinter] in pyproject.toml) and the
# rulebooks' and calendar's own checks.
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/govit
PYTEST_ARGS ?=

test: lint
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/govit rulebooks validate
	$(BIN)/govit calendar validate
	$(BIN)/govit rulebooks coverage > /dev/null
	@failed=""; \
	echo "== pytest on SQLite"; \
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS) || failed="$$failed SQLite"; \
	if reason=$$($(BIN)/govit db ready "$(PG_TEST_URL)" 2>&1); then \
		echo "== pytest on PostgreSQL: $$reason"; \
		DATABASE_URL="$(PG_TEST_URL)" $(BIN)/pytest $(PYTEST_ARGS) || failed="$$failed PostgreSQL"; \
	elif [ "$${GOVIT_REQUIRE_POSTGRES:-}" = 1 ]; then \
		echo "== PostgreSQL required (GOVIT_REQUIRE_POSTGRES=1) but unreachable: $$reason"; \
		failed="$$failed PostgreSQL(unreachable)"; \
	else \
		echo "== PostgreSQL run SKIPPED (set GOVIT_REQUIRE_POSTGRES=1 to fail instead): $$reason"; \
	fi; \
	if [ -n "$$failed" ]; then echo "== make test FAILED on:$$failed"; exit 1; fi; \
	echo "== make test passed"

# decide() on one core; every main page with the demo data (SQLite); province scale on PostgreSQL.
# Each prints its table and writes it to var/bench/; docs/benchmarks.md records dated runs.
bench: install
	@failed=""; \
	$(BIN)/python bench/run.py || failed="$$failed decide"; \
	$(BIN)/python bench/pages.py || failed="$$failed pages"; \
	if [ -f bench/province.py ]; then $(BIN)/python bench/province.py || failed="$$failed province"; fi; \
	if [ -n "$$failed" ]; then echo "== below target:$$failed"; exit 1; fi

clean:
	rm -rf $(VENV) var/*.sqlite3 .pytest_cache
