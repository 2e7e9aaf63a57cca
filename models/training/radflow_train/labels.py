"""Training targets for the label tasks, from the human annotations (never from a model).

Abnormality labels (schemas/vocabularies/abnormality-labels.v1.json), a label is present when
  1. its `negbio` column is 1 in labels-negbio14.csv, or
  2. the head term of a MeSH tag (the part before the first '/') is one of its `mesh` terms, or
  3. one of the qualifier rules below matches a MeSH tag (for labels whose vocabulary `mesh` list is empty).
Device labels (schemas/vocabularies/device-labels.v1.json): report-text phrases in non-negated sentences of
findings + impression (DEVICE_PHRASES), plus MeSH device tags: a tag in the vocabulary's `mesh` list, or any other
device tag (DEVICE_MESH_HEADS) that no phrase explains, gives "other medical device".
"""
from __future__ import annotations

import json
import re
from functools import lru_cache

from . import paths
from .data import Report


@lru_cache(maxsize=2)
def vocabulary(which: str) -> dict:
    path = paths.ABNORMALITY_VOCAB if which == "abnormality" else paths.DEVICE_VOCAB
    return json.loads(path.read_text())


def label_ids(which: str) -> list[str]:
    return [label["id"] for label in vocabulary(which)["labels"]]


def none_answer(which: str) -> str:
    return vocabulary(which)["noneAnswer"]


def format_labels(labels: set[str], which: str) -> str:
    """The answer format of rad-phi2-tasks.v1.json: vocabulary order, ', ' separated, noneAnswer when empty."""
    ordered = [i for i in label_ids(which) if i in labels]
    return ", ".join(ordered) if ordered else none_answer(which)


def _head(tag: str) -> str:
    return tag.split("/")[0].strip().lower()


def _qualifiers(tag: str) -> list[str]:
    return [q.strip().lower() for q in tag.split("/")[1:]]


# Labels whose vocabulary entry has no MeSH term, recognised from head + qualifier.
QUALIFIER_RULES: dict[str, re.Pattern[str]] = {
    "pleural thickening": re.compile(r"^thickening/(.*/)?pleura(/|$)", re.I),
    "enlarged cardiomediastinum": re.compile(r"^(mediastinum|cardiac shadow)/(.*/)?(enlarged|prominent)(/|$)", re.I),
}


def abnormality_tags(r: Report) -> dict[str, list[str]]:
    """Label id -> the MeSH tags that support it (an empty list when only NegBio says so)."""
    out: dict[str, list[str]] = {}
    for label in vocabulary("abnormality")["labels"]:
        lid = label["id"]
        heads = {m.lower() for m in label.get("mesh", [])}
        tags = [t for t in r.mesh if _head(t) in heads]
        rule = QUALIFIER_RULES.get(lid)
        if rule is not None:
            tags += [t for t in r.mesh if rule.search(t)]
        negbio_col = label.get("negbio")
        if tags or (negbio_col and r.negbio.get(negbio_col) == 1):
            out[lid] = tags
    return out


def abnormality_labels(r: Report) -> set[str]:
    return set(abnormality_tags(r))


SEVERITY = {"minimal": 1, "mild": 1, "small": 1, "borderline": 1, "moderate": 2, "large": 3, "severe": 3, "marked": 3}


def severity(tags: list[str]) -> int | None:
    """Largest severity qualifier among a label's MeSH tags (None when none is stated)."""
    ranks = [SEVERITY[q] for t in tags for q in _qualifiers(t) if q in SEVERITY]
    return max(ranks) if ranks else None


