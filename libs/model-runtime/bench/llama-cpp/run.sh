#!/usr/bin/env bash
# llama.cpp beside radflow on the same eight bench prompts (radflow-cxr's ChatML frame) and the base's own GGUF.
#   libs/model-runtime/bench/llama-cpp/run.sh [--tokens 64 --batch 8 --threads 2]
# Then, for radflow on the same prompts: npm run bench -w @radflow/model-runtime -- --model .cache/models/radflow-cxr
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../../.." && pwd)"
export PATH="$ROOT/.cache/node/bin:$PATH"
# No GPU build and no source build are wanted: the prebuilt CPU binary ships in @node-llama-cpp/linux-x64.
# npm install, not npm ci: node-llama-cpp 3.22.1 lists an optional @node-llama-cpp/linux-riscv64 that the registry does
# not serve, so its lockfile can never hold it and npm ci refuses; install still takes every version from the lockfile.
[[ -d "$HERE/node_modules/node-llama-cpp" ]] || (cd "$HERE" && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm install --no-audit --no-fund --ignore-scripts >/dev/null)
prompts="$(mktemp)"
(cd "$ROOT/libs/model-runtime" && npx tsx -e "
import { readFileSync, writeFileSync } from 'node:fs';
import { benchPrompts } from './bench/bench-prompts.ts';
const manifest = JSON.parse(readFileSync('$ROOT/models/radflow-cxr/radflow-model.in.json', 'utf8'));
writeFileSync('$prompts', JSON.stringify(benchPrompts(manifest.specialTokens)));
")
gguf="$(/usr/bin/python3 -c 'import sys; sys.path.insert(0, "'"$ROOT"'/models/training"); from radflow_train import gguf_base; print(gguf_base.gguf_path())')"
node "$HERE/bench.js" --gguf "$gguf" --prompts "$prompts" "$@"
