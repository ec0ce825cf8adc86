#!/usr/bin/env bash
# Refresh the vendored front-end files from the npm registry. The built files are committed
# (no CDN, no build step at install time); run this only to upgrade a version.
set -euo pipefail
BOOTSTRAP=5.3.9
HTMX=2.0.11
cd "$(dirname "$0")/.."
dest=src/jianguan/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack -q "bootstrap@$BOOTSTRAP" "htmx.org@$HTMX" >/dev/null)
mkdir -p "$dest/bootstrap" "$dest/htmx"
tar -xzf "$tmp/bootstrap-$BOOTSTRAP.tgz" -C "$tmp"
cp "$tmp/package/dist/css/bootstrap.min.css" "$tmp/package/dist/js/bootstrap.bundle.min.js" "$tmp/package/LICENSE" "$dest/bootstrap/"
rm -rf "$tmp/package"
tar -xzf "$tmp/htmx.org-$HTMX.tgz" -C "$tmp"
cp "$tmp/package/dist/htmx.min.js" "$tmp/package/LICENSE" "$dest/htmx/"
printf 'bootstrap %s\nhtmx.org %s\n' "$BOOTSTRAP" "$HTMX" > "$dest/VERSIONS"
echo "vendored into $dest"
