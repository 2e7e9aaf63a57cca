"""Sequences, batches and the resumable LoRA training loop for the pretrained base (radflow-cxr).

A run directory holds `state.pt` (adapter, optimiser, step, data order: written atomically every --ckpt-every
steps), `best.pt` (the adapter with the lowest validation loss), `loss.csv` and `summary.json`. Starting a run on
a directory with a `state.pt` resumes it exactly where it stopped (same order of batches, same schedule).
"""
from __future__ import annotations

import csv
import json
import math
import os
import random
import time
from dataclasses import dataclass, asdict
from pathlib import Path

import torch
import torch.nn.functional as F

from . import trainer
from .llama import Llama

IGNORE = trainer.IGNORE  # one value for both trainers


@dataclass
class Seq:
    task: str
    ids: list[int]
    labels: list[int]  # IGNORE where no loss (the prompt)


def sft_seq(task: str, prompt_ids: list[int], answer_ids: list[int]) -> Seq:
    return Seq(task, prompt_ids + answer_ids, [IGNORE] * len(prompt_ids) + answer_ids)


def lm_seqs(token_lists: list[list[int]], end_id: int, block: int) -> list[Seq]:
    """Stage 1: report texts joined by the end token and cut into blocks (loss on every token)."""
    stream: list[int] = []
    for ids in token_lists:
        stream += ids + [end_id]
    return [Seq("lm", stream[i:i + block], stream[i:i + block]) for i in range(0, len(stream) - 1, block)]


def make_batches(seqs: list[Seq], batch_tokens: int, max_batch: int, rng: random.Random) -> list[list[int]]:
    """Indices of length-bucketed batches (padded size <= batch_tokens), in a seeded random order."""
    order = sorted(range(len(seqs)), key=lambda i: (len(seqs[i].ids), rng.random()))
    out, cur, longest = [], [], 0
    for i in order:
        n = len(seqs[i].ids)
        if cur and (max(longest, n) * (len(cur) + 1) > batch_tokens or len(cur) >= max_batch):
            out.append(cur)
            cur, longest = [], 0
        cur.append(i)
        longest = max(longest, n)
    if cur:
        out.append(cur)
    rng.shuffle(out)
    return out