# Phrase -> device label. Matched case-insensitively in sentences of findings + impression.
DEVICE_PHRASES: list[tuple[str, re.Pattern[str]]] = [(lid, re.compile(p, re.I)) for lid, p in [
    ("endotracheal tube", r"\bendotracheal\b|\bET tube\b|\bETT\b"),
    ("tracheostomy tube", r"\btracheostomy\b|\btrach tube\b"),
    ("nasogastric tube", r"\bnasogastric\b|\bNG tube\b|\bNGT\b"),
    ("orogastric tube", r"\borogastric\b|\bOG tube\b"),
    ("feeding tube", r"\bfeeding tube\b|\bdobhoff\b|\benteric tube\b|\bgastrostomy tube\b"),
    ("central venous catheter", r"\bcentral venous\b|\bcentral (line|catheter)\b|\bCVC\b|\b(jugular|subclavian|IJ)\b[^.]{0,30}\b(line|catheter|port)\b"
                                r"|\bport-?a-?cath\b|\b(power|mediport|infusion|chest|venous) port\b|\bport catheter\b|\b(hemo)?dialysis catheter\b"),
    ("picc", r"\bPICC\b|\bperipherally inserted central\b"),
    ("swan-ganz catheter", r"\bswan[- ]?ganz\b|\bpulmonary artery catheter\b"),
    ("chest tube", r"\bchest tubes?\b|\bthoracostomy tube\b|\bpleural (drain|catheter|tube)\b|\bpigtail catheter\b"),
    ("pacemaker or icd", r"\bpacemaker\b|\bpacer\b|\bAICD\b|\bICD\b|\bdefibrillator\b|\bpacing (leads?|wires?)\b|\b(cardiac|transvenous|pacemaker) leads?\b|\b(electronic )?cardiac device\b"),
    ("sternotomy wires", r"\bsternotomy\b|\bsternal (wires?|sutures?)\b"),
    ("surgical clips", r"\bclips?\b"),
    ("stent", r"\bstents?\b"),
    ("other medical device", r"\b(prosthetic|mechanical|replaced)\b[^.]{0,20}\bvalve\b|\bvalve (replacement|prosthesis)\b|\bhardware\b"
                             r"|\bspinal fusion\b|\bprosthes[ie]s\b|\bimplants?\b|\bsuture material\b|\bsurgical sutures?\b|\bstaples\b"
                             r"|\bforeign bod(y|ies)\b|\bloop recorder\b|\bneurostimulator\b|\bcatheter\b|\btubes?\b"),
]]
# A device mention in a sentence that says it is absent or gone is not a device present now.
NEGATION = re.compile(r"\b(no|without|removal|removed|resolved)\b[^.]*$", re.I)
# A catheter whose tip is in a central vein or the right atrium is a central venous catheter.
CENTRAL_TIP = re.compile(r"\bcatheter\b[^.]*\b(SVC|superior vena cava|cavoatrial|right atrium|brachiocephalic)\b", re.I)
DEVICE_MESH_HEADS = {"catheters, indwelling", "tube, inserted", "implanted medical device", "surgical instruments",
                     "stents", "medical device", "foreign bodies", "sutures", "breast implants"}
CATHETERS = {"central venous catheter", "picc", "swan-ganz catheter"}
AIRWAY = {"endotracheal tube", "tracheostomy tube"}


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\s+(?=\d+\.\s)", text) if s.strip()]


def _text_devices(text: str) -> set[str]:
    found: set[str] = set()
    for sentence in sentences(text):
        in_sentence: set[str] = set()
        for lid, pattern in DEVICE_PHRASES:
            if lid == "other medical device" and in_sentence:
                continue  # a generic "catheter"/"tube" already explained by a specific device in the same sentence
            if any(not NEGATION.search(sentence[: m.start()]) for m in pattern.finditer(sentence)):
                in_sentence.add(lid)
        if CENTRAL_TIP.search(sentence) and not (in_sentence & CATHETERS) and not NEGATION.search(sentence):
            in_sentence.add("central venous catheter")
            in_sentence.discard("other medical device")
        found |= in_sentence
    return found


def device_labels(r: Report) -> set[str]:
    found = _text_devices(f"{r.findings} {r.impression}")
    from_text = bool(found)
    heads = [(_head(t), _qualifiers(t)) for t in r.mesh]
    for head, quals in heads:
        if head == "catheters, indwelling" and not found & CATHETERS:
            found.add("central venous catheter")
        elif head == "tube, inserted" and any(q.startswith("trachea") for q in quals) and not found & AIRWAY:
            found.add("endotracheal tube")
        elif head == "stents":
            found.add("stent")
        elif head in DEVICE_MESH_HEADS and not from_text:
            found.add("other medical device")  # a tagged device the text does not name (often de-identified XXXX)
    return found
