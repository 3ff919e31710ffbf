#!/usr/bin/env bash
# Renders the default gallery (a handful of channels of a middle layer of the bundled ResNet18) into ./featureviz-out.
# Any arguments are passed to `featureviz render` (see --help), e.g. ./scripts/render.sh --steps 512 --out out
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
exec dotnet run --project "$root/src/FeatureViz.Cli" -c Release -- render "$@"
