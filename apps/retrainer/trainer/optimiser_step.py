"""One step of the retrainer's optimiser, shared by both trainers (finetune.py, cxr_retrain.py): the learning rate of
the step (linear warm-up, then cosine down to a tenth), then backward, gradient clipping at 1.0 and the update."""
from __future__ import annotations

import math

import torch


def lr_at(lr: float, warmup: int, step: int, steps: int) -> float:
    if step < warmup:
        return lr * (step + 1) / warmup
    frac = (step - warmup) / max(1, steps - warmup)
    return lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))


def take_step(opt: torch.optim.Optimizer, params: list[torch.Tensor], loss: torch.Tensor, lr: float) -> None:
    for group in opt.param_groups:
        group["lr"] = lr
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
