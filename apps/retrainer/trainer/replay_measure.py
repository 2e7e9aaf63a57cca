#!/usr/bin/python3
"""Does replay keep the base's skills? One simulated radiologist's feedback, adapters fine-tuned on it, each scored
beside the base (issue 18's "Replay keeps the base skills"). Settings are chosen on the validation split (the
default) and reported once on the test split.

  /usr/bin/python3 apps/retrainer/trainer/replay_measure.py --base models/radflow-cxr-small \\
      --out .cache/replay-measure --ratios 0 1 [--split validation|test] [--tag NAME] [--skip-base] [--feedback 150] \\
      [finetune.py options after --]

1. Feedback: FEEDBACK train-split reports (findings and impression, seeded choice), each impression rewritten in one
   consistent style, a numbered list ("1. Sentence. 2. Sentence."), written as the retrainer's data set
   (OUT/feedback/train/impression.jsonl, the same line format as libs/feedback's datasetSnapshot).
2. For each replay ratio: apps/retrainer/trainer/finetune.py (the retrainer's defaults unless given after --) into
   OUT/ratio-<r>[-<tag>]/ (adapter/, adapter-manifest.json, merged/).
3. `npx radflow eval --task all --split SPLIT --model <dir>` for the base (OUT/eval-base-SPLIT, reused with
   --skip-base) and each merged/ (OUT/eval-ratio-<r>[-<tag>]-SPLIT/), and the style check on the impression drafts
   that eval wrote (every impression of the split): the share written as a numbered list, the share of those that
   are well-formed lists, ROUGE-L against the impression in the radiologist's style, and `content_rouge_l` against
   the signed impression (list numbers and punctuation removed on both sides) with its bootstrap interval and the
   paired difference from the base's drafts of the same reports.
4. OUT/summary-SPLIT[-<tag>].json and a table on stdout.
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

from radflow_train import clean, data, prompts, replay, sanity  # noqa: E402
from radflow_train.impression_form import LIST_NUMBER  # noqa: E402

FINETUNE = REPO_ROOT / "apps" / "retrainer" / "trainer" / "finetune.py"
NUMBERED = re.compile(r"^1\.\s")


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


def run_eval(model_dir: Path, out: Path, split: str) -> dict:
    env = {**os.environ, "PATH": f"{REPO_ROOT}/.cache/node/bin:{os.environ['PATH']}"}
    cmd = ["npx", "radflow", "eval", "--task", "all", "--split", split, "--model", str(model_dir), "--out", str(out)]
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
        "split": split,
        "impression_rougeL": pick("impression", "rougeL"),
        "labels_microF1": {k: round(100 * labels["micro"]["f1"][k], 2) for k in ("estimate", "lower", "upper")},
        "labels_macroF1": {k: round(100 * labels["macro"]["f1"][k], 2) for k in ("estimate", "lower", "upper")},
        "devices_microF1": {k: round(100 * devices["micro"]["f1"][k], 2) for k in ("estimate", "lower", "upper")},
    }


WORD = re.compile(r"[a-z0-9]+")


def content_words(text: str) -> list[str]:
    """An impression's words apart from its style: list numbers taken out, lower case, punctuation dropped."""
    return WORD.findall(LIST_NUMBER.sub(" ", text).lower())


def content_rouge_l(draft: str, signed: str) -> float:
    """ROUGE-L (LCS F1) of the words of a draft and of the signed impression, both with their list numbers and
    punctuation removed: the content a draft shares with what was signed, whatever the list style of either. The
    measure the "keeps the base skills" bound is checked on for the impression task a radiologist restyles."""
    d, s = content_words(draft), content_words(signed)
    if not d or not s:
        return 0.0
    lcs = sanity._lcs(d, s)  # noqa: SLF001  (the trainer's own LCS)
    return 0.0 if lcs == 0 else 2 * lcs / (len(d) + len(s))


def well_numbered(draft: str) -> bool:
    """A numbered-list draft whose numbers run 1, 2, 3 ... each before a sentence (not "1. 2. 2.")."""
    numbers = [m.group(0) for m in LIST_NUMBER.finditer(draft)]
    parts = [p for p in LIST_NUMBER.split(draft)]
    return (bool(numbers) and numbers == [f"{i}." for i in range(1, len(numbers) + 1)]
            and not parts[0].strip() and all(any(c.isalpha() for c in p) for p in parts[1:]))


BOOTSTRAP = {"resamples": 1000, "seed": 20240131}


def interval(values: list[float], seed: str) -> dict:
    """Mean x100 with a 95 % percentile bootstrap interval (the eval's resamples; paired when values are differences)."""
    rng = random.Random(f"{BOOTSTRAP['seed']}:{seed}")
    n = len(values)
    means = sorted(sum(values[rng.randrange(n)] for _ in range(n)) / n for _ in range(BOOTSTRAP["resamples"]))
    r = lambda v: round(100 * v, 2)  # noqa: E731
    return {"estimate": r(sum(values) / n), "lower": r(means[int(0.025 * len(means))]),
            "upper": r(means[int(0.975 * len(means)) - 1])}


