#!/usr/bin/env bash
# Installs what the tests need when missing (Debian packages libonnx-testdata and chromium), then runs every test
# project of the solution. Extra arguments go to `dotnet test` (e.g. --filter, --logger trx).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

missing=()
[ -d /usr/share/libonnx-testdata/data ] || missing+=(libonnx-testdata)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v clang >/dev/null 2>&1 || missing+=(clang)  # OpenCL C syntax check of the GPU kernels
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null 2>&1; then sudo=(sudo); else sudo=(); fi
  if [ "$(id -u)" -eq 0 ] || [ ${#sudo[@]} -gt 0 ]; then
    echo "Installing test dependencies: ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "warning: cannot install ${missing[*]} (not root, no sudo); the tests that need them will be skipped with a reason." >&2
  fi
fi

# Release by default: the kernels run about 20x slower in Debug, which would make the model tests crawl.
config=(-c Release)
for a in "$@"; do case "$a" in -c|--configuration|-c=*|--configuration=*) config=() ;; esac; done
exec dotnet test FeatureViz.sln "${config[@]}" "$@"
