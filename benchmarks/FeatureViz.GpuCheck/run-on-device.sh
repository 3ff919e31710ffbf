#!/usr/bin/env bash
# The whole GPU check in one command, on the GPU machine, from the repository root, after `source .device/env.sh`
# (see README.md beside this script): the card, the PyTorch baseline (which also exports torchvision's ResNet18 to
# ONNX), then FeatureViz.GpuCheck on the same card with that model and the baseline merged in; the table comes last.
# Results go to $OUT/gpucheck (the device tool brings $OUT back), or to ./gpucheck-out without $OUT.
# Budgets (seconds of wall time, each section inside skips what would not fit): TORCH_BUDGET (default 120) and
# OURS_BUDGET (default 300); with start-up, export and compilation the command stays under ~9 minutes.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:+$OUT/gpucheck}
out=${out:-gpucheck-out}
torch_budget=${TORCH_BUDGET:-120}
ours_budget=${OURS_BUDGET:-300}
model=${TMPDIR:-/tmp}/resnet18-torchvision.onnx   # ~45 MB: kept out of $OUT
mkdir -p "$out"

{ date -u; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader; } 2>&1 | tee "$out/nvidia-smi.txt"

# ILGPU.Algorithms' cuFFT wrapper (our FFT's baseline) loads libcufft.so.12, which CUDA 13 ships here.
for d in /usr/local/cuda-13.0/targets/x86_64-linux/lib /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda/lib64; do
  if [ -e "$d/libcufft.so.12" ]; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done

echo "== PyTorch baseline (budget ${torch_budget} s)"
timeout $((torch_budget + 60)) python3 "$here/torch_baseline.py" --out "$out/torch.json" --export "$model" \
  --budget-seconds "$torch_budget" 2>&1 | tee "$out/torch.log"

args=(--device cuda --out "$out" --budget-seconds "$ours_budget")
if [ -s "$model" ]; then args+=(--model "$model"); else echo "no exported model: FeatureViz.GpuCheck builds its own ResNet18"; fi
if [ -s "$out/torch.json" ]; then args+=(--baseline "$out/torch.json"); else echo "no PyTorch baseline JSON: our figures only"; fi

echo "== FeatureViz.GpuCheck (budget ${ours_budget} s)"
# The program writes gpucheck.json after every section, so a run cut short still leaves what it measured.
timeout $((ours_budget + 100)) dotnet .device/FeatureViz.GpuCheck/FeatureViz.GpuCheck.dll "${args[@]}" > "$out/gpucheck.stdout" 2>&1
rc=$?
tail -n 5 "$out/gpucheck.stdout"
echo "== exit code $rc (0: every correctness check passed; 1: a check failed; 2: bad arguments or no CUDA device; 124: timed out)"
if [ -s "$out/table.txt" ]; then cat "$out/table.txt"; else grep -v '^  ok ' "$out/gpucheck.stdout" | tail -n 60; fi
exit $rc
