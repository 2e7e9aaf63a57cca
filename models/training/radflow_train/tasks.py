"""Dataset builders: one list of (task, prompt, answer) examples per split, in the paper's format
`<instruct>{instruction}\n<output>{answer}<endoftext>`, prompts from libs/prompts/templates/rad-phi2-tasks.v1.json."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from . import clean, labels as lab, pairs, prompts
from .data import Report, report_text

FULL = ("indication", "comparison", "findings", "impression")
CORE = ("findings", "impression")
_SIDES = ("left", "right", "bilateral")
_NOT_LOCATION = set(lab.SEVERITY) | {"multiple", "scattered", "focal", "diffuse", "chronic", "patchy", "streaky",
                                     "irregular", "round", "calcified", "enlarged", "prominent", "tortuous", "hyperdistention",
                                     "interstitial", "degenerative", "severe", "large", "small", "posterior", "anterior"}


@dataclass(frozen=True)
class Example:
    uid: str
    task: str
    prompt: str
    answer: str

    def text(self) -> str:
        return self.prompt + self.answer + prompts.end_of_text()


def _deid_heavy(text: str) -> bool:
    words = text.split()
    return not words or sum("XXXX" in w for w in words) * 3 >= len(words)


def _report_for_labels(r: Report, rng: random.Random) -> str:
    # Both the full report and findings + impression alone, so callers may pass either.
    return report_text(r, FULL if rng.random() < 0.5 else CORE)


def location(tag: str) -> str | None:
    quals = [q.strip().lower() for q in tag.split("/")[1:]]
    sides = [q for q in quals if q in _SIDES]
    rest = [q for q in quals if q not in _SIDES and q not in _NOT_LOCATION]
    if not sides and not rest:
        return None
    return " ".join(sides + rest)


def qa_pairs(r: Report, rng: random.Random) -> list[tuple[str, str]]:
    """Questions answerable from the report's human tags and sections (see README: QA construction)."""
    tags = lab.abnormality_tags(r)
    present = sorted(tags, key=lab.label_ids("abnormality").index)
    absent = [i for i in lab.label_ids("abnormality") if i not in tags]
    qa: list[tuple[str, str]] = []
    if present:
        qa.append((f"Is there {rng.choice(present)}?", "Yes."))
    qa.append((f"Is there {rng.choice(absent)}?", "No."))
    detail = []
    for lid in present:
        for tag in tags[lid]:
            loc = location(tag)
            if loc:
                detail.append((f"Where is the {lid}?", loc[0].upper() + loc[1:] + "."))
            sev = [q.strip().lower() for q in tag.split("/")[1:] if q.strip().lower() in lab.SEVERITY]
            if sev:
                detail.append((f"How severe is the {lid}?", sev[0].capitalize() + "."))
    if detail:
        qa.append(rng.choice(detail))
    other = [("Is this a normal study?", "Yes." if r.problems == ["normal"] else "No."),
             ("What tubes, lines or devices are seen?", lab.format_labels(lab.device_labels(r), "device").capitalize() + ".")]
    if r.indication and not _deid_heavy(r.indication):
        other.append(("What is the reason for the exam?", r.indication if r.indication.endswith(".") else r.indication + "."))
    qa.append(rng.choice(other))
    return qa


def build_examples(reports: list[Report], seed: int = 0, tasks: set[str] | None = None) -> list[Example]:
    """All examples the data supports for these reports (one split). Deterministic given the seed."""
    want = set(tasks or prompts.task_ids())
    out: list[Example] = []

    def add(uid: str, task: str, answer: str, **inputs: str) -> None:
        if task in want and answer.strip():
            out.append(Example(uid, task, prompts.build_prompt(task, **inputs), answer.strip()))

    for r in sorted(reports, key=lambda x: int(x.uid) if x.uid.isdigit() else 0):
        rng = random.Random(f"radflow-examples-v1:{seed}:{r.uid}")
        full = report_text(r, FULL)
        if not (r.findings or r.impression):
            continue
        if r.findings and r.impression:
            add(r.uid, "impression", r.impression, findings=r.findings)
        add(r.uid, "abnormality_labels", lab.format_labels(lab.abnormality_labels(r), "abnormality"),
            report=_report_for_labels(r, rng))
        add(r.uid, "device_labels", lab.format_labels(lab.device_labels(r), "device"), report=_report_for_labels(r, rng))
        if r.findings:
            add(r.uid, "extract_findings", clean.clean_text(r.findings), report=full)
        if r.impression:
            add(r.uid, "extract_impression", clean.clean_text(r.impression), report=full)
        # CLEANUP: every section the rules change, and a third of the unchanged ones (so copying is learnt too).
        for section in (r.findings, r.impression):
            if not section:
                continue
            cleaned = clean.clean_text(section)
            if cleaned and (cleaned != section or rng.random() < 1 / 3):
                add(r.uid, "cleanup", cleaned, text=section)
        for question, answer in qa_pairs(r, rng):
            add(r.uid, "qa_comprehension", answer, report=full, question=question)
    for kind, task, answer_of in (("findings", "temporal_findings", pairs.added_removed),
                                  ("progression", "temporal_progression", pairs.progression)):
        if task not in want:
            continue
        for pair in pairs.build_pairs([r for r in reports if r.findings or r.impression], kind):
            add(pair.current.uid, task, answer_of(pair), report=report_text(pair.current, CORE),
                prior_report=report_text(pair.prior, CORE))
    return out


def lm_texts(reports: list[Report]) -> list[str]:
    """Stage 1 text: every report of the split as the model sees reports (all sections)."""
    return [report_text(r, FULL) for r in reports if r.findings or r.impression]


_WS = re.compile(r"\s+")
