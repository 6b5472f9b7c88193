#!/usr/bin/env bash
# Installs what Samflyt needs into .venv. Idempotent; `make` runs it when pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

# Translations of the web UI (bokmål is the source language; English is a catalog).
.venv/bin/pybabel compile --statistics -d webui/translations

# Browser assets from npm (package-lock.json pins them); nothing from node_modules is committed.
# bpmn-js (viewer, modeler) and dmn-js (modeler) are served from webui/static/vendor; axe-core is
# used by the browser tests.
npm ci --no-audit --no-fund --loglevel=error
vendor=webui/static/vendor
rm -rf "$vendor"
mkdir -p "$vendor/bpmn-js" "$vendor/axe-core"
cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js \
    node_modules/bpmn-js/dist/bpmn-modeler.production.min.js "$vendor/bpmn-js/"
cp node_modules/bpmn-js/dist/assets/diagram-js.css node_modules/bpmn-js/dist/assets/bpmn-js.css \
    "$vendor/bpmn-js/"
cp -r node_modules/bpmn-js/dist/assets/bpmn-font "$vendor/bpmn-js/"
cp node_modules/bpmn-js/LICENSE "$vendor/bpmn-js/" 2>/dev/null || true
mkdir -p "$vendor/dmn-js"
cp node_modules/dmn-js/dist/dmn-modeler.production.min.js "$vendor/dmn-js/"
cp node_modules/dmn-js/dist/assets/*.css "$vendor/dmn-js/"
cp -r node_modules/dmn-js/dist/assets/dmn-font "$vendor/dmn-js/"
cp node_modules/dmn-js/LICENSE "$vendor/dmn-js/" 2>/dev/null || true
cp node_modules/axe-core/axe.min.js "$vendor/axe-core/"

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
