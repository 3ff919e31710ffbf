#!/usr/bin/env bash
# Issue 15, cold start: ResNet18 forward through fresh `featureviz eval` processes under each runtime setting, with
# ONNX Runtime and the warm `featureviz bench` figure in the same run (see docs/benchmarks.md, "Cold start").
# Variants: the shipped settings, TieredCompilation off, TieredPGO off, TC_QuickJitForLoops off, and a ReadyToRun
# publish (built here into a temporary folder). Extra arguments go to the comparison (e.g. --runs 5).
set -euo pipefail
cd "$(dirname "$0")/.."
r2r=$(mktemp -d)
trap 'rm -rf "$r2r"' EXIT
dotnet build src/FeatureViz.Cli -c Release -warnaserror -v q -nologo >/dev/null
dotnet build benchmarks/FeatureViz.Benchmarks -c Release -v q -nologo >/dev/null
dotnet publish src/FeatureViz.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -v q -nologo -o "$r2r" >/dev/null
jit=src/FeatureViz.Cli/bin/Release/net10.0/featureviz.dll
compare() { dotnet benchmarks/FeatureViz.Benchmarks/bin/Release/net10.0/FeatureViz.Benchmarks.dll --compare-ort --only resnet18 "$@" | sed -n 3p; }
for pass in 1 2; do
  echo "pass $pass"
  echo "shipped (JIT, tiered)      $(compare --featureviz "$jit" "$@")"
  echo "TieredCompilation=0        $(DOTNET_TieredCompilation=0 compare --featureviz "$jit" "$@")"
  echo "TieredPGO=0                $(DOTNET_TieredPGO=0 compare --featureviz "$jit" "$@")"
  echo "TC_QuickJitForLoops=0      $(DOTNET_TC_QuickJitForLoops=0 compare --featureviz "$jit" "$@")"
  echo "ReadyToRun                 $(compare --featureviz "$r2r/featureviz.dll" "$@")"
  echo "ReadyToRun, TC=0           $(DOTNET_TieredCompilation=0 compare --featureviz "$r2r/featureviz.dll" "$@")"
done
