#!/usr/bin/python3
"""Does replay keep the base's skills? One simulated radiologist's feedback, adapters with and without replay, the
test split scored for each (issue 18's "Replay keeps the base skills").

  /usr/bin/python3 apps/retrainer/trainer/replay_measure.py --base models/radflow-cxr-small \\
      --out .cache/replay-measure --ratios 0 1 [--feedback 150] [finetune.py options after --]

1. Feedback: FEEDBACK train-split reports (findings and impression, seeded choice), each impression rewritten in one
   consistent style, a numbered list ("1. Sentence. 2. Sentence."), written as the retrainer's data set
   (OUT/feedback/train/impression.jsonl, the same line format as libs/feedback's datasetSnapshot).
2. For each replay ratio: apps/retrainer/trainer/finetune.py (the retrainer's defaults unless given after --) into
   OUT/ratio-<r>/ (adapter/, adapter-manifest.json, merged/).
3. `npx radflow eval --task all --split test --model <dir>` for the base and each merged/ (OUT/eval-*/), and the
   style check: on the test split's impressions, the share of drafts written as a numbered list and ROUGE-L against
   the impression rewritten in the radiologist's style.
4. OUT/summary.json and a table on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO_ROOT / "models" / "training"))

import onnx  # noqa: E402,F401  (before torch: see models/training/train.py)
from tokenizers import Tokenizer  # noqa: E402

from radflow_train import clean, data, export, prompts, replay, sanity  # noqa: E402
from radflow_train.model import DecoderConfig  # noqa: E402

FINETUNE = REPO_ROOT / "apps" / "retrainer" / "trainer" / "finetune.py"
NUMBERED = re.compile(r"^1\.\s")


LIST_NUMBER = re.compile(r"(?:^|(?<=\s))\d{1,2}[.)](?=\s|$|[A-Z])")


def sentences_of(text: str) -> list[str]:
    """The sentences of an impression, list numbers already in it taken out (Open-i has numbered impressions too)."""
    plain = re.sub(r"([.!?])(\s*\.)+", r"\1", " ".join(LIST_NUMBER.sub(" ", text).split()))
    return [s.strip() for s in clean.split_sentences(plain) if any(c.isalnum() for c in s)]


def numbered(impression: str) -> str:
    """The simulated radiologist's style: every impression a numbered list of its sentences."""
    return " ".join(f"{i}. {s if s.endswith('.') else s + '.'}" for i, s in enumerate(sentences_of(impression), 1))


def feedback_reports(count: int, seed: int) -> list[data.Report]:
    reports = [r for r in replay.train_split_reports() if r.findings and r.impression]
    return random.Random(f"radflow-replay-measure-v1:{seed}").sample(reports, count)


def write_feedback(reports: list[data.Report], out: Path) -> None:
    lines = []
    for r in reports:
        prompt = prompts.build_prompt("impression", findings=r.findings)
        answer = numbered(r.impression)
        lines.append(json.dumps({"uid": replay.sha256_hex(r.uid)[:16], "task": "impression",
                                 "text": prompt + answer + prompts.end_of_text(), "prompt": prompt, "answer": answer}))
    (out / "train").mkdir(parents=True, exist_ok=True)
    (out / "train" / "impression.jsonl").write_text("\n".join(lines) + "\n")


