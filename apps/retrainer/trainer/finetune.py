#!/usr/bin/python3
r"""Fine-tunes a LoRA adapter on a frozen radflow model directory, from radiologist feedback mixed with a replay sample
of the base's own training data, and exports the adapter, its manifest and the merged (servable) model directory.

  /usr/bin/python3 apps/retrainer/trainer/finetune.py --base MODEL_DIR --data DATASET_DIR --out OUT_DIR \
      --name radflow-cxr-small --version 0.1.0+ft.20250101 --steps 40 [--replay-ratio 1.0] [--lora-rank 8]
  /usr/bin/python3 apps/retrainer/trainer/finetune.py --rebuild OUT_DIR --base MODEL_DIR   # merged/ again

OUT_DIR gets
  adapter/adapter.pt       the adapter's tensors (lora_a, lora_b per wrapped linear, fp32): the trained artifact
  adapter-manifest.json    base (name, version, sha256 of its model.onnx), LoRA config, data (sha256 of each feedback
                           line, sha256 of each replay example's report id, counts per task, replay ratio and seed),
                           steps, final loss, sha256 of adapter.pt. Hashes and counts only, never report text.
  merged/                  the base with the adapter folded in, exported as a model directory (ONNX, tokenizer,
                           manifest): a DERIVED cache that `--rebuild` writes again, identically, from base + adapter.
With --full the whole model is fine-tuned instead (the earlier behaviour) and OUT_DIR is the model directory.

The base is any directory radflow's trainer exported (radflow-model.json, config.json, tokenizer.json, model.onnx).
Its PyTorch weights come from model.pt when the directory has one, otherwise they are read back from model.onnx and
checked against onnxruntime (the logits must agree) before any step is taken. The data set is what the retrainer's
dataset builder wrote: DATASET_DIR/train/<task>.jsonl, one {"prompt", "answer", "task", "text"} object per line in the
paper's format. Replay examples come from the Open-i train split (models/training/splits/train.txt) through
radflow_train.replay, in the base's stage-2 task mixture, `--replay-ratio` of them per feedback example (only the tasks
of `--replay-tasks` when given; `--replay-style-neutral`: no loss on a replayed answer of a feedback task where a list
style shows). Neither option is on by default: neither kept more of the impression's content (apps/retrainer/README.md).
`--kl-weight W` adds W x KL(base || adapter) on the answer tokens (base_distillation.py); off by default: it trades the
style for the content rather than keeping both (the same README).

Reuses models/training/radflow_train (model, LoRA, batching, loss on the answer tokens, ONNX export, manifest). Progress
goes to stdout as JSON lines ({"event": "progress", ...}) for the retrainer, and as a progress bar to stderr for people.
One thread: the machine is shared.
"""
from __future__ import annotations

import argparse
import hashlib
import json
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

from radflow_train import export, impression_form, replay, trainer  # noqa: E402
from radflow_train.gguf_base import file_sha256 as sha256_file  # noqa: E402
from radflow_train.model import Decoder, DecoderConfig  # noqa: E402

import adapter_manifest  # noqa: E402
from epoch_choice import EpochChoice, hold_out, pass_ends  # noqa: E402
from base_distillation import loss_with_base_distillation  # noqa: E402
import cxr_candidate  # noqa: E402
import cxr_retrain  # noqa: E402
from optimiser_step import lr_at, take_step  # noqa: E402


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


ADAPTER_DIR = "adapter"
ADAPTER_WEIGHTS = "adapter.pt"
ADAPTER_MANIFEST = "adapter-manifest.json"
MERGED_DIR = "merged"
# Measured on radflow-cxr-small (README "Adapters and replay"): rank 8 on every linear of every block learns one
# radiologist's style within the default budget; the rate is the adapter's (a full fine-tune's is far lower).
DEFAULT_LORA = {"rank": 8, "alpha": 16.0, "targets": list(Decoder.LORA_TARGETS)}
DEFAULT_LR = {"adapter": 1e-3, "full": 5e-5}
# A fresh adapter's replay (every task of the base, few impressions) kept less content with the impressions rewritten.
DEFAULT_REPLAY_FORM = "off"
DEFAULT_REPLAY_RATIO = 1.0


