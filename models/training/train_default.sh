#!/bin/sh
# Trains the shipped default model (models/radflow-cxr-small) and runs the stage-1 ablation once.
# About 80-90 minutes of CPU at 1 thread on a shared 2-core machine. Run in the background:
#   nohup models/training/train_default.sh > models/training/runs/train_default.log 2>&1 &
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
RUNS="$HERE/runs"
mkdir -p "$RUNS"
PY=/usr/bin/python3
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONUNBUFFERED=1

# Stage 1 + first stage-2 leg (all tasks, TASK_WEIGHTS).
$PY "$HERE/train.py" --out "$RUNS/main" --write-splits --stage2-epochs 1.3

# Ablation (the paper's with / without the first stage), same seed, same small stage-2 budget.
ABLATION_STEPS=40
$PY "$HERE/train.py" --out "$RUNS/ablation-with-stage1" --init-from "$RUNS/main/stage1.pt" \
  --stage2-max-steps $ABLATION_STEPS --eval-every 20 --sanity-n 40 --final-val 800
$PY "$HERE/train.py" --out "$RUNS/ablation-without-stage1" --no-stage1 \
  --stage2-max-steps $ABLATION_STEPS --eval-every 20 --sanity-n 40 --final-val 800
$PY "$HERE/ablation_report.py" "$RUNS/ablation-with-stage1" "$RUNS/ablation-without-stage1" > "$HERE/ablation.md"

# Further stage-2 legs (FOCUS_WEIGHTS: label answers other than "none" weigh more); the last is exported as the
# shipped model. Each leg was kept because the validation loss and `radflow eval` improved over the one before.
$PY "$HERE/train.py" --out "$RUNS/focus" --init-from "$RUNS/main/stage2.pt" --focus --stage2-epochs 1.0 --lr2 3e-4
$PY "$HERE/train.py" --out "$RUNS/more" --init-from "$RUNS/focus/stage2.pt" --focus --stage2-epochs 2.0 --lr2 3e-4
$PY "$HERE/train.py" --out "$RUNS/more2" --init-from "$RUNS/more/stage2.pt" --focus --stage2-epochs 2.0 --lr2 2e-4 \
  --version 0.2.0 --export "$HERE/../radflow-cxr-small"
