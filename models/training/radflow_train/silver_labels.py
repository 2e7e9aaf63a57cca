"""Silver abnormality-label examples: train-split reports with some sentences left out, labelled by radflow's rule
labeler (`npx radflow rule-labels`, the rules the enricher runs) rather than NegBio, which labels whole reports only.

Why: the labels adapter sees each of the ~2,500 train reports once an epoch, so a phrase such as "heart is mildly
enlarged" is met a handful of times; shorter variants with the label of what is left teach the phrase, not the
report. The rule labeler agrees with NegBio at micro-F1 about 93 on the validation split, so its labels are close to
the reference the model is scored against. Only train-split reports are used; the uid of a variant is the report's
with a `~sN` suffix, so a split check still sees where it came from.
"""
from __future__ import annotations

import dataclasses
import json
import random
import subprocess

from . import labels as lab, prompts
from .data import Report, report_text
from .paths import REPO_ROOT
from .tasks import CORE, Example

KEEP_SENTENCE = 0.6


def sentence_variants(reports: list[Report], per_report: int, seed: int) -> list[Report]:
    """Up to `per_report` variants of each report: each sentence of findings and impression kept with probability
    KEEP_SENTENCE, at least one kept, never the whole report again. Deterministic given the seed."""
    out: list[Report] = []
    for r in reports:
        rng = random.Random(f"radflow-silver-v1:{seed}:{r.uid}")
        findings, impression = lab.sentences(r.findings), lab.sentences(r.impression)
        if len(findings) + len(impression) < 2:
            continue
        seen: set[tuple[str, str]] = set()
        for k in range(per_report):
            kept_f = [s for s in findings if rng.random() < KEEP_SENTENCE]
            kept_i = [s for s in impression if rng.random() < KEEP_SENTENCE]
            if not kept_f and not kept_i or len(kept_f) + len(kept_i) == len(findings) + len(impression):
                continue
            text = (" ".join(kept_f), " ".join(kept_i))
            if text in seen:
                continue
            seen.add(text)
            out.append(dataclasses.replace(r, uid=f"{r.uid}~s{k}", findings=text[0], impression=text[1]))
    return out


def rule_labels(variants: list[Report]) -> dict[str, set[str]]:
    """uid -> the labels the rule labeler finds present, from one `npx radflow rule-labels` run."""
    lines = "".join(json.dumps({"id": v.uid, "findings": v.findings, "impression": v.impression}) + "\n"
                    for v in variants)
    done = subprocess.run(["npx", "radflow", "rule-labels"], input=lines, capture_output=True, text=True,
                          cwd=REPO_ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"npx radflow rule-labels failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    if len(answers) != len(variants):
        raise RuntimeError(f"npx radflow rule-labels answered {len(answers)} of {len(variants)} variants")
    return {a["id"]: set(a["labels"]) for a in answers}


def silver_examples(reports: list[Report], per_report: int, seed: int) -> list[Example]:
    """abnormality_labels examples for the variants, answers from the rule labeler."""
    variants = sentence_variants(reports, per_report, seed)
    found = rule_labels(variants)
    return [Example(v.uid, "abnormality_labels",
                    prompts.build_prompt("abnormality_labels", report=report_text(v, CORE)),
                    lab.format_labels(found[v.uid], "abnormality"))
            for v in variants]