def read_examples(data: Path, tasks: set[str] | None) -> tuple[list[Example], list[dict]]:
    """The feedback examples, and per example its task and the sha256 of its data set line (what the manifest keeps)."""
    examples, hashes = [], []
    for path in sorted((data / "train").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if tasks is None or row["task"] in tasks:
                examples.append(Example(row["task"], row["prompt"], row["answer"]))
                hashes.append({"task": row["task"], "sha256": hashlib.sha256(line.encode("utf-8")).hexdigest()})
    return examples, hashes


def replay_examples(args, feedback: list[Example], base_tasks: list[str]) -> list[Example]:
    size = round(args.replay_ratio * len(feedback))
    if size <= 0:
        return []
    from train import TASK_WEIGHTS  # models/training/train.py: the base's own stage-2 mixture

    reports = replay.train_split_reports(args.openi_dir)
    tasks = set(base_tasks)
    if args.replay_tasks is not None:
        tasks = (tasks or set(args.replay_tasks)) & set(args.replay_tasks)
        if not tasks:
            raise FinetuneError("BAD_REPLAY_TASKS", "none of --replay-tasks is a task of the base")
    return replay.replay_sample(reports, size, args.seed, tasks or None, TASK_WEIGHTS)


def rewrite_replay_form(args, feedback: list, replayed: list) -> tuple[list, dict | None]:
    """With --replay-form auto, the replayed impressions in the form the feedback's impressions are written in; the
    form found and how many answers it changed (None: off, or no recognised form)."""
    if args.replay_form != "auto":
        return replayed, None
    found = impression_form.radiologist_form([e.answer for e in feedback if e.task == "impression"])
    return impression_form.replay_in_form(found, replayed)


def style_neutral(seq: trainer.Sequence, tok, eos: int) -> trainer.Sequence:
    """A replay sequence of a task the feedback restyles, without the loss where a style shows: the answer's first
    token and each token after a sentence's full stop (where one radiologist writes "2." and the hospital does not;
    the end of the answer keeps its loss). The replay then keeps the content of the base's answers without pulling
    against the radiologist's layout."""
    start = next(i for i, label in enumerate(seq.labels) if label != trainer.IGNORE)
    labels = list(seq.labels)
    labels[start] = trainer.IGNORE
    for i in range(start + 1, len(labels)):
        if seq.ids[i] != eos and tok.id_to_token(seq.ids[i - 1]).endswith("."):
            labels[i] = trainer.IGNORE
    return trainer.Sequence(seq.ids, labels, seq.task)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", type=Path, required=True, help="model directory to start from")
    ap.add_argument("--data", type=Path, help="data set directory (train/<task>.jsonl)")
    ap.add_argument("--out", type=Path, help="output directory (adapter/, adapter-manifest.json, merged/)")
    ap.add_argument("--rebuild", type=Path, metavar="OUT_DIR",
                    help="write OUT_DIR/merged again from --base and OUT_DIR's adapter (no training)")
    ap.add_argument("--name")
    ap.add_argument("--version")
    ap.add_argument("--weights", type=Path, help="PyTorch state dict of the base (default: BASE/model.pt, else read from ONNX)")
    ap.add_argument("--full", action="store_true", help="fine-tune every weight (no adapter, no merged/): the old way")
    ap.add_argument("--lora-rank", type=int, default=DEFAULT_LORA["rank"])
    ap.add_argument("--lora-alpha", type=float, default=DEFAULT_LORA["alpha"])
    ap.add_argument("--lora-targets", default=",".join(DEFAULT_LORA["targets"]),
                    help=f"comma-separated linears of each block ({','.join(Decoder.LORA_TARGETS)})")
    ap.add_argument("--replay-ratio", type=float,
                    help="replay examples per feedback example (0: none); default 1, and 3 to continue radflow-cxr's "
                         "adapters on feedback written as numbered lists (--replay-form auto; measured: "
                         "apps/retrainer/README.md, \"Replay in the radiologist's form\")")
    ap.add_argument("--replay-tasks", type=lambda v: [t for t in v.split(",") if t],
                    help="comma-separated tasks the replay sample is drawn from (default: every task of the base)")
    ap.add_argument("--replay-style-neutral", action="store_true",
                    help="no loss on replayed answers where a style shows (first token, token after a full stop), "
                         "for the tasks the feedback has")
    ap.add_argument("--replay-form", choices=("off", "auto"),
                    help="auto: when the feedback's impressions are written in one recognised form (a numbered list, "
                         "one sentence), rewrite the replayed impressions in it (radflow_train/impression_form.py); "
                         "default off for a fresh adapter, auto to continue radflow-cxr's adapters (measured: "
                         "apps/retrainer/README.md, \"Replay in the radiologist's form\")")
    ap.add_argument("--kl-weight", type=float, default=0.0,
                    help="add this times KL(base || adapter) on the answer tokens (base = adapters switched off; "
                         "0: cross-entropy alone, the default)")
    ap.add_argument("--openi-dir", type=Path, help="Open-i folder for replay (default RADFLOW_DATA_DIR/openi)")
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--lr", type=float, help="peak learning rate (default 1e-3 for an adapter, 5e-5 with --full, "
                                             "2e-4 to continue radflow-cxr's adapters)")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--max-epochs", type=float, default=2.0,
                    help="at most this many passes over feedback + replay (fewer steps than --steps when it is small)")
    ap.add_argument("--epoch-choice-percent", type=float, default=0.0,
                    help="hold out this share of the feedback and keep the pass (up to --max-epochs) whose loss on it "
                         "is lowest (epoch_choice.py; 0: no choice, train for --max-epochs)")
    ap.add_argument("--batch-tokens", type=int, default=4096)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--tasks", nargs="*", help="only these feedback tasks (default: all in the data set)")
    ap.add_argument("--data-snapshot", default="", help="sha256 of the data set, written into the manifest's lineage")
    args = ap.parse_args(argv)
    if args.rebuild is None and not (args.data and args.out and args.name and args.version):
        ap.error("--data, --out, --name and --version are needed to train (or --rebuild OUT_DIR)")
    if args.kl_weight < 0 or (args.kl_weight > 0 and args.full):
        ap.error("--kl-weight must be >= 0, and needs an adapter (not --full): the base is the model without it")
    if not 0 <= args.epoch_choice_percent < 100 or (args.epoch_choice_percent > 0 and args.full):
        ap.error("--epoch-choice-percent must be in [0, 100), and needs an adapter (not --full)")
    return args