def run_eval(model_dir: Path, out: Path) -> dict:
    env = {**os.environ, "PATH": f"{REPO_ROOT}/.cache/node/bin:{os.environ['PATH']}"}
    cmd = ["npx", "radflow", "eval", "--task", "all", "--split", "test", "--model", str(model_dir), "--out", str(out)]
    subprocess.run(cmd, cwd=REPO_ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    results = json.loads((out / "eval-results.json").read_text())
    system = results["model"]["name"]

    def pick(section: str, metric: str) -> dict:
        entry = results[section]["systems"][system]["all"]
        value = entry[metric] if metric in entry else entry["intervals"][metric]
        return {k: round(100 * value[k], 2) for k in ("estimate", "lower", "upper")}

    labels = results["labels"]["systems"][system]["all"]["intervals"]
    devices = results["devices"]["systems"][system]["all"]["intervals"]
    return {
        "impression_rougeL": pick("impression", "rougeL"),
        "labels_microF1": {k: round(100 * labels["micro"]["f1"][k], 2) for k in ("estimate", "lower", "upper")},
        "labels_macroF1": {k: round(100 * labels["macro"]["f1"][k], 2) for k in ("estimate", "lower", "upper")},
        "devices_microF1": {k: round(100 * devices["micro"]["f1"][k], 2) for k in ("estimate", "lower", "upper")},
    }


def style_check(model_dir: Path, n: int) -> dict:
    """Impression drafts for the first n test-split reports: share in the numbered style, ROUGE-L vs the styled truth."""
    test = set(Path(REPO_ROOT / "models/training/splits/test.txt").read_text().split())
    reports = [r for r in data.load_reports() if r.uid in test and r.findings and r.impression][:n]
    cfg_json = json.loads((model_dir / "config.json").read_text())
    cfg = DecoderConfig(vocab_size=cfg_json["vocab_size"], n_layer=cfg_json["num_hidden_layers"],
                        n_head=cfg_json["num_attention_heads"], d_model=cfg_json["hidden_size"],
                        max_position=cfg_json["max_position_embeddings"])
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    generate = export.ort_generate_fn(model_dir / "model.onnx", cfg, tok)

    class Ex:  # sanity.generate_answers reads .prompt
        def __init__(self, prompt):
            self.prompt = prompt

    drafts = sanity.generate_answers(generate, tok, [Ex(prompts.build_prompt("impression", findings=r.findings))
                                                     for r in reports], 64)
    styled = [numbered(r.impression) for r in reports]
    # The content apart from the style: list numbers taken out of both the draft and the signed impression.
    plain = [" ".join(sentences_of(d)) for d in drafts]
    signed = [" ".join(sentences_of(r.impression)) for r in reports]
    mean = lambda xs: round(100 * sum(xs) / len(xs), 2)  # noqa: E731
    return {"reports": len(reports),
            "numberedShare": round(100 * sum(bool(NUMBERED.match(d)) for d in drafts) / len(drafts), 1),
            "rougeL_vs_styled": mean([sanity.rouge_l(d, s) for d, s in zip(drafts, styled)]),
            "rougeL_unnumbered": mean([sanity.rouge_l(d, s) for d, s in zip(plain, signed)])}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", type=Path, default=REPO_ROOT / "models" / "radflow-cxr-small")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / ".cache" / "replay-measure")
    ap.add_argument("--ratios", type=float, nargs="+", default=[0.0, 1.0])
    ap.add_argument("--feedback", type=int, default=150)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--style-n", type=int, default=80, help="test reports for the style check")
    ap.add_argument("--skip-base", action="store_true", help="reuse OUT/eval-base if present")
    args = ap.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    args.out.mkdir(parents=True, exist_ok=True)
    write_feedback(feedback_reports(args.feedback, args.seed), args.out / "feedback")
    rows = {}
    base_eval = args.out / "eval-base"
    rows["base"] = {"eval": json.loads((base_eval / "figures.json").read_text())
                    if args.skip_base and (base_eval / "figures.json").exists() else run_eval(args.base, base_eval),
                    "style": style_check(args.base, args.style_n)}
    (base_eval / "figures.json").write_text(json.dumps(rows["base"]["eval"]))
    for ratio in args.ratios:
        out = args.out / f"ratio-{ratio:g}"
        cmd = [sys.executable, str(FINETUNE), "--base", str(args.base), "--data", str(args.out / "feedback"),
               "--out", str(out), "--name", "radflow-cxr-small", "--version", f"0.2.0-ft.replay{ratio:g}",
               "--replay-ratio", str(ratio), "--seed", str(args.seed), *extra]
        print(" ".join(cmd), file=sys.stderr, flush=True)
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        exported = [json.loads(line) for line in done.stdout.splitlines() if line.startswith('{"event": "exported"')][0]
        rows[f"replay {ratio:g}"] = {"train": {k: exported[k] for k in ("steps", "finalLoss", "trainSeconds", "replay")},
                                     "eval": run_eval(out / "merged", args.out / f"eval-ratio-{ratio:g}"),
                                     "style": style_check(out / "merged", args.style_n)}
        (args.out / "summary.json").write_text(json.dumps({"args": {**vars(args), "extra": extra}, "rows": rows},
                                                          indent=2, default=str) + "\n")
    (args.out / "summary.json").write_text(json.dumps({"args": {**vars(args), "extra": extra}, "rows": rows},
                                                      indent=2, default=str) + "\n")
    fmt = lambda v: f"{v['estimate']:.2f} [{v['lower']:.2f}, {v['upper']:.2f}]"  # noqa: E731
    print("| model | impression ROUGE-L | abnormality micro-F1 | abnormality macro-F1 | device micro-F1 | "
          "numbered drafts % | ROUGE-L vs styled | ROUGE-L, numbers removed |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, row in rows.items():
        e, s = row["eval"], row["style"]
        print(f"| {name} | {fmt(e['impression_rougeL'])} | {fmt(e['labels_microF1'])} | {fmt(e['labels_macroF1'])} | "
              f"{fmt(e['devices_microF1'])} | {s['numberedShare']} | {s['rougeL_vs_styled']} | "
              f"{s['rougeL_unnumbered']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
