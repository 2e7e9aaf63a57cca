#!/usr/bin/python3
"""Builds the servable radflow-cxr model from what the repository holds (a LoRA adapter) and the base from PyPI.

  build_cxr.py                                  # models/radflow-cxr -> .cache/models/radflow-cxr (skips if built)
  build_cxr.py --package runs/cxr-0.1/best.pt --version 0.1.0   # after training: write the adapter into
                                                # models/radflow-cxr and record the greedy ids the build must give

Steps: base GGUF (checked by sha256) -> PyTorch -> adapter merged -> ONNX (decoder with past, GQA cache, last-position
logits) -> int8 (per-channel, down_proj kept fp32) -> tokenizer.json from the GGUF -> config, manifest, card ->
onnxruntime reproduces the recorded greedy ids (fp32 and int8), or the build fails.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import onnx  # noqa: E402,F401  (before torch: protobuf clash)
import torch  # noqa: E402

from radflow_train import chat, cxr_export, gguf_base, paths  # noqa: E402

BUILD_FORMAT = 1  # bump when the build's output changes for the same adapter
MODEL_DIR = paths.REPO_ROOT / "models" / "radflow-cxr"
OUT_DIR = paths.REPO_ROOT / ".cache" / "models" / "radflow-cxr"
PARITY_NEW_TOKENS = 24
NEAR_TIE = 1e-3  # top-1/top-2 logit margin under which float kernels may legitimately pick the other token
PARITY_PROMPTS = [
    ("impression", {"findings": "The heart size is normal. The lungs are clear. No pleural effusion or pneumothorax."}),
    ("impression", {"findings": "Large right pneumothorax with leftward mediastinal shift. Right lung is collapsed. "
                                "Left lung is clear."}),
    ("abnormality_labels", {"report": "FINDINGS: Mild cardiomegaly. Small left pleural effusion with basilar "
                                      "atelectasis.\nIMPRESSION: Cardiomegaly and small left effusion."}),
    ("device_labels", {"report": "FINDINGS: Left chest wall pacemaker with leads in the right atrium and right "
                                 "ventricle. Median sternotomy wires. Lungs are clear.\nIMPRESSION: No acute disease."}),
]


def log(msg: str) -> None:
    print(f"[radflow-cxr] {msg}", flush=True)


def load_merged(adapter_meta: dict, adapter_path: Path):
    model, reader = gguf_base.load_base()
    lora = adapter_meta["lora"]
    model.add_lora(lora["rank"], lora["alpha"], first_layer=lora["first_layer"], targets=tuple(lora["targets"]))
    state = {k: v.float() for k, v in torch.load(adapter_path).items()}
    result = model.load_state_dict(state, strict=False)
    if result.unexpected_keys or len(state) == 0:
        raise ValueError(f"{adapter_path} does not fit the LoRA layout: {result.unexpected_keys[:4]}")
    model.merge_lora()
    model.eval()
    return model, reader


def parity_prompts(tok) -> list[dict]:
    out = []
    for task, inputs in PARITY_PROMPTS:
        prompt = chat.chat_prompt(task, **dict(inputs))
        out.append({"task": task, "prompt": prompt, "promptIds": tok.encode(prompt).ids})
    return out


def package(run_adapter: Path, version: str) -> None:
    """Writes models/radflow-cxr/adapter.pt (fp16) + adapter.json from a training run's best.pt."""
    run_dir = run_adapter.parent
    summary = json.loads((run_dir / "summary.json").read_text())
    state = {k: v.half() for k, v in torch.load(run_adapter).items()}
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    torch.save(state, MODEL_DIR / "adapter.pt")
    meta = {
        "name": "radflow-cxr", "version": version,
        "base": {"name": gguf_base.BASE_NAME, "package": gguf_base.BASE_PACKAGE, "file": gguf_base.BASE_FILE,
                 "sha256": gguf_base.file_sha256(gguf_base.gguf_path()), "licence": "Apache-2.0"},
        "lora": summary["lora"], "adapter": "adapter.pt", "adapterSha256": gguf_base.file_sha256(MODEL_DIR / "adapter.pt"),
        "training": {k: summary[k] for k in ("stage", "steps", "total_steps", "tokens", "elapsed_s", "best_val_loss",
                                             "train_sequences") if k in summary},
    }
    cxr_export.write_json(MODEL_DIR / "adapter.json", meta)
    log(f"packaged {run_adapter} as radflow-cxr {version} ({(MODEL_DIR / 'adapter.pt').stat().st_size / 1e6:.1f} MB)")


