#!/bin/sh
# CI smoke training: data -> tokenizer -> stage 1 -> stage 2 -> ONNX export (+ int8) -> parity, in under a minute.
# Usage: models/training/smoke.sh [OUT_DIR]   (default: a fresh temp dir). The exported model directory
# (radflow-model.json, model.onnx, tokenizer.json, ...) is OUT_DIR/model; its path is the last line printed, for the
# TypeScript runtime's load-and-generate step.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$(mktemp -d /tmp/radflow-smoke.XXXXXX)}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONUNBUFFERED=1
/usr/bin/python3 "$HERE/train.py" --smoke --out "$OUT" --export "$OUT/model"
for f in radflow-model.json config.json tokenizer.json tokenizer_config.json model.onnx parity.json MODEL_CARD.md; do
  test -s "$OUT/model/$f" || { echo "smoke: missing $OUT/model/$f" >&2; exit 1; }
done
echo "$OUT/model"
