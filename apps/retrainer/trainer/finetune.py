#!/usr/bin/python3
"""Fine-tunes a radflow model directory on a feedback data set and exports the candidate model directory.

  /usr/bin/python3 apps/retrainer/trainer/finetune.py --base MODEL_DIR --data DATASET_DIR --out CANDIDATE_DIR \
      --name radflow-cxr-small --version 0.1.0+ft.20250101 --steps 40

The base is any directory radflow's trainer exported (radflow-model.json, config.json, tokenizer.json, model.onnx).
Its PyTorch weights come from model.pt when the directory has one, otherwise they are read back from model.onnx and
checked against onnxruntime (the logits must agree) before any step is taken. The data set is what the retrainer's
dataset builder wrote: DATASET_DIR/train/<task>.jsonl, one {"prompt", "answer", "task", "text"} object per line in the
paper's format. The tokenizer and the model shape are kept: a fine-tune, not a new model.

Reuses models/training/radflow_train (model, batching, loss on the answer tokens, ONNX export, manifest). Progress goes
to stdout as JSON lines ({"event": "progress", ...}) for the retrainer, and as a progress bar to stderr for people.
One thread: the machine is shared.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO_ROOT / "models" / "training"))

# onnx before torch: Debian's torch registers an older onnx.proto in protobuf's pool (see models/training/train.py).
import onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402
from tqdm import tqdm  # noqa: E402

from radflow_train import export, trainer  # noqa: E402
from radflow_train.model import Decoder, DecoderConfig  # noqa: E402


def emit(event: str, **fields) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


class FinetuneError(Exception):
    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Example:
    task: str
    prompt: str
    answer: str


def decoder_config(base: Path) -> DecoderConfig:
    cfg = json.loads((base / "config.json").read_text())
    hidden = cfg["hidden_size"]
    return DecoderConfig(vocab_size=cfg["vocab_size"], n_layer=cfg["num_hidden_layers"], n_head=cfg["num_attention_heads"],
                         d_model=hidden, max_position=cfg["max_position_embeddings"],
                         mlp_ratio=cfg.get("intermediate_size", 4 * hidden) // hidden, dropout=0.0)


def weights_from_onnx(model: Decoder, onnx_path: Path) -> dict[str, torch.Tensor]:
    """The state dict of a radflow decoder read back from its ONNX export: embeddings by name, LayerNorm and Linear
    parameters by their order in the graph (ln1, qkv, proj, ln2, mlp.0, mlp.2 per block, then ln_f and the tied head)."""
    graph = onnx.load(str(onnx_path)).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    # The exporter folds identical tensors into one initializer and names the others through Identity nodes.
    for node in graph.node:
        if node.op_type == "Identity" and node.input[0] in inits:
            inits.setdefault(node.output[0], inits[node.input[0]])
    consumers: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    norms = [n for n in graph.node if n.op_type == "LayerNormalization"]
    matmuls = [n for n in graph.node if n.op_type == "MatMul" and n.input[1] in inits]
    n_layer = model.cfg.n_layer
    if len(norms) != 2 * n_layer + 1 or len(matmuls) != 4 * n_layer + 1:
        raise FinetuneError("BASE_WEIGHTS_UNREADABLE", f"{onnx_path.name} does not have the radflow decoder's layout "
                                                       f"({len(norms)} LayerNorms, {len(matmuls)} weight MatMuls)")
    state: dict[str, torch.Tensor] = {}

    def put(name: str, array: np.ndarray) -> None:
        state[name] = torch.from_numpy(np.array(array, dtype=np.float32))

    put("wte.weight", inits["model.wte.weight"])
    put("wpe.weight", inits["model.wpe.weight"])
    norm_names = [f"blocks.{i}.{ln}" for i in range(n_layer) for ln in ("ln1", "ln2")] + ["ln_f"]
    for node, name in zip(norms, norm_names):
        put(f"{name}.weight", inits[node.input[1]])
        put(f"{name}.bias", inits[node.input[2]])
    linear_names = [f"blocks.{i}.{p}" for i in range(n_layer) for p in ("attn.qkv", "attn.proj", "mlp.0", "mlp.2")]
    for node, name in zip(matmuls, linear_names):
        put(f"{name}.weight", inits[node.input[1]].T)
        bias_add = next((c for c in consumers.get(node.output[0], []) if c.op_type == "Add"), None)
        bias = next((i for i in (bias_add.input if bias_add else []) if i in inits), None)
        if bias is None:
            raise FinetuneError("BASE_WEIGHTS_UNREADABLE", f"no bias found for {name} in {onnx_path.name}")
        put(f"{name}.bias", inits[bias])
    return state


def check_against_onnx(model: Decoder, onnx_path: Path) -> float:
    """Largest |logit difference| between PyTorch and onnxruntime on a fixed random input: the weights are right."""
    session = export.ort_session(onnx_path)
    cfg = model.cfg
    rng = np.random.default_rng(0)
    ids = rng.integers(4, cfg.vocab_size, size=(2, 12)).astype(np.int64)
    mask = np.ones((2, 12), np.int64)
    pos = np.tile(np.arange(12, dtype=np.int64), (2, 1))
    feeds = {"input_ids": ids, "attention_mask": mask, "position_ids": pos}
    for i in range(cfg.n_layer):
        for kind in ("key", "value"):
            feeds[f"past_key_values.{i}.{kind}"] = np.zeros((2, cfg.n_head, 0, cfg.head_dim), np.float32)
    ort_logits = session.run(["logits"], feeds)[0]
    model.eval()
    with torch.no_grad():
        torch_logits, _ = model(torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(pos))
    return float(np.abs(torch_logits.numpy() - ort_logits).max())


def load_base(base: Path, weights: Path | None) -> tuple[Decoder, str]:
    model = Decoder(decoder_config(base))
    manifest = json.loads((base / "radflow-model.json").read_text())
    onnx_path = base / manifest["onnx"]["model"]
    explicit = weights or (base / "model.pt")
    if explicit.exists():
        model.load_state_dict(torch.load(explicit))
        return model, f"weights:{explicit.name}"
    model.load_state_dict(weights_from_onnx(model, onnx_path))
    diff = check_against_onnx(model, onnx_path)
    if not diff < 1e-3:
        raise FinetuneError("BASE_WEIGHTS_UNREADABLE", f"weights read from {onnx_path.name} disagree with onnxruntime (max |diff| {diff:.2e})")
    return model, f"onnx:{onnx_path.name} (max |logit diff| {diff:.1e})"


def read_examples(data: Path, tasks: set[str] | None) -> list[Example]:
    examples = []
    for path in sorted((data / "train").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if tasks is None or row["task"] in tasks:
                examples.append(Example(row["task"], row["prompt"], row["answer"]))
    return examples


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", type=Path, required=True, help="model directory to start from")
    ap.add_argument("--data", type=Path, required=True, help="data set directory (train/<task>.jsonl)")
    ap.add_argument("--out", type=Path, required=True, help="candidate model directory to write")
    ap.add_argument("--name", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--weights", type=Path, help="PyTorch state dict of the base (default: BASE/model.pt, else read from ONNX)")
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--max-epochs", type=float, default=2.0,
                    help="at most this many passes over the feedback (fewer steps than --steps when it is small)")
    ap.add_argument("--batch-tokens", type=int, default=4096)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--tasks", nargs="*", help="only these tasks (default: all in the data set)")
    ap.add_argument("--data-snapshot", default="", help="sha256 of the data set, written into the manifest's lineage")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    torch.set_num_threads(1)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    started = time.time()
    base_manifest = json.loads((args.base / "radflow-model.json").read_text())
    tok = Tokenizer.from_file(str(args.base / base_manifest.get("tokenizer", "tokenizer.json")))
    eos, pad = tok.token_to_id("<endoftext>"), tok.token_to_id("<pad>")
    model, weights_source = load_base(args.base, args.weights)
    examples = read_examples(args.data, set(args.tasks) if args.tasks else None)
    seqs, dropped = trainer.sft_sequences(examples, tok, eos, model.cfg.max_position)
    if not seqs:
        raise FinetuneError("NO_TRAINING_DATA", f"no usable training sequences in {args.data}/train ({dropped} too long)")

    rng = random.Random(f"{args.seed}:finetune")
    plan: list = []
    while len(plan) < args.steps:
        plan += trainer.batches(seqs, args.batch_tokens, rng)
    per_epoch = len(trainer.batches(seqs, args.batch_tokens, random.Random(0)))
    plan = plan[:max(1, min(args.steps, round(args.max_epochs * per_epoch)))]
    emit("started", examples=len(examples), sequences=len(seqs), droppedTooLong=dropped, steps=len(plan),
         parameters=model.num_parameters(), weights=weights_source)
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (decay if p.dim() >= 2 and "wpe" not in name else no_decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))

    def lr_at(step: int) -> float:
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        frac = (step - args.warmup) / max(1, len(plan) - args.warmup)
        return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))

    model.train()
    tokens = 0
    bar = tqdm(plan, desc="fine-tune", unit="step", file=sys.stderr, mininterval=2)
    for step, batch in enumerate(bar):
        for group in opt.param_groups:
            group["lr"] = lr_at(step)
        loss, _ = trainer.loss_of(model, batch, pad)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        tokens += sum(len(s.ids) for s in batch)
        bar.set_postfix(loss=f"{float(loss):.3f}")
        emit("progress", stage="training", step=step + 1, totalSteps=len(plan), loss=round(float(loss), 4), tokens=tokens)
    train_seconds = time.time() - started

    model.eval()
    out = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    emit("progress", stage="export", step=len(plan), totalSteps=len(plan))
    for name in ("tokenizer.json", "tokenizer_config.json"):
        if (args.base / name).exists():
            shutil.copy(args.base / name, out / name)
    export.export_onnx(model, out / "model.onnx")
    special = {t: tok.token_to_id(t) for t in ("<endoftext>", "<pad>", "<instruct>", "<output>")}
    export.write_hf_config(model, special, out)
    torch.save(model.state_dict(), out / "model.pt")
    lineage = {
        "baseModel": {"name": base_manifest["name"], "version": base_manifest["version"]},
        "dataSnapshot": args.data_snapshot,
        "fineTune": {"steps": len(plan), "lr": args.lr, "seed": args.seed, "sequences": len(seqs), "tokens": tokens,
                     "seconds": round(train_seconds, 1), "weightsFrom": weights_source},
        "description": f"Fine-tuned by radflow's retrainer from {base_manifest['name']} {base_manifest['version']} on "
                       f"radiologist feedback. Outputs are preliminary AI drafts for a radiologist.",
    }
    export.write_manifest(out, name=args.name, version=args.version, tasks=base_manifest.get("tasks", []),
                          max_length=base_manifest.get("maxLength", model.cfg.max_position), quantized=False, card=False,
                          extra=lineage)
    emit("exported", modelDir=str(out), seconds=round(time.time() - started, 1), trainSeconds=round(train_seconds, 1),
         steps=len(plan), finalLoss=round(float(loss), 4))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except FinetuneError as error:
        emit("failed", code=error.code, reason=error.reason)
        sys.exit(2)
