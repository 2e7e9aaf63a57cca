#!/usr/bin/python3
"""Markdown table comparing two training runs' summary.json (the stage-1 ablation)."""
import json
import sys
from pathlib import Path


def figures(run: Path) -> dict:
    s = json.loads((run / "summary.json").read_text())
    san = s["sanity"]
    st2 = s["stages"][-1]
    return {
        "run": run.name,
        "stage-2 steps": st2["steps"],
        "stage-2 tokens": st2["tokens"],
        "validation loss (answer tokens)": s["val_loss"],
        "impression ROUGE-L": san.get("impression", {}).get("rougeL"),
        "abnormality micro F1": san.get("abnormality_labels", {}).get("micro_f1"),
        "device micro F1": san.get("device_labels", {}).get("micro_f1"),
        **{f"loss {t}": v for t, v in sorted(s["val_loss_per_task"].items())},
    }


def main() -> None:
    rows = [figures(Path(p)) for p in sys.argv[1:]]
    keys = list(rows[0])
    print("| " + " | ".join(["figure"] + [r["run"] for r in rows]) + " |")
    print("| --- |" + " ---: |" * len(rows))
    for k in keys[1:]:
        print("| " + " | ".join([k] + [str(r[k]) for r in rows]) + " |")


if __name__ == "__main__":
    main()
