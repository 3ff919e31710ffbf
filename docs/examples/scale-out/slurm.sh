#!/bin/bash
# A featureviz atlas as a Slurm job array: one array task per shard, all on one shared filesystem.
# Before: featureviz plan --model model.onnx --out "$ATLAS"
# Submit: ATLAS=/shared/atlas sbatch slurm.sh
# After:  featureviz merge "$ATLAS" (exits 1 while any item is missing or failed), e.g. as
#         sbatch --dependency=afterany:<array job id> --wrap "featureviz merge $ATLAS"
# See docs/scale-out.md. The tests check this file with bash -n and against the sbatch(1) option list.
#SBATCH --job-name=featureviz-atlas
#SBATCH --array=0-15%8
#SBATCH --gres=gpu:1
#SBATCH --cpus-per-task=4
#SBATCH --mem=16G
#SBATCH --time=04:00:00
#SBATCH --requeue
#SBATCH --output=featureviz-atlas-%A_%a.out

set -euo pipefail
ATLAS="${ATLAS:-/shared/atlas}"

# The shard index comes from SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN and the shard count from
# SLURM_ARRAY_TASK_COUNT (16 for --array=0-15, whatever the %8 throttle).
exec featureviz run-shard --plan "$ATLAS" --device cuda --threads "${SLURM_CPUS_PER_TASK:-4}"
