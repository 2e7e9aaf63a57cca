"""Reading LoRA adapter files: a packaged adapter (fp16, beside its adapter.json), a run's best.pt, or the adapter
inside a run's state.pt, with the LoRA layout each was trained with."""
from __future__ import annotations

import json
from pathlib import Path

import torch


def adapter_state(path: Path) -> dict[str, torch.Tensor]:
    state = torch.load(path, map_location="cpu")
    state = state.get("adapter", state)
    return {k: v.float() for k, v in state.items()}


def lora_layout(path: Path, state: dict[str, torch.Tensor]) -> dict:
    """The adapter's LoRA layout: from its adapter.json or run summary.json when there is one, else read off the
    tensors (a run still training has no summary yet) with alpha = 2 x rank, the trainer's convention."""
    for meta in (path.parent / "adapter.json", path.parent / "summary.json"):
        if meta.exists() and "lora" in json.loads(meta.read_text()):
            return json.loads(meta.read_text())["lora"]
    layers = sorted({int(k.split(".")[1]) for k in state if k.endswith(".lora_a")})
    rank = next(v.shape[0] for k, v in state.items() if k.endswith(".lora_a"))
    targets = sorted({k.split(".")[3] for k in state if k.endswith(".lora_a")})
    return {"rank": rank, "alpha": 2 * rank, "first_layer": layers[0], "targets": targets}
