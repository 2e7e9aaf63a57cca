#!/usr/bin/python3
"""Builds the servable radflow-cxr model from what the repository holds (a LoRA adapter) and the base from PyPI.

  build_cxr.py                                  # models/radflow-cxr -> .cache/models/radflow-cxr (skips if built)
  build_cxr.py --package runs/cxr-0.1/best.pt --version 0.1.0   # after training: write the adapter into
                                                # models/radflow-cxr and record the greedy ids the build must give
  build_cxr.py --package 'general=models/radflow-cxr/adapter.pt:*' \
               --package labels=runs/cxr-labels/best.pt:abnormality_labels,device_labels --version 0.5.0
                                                # several adapters, routed per row in one graph (NAME=PATH:TASKS;
                                                # `*`: every task no other adapter names)

Steps: base GGUF (checked by sha256) -> PyTorch -> one adapter merged, or several routed per row
(radflow_train/routed_lora.py, graph input adapter_ids) -> ONNX (decoder with past, GQA cache, last-position logits)
-> int8 of a merged model (per-tensor, down_proj kept fp32) -> tokenizer.json from the GGUF -> config, manifest, card
-> onnxruntime reproduces the recorded greedy ids (fp32, and int8 when built), or the build fails.
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
from radflow_train.adapter_files import adapter_state, lora_layout, training_of, training_record  # noqa: E402
from radflow_train.routed_lora import AdapterRoute, route_adapters  # noqa: E402

BUILD_FORMAT = 2  # bump when the build's output changes for the same adapter (2: adapters/ copied beside the graph)
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


def load_routed(meta: dict):
    """The base with every adapter of adapter.json's `adapters` routed per row, in their order."""
    model, reader = gguf_base.load_base()
    adapters = []
    for adapter in meta["adapters"]:
        lora = adapter["lora"]
        adapters.append((adapter_state(MODEL_DIR / adapter["file"]), lora["alpha"] / lora["rank"]))
    route = route_adapters(model, adapters)
    model.eval()
    return model, reader, route


def copy_adapters(meta: dict, dest: Path) -> None:
    """The routed adapters and their adapter.json beside the graph: the model directory is then all that the retrainer
    needs (with the base from PyPI) to continue an adapter on radiologists' feedback (apps/retrainer/trainer)."""
    dest.mkdir(parents=True)
    for adapter in meta["adapters"]:
        shutil.copy(MODEL_DIR / adapter["file"], dest / adapter["file"])
    cxr_export.write_json(dest / "adapter.json", meta)


def runtime_adapters(meta: dict) -> dict:
    """radflow-model.json's `adapters` (libs/model-runtime manifest-adapters.ts): names, task -> index, default."""
    names = [a["name"] for a in meta["adapters"]]
    defaults = [i for i, a in enumerate(meta["adapters"]) if a["tasks"] == "*"]
    if len(defaults) != 1:
        raise SystemExit("adapter.json: exactly one adapter must take the tasks no other names (tasks \"*\")")
    tasks = {t: i for i, a in enumerate(meta["adapters"]) if a["tasks"] != "*" for t in a["tasks"]}
    return {"names": names, "tasks": tasks, "default": defaults[0]}


def parity_prompts(tok, adapters: dict | None = None) -> list[dict]:
    out = []
    for task, inputs in PARITY_PROMPTS:
        prompt = chat.chat_prompt(task, **dict(inputs))
        case = {"task": task, "prompt": prompt, "promptIds": tok.encode(prompt).ids}
        if adapters:
            case["adapter"] = adapters["tasks"].get(task, adapters["default"])
        out.append(case)
    return out


def package_routed(specs: list[str], version: str) -> None:
    """Writes models/radflow-cxr/adapter-NAME.pt (fp16) per NAME=PATH:TASKS spec and adapter.json's `adapters`."""
    entries, states = [], []
    for spec in specs:
        name, _, rest = spec.partition("=")
        path, _, tasks = rest.rpartition(":")
        if not name or not path or not tasks:
            raise SystemExit(f"--package {spec!r}: want NAME=PATH:TASKS (TASKS comma-separated, or *)")
        state = adapter_state(Path(path))
        entries.append({"name": name, "tasks": "*" if tasks == "*" else tasks.split(","),
                        "file": f"adapter-{name}.pt", "lora": lora_layout(Path(path), state),
                        "from": str(path), "training": training_record(Path(path))})
        states.append({k: v.half() for k, v in state.items()})
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    for entry, state in zip(entries, states):
        torch.save(state, MODEL_DIR / entry["file"])
        entry["sha256"] = gguf_base.file_sha256(MODEL_DIR / entry["file"])
    meta = {"name": "radflow-cxr", "version": version, "base": base_meta(), "adapters": entries}
    runtime_adapters(meta)  # refuses a set without exactly one default adapter before anything is built
    (MODEL_DIR / "adapter.pt").unlink(missing_ok=True)  # the single-adapter layout's file, replaced by these
    cxr_export.write_json(MODEL_DIR / "adapter.json", meta)
    log(f"packaged {len(entries)} routed adapters as radflow-cxr {version}")


