#!/usr/bin/python3
"""Builds test-fixtures/routed-tiny/: a tiny random Llama with two random LoRA adapters routed per batch row
(models/training/radflow_train/routed_lora.py), exported with the `adapter_ids` input, and the greedy ids PyTorch gives
each parity prompt with each adapter. The adapters are large enough to change the greedy ids, so a runtime that feeds
the wrong adapter to a row fails the parity check.

Run: /usr/bin/python3 libs/model-runtime/test-fixtures/make_routed_fixture.py  (Debian's torch, onnx, onnxruntime)"""
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO / "models" / "training"))

import onnx  # noqa: E402,F401  (before torch: protobuf clash)
import torch  # noqa: E402

from radflow_train import cxr_export  # noqa: E402
from radflow_train.llama import Llama, LlamaConfig  # noqa: E402
from radflow_train.routed_lora import route_adapters  # noqa: E402

SOURCE = REPO / "models" / "tiny-random"  # its tokenizer, special tokens and parity prompts
OUT = HERE / "routed-tiny"
CONFIG = LlamaConfig(vocab_size=512, n_layers=2, d_model=48, n_heads=6, n_kv_heads=2, d_ff=64, max_positions=512)
NEW_TOKENS = 12
# Adapter 0 answers every task but the label tasks, which adapter 1 answers (radflow-cxr's layout: a general adapter
# and a labels adapter).
ADAPTERS = {"names": ["general", "labels"], "default": 0, "tasks": {"abnormality_labels": 1, "device_labels": 1}}


def random_model(seed: int) -> Llama:
    torch.manual_seed(seed)
    model = Llama(CONFIG)
    for p in model.parameters():
        torch.nn.init.normal_(p, std=0.2)
    return model.eval()


def random_adapter(seed: int, rank: int, first_layer: int) -> dict[str, torch.Tensor]:
    model = random_model(0)
    model.add_lora(rank=rank, alpha=2 * rank, first_layer=first_layer)
    torch.manual_seed(seed)
    for name, p in model.named_parameters():
        if ".lora_" in name:
            torch.nn.init.normal_(p, std=0.5)
    return model.lora_state()


def main() -> None:
    model = random_model(4)  # seed with no near-tie (top-2 margin > 1e-3) in the recorded ids
    route = route_adapters(model, [(random_adapter(1, 4, 0), 2.0), (random_adapter(2, 2, 1), 2.0)])
    source = json.loads((SOURCE / "parity.json").read_text())
    cases = []
    for adapter in (0, 1):
        for case in source["cases"]:
            ids, margin = cxr_export.torch_greedy(model, [case["promptIds"]], NEW_TOKENS, source["padTokenId"],
                                                  route=route, adapter_ids=[adapter])
            cases.append({"prompt": case["prompt"], "promptIds": case["promptIds"], "adapter": adapter,
                          "generatedIds": ids[0], "minTop2Margin": round(margin, 5)})
    by_prompt = {}
    for case in cases:
        by_prompt.setdefault(tuple(case["promptIds"]), set()).add(tuple(case["generatedIds"]))
    if any(len(outputs) < 2 for outputs in by_prompt.values()):
        raise SystemExit("an adapter does not change the greedy ids: the fixture would not test routing")
    OUT.mkdir(exist_ok=True)
    cxr_export.export_onnx(model, OUT / "model.onnx", route=route)
    cxr_export.share_tied_head(OUT / "model.onnx", CONFIG.vocab_size)
    pad = source["padTokenId"]
    cxr_export.write_json(OUT / "config.json", CONFIG.hf_config(bos=0, eos=0, pad=pad))
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(SOURCE / name, OUT / name)
    manifest = json.loads((SOURCE / "radflow-model.json").read_text())
    manifest.update({"name": "radflow-tiny-routed", "architecture": "llama", "onnx": {"model": "model.onnx"},
                     "adapters": ADAPTERS,
                     "description": "Random Llama with two random LoRA adapters routed per row (test fixture)."})
    cxr_export.write_json(OUT / "radflow-model.json", manifest)
    cxr_export.write_json(OUT / "parity.json", {
        "description": "PyTorch greedy ids per prompt and adapter (adapter_ids fed per row): KV cache, left padding, "
                       "exactly maxNewTokens tokens, no stop.",
        "model": "model.onnx", "maxNewTokens": NEW_TOKENS, "padTokenId": pad, "cases": cases})
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
