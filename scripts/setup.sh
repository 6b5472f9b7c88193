#!/usr/bin/env bash
# Installs what Samflyt needs into .venv. Idempotent; `make` runs it when pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
