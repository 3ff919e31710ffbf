#!/usr/bin/env bash
# Issue 15, "as a user sees it": ours vs ONNX Runtime per model, forward per image, in one run.
# ours through `featureviz eval` in fresh processes ((batch 9 - batch 1) / 8) and warm through `featureviz bench`;
# ONNX Runtime (NuGet, benchmarks project) in process, the better of 1 and 2 threads. Models: the bundled ResNet18,
# every *.onnx in ../shared/data/models (or --models DIR), and a MobileNet-style model with depthwise convolutions and
# HardSwish built by the script. Extra arguments go to the comparison (--runs N, --only NAME, --models DIR).
# DOTNET_* variables in the environment reach the featureviz processes (e.g. DOTNET_TieredCompilation=0).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/FeatureViz.Cli -c Release -warnaserror -v q -nologo >/dev/null
dotnet build benchmarks/FeatureViz.Benchmarks -c Release -v q -nologo >/dev/null
exec dotnet benchmarks/FeatureViz.Benchmarks/bin/Release/net10.0/FeatureViz.Benchmarks.dll --compare-ort \
  --featureviz "${FEATUREVIZ:-src/FeatureViz.Cli/bin/Release/net10.0/featureviz.dll}" "$@"
