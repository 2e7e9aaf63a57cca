"""Distillation towards the base while an adapter learns a radiologist's style (`finetune.py --kl-weight`).

The loss on a batch is the cross-entropy on the answer tokens plus `kl_weight` times KL(base || adapter) on the same
tokens, where "base" is the same model with every adapter switched off (so no second copy of the weights is held).
The minimiser of CE + w * KL at one position is (onehot(target) + w * p_base) / (1 + w): below w = 1 the target stays
the likeliest token, so a style the feedback shows every time is still learned, while what the feedback does not
settle (the phrasing of a normal study, which the base copies from the findings' author) is pulled back towards what
the base would have written.
"""
from __future__ import annotations

from contextlib import contextmanager

import torch
import torch.nn.functional as F

from radflow_train import trainer
from radflow_train.llama import LoRALinear


@contextmanager
def adapters_off(model: torch.nn.Module):
    """Every LoRALinear of the model computes its frozen base alone inside the block."""
    wrapped = [m for m in model.modules() if isinstance(m, LoRALinear)]
    if not wrapped:
        raise ValueError("the model has no adapters to switch off")
    scales = [m.scale for m in wrapped]
    for m in wrapped:
        m.scale = 0.0
    try:
        yield
    finally:
        for m, scale in zip(wrapped, scales):
            m.scale = scale


def loss_with_base_distillation(model, batch, pad_id: int, kl_weight: float):
    """(total, cross-entropy, KL) on the answer tokens of the batch; total carries the gradient."""
    ids, mask, positions, labels = trainer.collate(batch, pad_id)
    logits, _ = model(ids, mask, positions)
    with torch.no_grad(), adapters_off(model):
        base_logits, _ = model(ids, mask, positions)
    target = labels[:, 1:]
    answer = target != trainer.IGNORE
    logits, base_logits = logits[:, :-1], base_logits[:, :-1]
    ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), ignore_index=trainer.IGNORE)
    log_p = F.log_softmax(logits[answer], dim=-1)
    log_base = F.log_softmax(base_logits[answer], dim=-1)
    kl = (log_base.exp() * (log_base - log_p)).sum(-1).mean()
    return ce + kl_weight * kl, ce, kl