def base_meta() -> dict:
    return {"name": gguf_base.BASE_NAME, "package": gguf_base.BASE_PACKAGE, "file": gguf_base.BASE_FILE,
            "sha256": gguf_base.file_sha256(gguf_base.gguf_path()), "licence": "Apache-2.0"}


def package(run_adapter: Path, version: str) -> None:
    """Writes models/radflow-cxr/adapter.pt (fp16) + adapter.json from a training run's best.pt."""
    run_dir = run_adapter.parent
    summary = json.loads((run_dir / "summary.json").read_text())
    state = {k: v.half() for k, v in torch.load(run_adapter).items()}
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    torch.save(state, MODEL_DIR / "adapter.pt")
    meta = {
        "name": "radflow-cxr", "version": version, "base": base_meta(),
        "lora": summary["lora"], "adapter": "adapter.pt", "adapterSha256": gguf_base.file_sha256(MODEL_DIR / "adapter.pt"),
        "training": training_of(summary),
    }
    cxr_export.write_json(MODEL_DIR / "adapter.json", meta)
    log(f"packaged {run_adapter} as radflow-cxr {version} ({(MODEL_DIR / 'adapter.pt').stat().st_size / 1e6:.1f} MB)")


def build(out: Path, force: bool, record: bool) -> None:
    meta = json.loads((MODEL_DIR / "adapter.json").read_text())
    routed = "adapters" in meta  # several adapters routed per row; else one adapter merged into the weights
    onnx_names = ["model.onnx"] if routed else ["model.onnx", "model.int8.onnx"]
    stamp = hashlib.sha256(json.dumps([BUILD_FORMAT, meta], sort_keys=True).encode()).hexdigest()
    build_file = out / "build.json"
    if not force and not record and build_file.exists() and json.loads(build_file.read_text()).get("stamp") == stamp \
            and all((out / name).exists() for name in onnx_names):
        log(f"{out} is up to date ({meta['version']})")
        return
    started = time.time()
    files = [(a["file"], a["sha256"]) for a in meta["adapters"]] if routed else [(meta["adapter"], meta["adapterSha256"])]
    for name, sha in files:
        if gguf_base.file_sha256(MODEL_DIR / name) != sha:
            raise SystemExit(f"{MODEL_DIR / name} does not match its sha256 in adapter.json")
    gguf = gguf_base.gguf_path()
    if gguf_base.file_sha256(gguf) != meta["base"]["sha256"]:
        raise SystemExit(f"{gguf} is not the base the adapter was trained on ({meta['base']['package']})")
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    route: AdapterRoute | None = None
    adapters = runtime_adapters(meta) if routed else None
    if routed:
        model, reader, route = load_routed(meta)
        log(f"base + {len(meta['adapters'])} adapters routed per row ({time.time() - started:.0f}s)")
    else:
        model, reader = load_merged(meta, MODEL_DIR / meta["adapter"])
        log(f"base + adapter merged ({time.time() - started:.0f}s)")
    gguf_base.write_tokenizer(reader, tmp)
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tmp / "tokenizer.json"))
    cxr_export.export_onnx(model, tmp / "model.onnx", route=route)
    log(f"ONNX exported ({time.time() - started:.0f}s)")
    if not routed:
        # int8 is built for merged models only: it changed findings on 0.4.0 (model card) and is not served.
        excluded = cxr_export.quantize_int8(tmp / "model.onnx", tmp / "model.int8.onnx")
        log(f"int8 quantised, {len(excluded)} MatMuls kept fp32 (down_proj, head) ({time.time() - started:.0f}s)")
    for onnx_name in onnx_names:
        cxr_export.share_tied_head(tmp / onnx_name, model.cfg.vocab_size)
    cfg = model.cfg
    cxr_export.write_json(tmp / "config.json", cfg.hf_config(bos=1, eos=chat.END_ID, pad=chat.PAD_ID))
    manifest = json.loads((MODEL_DIR / "radflow-model.in.json").read_text())
    # The packaged adapter's version is the model's: the template's field would go stale at every packaging.
    manifest["version"] = meta["version"]
    manifest["onnx"] = {"model": "model.onnx"} if routed else {"model": "model.onnx", "quantized": "model.int8.onnx"}
    if adapters:
        manifest["adapters"] = adapters
        manifest["adapter"] = "LoRA adapters routed per row in one graph (models/training/build_cxr.py)"
    cxr_export.write_json(tmp / "radflow-model.json", manifest)
    for extra in ("MODEL_CARD.md",):
        if (MODEL_DIR / extra).exists():
            shutil.copy(MODEL_DIR / extra, tmp / extra)
    if routed:
        copy_adapters(meta, tmp / cxr_export.ADAPTERS_DIR)

    cases = parity_prompts(tok, adapters)
    ids = [c["promptIds"] for c in cases]
    adapter_ids = [c["adapter"] for c in cases] if routed else None
    recorded_path = MODEL_DIR / "parity.json"
    sessions = {name: cxr_export.ort_session(tmp / name, 2) for name in onnx_names}

    def ort_ids(name: str):
        return cxr_export.ort_greedy(sessions[name], cfg.n_layers, cfg.n_kv_heads, cfg.head_dim, ids,
                                     PARITY_NEW_TOKENS, chat.PAD_ID, adapter_ids=adapter_ids)

    if record:
        torch_ids = [cxr_export.torch_greedy(model, [c["promptIds"]], PARITY_NEW_TOKENS, chat.PAD_ID, route=route,
                                             adapter_ids=[c["adapter"]] if routed else None)[0][0] for c in cases]
        for c, gen in zip(cases, torch_ids):
            c["generatedIds"] = gen
            c["generatedText"] = tok.decode(gen, skip_special_tokens=False)
        if not routed:
            for c, gen in zip(cases, ort_ids("model.int8.onnx")[0]):
                c["int8GeneratedIds"] = gen
                c["int8GeneratedText"] = tok.decode(gen, skip_special_tokens=False)
        cxr_export.write_json(recorded_path, {
            "description": "Greedy ids recorded when the adapter was packaged: PyTorch fp32 (generatedIds; with "
                           "each case's adapter when they are routed) and onnxruntime int8 (int8GeneratedIds, merged "
                           "models only); left padding, KV cache, position_ids = cumsum(mask) - 1, exactly "
                           "maxNewTokens tokens (no stop). A build on any machine must reproduce them (near-ties "
                           "excepted).",
            "version": meta["version"], "maxNewTokens": PARITY_NEW_TOKENS, "padTokenId": chat.PAD_ID,
            "tokenizerSha256": gguf_base.file_sha256(tmp / "tokenizer.json"), "cases": cases})
    recorded = json.loads(recorded_path.read_text())
    if recorded.get("tokenizerSha256") != gguf_base.file_sha256(tmp / "tokenizer.json"):
        raise SystemExit("tokenizer.json built from the GGUF differs from the one recorded at packaging time")
    report = {}
    for onnx_name, key in (("model.onnx", "generatedIds"), ("model.int8.onnx", "int8GeneratedIds")):
        if onnx_name not in onnx_names:
            continue
        want = [c[key] for c in recorded["cases"]]
        got, margin = ort_ids(onnx_name)
        same = sum(g == w for g, w in zip(got, want))
        report[onnx_name] = {"identical": same, "of": len(want), "minTop2Margin": round(margin, 5)}
        if same != len(want) and margin > NEAR_TIE:
            raise SystemExit(f"{onnx_name}: greedy ids differ from those recorded at packaging time "
                             f"({same}/{len(want)} identical, smallest margin {margin:.4f})")
    if not routed:
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
    ap.add_argument("--package", action="append", default=[],
                    help="a training run's best.pt to package as the committed adapter; several NAME=PATH:TASKS "
                         "to package adapters routed per row")
    ap.add_argument("--version", help="version of the packaged adapter")
    args = ap.parse_args()
    torch.set_num_threads(2)
    if args.package:
        if not args.version:
            raise SystemExit("--package needs --version")
        if len(args.package) == 1 and "=" not in args.package[0]:
            package(Path(args.package[0]), args.version)
        else:
            package_routed(args.package, args.version)
    build(args.out, args.force, record=bool(args.package))


if __name__ == "__main__":
    main()
