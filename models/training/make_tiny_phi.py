#!/usr/bin/python3
"""Builds models/tiny-phi-optimum: a tiny randomly initialised PhiForCausalLM (Phi-2's architecture: partial rotary
embeddings, parallel attention and MLP, biased LM head) exported by Hugging Face Optimum itself
(`text-generation-with-past`), with PyTorch's greedy ids in parity.json.

It is the proof that the TypeScript runtime loads a real Phi-2 / Rad-Phi2 Optimum export unchanged: the ONNX file,
its I/O names and config.json are Optimum's and transformers', not ours. Only the manifest (radflow-model.json) and
parity.json are added. It does not do the tasks.

Needs transformers and optimum (pinned in requirements-optimum.txt) beside Debian's torch; run it once and commit
the output, like make_tiny_model.py:
    python3 -m venv --system-site-packages /tmp/optimum-venv
    /tmp/optimum-venv/bin/pip install -r models/training/requirements-optimum.txt
    /tmp/optimum-venv/bin/python models/training/make_tiny_phi.py
"""
from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

# onnx before torch: Debian's torch registers its own (older) onnx.proto in protobuf's C++ pool.
import onnx  # noqa: F401
import torch
from optimum.exporters.onnx import main_export
from transformers import PhiConfig, PhiForCausalLM

MODELS = Path(__file__).resolve().parent.parent
# The tiny fixture's byte-level BPE (512 ids, radflow's special tokens) keeps the embedding small; its parity cases
# (prompts written by us, no report text) give the prompt ids, so no tokenizer library is needed here.
TOKENIZER_FROM = MODELS / "tiny-random"
PARITY_FROM = TOKENIZER_FROM / "parity.json"
MAX_NEW_TOKENS = 20
MIN_MARGIN = 1e-3


def left_padded(prompts: list[list[int]], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(p) for p in prompts)
    ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
    return ids, mask


