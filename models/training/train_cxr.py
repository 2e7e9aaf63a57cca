#!/usr/bin/python3
"""radflow-cxr trainer: the Rad-Phi2 two-stage recipe on the pretrained SmolLM2-135M-Instruct, with LoRA.

  stage 1 (report language):  train_cxr.py --stage lm    --out runs/cxr-lm
  stage 2 (multi-task tasks): train_cxr.py --stage tasks --init runs/cxr-lm/best.pt --out runs/cxr-tasks
  speed of a setting:         train_cxr.py --stage tasks --bench-steps 4 --first-layer 14 --out /tmp/bench

Runs are resumable: the same command on the same --out continues from its state.pt (see radflow_train/sft.py).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import onnx  # noqa: E402,F401  (before torch: protobuf clash, see train.py)
import torch  # noqa: E402

from radflow_train import chat, data, gguf_base, sft, silver_labels, tasks  # noqa: E402

# Stage-2 mixture, (task weight, weight of a "none" answer): production tasks (impression, labels, devices) weigh
# most; 85 % of device answers are "none", so those are thinned; the long auxiliary tasks are sampled lightly.
MIXTURE = {"impression": (2.0, 1.0), "abnormality_labels": (1.0, 0.7), "device_labels": (1.5, 0.15),
           "extract_findings": (0.05, 1.0), "extract_impression": (0.05, 1.0), "cleanup": (0.1, 1.0),
           "qa_comprehension": (0.1, 1.0), "temporal_findings": (0.1, 1.0), "temporal_progression": (0.1, 1.0)}
MAX_LEN = 512


def mixture(examples: list[tasks.Example], seed: int,
            weights: dict[str, tuple[float, float]] = MIXTURE) -> list[tasks.Example]:
    rng = random.Random(f"radflow-cxr-mixture-v1:{seed}")
    out = []
    for e in examples:
        task_w, none_w = weights.get(e.task, (1.0, 1.0))
        w = task_w * (none_w if e.answer == "none" else 1.0)
        out += [e] * int(w) + ([e] if rng.random() < w - int(w) else [])
    return out


def encode_examples(tok, examples: list[tasks.Example]) -> list[sft.Seq]:
    out = []
    prompts = tok.encode_batch([chat.to_chat(e.prompt) for e in examples])
    answers = tok.encode_batch([e.answer + chat.SPECIAL_TOKENS["endOfText"] for e in examples])
    for e, p, a in zip(examples, prompts, answers):
        seq = sft.sft_seq(e.task, p.ids, a.ids)
        if len(seq.ids) <= MAX_LEN:
            out.append(seq)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stage", choices=["lm", "tasks"], required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--init", type=Path, help="adapter (best.pt) of an earlier stage to start from")
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--rank", type=int, default=32)
    ap.add_argument("--alpha", type=float, default=64)
    ap.add_argument("--first-layer", type=int, default=18, help="LoRA in blocks first-layer.. only (lower ones frozen)")
    ap.add_argument("--batch-tokens", type=int, default=2048)
    ap.add_argument("--max-batch", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1, help="1: OpenMP threads spin when another job takes a core")
    ap.add_argument("--bf16", action="store_true", help="bf16 autocast: only on CPUs with AMX / avx512_bf16")
    ap.add_argument("--ckpt-every", type=int, default=25)
    ap.add_argument("--eval-every", type=int, default=150)
    ap.add_argument("--val-size", type=int, default=150)
    ap.add_argument("--max-minutes", type=float, default=0.0)
    ap.add_argument("--bench-steps", type=int, default=0, help="time this many steps, print tokens/s, save nothing")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="auto", help="auto: CUDA when torch sees a GPU, else CPU")
    ap.add_argument("--task-weight", action="append", default=[], metavar="TASK=W",
                    help="a task's weight in the mixture instead of MIXTURE's (a focused leg, e.g. impression=4)")
    ap.add_argument("--silver-labels", type=int, default=0, metavar="N",
                    help="add N sentence-subset variants of each train report, labelled by the rule labeler "
                         "(radflow_train/silver_labels.py)")
    ap.add_argument("--val-tasks", default="", help="comma-separated tasks of the validation loss (default: all)")
    args = ap.parse_args()
    weights = dict(MIXTURE)
    for item in args.task_weight:
        task, _, w = item.partition("=")
        if task not in MIXTURE:
            raise SystemExit(f"--task-weight: unknown task {task!r} (one of {', '.join(MIXTURE)})")
        weights[task] = (float(w), MIXTURE[task][1])

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t0 = time.time()
    model, reader = gguf_base.load_base()
    args.out.mkdir(parents=True, exist_ok=True)
    tok_path = gguf_base.write_tokenizer(reader, args.out / "tokenizer")
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(tok_path))
    print(f"base loaded in {time.time() - t0:.1f}s", flush=True)

    splits = data.by_split(data.load_reports())
    if args.stage == "lm":
        texts = tasks.lm_texts(splits["train"])
        train_seqs = sft.lm_seqs([e.ids for e in tok.encode_batch(texts)], chat.END_ID, 256)
        val_seqs = sft.lm_seqs([e.ids for e in tok.encode_batch(tasks.lm_texts(splits["validation"]))], chat.END_ID,
                               256)[: args.val_size // 4]
    else:
        examples = tasks.build_examples(splits["train"], seed=args.seed)
        if args.silver_labels:
            examples += silver_labels.silver_examples(splits["train"], args.silver_labels, args.seed)
        train_seqs = encode_examples(tok, mixture(examples, args.seed, weights))
        val_examples = tasks.build_examples(splits["validation"], seed=args.seed)
        if args.val_tasks:
            val_examples = [e for e in val_examples if e.task in set(args.val_tasks.split(","))]
        random.Random(f"radflow-cxr-val:{args.seed}").shuffle(val_examples)
        val_seqs = encode_examples(tok, val_examples)[: args.val_size]
    counts: dict[str, int] = {}
    for s in train_seqs:
        counts[s.task] = counts.get(s.task, 0) + 1
    print(f"{len(train_seqs)} training sequences {counts}, {sum(len(s.ids) for s in train_seqs)} tokens; "
          f"{len(val_seqs)} validation", flush=True)

    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    model.add_lora(args.rank, args.alpha, first_layer=args.first_layer)
    model.to(device)
    print(f"device {device}", flush=True)
    if args.init:
        missing = model.load_state_dict(torch.load(args.init, map_location=device), strict=False)
        if missing.unexpected_keys:
            raise ValueError(f"{args.init} does not fit: {missing.unexpected_keys[:4]}")
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f"LoRA rank {args.rank} in blocks {args.first_layer}..{model.cfg.n_layers - 1}: {trainable:,} parameters",
          flush=True)
    cfg = sft.RunConfig(name=args.stage, epochs=args.epochs, lr=args.lr, batch_tokens=args.batch_tokens,
                        max_batch=args.max_batch, warmup=30, weight_decay=0.0, ckpt_every=args.ckpt_every,
                        eval_every=args.eval_every, frozen_below=args.first_layer, bf16=args.bf16,
                        seed=args.seed, max_minutes=args.max_minutes)
    if args.bench_steps:
        rng = random.Random(0)
        batches = sft.make_batches(train_seqs, args.batch_tokens, args.max_batch, rng)[: args.bench_steps + 1]
        opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
        for i, b in enumerate(batches):
            if i == 1:
                t, n = time.time(), 0
            batch = [train_seqs[j] for j in b]
            loss = sft.batch_loss(model, batch, chat.PAD_ID, args.first_layer, args.bf16)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if i >= 1:
                n += sum(len(s.ids) for s in batch)
        dt = time.time() - t
        print(json.dumps({"first_layer": args.first_layer, "rank": args.rank, "bf16": args.bf16,
                          "threads": args.threads, "tokens_per_s": round(n / dt, 1), "s_per_step": round(dt / args.bench_steps, 2)}))
        return
    init_val = None
    if args.init and not (args.out / "state.pt").exists():
        # The starting adapter's own figure: a leg is kept only if its best.pt beats it.
        init_val, _ = sft.validation_loss(model, val_seqs, chat.PAD_ID, args.bf16, args.batch_tokens)
        print(f"validation loss of the starting adapter: {init_val:.4f}", flush=True)
    summary = sft.train(model, train_seqs, val_seqs, cfg, args.out, chat.PAD_ID)
    if init_val is not None:
        summary["init_val_loss"] = round(init_val, 4)
    summary.update({"base": gguf_base.BASE_NAME, "lora": {"rank": args.rank, "alpha": args.alpha,
                    "first_layer": args.first_layer, "targets": list(model.LORA_TARGETS)},
                    "train_sequences": counts, "init": str(args.init) if args.init else None,
                    "task_weights": {t: w for t, (w, _) in weights.items() if w != MIXTURE[t][0]},
                    "val_tasks": args.val_tasks or "all", "silver_labels": args.silver_labels})
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
