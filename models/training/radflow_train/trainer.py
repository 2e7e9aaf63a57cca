"""The two training stages: (1) language-model pretraining on report text, (2) multi-task instruction tuning with
the loss on the answer tokens only. Deterministic given the seed (one thread, seeded order, no wall-clock decisions)."""
from __future__ import annotations

import csv
import math
import random
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm import tqdm

from .model import Decoder

IGNORE = -100


@dataclass
class Sequence:
    ids: list[int]
    labels: list[int]  # IGNORE where no loss is taken
    task: str = "lm"


def lm_sequences(texts: list[str], tok, eos_id: int, block: int) -> list[Sequence]:
    """Reports joined by <endoftext> into one stream, cut into blocks (packing: no padding is wasted)."""
    stream: list[int] = []
    for t in texts:
        stream += tok.encode(t).ids + [eos_id]
    return [Sequence(stream[i:i + block], stream[i:i + block]) for i in range(0, len(stream) - 1, block)
            if len(stream[i:i + block]) > 1]


def sft_sequences(examples, tok, eos_id: int, max_len: int) -> tuple[list[Sequence], int]:
    """Prompt then answer then <endoftext>; loss on answer + <endoftext>. Examples longer than max_len are dropped
    (counted), never cut, so no target is ever trained on a truncated report."""
    out, dropped = [], 0
    for e in examples:
        p = tok.encode(e.prompt).ids
        a = tok.encode(e.answer).ids + [eos_id]
        if len(p) + len(a) > max_len:
            dropped += 1
            continue
        out.append(Sequence(p + a, [IGNORE] * len(p) + a, e.task))
    return out, dropped