def collate(batch: list[Seq], pad_id: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Right padding (causal attention never looks right), mask 0 on the padding: the small model's trainer's collate,
    without the positions (the Llama computes its own)."""
    ids, mask, _positions, labels = trainer.collate(batch, pad_id)
    return ids, labels, mask


def batch_loss(model: Llama, batch: list[Seq], pad_id: int, frozen_below: int, bf16: bool,
               reduction: str = "mean") -> torch.Tensor:
    device = model.embed_tokens.weight.device
    ids, labels, mask = (t.to(device) for t in collate(batch, pad_id))
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
        hidden, _ = model(ids, attention_mask=mask,
                          position_ids=torch.arange(ids.shape[1], device=device).expand_as(ids),
                          frozen_below=frozen_below, hidden_only=True)
    target = labels[:, 1:]
    keep = target != IGNORE
    # The 49k-word head only where a loss is taken: the answers are a fifth of the tokens.
    logits = F.linear(hidden[:, :-1][keep].float(), model.embed_tokens.weight)
    loss = F.cross_entropy(logits, target[keep], reduction="none")
    if reduction == "per_seq":
        rows = keep.nonzero()[:, 0]
        sums = torch.zeros(len(batch), device=loss.device).index_add_(0, rows, loss)
        return sums, keep.sum(1)
    return loss.sum() / keep.sum().clamp(min=1)


@torch.no_grad()
def validation_loss(model: Llama, seqs: list[Seq], pad_id: int, bf16: bool, batch_tokens: int) -> tuple[float, dict]:
    model.eval()
    total, count, per_task = 0.0, 0, {}
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i].ids))
    i = 0
    while i < len(order):
        j = i + 1
        while j < len(order) and len(seqs[order[j]].ids) * (j - i + 1) <= batch_tokens:
            j += 1
        batch = [seqs[k] for k in order[i:j]]
        sums, ns = batch_loss(model, batch, pad_id, 0, bf16, reduction="per_seq")
        for s, loss_sum, n in zip(batch, sums.tolist(), ns.tolist()):
            t = per_task.setdefault(s.task, [0.0, 0])
            t[0] += loss_sum
            t[1] += n
            total += loss_sum
            count += n
        i = j
    model.train()
    return total / max(count, 1), {k: v[0] / max(v[1], 1) for k, v in per_task.items()}


@dataclass
class RunConfig:
    name: str
    epochs: float
    lr: float
    batch_tokens: int
    max_batch: int
    warmup: int
    weight_decay: float
    ckpt_every: int
    eval_every: int
    frozen_below: int
    bf16: bool
    seed: int
    max_minutes: float = 0.0  # stop (resumably) after this much wall time in this process; 0 = no limit


def _atomic_save(obj, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def train(model: Llama, train_seqs: list[Seq], val_seqs: list[Seq], cfg: RunConfig, out: Path, pad_id: int,
          progress: bool = True) -> dict:
    """Trains the adapter (the parameters with requires_grad) and returns the summary; resumes from out/state.pt."""
    from tqdm import tqdm

    out.mkdir(parents=True, exist_ok=True)
    params = [p for p in model.parameters() if p.requires_grad]
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, betas=(0.9, 0.95), weight_decay=cfg.weight_decay)
    rng = random.Random(f"radflow-cxr-batches:{cfg.seed}:{cfg.name}")
    per_epoch = make_batches(train_seqs, cfg.batch_tokens, cfg.max_batch, rng)
    total_steps = max(1, int(math.ceil(cfg.epochs * len(per_epoch))))
    plan: list[list[int]] = []
    while len(plan) < total_steps:
        plan += per_epoch if not plan else make_batches(train_seqs, cfg.batch_tokens, cfg.max_batch, rng)
    plan = plan[:total_steps]

    step, best, tokens, elapsed_before = 0, float("inf"), 0, 0.0
    state_path = out / "state.pt"
    if state_path.exists():
        state = torch.load(state_path)
        same = {k: v for k, v in asdict(cfg).items() if k != "max_minutes"}
        if {k: v for k, v in state["config"].items() if k != "max_minutes"} != same:
            raise ValueError(f"{state_path} was written with other settings: {state['config']}")
        model.load_state_dict(state["adapter"], strict=False)
        opt.load_state_dict(state["optimizer"])
        step, best, tokens, elapsed_before = state["step"], state["best"], state["tokens"], state["elapsed_s"]
        torch.set_rng_state(state["torch_rng"].cpu())
    log_path = out / "loss.csv"
    new_log = not log_path.exists()
    log = log_path.open("a", newline="")
    writer = csv.writer(log)
    if new_log:
        writer.writerow(["stage", "step", "epoch", "tokens", "lr", "train_loss", "val_loss", "elapsed_s"])

    def lr_at(s: int) -> float:
        if s < cfg.warmup:
            return cfg.lr * (s + 1) / cfg.warmup
        p = (s - cfg.warmup) / max(1, total_steps - cfg.warmup)
        return cfg.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, p))))

    def save_state() -> None:
        _atomic_save({"adapter": {n: p.detach().clone() for n, p in zip(names, params)}, "optimizer": opt.state_dict(),
                      "step": step, "best": best, "tokens": tokens, "config": asdict(cfg),
                      "elapsed_s": elapsed_before + time.time() - started, "torch_rng": torch.get_rng_state()},
                     state_path)

    started = time.time()
    model.train()
    bar = tqdm(total=total_steps, initial=step, desc=cfg.name, unit="step", disable=not progress, mininterval=10)
    running = []
    while step < total_steps:
        batch = [train_seqs[i] for i in plan[step]]
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        loss = batch_loss(model, batch, pad_id, cfg.frozen_below, cfg.bf16)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        tokens += sum(len(s.ids) for s in batch)
        running.append(loss.item())
        bar.update(1)
        val = ""
        if step % cfg.eval_every == 0 or step == total_steps:
            val_loss, _ = validation_loss(model, val_seqs, pad_id, cfg.bf16, cfg.batch_tokens)
            val = f"{val_loss:.4f}"
            if val_loss < best:
                best = val_loss
                _atomic_save({n: p.detach().clone() for n, p in zip(names, params)}, out / "best.pt")
        if step % 10 == 0 or val:
            elapsed = elapsed_before + time.time() - started
            writer.writerow([cfg.name, step, f"{step / len(per_epoch):.3f}", tokens, f"{lr_at(step - 1):.2e}",
                             f"{sum(running) / len(running):.4f}", val, f"{elapsed:.1f}"])
            log.flush()
            bar.set_postfix(loss=f"{sum(running) / len(running):.3f}", tok_s=f"{tokens / max(elapsed, 1):.0f}")
            running = []
        if step % cfg.ckpt_every == 0 or val:
            save_state()
        if cfg.max_minutes and time.time() - started > cfg.max_minutes * 60:
            save_state()
            break
    save_state()
    bar.close()
    log.close()
    summary = {"stage": cfg.name, "steps": step, "total_steps": total_steps, "tokens": tokens,
               "elapsed_s": round(elapsed_before + time.time() - started, 1), "best_val_loss": best,
               "done": step >= total_steps, "config": asdict(cfg)}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary
