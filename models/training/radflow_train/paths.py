"""Where things live. The Open-i data is committed under data/ at the repository root (see data/README.md)."""
from __future__ import annotations

import os
from pathlib import Path

TRAINING_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = TRAINING_DIR.parent.parent
TASKS_FILE = REPO_ROOT / "libs" / "prompts" / "templates" / "rad-phi2-tasks.v1.json"
ABNORMALITY_VOCAB = REPO_ROOT / "schemas" / "vocabularies" / "abnormality-labels.v1.json"
DEVICE_VOCAB = REPO_ROOT / "schemas" / "vocabularies" / "device-labels.v1.json"
SPLITS_DIR = TRAINING_DIR / "splits"


def data_dir() -> Path:
    return Path(os.environ.get("RADFLOW_DATA_DIR", REPO_ROOT / "data"))


def openi_reports() -> Path:
    return data_dir() / "openi" / "reports.csv"


def openi_negbio() -> Path:
    return data_dir() / "openi" / "labels-negbio14.csv"
