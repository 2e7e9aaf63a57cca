#!/usr/bin/python3
"""radflow trainer: data -> splits -> tokenizer -> stage 1 (LM) -> stage 2 (multi-task instruction tuning)
-> sanity figures -> ONNX export (+ int8) -> parity, config, manifest, model card.

  /usr/bin/python3 models/training/train.py --out models/training/runs/main --export models/radflow-cxr-small
  /usr/bin/python3 models/training/train.py --smoke --out /tmp/smoke --export /tmp/smoke/model
  /usr/bin/python3 models/training/train.py --no-stage1 ...   (the ablation arm)
"""
from __future__ import annotations

import argparse
import json
import platform
import random
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# onnx before torch: Debian's torch registers its own (older) onnx.proto in protobuf's C++ pool, and the
# newer onnx package then fails to import.
import onnx  # noqa: E402,F401
import numpy as np  # noqa: E402
import torch  # noqa: E402

from radflow_train import card, data, export, paths, prompts, sanity, tasks, tokenizer, trainer  # noqa: E402
from radflow_train.model import Decoder, DecoderConfig  # noqa: E402

# Stage-2 mixture: how many times each task's examples enter the training set (fractions take a seeded subset).
# The tasks radflow uses in production (impression, labels, devices) weigh most.
# Sized for a ~40 minute CPU budget at ~1,000 tokens/s on a shared 2-core machine.
TASK_WEIGHTS = {"impression": 1.5, "abnormality_labels": 1.5, "device_labels": 0.7, "extract_findings": 0.15,
                "extract_impression": 0.2, "cleanup": 0.15, "qa_comprehension": 0.25, "temporal_findings": 0.12,
                "temporal_progression": 0.12}
# Second stage-2 leg of the shipped model (--focus, continuing from the first leg's checkpoint): after one leg the
# model answered "none" to nearly every device question (85 % of device answers are "none"), so examples with a
# non-empty label answer weigh more and the long auxiliary tasks less. (task weight, weight of a "none" answer).
FOCUS_WEIGHTS = {"impression": (1.5, 1.0), "abnormality_labels": (1.5, 0.6), "device_labels": (4.0, 0.1),
                 "extract_findings": (0.1, 1.0), "extract_impression": (0.1, 1.0), "cleanup": (0.1, 1.0),
                 "qa_comprehension": (0.15, 1.0), "temporal_findings": (0.08, 1.0), "temporal_progression": (0.08, 1.0)}
PARITY_TASKS = [
    ("impression", {"findings": "The heart size is normal. The lungs are clear. No pleural effusion or pneumothorax."}),
    ("abnormality_labels", {"report": "FINDINGS: Mild cardiomegaly. Small left pleural effusion with basilar "
                                      "atelectasis.\nIMPRESSION: Cardiomegaly and small left effusion."}),
    ("device_labels", {"report": "FINDINGS: Left chest wall pacemaker with leads in the right atrium and right "
                                 "ventricle. Median sternotomy wires. Lungs are clear.\nIMPRESSION: No acute disease."}),
]


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def weighted(examples: list[tasks.Example], weights: dict[str, float], seed: int) -> list[tasks.Example]:
    rng = random.Random(f"radflow-mixture-v1:{seed}")
    out: list[tasks.Example] = []
    by_task: dict[str, list[tasks.Example]] = {}
    for e in examples:
        by_task.setdefault(e.task, []).append(e)
    for task, exs in by_task.items():
        w = weights.get(task, 1.0)
        whole, frac = int(w), w - int(w)
        out += exs * whole
        out += rng.sample(exs, int(round(frac * len(exs))))
    return out


def focused(examples: list[tasks.Example], seed: int) -> list[tasks.Example]:
    """Mixture where a label example answered "none" gets its task weight times the none weight."""
    rng = random.Random(f"radflow-focus-v1:{seed}")
    out: list[tasks.Example] = []
    for e in examples:
        task_w, none_w = FOCUS_WEIGHTS.get(e.task, (1.0, 1.0))
        w = task_w * (none_w if e.answer == "none" else 1.0)
        out += [e] * int(w) + ([e] if rng.random() < w - int(w) else [])
    rng.shuffle(out)
    return out


def leg_name(name: str, earlier: list[dict]) -> str:
    """A stage-2 leg's name, numbered when an earlier leg of the checkpoint's history already has it."""
    taken = {st["stage"] for st in earlier}
    leg, n = name, 2
    while leg in taken:
        leg, n = f"{name}-{n}", n + 1
    return leg


