"""Open-i reports, their human labels, and the fixed uid splits."""
from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from . import paths

SPLIT_SALT = "radflow-openi-split-v1"
# Bucket = first 8 hex digits of sha256(salt:uid) mod 100: [0, 80) train, [80, 90) validation, [90, 100) test.
SPLIT_BOUNDS = (("train", 80), ("validation", 90), ("test", 100))
NEGBIO_COLUMNS = [
    "Atelectasis", "Cardiomegaly", "Effusion", "Infiltration", "Mass", "Nodule", "Pneumonia", "Pneumothorax",
    "Consolidation", "Edema", "Emphysema", "Fibrosis", "Pleural_Thickening", "Hernia",
]


@dataclass
class Report:
    uid: str
    mesh: list[str]  # full MeSH-style tags, e.g. "Opacity/lung/base/left"
    problems: list[str]
    image: str
    indication: str
    comparison: str
    findings: str
    impression: str
    negbio: dict[str, int] = field(default_factory=dict)  # NegBio column -> 0/1 (empty when not labelled)


def split_of(uid: str) -> str:
    bucket = int(hashlib.sha256(f"{SPLIT_SALT}:{uid}".encode()).hexdigest()[:8], 16) % 100
    for name, upper in SPLIT_BOUNDS:
        if bucket < upper:
            return name
    raise AssertionError("unreachable")


def _tags(cell: str) -> list[str]:
    return [t.strip() for t in cell.split(";") if t.strip()]


def _clean(cell: str | None) -> str:
    return " ".join((cell or "").split())


def load_reports(reports_csv: Path | None = None, negbio_csv: Path | None = None) -> list[Report]:
    reports_csv = reports_csv or paths.openi_reports()
    negbio_csv = negbio_csv or paths.openi_negbio()
    negbio: dict[str, dict[str, int]] = {}
    if negbio_csv.exists():
        with negbio_csv.open(newline="") as fh:
            for row in csv.DictReader(fh):
                uid = row["filename"].removeprefix("CXR")
                negbio[uid] = {c: int(row[c]) for c in NEGBIO_COLUMNS + ["normal"]}
    out = []
    with reports_csv.open(newline="") as fh:
        for row in csv.DictReader(fh):
            uid = row["uid"].strip()
            out.append(Report(
                uid=uid, mesh=_tags(row["MeSH"]), problems=_tags(row["Problems"]), image=_clean(row["image"]),
                indication=_clean(row["indication"]), comparison=_clean(row["comparison"]),
                findings=_clean(row["findings"]), impression=_clean(row["impression"]), negbio=negbio.get(uid, {}),
            ))
    return out


def by_split(reports: list[Report]) -> dict[str, list[Report]]:
    out: dict[str, list[Report]] = {name: [] for name, _ in SPLIT_BOUNDS}
    for r in reports:
        out[split_of(r.uid)].append(r)
    return out


def write_splits(reports: list[Report], out_dir: Path) -> dict[str, int]:
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, rows in by_split(reports).items():
        uids = sorted((r.uid for r in rows), key=int)
        (out_dir / f"{name}.txt").write_text("".join(u + "\n" for u in uids))
        counts[name] = len(uids)
    return counts


def report_text(r: Report, sections: tuple[str, ...] = ("indication", "comparison", "findings", "impression")) -> str:
    """The report as the model sees it in a {report} placeholder: 'SECTION: text' lines for the non-empty sections."""
    lines = [f"{name.upper()}: {getattr(r, name)}" for name in sections if getattr(r, name)]
    return "\n".join(lines)
