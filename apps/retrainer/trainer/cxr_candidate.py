"""What a radflow-cxr fine-tune leaves for the retrainer: the continued adapters (adapter/adapter.pt), their manifest
(base, layouts, hashes of the feedback and replay examples, figures) and merged/, a routed build that serves them
beside the untouched adapters. finetune.py's layout, so the retrainer stores and registers it the same way."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import torch

import adapter_manifest
import cxr_retrain
from radflow_train import replay
from radflow_train.gguf_base import file_sha256 as sha256_file

ADAPTER_DIR = "adapter"
ADAPTER_WEIGHTS = "adapter.pt"
ADAPTER_MANIFEST = "adapter-manifest.json"
MERGED_DIR = "merged"


def lineage(manifest: dict) -> dict:
    return {
        "baseModel": {k: manifest["baseModel"][k] for k in ("name", "version")},
        "dataSnapshot": manifest["data"]["snapshot"],
        "fineTune": {"kind": "lora", "steps": manifest["training"]["steps"], "lr": manifest["training"]["lr"],
                     "seed": manifest["training"]["seed"], "rank": manifest["lora"]["rank"],
                     "adapters": manifest["lora"]["continues"]},
        "adapter": {"sha256": manifest["adapter"]["sha256"], "manifest": f"../{ADAPTER_MANIFEST}", "derived": True},
        "description": f"{manifest['baseModel']['name']} {manifest['baseModel']['version']} with its "
                       f"{', '.join(manifest['lora']['continues'])} adapter(s) trained further by radflow's retrainer "
                       f"on radiologist feedback (a derived cache: rebuild with finetune.py --rebuild). Outputs are "
                       f"preliminary AI drafts for a radiologist.",
    }


def write_candidate(args, base_manifest: dict, result: dict, feedback_hashes: list[dict], emit, started: float) -> int:
    out = args.out
    if out.exists():
        shutil.rmtree(out)
    (out / ADAPTER_DIR).mkdir(parents=True)
    meta, states = result["meta"], result["states"]
    names = [a["name"] for a in meta["adapters"]]
    weights = out / ADAPTER_DIR / ADAPTER_WEIGHTS
    torch.save({name: states[names.index(name)] for name in result["trained"]}, weights)
    first = meta["adapters"][names.index(result["trained"][0])]["lora"]
    manifest = {
        "kind": adapter_manifest.KIND,
        "name": args.name,
        "version": args.version,
        "baseModel": adapter_manifest.base_model_facts(args.base, base_manifest),
        "lora": {"rank": first["rank"], "alpha": first["alpha"], "targets": first["targets"], "dropout": 0.0,
                 "parameters": result["parameters"], "continues": result["trained"],
                 "layouts": {n: meta["adapters"][names.index(n)]["lora"] for n in result["trained"]}},
        "adapter": {"path": f"{ADAPTER_DIR}/{ADAPTER_WEIGHTS}", "sha256": sha256_file(weights),
                    "bytes": weights.stat().st_size, "dtype": "float16",
                    "format": "torch dict: served adapter name -> its LoRA state (layers.<i>.<module>.lora_a|lora_b)"},
        "data": {
            "snapshot": args.data_snapshot,
            "feedback": adapter_manifest.feedback_facts(feedback_hashes),
            "replay": {**replay.replay_facts(result["replayed"], args.replay_ratio, args.seed),
                       "tasks": "the tasks the continued adapters serve",
                       "impressionForm": result["replayForm"]},
        },
        "training": {"steps": result["steps"], "lr": args.lr, "seed": args.seed, "batchTokens": args.batch_tokens,
                     "maxEpochs": args.max_epochs, "droppedTooLong": result["dropped"], "tokens": result["tokens"],
                     "finalLoss": result["finalLoss"], "seconds": result["seconds"], "perAdapter": result["figures"]},
        "merged": adapter_manifest.merged_facts(MERGED_DIR, base_manifest),
    }
    (out / ADAPTER_MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    emit("progress", stage="export", step=result["steps"], totalSteps=result["steps"])
    parity = cxr_retrain.write_model_dir(args.base, base_manifest, meta, states, out / MERGED_DIR, args.name,
                                         args.version, lineage(manifest))
    emit("exported", modelDir=str(out / MERGED_DIR), adapterDir=str(out / ADAPTER_DIR),
         adapterManifest=str(out / ADAPTER_MANIFEST), adapterSha256=manifest["adapter"]["sha256"],
         adapterBytes=manifest["adapter"]["bytes"], baseOnnxSha256=manifest["baseModel"]["onnxSha256"],
         lora={k: manifest["lora"][k] for k in ("rank", "alpha", "targets", "parameters")},
         replay={k: manifest["data"]["replay"][k]
                 for k in ("ratio", "seed", "count", "countsPerTask", "impressionForm")},
         feedbackCount=len(feedback_hashes), seconds=round(time.time() - started, 1),
         trainSeconds=result["seconds"], steps=result["steps"], finalLoss=result["finalLoss"], parity=parity,
         adapters=result["trained"],
         epochChoice={n: f["epochChoice"] for n, f in result["figures"].items() if "epochChoice" in f})
    return 0


def rebuild(args, base_manifest: dict, emit) -> int:
    """merged/ again from the base directory and adapter/adapter.pt alone."""
    out = args.rebuild
    manifest = json.loads((out / ADAPTER_MANIFEST).read_text())
    if sha256_file(args.base / base_manifest["onnx"]["model"]) != manifest["baseModel"]["onnxSha256"]:
        raise cxr_retrain.CxrRetrainError("BASE_MISMATCH", "the base directory is not the one these adapters continue")
    weights = out / ADAPTER_DIR / ADAPTER_WEIGHTS
    if sha256_file(weights) != manifest["adapter"]["sha256"]:
        raise cxr_retrain.CxrRetrainError("ADAPTER_CORRUPT", f"{ADAPTER_WEIGHTS} does not match the manifest's sha256")
    meta = cxr_retrain.served_adapters(args.base)
    trained = torch.load(weights)
    states = []
    for adapter in meta["adapters"]:
        served = torch.load(args.base / cxr_retrain.ADAPTERS_DIR / adapter["file"])
        states.append(trained.get(adapter["name"], served))
        if adapter["name"] in trained:
            adapter["training"] = {"retrained": manifest["training"]["perAdapter"][adapter["name"]],
                                   "continues": adapter.get("training")}
    torch.set_num_threads(1)
    parity = cxr_retrain.write_model_dir(args.base, base_manifest, meta, states, out / MERGED_DIR, manifest["name"],
                                         manifest["version"], lineage(manifest))
    emit("rebuilt", modelDir=str(out / MERGED_DIR), adapterSha256=manifest["adapter"]["sha256"], parity=parity)
    return 0
