#!/usr/bin/env bash
# Copies the browser assets the web UI serves from node_modules (installed by `npm ci`, pinned by
# package-lock.json) into webui/static/vendor, or into the directory given as the only argument.
# This is the one list of those files: scripts/setup.sh and the Dockerfile both run this script.
#
#   bpmn-js   the navigated viewer (case page, library) and the modeler (diagram editor), with
#             their CSS and the bpmn font
#   dmn-js    the modeler (decision table editor), with its CSS and the dmn font
#   axe-core  the accessibility checker the browser tests inject into pages
#
# Nothing under webui/static/vendor is committed (.gitignore). Usage: scripts/assets.sh [DEST]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
modules="$root/node_modules"
dest="${1:-$root/webui/static/vendor}"

if [ ! -d "$modules/bpmn-js" ] || [ ! -d "$modules/dmn-js" ] || [ ! -d "$modules/axe-core" ]; then
    echo "assets: $modules lacks bpmn-js, dmn-js or axe-core; run \`npm ci\` first" >&2
    exit 1
fi

# Build next to the destination and swap at the end, so a failed copy never leaves half a set.
mkdir -p "$(dirname "$dest")"
build="$(mktemp -d "$(dirname "$dest")/.vendor.XXXXXX")"
trap 'rm -rf "$build"' EXIT

bpmn="$modules/bpmn-js"
mkdir -p "$build/bpmn-js"
cp "$bpmn/dist/bpmn-navigated-viewer.production.min.js" \
   "$bpmn/dist/bpmn-modeler.production.min.js" \
   "$bpmn/dist/assets/diagram-js.css" \
   "$bpmn/dist/assets/bpmn-js.css" \
   "$bpmn/LICENSE" \
   "$build/bpmn-js/"
cp -r "$bpmn/dist/assets/bpmn-font" "$build/bpmn-js/"

dmn="$modules/dmn-js"
mkdir -p "$build/dmn-js"
cp "$dmn/dist/dmn-modeler.production.min.js" "$dmn/dist/assets/"*.css "$dmn/LICENSE" \
   "$build/dmn-js/"
cp -r "$dmn/dist/assets/dmn-font" "$build/dmn-js/"
# dmn-js's "production" bundle carries Inferno's development build (bpmn-io/dmn-js#965): at
# load it logs "Inferno is in development mode." and, minified, console.error()s "It looks
# like you're using a minified copy of the development build of Inferno". Take out those two
# statements (nothing else of the development build runs unasked); the script stops when the
# bundle no longer has them, so a new dmn-js is looked at rather than patched blindly.
node - "$build/dmn-js/dmn-modeler.production.min.js" <<'JS'
const fs = require("fs");
const file = process.argv[2];
const text = fs.readFileSync(file, "utf8");
const notice = /console\.info\("Inferno is in development mode\."\),-1===\([\w$]+\.name\|\|[\w$]+\.toString\(\)\)\.indexOf\("testFn"\)&&[\w$]+\("It looks like you're using a minified copy of the development build of Inferno\.[^"]*"\)/g;
const found = text.match(notice) || [];
if (found.length !== 1) {
  console.error(`assets: expected Inferno's development notice once in ${file}, found it ${found.length} times`);
  process.exit(1);
}
fs.writeFileSync(file, text.replace(notice, "void 0"));
JS

axe="$modules/axe-core"
mkdir -p "$build/axe-core"
cp "$axe/axe.min.js" "$axe/LICENSE" "$build/axe-core/"

chmod 755 "$build"
rm -rf "$dest"
mv "$build" "$dest"
trap - EXIT