def seed_all(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def write_model_dir(model: Decoder, base: Path, base_manifest: dict, tok, out: Path, name: str, version: str,
                    lineage: dict, with_weights: bool) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for fname in ("tokenizer.json", "tokenizer_config.json"):
        if (base / fname).exists():
            shutil.copy(base / fname, out / fname)
    torch.manual_seed(0)  # the export traces with random ids: seeded, so a rebuild writes the same file
    export.export_onnx(model, out / "model.onnx")
    special = {t: tok.token_to_id(t) for t in ("<endoftext>", "<pad>", "<instruct>", "<output>")}
    export.write_hf_config(model, special, out)
    if with_weights:
        torch.save(model.state_dict(), out / "model.pt")
    export.write_manifest(out, name=name, version=version, tasks=base_manifest.get("tasks", []),
                          max_length=base_manifest.get("maxLength", model.cfg.max_position), quantized=False, card=False,
                          extra=lineage)


def merged_lineage(manifest: dict) -> dict:
    """What the merged directory's radflow-model.json says of where it came from (and that it is a cache)."""
    return {
        "baseModel": {k: manifest["baseModel"][k] for k in ("name", "version")},
        "dataSnapshot": manifest["data"]["snapshot"],
        "fineTune": {"kind": "lora", "steps": manifest["training"]["steps"], "lr": manifest["training"]["lr"],
                     "seed": manifest["training"]["seed"], "rank": manifest["lora"]["rank"]},
        "adapter": {"sha256": manifest["adapter"]["sha256"], "manifest": f"../{ADAPTER_MANIFEST}", "derived": True},
        "description": f"{manifest['baseModel']['name']} {manifest['baseModel']['version']} with a LoRA adapter from "
                       f"radflow's retrainer folded in (a derived cache: rebuild with finetune.py --rebuild). "
                       f"Outputs are preliminary AI drafts for a radiologist.",
    }


def merge_and_export(model: Decoder, args_base: Path, base_manifest: dict, tok, manifest: dict, out: Path) -> None:
    model.merge_lora()
    write_model_dir(model, args_base, base_manifest, tok, out, manifest["name"], manifest["version"],
                    merged_lineage(manifest), with_weights=False)


def finetune_routed_cxr(args, base_manifest: dict, started: float) -> int:
    """radflow-cxr: the served adapters of the feedback's tasks trained further (cxr_retrain.py)."""
    if args.full or args.kl_weight > 0 or args.replay_style_neutral:
        raise FinetuneError("UNSUPPORTED_FOR_BASE", "--full, --kl-weight and --replay-style-neutral are "
                                                    "radflow-cxr-small options; radflow-cxr continues its adapters")
    feedback, feedback_hashes = read_examples(args.data, set(args.tasks) if args.tasks else None)
    if not feedback:
        raise FinetuneError("NO_TRAINING_DATA", f"no feedback examples in {args.data}/train")
    result = cxr_retrain.finetune_cxr(args, base_manifest, feedback, emit)
    return cxr_candidate.write_candidate(args, base_manifest, result, feedback_hashes, emit, started)


def rebuild(args) -> int:
    """merged/ from the base and the adapter alone: what any holder of the two can do, byte for byte."""
    out = args.rebuild
    manifest = json.loads((out / ADAPTER_MANIFEST).read_text())
    base_manifest = json.loads((args.base / "radflow-model.json").read_text())
    if cxr_retrain.is_routed_cxr(args.base, base_manifest):
        return cxr_candidate.rebuild(args, base_manifest, emit)
    base_onnx = args.base / base_manifest["onnx"]["model"]
    if sha256_file(base_onnx) != manifest["baseModel"]["onnxSha256"]:
        raise FinetuneError("BASE_MISMATCH", f"{base_onnx.name} is not the base this adapter was trained on")
    weights = out / ADAPTER_DIR / ADAPTER_WEIGHTS
    if sha256_file(weights) != manifest["adapter"]["sha256"]:
        raise FinetuneError("ADAPTER_CORRUPT", f"{ADAPTER_WEIGHTS} does not match the manifest's sha256")
    torch.set_num_threads(1)
    tok = Tokenizer.from_file(str(args.base / base_manifest.get("tokenizer", "tokenizer.json")))
    model, _ = load_base(args.base, args.weights)
    lora = manifest["lora"]
    model.add_lora(lora["rank"], lora["alpha"], tuple(lora["targets"]))
    model.load_lora(torch.load(weights))
    model.eval()
    merge_and_export(model, args.base, base_manifest, tok, manifest, out / MERGED_DIR)
    emit("rebuilt", modelDir=str(out / MERGED_DIR), adapterSha256=manifest["adapter"]["sha256"])
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.rebuild is not None:
        return rebuild(args)
    torch.set_num_threads(1)
    seed_all(args.seed)
    started = time.time()
    base_manifest = json.loads((args.base / "radflow-model.json").read_text())
    if cxr_retrain.is_routed_cxr(args.base, base_manifest):
        return finetune_routed_cxr(args, base_manifest, started)
    if args.lr is None:
        args.lr = DEFAULT_LR["full" if args.full else "adapter"]
    if args.replay_form is None:
        args.replay_form = DEFAULT_REPLAY_FORM
    if args.replay_ratio is None:
        args.replay_ratio = DEFAULT_REPLAY_RATIO
    tok = Tokenizer.from_file(str(args.base / base_manifest.get("tokenizer", "tokenizer.json")))
    eos, pad = tok.token_to_id("<endoftext>"), tok.token_to_id("<pad>")
    model, weights_source = load_base(args.base, args.weights)
    feedback, feedback_hashes = read_examples(args.data, set(args.tasks) if args.tasks else None)
    replayed = replay_examples(args, feedback, base_manifest.get("tasks", [])) if feedback else []
    replayed, replay_form = rewrite_replay_form(args, feedback, replayed)
    seqs, dropped = trainer.sft_sequences(feedback, tok, eos, model.cfg.max_position)
    seqs, held_out = hold_out(seqs, args.epoch_choice_percent, args.seed)
    replay_seqs, replay_dropped = trainer.sft_sequences(replayed, tok, eos, model.cfg.max_position)
    restyled = {e.task for e in feedback}
    if args.replay_style_neutral:
        replay_seqs = [style_neutral(s, tok, eos) if s.task in restyled else s for s in replay_seqs]
    seqs, dropped = seqs + replay_seqs, dropped + replay_dropped
    if not feedback or not seqs:
        raise FinetuneError("NO_TRAINING_DATA", f"no usable training sequences in {args.data}/train ({dropped} too long)")
    targets = [t for t in args.lora_targets.split(",") if t]
    if not args.full:
        try:
            model.add_lora(args.lora_rank, args.lora_alpha, tuple(targets))
        except ValueError as error:
            raise FinetuneError("BAD_LORA_CONFIG", str(error)) from error
    seed_all(args.seed)  # the same draws whether or not add_lora took some (kaiming init of lora_a)
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]

    rng = random.Random(f"{args.seed}:finetune")
    plan: list = []
    while len(plan) < args.steps:
        plan += trainer.batches(seqs, args.batch_tokens, rng)
    per_epoch = len(trainer.batches(seqs, args.batch_tokens, random.Random(0)))
    plan = plan[:max(1, min(args.steps, round(args.max_epochs * per_epoch)))]
    emit("started", examples=len(feedback), replayExamples=len(replayed), sequences=len(seqs),
         heldOutForEpochChoice=len(held_out), droppedTooLong=dropped,
         steps=len(plan), parameters=model.num_parameters(), trainableParameters=sum(p.numel() for _, p in trainable),
         mode="full" if args.full else "adapter", weights=weights_source)
    decay, no_decay = [], []
    for name, p in trainable:
        (decay if p.dim() >= 2 and "wpe" not in name else no_decay).append(p)
    # No weight decay on an adapter: it would pull B towards zero, i.e. towards the base, at a rate set by the lr.
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1 if args.full else 0.0},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95))

    choice = EpochChoice(lambda: trainer.evaluate(model, held_out, pad, args.batch_tokens)[0],
                         len(held_out)) if held_out else None
    ends = pass_ends(len(plan), per_epoch)
    model.train()
    tokens, steps = 0, 0
    params = [p for _, p in trainable]
    bar = tqdm(plan, desc="fine-tune", unit="step", file=sys.stderr, mininterval=2)
    for step, batch in enumerate(bar):
        if args.kl_weight > 0:
            loss, _, _ = loss_with_base_distillation(model, batch, pad, args.kl_weight)
        else:
            loss, _ = trainer.loss_of(model, batch, pad)
        take_step(opt, params, loss, lr_at(args.lr, args.warmup, step, len(plan)))
        tokens += sum(len(s.ids) for s in batch)
        steps = step + 1
        bar.set_postfix(loss=f"{float(loss):.3f}")
        emit("progress", stage="training", step=steps, totalSteps=len(plan), loss=round(float(loss), 4), tokens=tokens)
        if choice is not None and steps in ends and not choice.after_pass(model.lora_state):
            break
    if choice is not None:
        model.load_lora(choice.best_state)
    train_seconds = time.time() - started
    final_loss = round(float(loss), 4)
    model.eval()
    emit("progress", stage="export", step=steps, totalSteps=steps)
    training = {"steps": steps, "lr": args.lr, "seed": args.seed, "batchTokens": args.batch_tokens,
                "maxEpochs": args.max_epochs, "klWeight": args.kl_weight, "sequences": len(seqs), "droppedTooLong": dropped, "tokens": tokens,
                "finalLoss": final_loss, "seconds": round(train_seconds, 1), "weightsFrom": weights_source}
    if choice is not None:
        training["epochChoice"] = choice.facts(round(len(plan) / per_epoch, 2))

    if args.full:
        lineage = {
            "baseModel": {"name": base_manifest["name"], "version": base_manifest["version"]},
            "dataSnapshot": args.data_snapshot,
            "fineTune": {"kind": "full", **{k: training[k] for k in ("steps", "lr", "seed", "sequences", "tokens", "seconds", "weightsFrom")},
                         "replayExamples": len(replayed)},
            "description": f"Fine-tuned by radflow's retrainer from {base_manifest['name']} {base_manifest['version']} on "
                           f"radiologist feedback. Outputs are preliminary AI drafts for a radiologist.",
        }
        write_model_dir(model, args.base, base_manifest, tok, args.out, args.name, args.version, lineage, with_weights=True)
        emit("exported", modelDir=str(args.out), seconds=round(time.time() - started, 1),
             trainSeconds=round(train_seconds, 1), steps=steps, finalLoss=final_loss)
        return 0

    out = args.out
    if out.exists():
        shutil.rmtree(out)
    (out / ADAPTER_DIR).mkdir(parents=True)
    weights = out / ADAPTER_DIR / ADAPTER_WEIGHTS
    torch.save(model.lora_state(), weights)
    adapter_sha = sha256_file(weights)
    manifest = {
        "kind": adapter_manifest.KIND,
        "name": args.name,
        "version": args.version,
        "baseModel": adapter_manifest.base_model_facts(args.base, base_manifest),
        "lora": {"rank": args.lora_rank, "alpha": args.lora_alpha, "targets": targets, "dropout": 0.0,
                 "parameters": sum(p.numel() for _, p in trainable)},
        "adapter": {"path": f"{ADAPTER_DIR}/{ADAPTER_WEIGHTS}", "sha256": adapter_sha, "bytes": weights.stat().st_size,
                    "dtype": "float32", "format": "torch state dict: blocks.<i>.<target>.lora_a|lora_b"},
        "data": {
            "snapshot": args.data_snapshot,
            "feedback": adapter_manifest.feedback_facts(feedback_hashes),
            "replay": {**replay.replay_facts(replayed, args.replay_ratio, args.seed),
                       "styleNeutralTasks": sorted(restyled) if args.replay_style_neutral else [],
                       "impressionForm": replay_form},
        },
        "training": training,
        "merged": adapter_manifest.merged_facts(MERGED_DIR, base_manifest),
    }
    (out / ADAPTER_MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    merge_and_export(model, args.base, base_manifest, tok, manifest, out / MERGED_DIR)
    emit("exported", modelDir=str(out / MERGED_DIR), adapterDir=str(out / ADAPTER_DIR),
         adapterManifest=str(out / ADAPTER_MANIFEST), adapterSha256=adapter_sha, adapterBytes=weights.stat().st_size,
         baseOnnxSha256=manifest["baseModel"]["onnxSha256"], lora=manifest["lora"],
         replay={k: manifest["data"]["replay"][k]
                 for k in ("ratio", "seed", "count", "countsPerTask", "impressionForm")},
         feedbackCount=len(feedback), seconds=round(time.time() - started, 1), trainSeconds=round(train_seconds, 1),
         steps=steps, finalLoss=final_loss,
         epochChoice={"adapter": training["epochChoice"]} if "epochChoice" in training else {})
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (FinetuneError, cxr_retrain.CxrRetrainError) as error:
        emit("failed", code=error.code, reason=error.reason)
        sys.exit(2)
