"""Reading LoRA adapter files: a packaged adapter (fp16, beside its adapter.json), a run's best.pt, or the adapter
inside a run's state.pt, with the LoRA layout each was trained with."""
from __future__ import annotations

import json
from pathlib import Path

import torch

TRAINING_DIR = Path(__file__).resolve().parents[1]


def adapter_state(path: Path) -> dict[str, torch.Tensor]:
    state = torch.load(path, map_location="cpu")
    state = state.get("adapter", state)
    return {k: v.float() for k, v in state.items()}


def lora_layout(path: Path, state: dict[str, torch.Tensor]) -> dict:
    """The adapter's LoRA layout: from its adapter.json or run summary.json when there is one, else read off the
    tensors (a run still training has no summary yet) with alpha = 2 x rank, the trainer's convention."""
    for meta in (packaged_entry(path), run_summary(path)):
        if meta and "lora" in meta:
            return meta["lora"]
    layers = sorted({int(k.split(".")[1]) for k in state if k.endswith(".lora_a")})
    rank = next(v.shape[0] for k, v in state.items() if k.endswith(".lora_a"))
    targets = sorted({k.split(".")[3] for k in state if k.endswith(".lora_a")})
    return {"rank": rank, "alpha": 2 * rank, "first_layer": layers[0], "targets": targets}


def training_record(path: Path) -> dict | None:
    """How an adapter was trained: its run's summary.json, or what the package it came from recorded."""
    summary = run_summary(path)
    if summary is not None:
        record = training_of(summary)
        # A run continued from a packaged adapter keeps that adapter's own record (train_cxr.py runs in this folder).
        init = TRAINING_DIR / summary["init"] if summary.get("init") else None
        earlier = training_record(init.resolve()) if init and init.exists() else None
        return {**record, "continues": earlier} if earlier else record
    entry = packaged_entry(path)
    return entry.get("training") if entry else None


def training_of(summary: dict) -> dict:
    """The parts of a run's summary.json that a package keeps (a continued run names the adapter it started from)."""
    return {k: summary[k] for k in ("stage", "steps", "total_steps", "tokens", "elapsed_s", "best_val_loss",
                                    "train_sequences", "task_weights", "val_tasks", "init", "init_val_loss")
            if k in summary}


def run_summary(path: Path) -> dict | None:
    summary = path.parent / "summary.json"
    return json.loads(summary.read_text()) if summary.exists() else None


def packaged_entry(path: Path) -> dict | None:
    """The adapter.json record of a packaged adapter file: its own entry in a routed package, else the whole file."""
    packaged = path.parent / "adapter.json"
    if not packaged.exists():
        return None
    meta = json.loads(packaged.read_text())
    if "adapters" in meta:
        return next((e for e in meta["adapters"] if e.get("file") == path.name), None)
    return meta