def build(out: Path, force: bool, record: bool) -> None:
    meta = json.loads((MODEL_DIR / "adapter.json").read_text())
    stamp = hashlib.sha256(json.dumps([BUILD_FORMAT, meta], sort_keys=True).encode()).hexdigest()
    build_file = out / "build.json"
    if not force and not record and build_file.exists() and json.loads(build_file.read_text()).get("stamp") == stamp \
            and (out / "model.int8.onnx").exists():
        log(f"{out} is up to date ({meta['version']})")
        return
    started = time.time()
    if gguf_base.file_sha256(MODEL_DIR / meta["adapter"]) != meta["adapterSha256"]:
        raise SystemExit(f"{MODEL_DIR / meta['adapter']} does not match adapterSha256 in adapter.json")
    gguf = gguf_base.gguf_path()
    if gguf_base.file_sha256(gguf) != meta["base"]["sha256"]:
        raise SystemExit(f"{gguf} is not the base the adapter was trained on ({meta['base']['package']})")
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model, reader = load_merged(meta, MODEL_DIR / meta["adapter"])
    log(f"base + adapter merged ({time.time() - started:.0f}s)")
    gguf_base.write_tokenizer(reader, tmp)
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tmp / "tokenizer.json"))
    cxr_export.export_onnx(model, tmp / "model.onnx")
    log(f"ONNX exported ({time.time() - started:.0f}s)")
    excluded = cxr_export.quantize_int8(tmp / "model.onnx", tmp / "model.int8.onnx")
    for onnx_name in ("model.onnx", "model.int8.onnx"):
        cxr_export.share_tied_head(tmp / onnx_name, model.cfg.vocab_size)
    log(f"int8 quantised, {len(excluded)} MatMuls kept fp32 (down_proj, head) ({time.time() - started:.0f}s)")
    cfg = model.cfg
    cxr_export.write_json(tmp / "config.json", cfg.hf_config(bos=1, eos=chat.END_ID, pad=chat.PAD_ID))
    manifest = json.loads((MODEL_DIR / "radflow-model.in.json").read_text())
    # The packaged adapter's version is the model's: the template's field would go stale at every packaging.
    manifest["version"] = meta["version"]
    manifest["onnx"] = {"model": "model.onnx", "quantized": "model.int8.onnx"}
    cxr_export.write_json(tmp / "radflow-model.json", manifest)
    for extra in ("MODEL_CARD.md",):
        if (MODEL_DIR / extra).exists():
            shutil.copy(MODEL_DIR / extra, tmp / extra)

    cases = parity_prompts(tok)
    ids = [c["promptIds"] for c in cases]
    recorded_path = MODEL_DIR / "parity.json"
    sessions = {"model.onnx": cxr_export.ort_session(tmp / "model.onnx", 2),
                "model.int8.onnx": cxr_export.ort_session(tmp / "model.int8.onnx", 2)}
    if record:
        torch_ids = [cxr_export.torch_greedy(model, [p], PARITY_NEW_TOKENS, chat.PAD_ID)[0][0] for p in ids]
        for c, gen in zip(cases, torch_ids):
            c["generatedIds"] = gen
            c["generatedText"] = tok.decode(gen, skip_special_tokens=False)
        int8_ids, _ = cxr_export.ort_greedy(sessions["model.int8.onnx"], cfg.n_layers, cfg.n_kv_heads, cfg.head_dim,
                                            ids, PARITY_NEW_TOKENS, chat.PAD_ID)
        for c, gen in zip(cases, int8_ids):
            c["int8GeneratedIds"] = gen
            c["int8GeneratedText"] = tok.decode(gen, skip_special_tokens=False)
        cxr_export.write_json(recorded_path, {
            "description": "Greedy ids recorded when the adapter was packaged: PyTorch fp32 (generatedIds) and "
                           "onnxruntime int8 (int8GeneratedIds); left padding, KV cache, position_ids = "
                           "cumsum(mask) - 1, exactly maxNewTokens tokens (no stop). A build on any machine must "
                           "reproduce them (near-ties excepted).",
            "version": meta["version"], "maxNewTokens": PARITY_NEW_TOKENS, "padTokenId": chat.PAD_ID,
            "tokenizerSha256": gguf_base.file_sha256(tmp / "tokenizer.json"), "cases": cases})
    recorded = json.loads(recorded_path.read_text())
    if recorded.get("tokenizerSha256") != gguf_base.file_sha256(tmp / "tokenizer.json"):
        raise SystemExit("tokenizer.json built from the GGUF differs from the one recorded at packaging time")
    report = {}
    for onnx_name, key in (("model.onnx", "generatedIds"), ("model.int8.onnx", "int8GeneratedIds")):
        want = [c[key] for c in recorded["cases"]]
        got, margin = cxr_export.ort_greedy(sessions[onnx_name], cfg.n_layers, cfg.n_kv_heads, cfg.head_dim, ids,
                                            PARITY_NEW_TOKENS, chat.PAD_ID)
        same = sum(g == w for g, w in zip(got, want))
        report[onnx_name] = {"identical": same, "of": len(want), "minTop2Margin": round(margin, 5)}
        if same != len(want) and margin > NEAR_TIE:
            raise SystemExit(f"{onnx_name}: greedy ids differ from those recorded at packaging time "
                             f"({same}/{len(want)} identical, smallest margin {margin:.4f})")
    agree = [sum(a == b for a, b in zip(c["generatedIds"], c["int8GeneratedIds"])) for c in recorded["cases"]]
    report["int8TokensIdenticalToFp32"] = f"{sum(agree)}/{PARITY_NEW_TOKENS * len(agree)}"
    shutil.copy(recorded_path, tmp / "parity.json")
    cxr_export.write_json(tmp / "build.json", {
        "stamp": stamp, "version": meta["version"], "seconds": round(time.time() - started, 1), "parity": report,
        "files": {f.name: gguf_base.file_sha256(f) for f in sorted(tmp.iterdir()) if f.suffix in (".onnx", ".json") and
                  f.name != "build.json"}})
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    log(f"built {out} in {time.time() - started:.0f}s; parity {report}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--package", type=Path, help="a training run's best.pt to package as the committed adapter")
    ap.add_argument("--version", help="version of the packaged adapter")
    args = ap.parse_args()
    torch.set_num_threads(2)
    if args.package:
        if not args.version:
            raise SystemExit("--package needs --version")
        package(args.package, args.version)
    build(args.out, args.force, record=bool(args.package))


if __name__ == "__main__":
    main()
