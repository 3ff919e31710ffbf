#!/usr/bin/env bash
# Builds the documentation site (guide, objective grammar, API reference from the XML docs) into docs/_site with
# docfx (a local dotnet tool, .config/dotnet-tools.json). Fails on any docfx warning.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dotnet tool restore >/dev/null
rm -rf docs/_site docs/api/*.yml docs/api/.manifest
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet docfx docs/docfx.json --warningsAsErrors "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then echo "docfx failed (exit $status)" >&2; exit "$status"; fi
if grep -qiE '^\s*warning|[0-9]+ warning\(s\)' "$log" && ! grep -qE '\b0 warning\(s\)' "$log"; then
  echo "docfx reported warnings" >&2
  exit 1
fi
echo "Site: $root/docs/_site/index.html"