def carry_loss_rows(previous_csv: Path, stages: set[str], log: trainer.LossLog) -> None:
    """The loss rows of the stages a loaded checkpoint went through, so this run's loss.csv / loss.png show them."""
    import csv

    if previous_csv.exists():
        for row in csv.DictReader(previous_csv.open()):
            if row["stage"] in stages:
                log.write(**row)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="run directory: tokenizer, checkpoints, loss log, summary")
    ap.add_argument("--export", type=Path, help="model directory to write (ONNX, tokenizer, config, manifest, card)")
    ap.add_argument("--smoke", action="store_true", help="tiny dims, a few hundred examples, a few steps (CI)")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--no-stage1", action="store_true", help="skip LM pretraining (the ablation arm)")
    ap.add_argument("--init-from", type=Path, help="start stage 2 from this checkpoint (skips stage 1); the stages of "
                                                   "the run that wrote it (its summary.json) are carried into the card")
    ap.add_argument("--focus", action="store_true", help="stage-2 mixture FOCUS_WEIGHTS instead of TASK_WEIGHTS")
    ap.add_argument("--vocab-size", type=int, default=4096)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--d-model", type=int, default=256)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--context", type=int, default=512)
    ap.add_argument("--stage1-epochs", type=float, default=2.0)
    ap.add_argument("--stage2-epochs", type=float, default=1.5)
    ap.add_argument("--stage2-max-steps", type=int, help="cap stage 2 steps (ablation budget)")
    ap.add_argument("--batch-tokens", type=int, default=6144)
    ap.add_argument("--lr1", type=float, default=1e-3)
    ap.add_argument("--lr2", type=float, default=6e-4)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--val-subset", type=int, default=600, help="validation sequences used for checkpoint choice")
    ap.add_argument("--final-val", type=int, default=1500, help="validation sequences for the final per-task loss")
    ap.add_argument("--sanity-n", type=int, default=60)
    ap.add_argument("--name", default="radflow-cxr-small")
    ap.add_argument("--version", default="0.1.0")
    ap.add_argument("--no-quantize", action="store_true")
    ap.add_argument("--write-splits", action="store_true", help="(re)write models/training/splits/*.txt")
    args = ap.parse_args(argv)
    if args.smoke:
        args.vocab_size, args.layers, args.d_model, args.heads, args.context = 512, 2, 64, 4, 512
        args.stage1_epochs, args.stage2_epochs, args.batch_tokens = 0.3, 0.25, 4096
        args.eval_every, args.val_subset, args.sanity_n = 10, 60, 4
        args.no_quantize = False
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    torch.set_num_threads(1)
    seed_everything(args.seed)
    t0 = time.time()
    args.out.mkdir(parents=True, exist_ok=True)
    log_path = args.out / "loss.csv"
    if log_path.exists():
        log_path.unlink()
    log = trainer.LossLog(log_path)

    reports = data.load_reports()
    split = data.by_split(reports)
    if args.write_splits:
        data.write_splits(reports, paths.SPLITS_DIR)
    data.write_splits(reports, args.out / "splits")
    train_reports, val_reports = split["train"], split["validation"]
    if args.smoke:
        train_reports, val_reports = train_reports[:120], val_reports[:40]

    # Tokenizer: report text of the train split, plus the instructions once each so their words get merges.
    instructions = [t["instruction"] for t in prompts.catalog()["tasks"].values()]
    tok = tokenizer.train_tokenizer(tasks.lm_texts(train_reports) + instructions, args.vocab_size)
    tok_dir = args.out / "tokenizer"
    tok_dir.mkdir(exist_ok=True)
    tokenizer.save_tokenizer(tok, tok_dir, args.context)
    if args.init_from and (args.init_from.parent / "tokenizer" / "tokenizer.json").exists():
        if (args.init_from.parent / "tokenizer" / "tokenizer.json").read_text() != (tok_dir / "tokenizer.json").read_text():
            raise SystemExit("the checkpoint's run trained a different tokenizer: same data, seed and --vocab-size needed")
    special = tokenizer.special_ids(tok)
    eos, pad = special["<endoftext>"], special["<pad>"]

    train_ex = tasks.build_examples(train_reports, args.seed)
    val_ex = tasks.build_examples(val_reports, args.seed)
    train_mix = focused(train_ex, args.seed) if args.focus else weighted(train_ex, TASK_WEIGHTS, args.seed)
    train_seqs, dropped_train = trainer.sft_sequences(train_mix, tok, eos, args.context)
    val_seqs, dropped_val = trainer.sft_sequences(val_ex, tok, eos, args.context)
    val_subset = random.Random(f"{args.seed}:valsubset").sample(val_seqs, min(args.val_subset, len(val_seqs)))
    if args.smoke:
        train_seqs = train_seqs[:400]

    cfg = DecoderConfig(vocab_size=tok.get_vocab_size(), n_layer=args.layers, n_head=args.heads, d_model=args.d_model,
                        max_position=args.context, dropout=args.dropout)
    model = Decoder(cfg)
    print(f"model: {model.num_parameters():,} parameters; stage-2 train sequences {len(train_seqs)} "
          f"(dropped as too long: {dropped_train}), validation {len(val_seqs)} (dropped {dropped_val})", flush=True)
    stages = []
    if args.init_from:
        model.load_state_dict(torch.load(args.init_from))
        previous = args.init_from.parent / "summary.json"
        if previous.exists():
            for st in json.loads(previous.read_text())["stages"]:
                stages.append(st)
                if args.init_from.stem == "stage1" and st["stage"] == "lm":
                    break  # stage1.pt was written by the LM stage: later ones did not shape it
            carry_loss_rows(args.init_from.parent / "loss.csv", {st["stage"] for st in stages}, log)
    elif not args.no_stage1:
        lm_train = trainer.lm_sequences(tasks.lm_texts(train_reports), tok, eos, 256)
        lm_val = trainer.lm_sequences(tasks.lm_texts(val_reports), tok, eos, 256)
        s1 = trainer.StageConfig("lm", args.stage1_epochs, args.lr1, args.batch_tokens, eval_every=args.eval_every,
                                 warmup_steps=20 if args.smoke else 50)
        stages.append(trainer.train_stage(model, lm_train, lm_val, s1, pad, args.seed, log, args.out / "stage1.pt"))
    s2 = trainer.StageConfig(leg_name("instruct-focus" if args.focus else "instruct", stages), args.stage2_epochs, args.lr2, args.batch_tokens, eval_every=args.eval_every,
                             warmup_steps=20 if args.smoke else 50)
    stages.append(trainer.train_stage(model, train_seqs, val_subset, s2, pad, args.seed, log, args.out / "stage2.pt",
                                      max_steps=args.stage2_max_steps))
    model.eval()
    final_val = random.Random(f"{args.seed}:finalval").sample(val_seqs, min(args.final_val, len(val_seqs)))
    val_loss, val_per_task = trainer.evaluate(model, final_val, pad, args.batch_tokens)
    plotted = trainer.plot_losses(log_path, args.out / "loss.png")
    fig = sanity.sanity_metrics(sanity.torch_generate_fn(model, tok), tok, val_ex, train_ex, args.sanity_n)
    summary = {
        "model": {"name": args.name, "version": args.version, "parameters": model.num_parameters(), **cfg.to_dict()},
        "seed": args.seed, "smoke": args.smoke, "no_stage1": args.no_stage1 and not args.init_from,
        "splits": {k: len(v) for k, v in split.items()},
        "example_counts": {"train": dict(Counter(e.task for e in train_ex)),
                           "train_mixture": dict(Counter(s.task for s in train_seqs)),
                           "validation": dict(Counter(e.task for e in val_ex))},
        "dropped_too_long": {"train": dropped_train, "validation": dropped_val},
        "stages": stages, "val_loss": round(val_loss, 4), "val_loss_sequences": len(final_val),
        "val_loss_per_task": {k: round(v, 4) for k, v in val_per_task.items()},
        "sanity": fig, "loss_plot": plotted,
        "env": {"torch": torch.__version__, "python": platform.python_version(), "threads": torch.get_num_threads()},
    }

    if args.export:
        out = args.export
        out.mkdir(parents=True, exist_ok=True)
        for f in ("tokenizer.json", "tokenizer_config.json"):
            shutil.copy(tok_dir / f, out / f)
        export.export_onnx(model, out / "model.onnx")
        export.write_hf_config(model, special, out)
        parity_prompts = [prompts.build_prompt(t, **inp) for t, inp in PARITY_TASKS]
        export.write_parity(model, tok, parity_prompts, out)
        quant = {}
        if not args.no_quantize:
            export.quantize_int8(out / "model.onnx", out / "model.int8.onnx")
            fp32 = sanity.sanity_metrics(export.ort_generate_fn(out / "model.onnx", cfg, tok), tok, val_ex, train_ex, args.sanity_n)
            int8 = sanity.sanity_metrics(export.ort_generate_fn(out / "model.int8.onnx", cfg, tok), tok, val_ex, train_ex, args.sanity_n)

            def key(m):
                return {"impression_rougeL": m.get("impression", {}).get("rougeL"),
                        "abnormality_micro_f1": m.get("abnormality_labels", {}).get("micro_f1"),
                        "device_micro_f1": m.get("device_labels", {}).get("micro_f1")}
            kf, ki = key(fp32), key(int8)
            keeps = all(ki[k] is not None and kf[k] is not None and ki[k] >= kf[k] - 0.01 for k in kf)
            quant = {"fp32_onnx": kf, "int8_onnx": ki, "kept": keeps,
                     "rule": "int8 kept when no figure drops by more than 0.01",
                     "size_bytes": {"fp32": (out / "model.onnx").stat().st_size,
                                    "int8": (out / "model.int8.onnx").stat().st_size}}
            if not keeps:
                (out / "model.int8.onnx").unlink()
        summary["quantization"] = quant
        export.write_manifest(out, name=args.name, version=args.version, tasks=prompts.task_ids(),
                              max_length=args.context, quantized=bool(quant.get("kept")), card=True)
        (out / "MODEL_CARD.md").write_text(card.render(summary))
        if plotted:
            shutil.copy(args.out / "loss.png", out / "loss.png")
        (out / "training-summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    summary["total_seconds"] = round(time.time() - t0, 1)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps({k: summary[k] for k in ("stages", "val_loss", "total_seconds")}, indent=1))
    for task, figs in fig.items():
        print(task, {k: v for k, v in figs.items() if k != "samples"})
    return summary


if __name__ == "__main__":
    main()
