#!/usr/bin/env bash
# Refresh the vendored front-end files from the npm registry. The built files are committed
# (no CDN, no build step at install time); run this only to upgrade a version.
set -euo pipefail
BOOTSTRAP=5.3.9
HTMX=2.0.11
SWAGGER=5.32.0
cd "$(dirname "$0")/.."
dest=src/jianguan/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack -q "bootstrap@$BOOTSTRAP" "htmx.org@$HTMX" "swagger-ui-dist@$SWAGGER" >/dev/null)
mkdir -p "$dest/bootstrap" "$dest/htmx" "$dest/swagger-ui"
tar -xzf "$tmp/bootstrap-$BOOTSTRAP.tgz" -C "$tmp"
cp "$tmp/package/dist/css/bootstrap.min.css" "$tmp/package/dist/js/bootstrap.bundle.min.js" "$tmp/package/LICENSE" "$dest/bootstrap/"
rm -rf "$tmp/package"
tar -xzf "$tmp/htmx.org-$HTMX.tgz" -C "$tmp"
cp "$tmp/package/dist/htmx.min.js" "$tmp/package/LICENSE" "$dest/htmx/"
rm -rf "$tmp/package"
tar -xzf "$tmp/swagger-ui-dist-$SWAGGER.tgz" -C "$tmp"
cp "$tmp/package/"{swagger-ui-bundle.js,swagger-ui-bundle.js.LICENSE.txt,swagger-ui.css,LICENSE,NOTICE} "$dest/swagger-ui/"
# The source maps are not vendored: drop the comments that point at them (collectstatic's
# manifest storage would otherwise fail on the missing files).
sed -i '/sourceMappingURL=/d' "$dest"/bootstrap/*.min.* "$dest"/htmx/*.js "$dest"/swagger-ui/*.css "$dest"/swagger-ui/*.js
printf 'bootstrap %s\nhtmx.org %s\nswagger-ui-dist %s\n' "$BOOTSTRAP" "$HTMX" "$SWAGGER" > "$dest/VERSIONS"
echo "vendored into $dest"
