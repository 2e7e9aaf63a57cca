"""Several LoRA adapters over one frozen Llama, chosen per batch row: one graph serves every adapter (a task's, a
radiologist's) and one batch may mix them.

Each wrapped linear computes y = W x + B (keep_row * (A x)), where A stacks the rows of every adapter that has this
linear, B (scale folded in) their columns side by side, and keep_row zeroes the rank columns of the adapters the row
did not ask for. The cost is the sum of the adapters' ranks in multiply-adds per token (rank 64 x 2 in blocks 12-29:
about a sixth more than the base), against a merged copy of the whole model per adapter otherwise.

Which adapter each row uses is a tensor set on the shared AdapterRoute before a forward (the ONNX export feeds it
from the graph input `adapter_ids`, [batch] int64).
"""
from __future__ import annotations

import torch
from torch import nn

from .llama import Llama


class AdapterRoute:
    """The adapter index of each batch row for the next forward; every RoutedLoRALinear of a model reads the same."""

    def __init__(self, count: int):
        self.count = count
        self.adapter_ids: torch.Tensor | None = None

    def set(self, adapter_ids: torch.Tensor) -> None:
        self.adapter_ids = adapter_ids


class RoutedLoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, parts: list[tuple[int, torch.Tensor, torch.Tensor, float]],
                 route: AdapterRoute):
        super().__init__()
        self.base = base
        self.register_buffer("lora_a", torch.cat([a for _, a, _, _ in parts], dim=0))
        self.register_buffer("lora_b", torch.cat([b * scale for _, _, b, scale in parts], dim=1))
        self.register_buffer("owner", torch.cat([torch.full((a.shape[0],), k, dtype=torch.long)
                                                 for k, a, _, _ in parts]))
        self.route = route

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        ids = self.route.adapter_ids
        if ids is None:
            raise RuntimeError("no adapter_ids set on the model's AdapterRoute before the forward")
        keep = (ids.unsqueeze(1) == self.owner.unsqueeze(0)).to(x.dtype).unsqueeze(1)  # [b, 1, R]
        return self.base(x) + ((x @ self.lora_a.t()) * keep) @ self.lora_b.t()


def route_adapters(model: Llama, adapters: list[tuple[dict[str, torch.Tensor], float]]) -> AdapterRoute:
    """Wraps every linear that any adapter touches; `adapters` are (LoRA state as lora_state() saves it, alpha / rank)
    in adapter-index order. Returns the route to set before each forward."""
    route = AdapterRoute(len(adapters))
    used: set[str] = set()
    for i, layer in enumerate(model.layers):
        for parent_name, parent in (("self_attn", layer.self_attn), ("mlp", layer.mlp)):
            for name, child in list(parent.named_children()):
                if not isinstance(child, nn.Linear):
                    continue
                prefix = f"layers.{i}.{parent_name}.{name}"
                parts = []
                for k, (state, scale) in enumerate(adapters):
                    a, b = state.get(prefix + ".lora_a"), state.get(prefix + ".lora_b")
                    if a is not None and b is not None:
                        parts.append((k, a.float(), b.float(), scale))
                        used |= {prefix + ".lora_a", prefix + ".lora_b"}
                if parts:
                    setattr(parent, name, RoutedLoRALinear(child, parts, route))
    for k, (state, _) in enumerate(adapters):
        unknown = [key for key in state if key not in used]
        if unknown:
            raise ValueError(f"adapter {k} has tensors no linear of this model takes: {unknown[:3]}")
    return route