def style_check(eval_dir: Path, base_eval_dir: Path | None) -> dict:
    """The impression drafts the eval wrote (EVAL/impressions.jsonl: every impression of the split): share written as a
    numbered list, share of those that are well-formed lists, ROUGE-L against the impression in the radiologist's
    style, and content ROUGE-L against the signed impression (with its interval, and the paired difference from the
    base's drafts of the same reports)."""
    rows = [json.loads(line) for line in (eval_dir / "impressions.jsonl").read_text().splitlines() if line.strip()]
    drafts = [r["draft"] for r in rows]
    listed = [d for d in drafts if NUMBERED.match(d)]
    content = [content_rouge_l(r["draft"], r["signed"]) for r in rows]
    out = {"reports": len(rows),
           "numberedShare": round(100 * len(listed) / len(drafts), 1),
           "wellNumberedShare": round(100 * sum(map(well_numbered, listed)) / max(1, len(listed)), 1),
           "rougeL_vs_styled": round(100 * sum(sanity.rouge_l(r["draft"], numbered(r["signed"])) for r in rows)
                                     / len(rows), 2),
           "contentRougeL": interval(content, "content")}
    if base_eval_dir is not None:
        base = {}
        for line in (base_eval_dir / "impressions.jsonl").read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                base[r["uid"]] = content_rouge_l(r["draft"], r["signed"])
        out["contentRougeL_minus_base"] = interval([c - base[r["uid"]] for c, r in zip(content, rows)], "paired")
    return out


def fmt(v: dict) -> str:
    return f"{v['estimate']:.2f} [{v['lower']:.2f}, {v['upper']:.2f}]"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", type=Path, default=REPO_ROOT / "models" / "radflow-cxr-small")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / ".cache" / "replay-measure")
    ap.add_argument("--ratios", type=float, nargs="+", default=[0.0, 1.0])
    ap.add_argument("--feedback", type=int, default=150)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--split", default="validation", choices=("validation", "test"),
                    help="the split every model is scored on: settings are chosen on validation, reported on test")
    ap.add_argument("--tag", default="", help="names the setting: OUT/ratio-<r>-<tag>")
    ap.add_argument("--base-eval", type=Path, help="the base's eval folder (default OUT/eval-base-<split>)")
    ap.add_argument("--skip-base", action="store_true", help="reuse the base's eval folder if it has this split's eval")
    args = ap.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    suffix = f"-{args.tag}" if args.tag else ""
    args.out.mkdir(parents=True, exist_ok=True)
    write_feedback(feedback_reports(args.feedback, args.seed), args.out / "feedback")
    rows = {}
    base_eval = args.base_eval or args.out / f"eval-base-{args.split}"
    figures = base_eval / "figures.json"
    reuse = args.skip_base and figures.exists() and json.loads(figures.read_text()).get("split") == args.split
    base_figures = json.loads(figures.read_text()) if reuse else run_eval(args.base, base_eval, args.split)
    figures.write_text(json.dumps(base_figures))
    rows["base"] = {"eval": base_figures, "style": style_check(base_eval, None)}
    summary = args.out / f"summary-{args.split}{suffix}.json"
    base_model = json.loads((args.base / "radflow-model.json").read_text())
    for ratio in args.ratios:
        name = f"ratio-{ratio:g}{suffix}"
        out = args.out / name
        cmd = [sys.executable, str(FINETUNE), "--base", str(args.base), "--data", str(args.out / "feedback"),
               "--out", str(out), "--name", base_model["name"], "--version", f"{base_model['version']}-ft.replay{ratio:g}",
               "--replay-ratio", str(ratio), "--seed", str(args.seed), *extra]
        print(" ".join(cmd), file=sys.stderr, flush=True)
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        exported = [json.loads(line) for line in done.stdout.splitlines() if line.startswith('{"event": "exported"')][0]
        eval_dir = args.out / f"eval-{name}-{args.split}"
        rows[f"replay {ratio:g}{suffix}"] = {
            "train": {k: exported[k] for k in ("steps", "finalLoss", "trainSeconds", "replay")},
            "eval": run_eval(out / "merged", eval_dir, args.split), "style": style_check(eval_dir, base_eval)}
        summary.write_text(json.dumps({"args": {**vars(args), "extra": extra}, "rows": rows}, indent=2, default=str) + "\n")
    summary.write_text(json.dumps({"args": {**vars(args), "extra": extra}, "rows": rows}, indent=2, default=str) + "\n")
    print(f"| model ({args.split}) | impression ROUGE-L | abnormality micro-F1 | abnormality macro-F1 | device micro-F1 | "
          "numbered drafts % | well-formed lists % | ROUGE-L vs styled | content ROUGE-L | content minus base |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, row in rows.items():
        e, s = row["eval"], row["style"]
        paired = fmt(s["contentRougeL_minus_base"]) if "contentRougeL_minus_base" in s else ""
        print(f"| {name} | {fmt(e['impression_rougeL'])} | {fmt(e['labels_microF1'])} | {fmt(e['labels_macroF1'])} | "
              f"{fmt(e['devices_microF1'])} | {s['numberedShare']} | {s['wellNumberedShare']} | {s['rougeL_vs_styled']} | "
              f"{fmt(s['contentRougeL'])} | {paired} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
