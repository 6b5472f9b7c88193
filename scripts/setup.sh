#!/usr/bin/env bash
# Installs what Samflyt needs into .venv. Idempotent; `make` runs it when pyproject.toml, the
# lock or this script changes. Needs only python3 (3.11+), pip and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# Python packages at the exact versions and hashes of requirements/lock.txt (the runtime
# dependencies and the `test` extra of pyproject.toml; `make lock` regenerates it), then Samflyt
# itself without resolving anything again.
.venv/bin/python -m pip install --quiet --require-hashes -r requirements/lock.txt
.venv/bin/python -m pip install --quiet --no-deps -e .

# Translations of the web UI (bokmål is the source language; nynorsk and English are catalogs).
.venv/bin/pybabel compile --statistics -d webui/translations

# Browser assets from npm (package-lock.json pins them), copied into webui/static/vendor by the
# one asset script the Dockerfile runs too; nothing from node_modules is committed.
npm ci --no-audit --no-fund --loglevel=error
bash scripts/assets.sh

# The browser tests drive Debian's chromium (never `playwright install`).
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = "0" ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
    else
        echo "setup: /usr/bin/chromium is missing; install Debian's chromium package" \
             "(apt-get install chromium) to run the browser tests" >&2
    fi
fi

# The tests check docker-compose.yml with `docker-compose config` (Debian's package; it needs
# no Docker engine for that).
if ! command -v docker-compose >/dev/null; then
    if [ "$(id -u)" = "0" ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose
    else
        echo "setup: docker-compose is missing; install Debian's docker-compose package" \
             "(apt-get install docker-compose) to check docker-compose.yml" >&2
    fi
fi

# WeasyPrint renders the plan (and later the letters) to PDF with Pango, HarfBuzz and
# fontconfig, and needs a font: Debian's packages, named here and in the Dockerfile.
WEASYPRINT_APT="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core"
missing=""
for package in $WEASYPRINT_APT; do
    dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = "0" ]; then
        apt-get update -qq
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
    else
        echo "setup: install Debian's$missing for WeasyPrint (PDF)" >&2
    fi
fi
