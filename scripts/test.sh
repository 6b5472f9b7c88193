#!/usr/bin/env bash
# The whole test suite, as `make test` (and so CI) runs it. Each step fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# Lint and import order over the whole tree; types over engine/ (pyproject.toml configures both).
"$BIN/ruff" check .
"$BIN/mypy" engine

# Every test, both databases, real services (PostgreSQL, Redis, a Celery worker, Chromium),
# in parallel: one xdist worker per core (`-n 0` in the arguments runs them in one process).
"$BIN/python" -m pytest -n auto "$@"
# The engine and the processes again with the fast path off (the ORM session, same rows).
SAMFLYT_FAST_PATH=off "$BIN/python" -m pytest -q tests/engine tests/processes
