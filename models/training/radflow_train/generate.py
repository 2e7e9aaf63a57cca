"""Greedy decoding with a KV cache, left padding and caller-supplied positions: the procedure the TypeScript
runtime follows, so its ids can be compared token for token."""
from __future__ import annotations

import torch

from .model import Decoder, positions_from_mask


def left_pad(batch: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(ids) for ids in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, seq in enumerate(batch):
        ids[row, width - len(seq):] = torch.tensor(seq, dtype=torch.long)
        mask[row, width - len(seq):] = 1
    return ids, mask


@torch.no_grad()
def greedy(
    model: Decoder,
    prompts: list[list[int]],
    max_new_tokens: int,
    pad_id: int,
    eos_id: int | None = None,
) -> list[list[int]]:
    """New token ids per prompt. With eos_id, a sequence stops after writing it (eos included);
    without, exactly max_new_tokens are written."""
    model.eval()
    ids, mask = left_pad(prompts, pad_id)
    positions = positions_from_mask(mask)
    past = model.empty_past(len(prompts))
    out: list[list[int]] = [[] for _ in prompts]
    done = [False] * len(prompts)
    for _ in range(max_new_tokens):
        logits, past = model(ids, mask, positions, past)
        nxt = logits[:, -1, :].argmax(-1)
        for row, tok in enumerate(nxt.tolist()):
            if not done[row]:
                out[row].append(tok)
                if eos_id is not None and tok == eos_id:
                    done[row] = True
        if all(done):
            break
        ids = nxt.unsqueeze(1)
        mask = torch.cat([mask, torch.ones((len(prompts), 1), dtype=torch.long)], dim=1)
        positions = mask.sum(-1, keepdim=True) - 1
    return out
