"""Replay: a seeded sample of the base model's own training examples (the Open-i train split, built by tasks.py),
mixed into a fine-tune on feedback so the model keeps the skills the feedback does not exercise.

The sample is deterministic given (seed, size, the train split's uids, weights): the same run always replays the same
examples. What a manifest may say about it is `replay_facts`: hashes of report ids and counts, never report text."""
from __future__ import annotations

import hashlib
import random
from collections import Counter
from pathlib import Path

from . import data, paths, tasks

REPLAY_SALT = "radflow-replay-v1"
# The base's examples are built with its training seed (train.py --seed), so replay sees the same targets it learnt.
EXAMPLES_SEED = 1234


def train_split_uids(splits_dir: Path = paths.SPLITS_DIR) -> list[str]:
    return [u for u in (splits_dir / "train.txt").read_text().split() if u]


def train_split_reports(openi_dir: Path | None = None, splits_dir: Path = paths.SPLITS_DIR) -> list[data.Report]:
    """The reports of the fixed train split (splits/train.txt), read from OPENI_DIR (default data/openi)."""
    reports_csv = openi_dir / "reports.csv" if openi_dir else None
    negbio_csv = openi_dir / "labels-negbio14.csv" if openi_dir else None
    wanted = set(train_split_uids(splits_dir))
    return [r for r in data.load_reports(reports_csv, negbio_csv) if r.uid in wanted]


def replay_sample(reports: list[data.Report], size: int, seed: int, task_ids: set[str] | None = None,
                  weights: dict[str, float] | None = None) -> list[tasks.Example]:
    """`size` examples of these reports' tasks (only `task_ids` when given), drawn without replacement in a seeded
    order; a task's examples weigh `weights[task]` (default 1), so the base's mixture can be kept."""
    if size <= 0:
        return []
    pool = tasks.build_examples(reports, EXAMPLES_SEED, task_ids)
    rng = random.Random(f"{REPLAY_SALT}:{seed}")
    # Efraimidis-Spirakis: key u^(1/w), the largest `size` keys are a weighted sample without replacement.
    keyed = []
    for e in pool:
        w = (weights or {}).get(e.task, 1.0)
        u = rng.random()
        if w > 0:
            keyed.append((u ** (1.0 / w), e))
    keyed.sort(key=lambda pair: pair[0], reverse=True)
    return [e for _, e in keyed[:size]]


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def replay_facts(examples: list[tasks.Example], ratio: float, seed: int) -> dict:
    """What the adapter manifest records of the replay sample: per example the task and sha256 of its report id."""
    return {
        "ratio": ratio,
        "seed": seed,
        "salt": REPLAY_SALT,
        "examplesSeed": EXAMPLES_SEED,
        "source": "Open-i train split (models/training/splits/train.txt)",
        "count": len(examples),
        "countsPerTask": dict(sorted(Counter(e.task for e in examples).items())),
        "examples": [{"task": e.task, "reportIdSha256": sha256_hex(e.uid)} for e in examples],
    }
