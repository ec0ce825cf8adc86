#!/usr/bin/env bash
# Refresh the vendored axe-core (the accessibility engine the browser tests run in every page)
# from the npm registry. Test-only: it lives under tests/, never in the served static files.
set -euo pipefail
AXE=4.14.1
cd "$(dirname "$0")/.."
dest=tests/e2e/vendor/axe-core
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack -q "axe-core@$AXE" >/dev/null && tar -xzf "axe-core-$AXE.tgz")
mkdir -p "$dest"
cp "$tmp/package/"{axe.min.js,LICENSE,LICENSE-3RD-PARTY.txt} "$dest/"
printf 'axe-core %s\n' "$AXE" > "$dest/VERSION"
echo "vendored into $dest"