def batches(seqs: list[Sequence], batch_tokens: int, rng: random.Random) -> list[list[Sequence]]:
    """Length-bucketed batches of at most batch_tokens (padded) tokens, in a seeded random order."""
    order = seqs[:]
    rng.shuffle(order)
    out = []
    chunk = 64 * max(1, batch_tokens // 256)
    for start in range(0, len(order), chunk):
        part = sorted(order[start:start + chunk], key=lambda s: len(s.ids))
        cur: list[Sequence] = []
        for s in part:
            width = max([len(x.ids) for x in cur] + [len(s.ids)])
            if cur and width * (len(cur) + 1) > batch_tokens:
                out.append(cur)
                cur = []
            cur.append(s)
        if cur:
            out.append(cur)
    rng.shuffle(out)
    return out


def collate(batch: list[Sequence], pad_id: int):
    """Right padding for training: causal attention already keeps real tokens from seeing the pads after them."""
    width = max(len(s.ids) for s in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for i, s in enumerate(batch):
        ids[i, :len(s.ids)] = torch.tensor(s.ids)
        labels[i, :len(s.labels)] = torch.tensor(s.labels)
        mask[i, :len(s.ids)] = 1
    positions = torch.arange(width).unsqueeze(0).expand(len(batch), width)
    return ids, mask, positions, labels


def loss_of(model: Decoder, batch: list[Sequence], pad_id: int, reduction: str = "mean"):
    ids, mask, positions, labels = collate(batch, pad_id)
    logits, _ = model(ids, mask, positions)
    logits = logits[:, :-1].reshape(-1, logits.shape[-1])
    target = labels[:, 1:].reshape(-1)
    return F.cross_entropy(logits, target, ignore_index=IGNORE, reduction=reduction), int((target != IGNORE).sum())


@torch.no_grad()
def evaluate(model: Decoder, seqs: list[Sequence], pad_id: int, batch_tokens: int) -> tuple[float, dict[str, float]]:
    """Mean loss per target token over seqs, overall and per task."""
    model.eval()
    sums: dict[str, list[float]] = {}
    for batch in batches(seqs, batch_tokens, random.Random(0)):
        by_task: dict[str, list[Sequence]] = {}
        for s in batch:
            by_task.setdefault(s.task, []).append(s)
        for task, group in by_task.items():
            total, n = loss_of(model, group, pad_id, reduction="sum")
            acc = sums.setdefault(task, [0.0, 0])
            acc[0] += float(total)
            acc[1] += n
    model.train()
    per_task = {t: s / max(n, 1) for t, (s, n) in sums.items()}
    overall = sum(s for s, _ in sums.values()) / max(1, sum(n for _, n in sums.values()))
    return overall, per_task


@dataclass
class StageConfig:
    name: str
    epochs: float
    lr: float
    batch_tokens: int
    warmup_steps: int = 50
    weight_decay: float = 0.1
    eval_every: int = 200
    min_lr_ratio: float = 0.1


class LossLog:
    FIELDS = ["stage", "step", "epoch", "tokens", "lr", "train_loss", "val_loss", "elapsed_s"]

    def __init__(self, path: Path):
        self.path = path
        new = not path.exists()
        self.fh = path.open("a", newline="")
        self.w = csv.DictWriter(self.fh, fieldnames=self.FIELDS)
        if new:
            self.w.writeheader()

    def write(self, **row):
        self.w.writerow({k: row.get(k, "") for k in self.FIELDS})
        self.fh.flush()


def train_stage(model: Decoder, train: list[Sequence], val: list[Sequence], cfg: StageConfig, pad_id: int, seed: int,
                log: LossLog, checkpoint: Path, max_steps: int | None = None) -> dict:
    """Trains for cfg.epochs over train (or max_steps), evaluating on val every cfg.eval_every steps; keeps and
    restores the weights with the best validation loss. Returns figures for the README/model card."""
    rng = random.Random(f"{seed}:{cfg.name}")
    torch.manual_seed(seed)
    epoch_batches = [batches(train, cfg.batch_tokens, rng) for _ in range(max(1, math.ceil(cfg.epochs)))]
    per_epoch = len(epoch_batches[0])
    plan = [b for ep in epoch_batches for b in ep][: max(1, int(round(cfg.epochs * per_epoch)))]
    if max_steps is not None:
        plan = plan[:max_steps]
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (decay if p.dim() >= 2 and "wpe" not in name else no_decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=cfg.lr, betas=(0.9, 0.95))

    warmup = min(cfg.warmup_steps, max(1, len(plan) // 10))  # short stages must still reach the peak rate

    def lr_at(step: int) -> float:
        if step < warmup:
            return cfg.lr * (step + 1) / warmup
        frac = (step - warmup) / max(1, len(plan) - warmup)
        return cfg.lr * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))

    best = float("inf")
    best_step = -1
    tokens = 0
    started = time.time()
    model.train()
    running = None
    bar = tqdm(plan, desc=f"stage {cfg.name}", unit="step", dynamic_ncols=True, mininterval=5)
    for step, batch in enumerate(bar):
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        loss, _ = loss_of(model, batch, pad_id)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        tokens += sum(len(s.ids) for s in batch)
        running = float(loss) if running is None else 0.98 * running + 0.02 * float(loss)
        last = step == len(plan) - 1
        row = dict(stage=cfg.name, step=step + 1, epoch=round((step + 1) / per_epoch, 3), tokens=tokens,
                   lr=f"{lr_at(step):.6g}", train_loss=f"{float(loss):.4f}", elapsed_s=round(time.time() - started, 1))
        if (step + 1) % cfg.eval_every == 0 or last:
            val_loss, _ = evaluate(model, val, pad_id, cfg.batch_tokens)
            row["val_loss"] = f"{val_loss:.4f}"
            if val_loss < best:
                best, best_step = val_loss, step + 1
                torch.save(model.state_dict(), checkpoint)
            bar.set_postfix(loss=f"{running:.3f}", val=f"{val_loss:.3f}")
        log.write(**row)
    elapsed = time.time() - started
    model.load_state_dict(torch.load(checkpoint))
    return {"stage": cfg.name, "steps": len(plan), "epochs": round(len(plan) / per_epoch, 3), "tokens": tokens,
            "seconds": round(elapsed, 1), "tokens_per_s": round(tokens / max(elapsed, 1e-9)),
            "best_val_loss": round(best, 4), "best_step": best_step}


def plot_losses(csv_path: Path, png_path: Path) -> bool:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    rows = list(csv.DictReader(csv_path.open()))
    stages = list(dict.fromkeys(r["stage"] for r in rows))
    fig, axes = plt.subplots(1, len(stages), figsize=(5 * len(stages), 3.6), squeeze=False)
    for ax, stage in zip(axes[0], stages):
        rs = [r for r in rows if r["stage"] == stage]
        steps = [int(r["step"]) for r in rs]
        train = [float(r["train_loss"]) for r in rs]
        k = max(1, len(train) // 50)
        smooth = [sum(train[max(0, i - k):i + 1]) / len(train[max(0, i - k):i + 1]) for i in range(len(train))]
        ax.plot(steps, smooth, label="train (smoothed)")
        vs = [(int(r["step"]), float(r["val_loss"])) for r in rs if r["val_loss"]]
        if vs:
            ax.plot(*zip(*vs), "o-", label="validation")
        ax.set_title(stage)
        ax.set_xlabel("step")
        ax.set_ylabel("loss (nats/token)")
        ax.legend()
    fig.tight_layout()
    fig.savefig(png_path, dpi=90)
    plt.close(fig)
    return True
