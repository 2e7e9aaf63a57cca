"""Report pairs for the temporal tasks. Open-i has no prior reports, so a pair is built from two single reports of the
SAME split (no leak across splits) and its answer follows from their human label sets alone (checkable):

  current C, candidate priors P: same split, P != C, labels(P) != labels(C), |labels(C) xor labels(P)| <= 3.
  temporal_findings:    P = random.Random(f"radflow-pair-v1:findings:{C.uid}").choice(sorted candidates by uid)
  temporal_progression: the same with "progression", choosing among the candidates that share a label with C when any.
  Added = labels(C) - labels(P), Removed = labels(P) - labels(C), in vocabulary order.
  Progression per label of labels(C) | labels(P), vocabulary order: only in C -> new, only in P -> resolved, in both ->
  worsened / improved when both carry a MeSH severity qualifier (labels.SEVERITY) and C's is higher / lower, else stable.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from . import labels as lab
from .data import Report


@dataclass
class Pair:
    current: Report
    prior: Report


def _key(uid: str) -> int:
    return int(uid) if uid.isdigit() else hash(uid)


def build_pairs(reports: list[Report], kind: str) -> list[Pair]:
    label_sets = {r.uid: frozenset(lab.abnormality_labels(r)) for r in reports}
    ordered = sorted(reports, key=lambda r: _key(r.uid))
    out = []
    for c in ordered:
        lc = label_sets[c.uid]
        cands = [p for p in ordered if p.uid != c.uid and label_sets[p.uid] != lc and len(lc ^ label_sets[p.uid]) <= 3]
        if kind == "progression":
            shared = [p for p in cands if lc & label_sets[p.uid]]
            cands = shared or cands
        if not cands:
            continue
        rng = random.Random(f"radflow-pair-v1:{kind}:{c.uid}")
        out.append(Pair(c, rng.choice(cands)))
    return out


def added_removed(pair: Pair) -> str:
    lc, lp = lab.abnormality_labels(pair.current), lab.abnormality_labels(pair.prior)
    order = lab.label_ids("abnormality")

    def side(items: set[str]) -> str:
        listed = [i for i in order if i in items]
        return ", ".join(listed) if listed else "none"

    return f"Added: {side(lc - lp)}. Removed: {side(lp - lc)}."


def progression(pair: Pair) -> str:
    tc, tp = lab.abnormality_tags(pair.current), lab.abnormality_tags(pair.prior)
    entries = []
    for lid in lab.label_ids("abnormality"):
        if lid in tc and lid not in tp:
            entries.append(f"{lid}: new")
        elif lid in tp and lid not in tc:
            entries.append(f"{lid}: resolved")
        elif lid in tc and lid in tp:
            sc, sp = lab.severity(tc[lid]), lab.severity(tp[lid])
            word = "stable"
            if sc is not None and sp is not None and sc != sp:
                word = "worsened" if sc > sp else "improved"
            entries.append(f"{lid}: {word}")
    return "; ".join(entries) if entries else "none"
