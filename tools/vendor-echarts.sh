#!/usr/bin/env bash
# Vendors Apache ECharts into the host's static files (src/FinanceSupermarket.Api/wwwroot/lib/echarts/): the npm package
# `echarts` at the pinned version, its minified browser build and its licence, so that the regulator's cockpit draws its
# charts with nothing fetched at run time (the portal's CSP allows this host's own files only).
#
#   tools/vendor-echarts.sh            # re-vendor the pinned version; commit what changes
#
# To move to another version, change ECHARTS_VERSION below, run the script, and commit: a test
# (Portal/VendoredEChartsTests) checks that the vendored file is the pinned version.
set -euo pipefail

ECHARTS_VERSION=6.1.0

root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root/src/FinanceSupermarket.Api/wwwroot/lib/echarts"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack "echarts@$ECHARTS_VERSION" --silent >/dev/null)
tar -xzf "$work/echarts-$ECHARTS_VERSION.tgz" -C "$work" package/dist/echarts.min.js package/LICENSE package/NOTICE package/package.json

mkdir -p "$target"
# With an extension, so that the host serves them as text.
cp "$work/package/dist/echarts.min.js" "$target/"
cp "$work/package/LICENSE" "$target/LICENSE.txt"
cp "$work/package/NOTICE" "$target/NOTICE.txt"
cat > "$target/VERSION.txt" <<VERSION
echarts $ECHARTS_VERSION
source: npm package echarts@$ECHARTS_VERSION (dist/echarts.min.js, LICENSE, NOTICE), vendored by tools/vendor-echarts.sh on $(date -u +%Y-%m-%d)
VERSION
echo "vendored echarts $ECHARTS_VERSION into ${target#"$root"/}"