@torch.no_grad()
def greedy(model: PhiForCausalLM, prompts: list[list[int]], pad: int) -> tuple[list[list[int]], float]:
    """Greedy ids with the KV cache exactly as Optimum's generation feeds the export (left padding, position_ids from
    the mask), no stop at end-of-text; also the smallest top-1/top-2 logit gap seen."""
    ids, mask = left_padded(prompts, pad)
    positions = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)
    past = None
    generated: list[list[int]] = [[] for _ in prompts]
    margin = float("inf")
    step_ids = ids
    for _ in range(MAX_NEW_TOKENS):
        out = model(input_ids=step_ids, attention_mask=mask, position_ids=positions, past_key_values=past,
                    use_cache=True)
        logits = out.logits[:, -1, :]
        top2 = logits.topk(2, dim=-1).values
        margin = min(margin, float((top2[:, 0] - top2[:, 1]).min()))
        chosen = logits.argmax(-1)
        for row, token in enumerate(chosen.tolist()):
            generated[row].append(token)
        past = out.past_key_values
        step_ids = chosen[:, None]
        mask = torch.cat([mask, torch.ones_like(mask[:, :1])], dim=1)
        positions = positions[:, -1:] + 1
    return generated, margin


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=MODELS / "tiny-phi-optimum")
    # The same weights in Optimum's older merged layout (decoder_model_merged.onnx with use_cache_branch).
    ap.add_argument("--merged-out", type=Path,
                    default=MODELS.parent / "libs/model-runtime/test-fixtures/phi-optimum-merged")
    ap.add_argument("--seed", type=int, default=2)  # varied greedy ids, top-2 gaps >= 0.035
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)

    fixture = json.loads((TOKENIZER_FROM / "config.json").read_text())
    eos, pad, vocab_size = fixture["eos_token_id"], fixture["pad_token_id"], fixture["vocab_size"]
    # Phi-2's shape scaled down: head_dim 8 with half of it rotary (Phi-2: 80, partial_rotary_factor 0.4).
    # A wide init keeps top-1/top-2 gaps clear of float noise, so exact id parity is not a coin toss.
    config = PhiConfig(vocab_size=vocab_size, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                       num_attention_heads=4, partial_rotary_factor=0.5, max_position_embeddings=512,
                       initializer_range=0.3, resid_pdrop=0.0, embd_pdrop=0.0, attention_dropout=0.0,
                       bos_token_id=eos, eos_token_id=eos, pad_token_id=pad)
    model = PhiForCausalLM(config).eval()

    cases = json.loads(PARITY_FROM.read_text())["cases"]
    prompt_ids = [case["promptIds"] for case in cases]
    single = []
    margins = []
    for ids in prompt_ids:
        generated, margin = greedy(model, [ids], pad)
        single.append(generated[0])
        margins.append(margin)
    batched, batch_margin = greedy(model, prompt_ids, pad)
    if min(margins + [batch_margin]) < MIN_MARGIN:
        raise SystemExit(f"top-2 margin {min(margins + [batch_margin]):.2e} too small for exact parity; change --seed")
    if batched != single:
        raise SystemExit("left-padded batch differs from single-prompt generation in PyTorch")

    with tempfile.TemporaryDirectory() as checkpoint:
        model.save_pretrained(checkpoint)
        if args.out.exists():
            shutil.rmtree(args.out)
        # Optimum's own exporter and validation (it compares onnxruntime with PyTorch before writing).
        main_export(checkpoint, output=args.out, task="text-generation-with-past", device="cpu")
        with tempfile.TemporaryDirectory() as legacy:
            main_export(checkpoint, output=legacy, task="text-generation-with-past", device="cpu", legacy=True)
            if args.merged_out.exists():
                shutil.rmtree(args.merged_out)
            args.merged_out.mkdir(parents=True)
            for name in ("decoder_model_merged.onnx", "config.json"):
                shutil.copy(Path(legacy) / name, args.merged_out / name)
    for out in (args.out, args.merged_out):
        for name in ("tokenizer.json", "tokenizer_config.json"):
            shutil.copy(TOKENIZER_FROM / name, out / name)
        # transformers records the temporary checkpoint's path; a fixed name keeps rebuilds byte-identical.
        hf_config = json.loads((out / "config.json").read_text())
        hf_config["_name_or_path"] = "radflow/tiny-phi-optimum"
        (out / "config.json").write_text(json.dumps(hf_config, indent=2, sort_keys=True) + "\n")

    manifest = json.loads((TOKENIZER_FROM / "radflow-model.json").read_text())
    manifest.update({
        "name": "radflow-tiny-phi-optimum",
        "version": "0.1.0",
        "onnx": {"model": "model.onnx"},
        "description": "Randomly initialised PhiForCausalLM exported by Hugging Face Optimum "
                       "(text-generation-with-past); proves the Phi-2 export's I/O. Does not do the tasks.",
    })
    (args.out / "radflow-model.json").write_text(json.dumps(manifest, indent=2) + "\n")
    merged = {**manifest, "name": "radflow-tiny-phi-optimum-merged", "onnx": {"model": "decoder_model_merged.onnx"},
              "description": "models/tiny-phi-optimum's weights in Optimum's legacy merged layout (use_cache_branch)."}
    (args.merged_out / "radflow-model.json").write_text(json.dumps(merged, indent=2) + "\n")
    parity = {
        "description": "PyTorch (transformers PhiForCausalLM) greedy ids with KV cache: left padding, position_ids "
                       "from the attention mask, exactly maxNewTokens tokens (no stop at <endoftext>); the same for "
                       "each prompt alone and all as one left-padded batch.",
        "model": "model.onnx",
        "maxNewTokens": MAX_NEW_TOKENS,
        "padTokenId": pad,
        "cases": [
            {"prompt": case["prompt"], "promptIds": ids, "generatedIds": gen, "minTop2Margin": round(m, 6)}
            for case, ids, gen, m in zip(cases, prompt_ids, single, margins)
        ],
        "batchMinTop2Margin": round(batch_margin, 6),
        "exporter": {"optimum": __import__("optimum.version").version.__version__,
                     "transformers": __import__("transformers").__version__, "torch": torch.__version__},
    }
    for out in (args.out, args.merged_out):
        (out / "parity.json").write_text(json.dumps(parity, indent=2) + "\n")
    files = sorted(p.name for p in args.out.iterdir())
    print(f"tiny-phi-optimum: {sum(p.numel() for p in model.parameters())} parameters, files {files}")
    for case in parity["cases"]:
        print(f"  {len(case['promptIds'])} prompt ids -> {case['generatedIds']} (min margin {case['minTop2Margin']})")


if __name__ == "__main__":
    main()
