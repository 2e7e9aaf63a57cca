"""Rule-based stand-in for the paper's GPT-4 cleaning (EXTRACT FINDINGS / EXTRACT IMPRESSION / CLEANUP targets):
each output sentence states an observation; follow-up advice, communication and doctor mentions, and mostly
de-identified sentences are dropped; change wording ("stable", "again seen", "compared to prior") is removed so the
sentence just states presence. Deterministic, so the targets are checkable."""
from __future__ import annotations

import re

_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(])|\s+(?=\d{1,2}[.)]\s)")
_NUMBERING = re.compile(r"^\s*\d{1,2}[.)]\s+")
DROP = re.compile(
    r"\b(recommend\w*|follow[- ]?up|advis\w*|suggest(ed)? (that|a|an|further|repeat|ct|correlation)|consider\w*|correlat\w*"
    r"|further (evaluation|imaging|assessment)|could be (obtained|performed)|may be (obtained|performed|helpful)"
    r"|if (clinically|symptoms|indicated)|dr\.?|doctor|physician|called|notified|discussed|telephone|paged|communicated"
    r"|reviewed with|read back|critical result|at the time of (dictation|interpretation)|dictat\w*)\b",
    re.I)
NO_CHANGE = re.compile(
    r"^(there (is|has been) )?(no|without) (significant |appreciable |substantial |radiographic |interval |definite )*"
    r"(interval )?change\b|^(otherwise )?(stable|unchanged)( (appearance|exam|examination|study|chest|radiograph))?"
    r"( (of|of the) chest)?( (since|from|compared to|compared with)[^.]*)?\.?$",
    re.I)
CHANGE_PHRASES = [
    r"\b(?:re-?demonstration|stable|unchanged|persistent)(?: (?:of|appearance))?(?: (?:and|but))\b",
    r"\b(?:and|but) (?:stable|unchanged)\b",
    r"\bre-?demonstration of\b",
    r"\b(?:when |as )?(?:compared (?:to|with)|since|from|relative to|versus|than (?:on|in)|on|in comparison (?:to|with))"
    r" (?:the |a )?(?:most recent |recent |previous |prior |earlier |last )(?:study|exam|examination|radiographs?|films?|"
    r"chest (?:x-?rays?|radiographs?|films?)|x-?rays?|images?|ct|imaging)?(?: (?:dated|from|of|on) [^,.;]*)?",
    r"\b(?:is|are) again (?:seen|noted|demonstrated|identified|present)\b",
    r"\bagain (?:seen|noted|demonstrated|identified)\b",
    r"\b(?:in the |since the |during the )?interval(?:ly)?\b",
    r"\b(?:re-?demonstrat\w+|persistent(?:ly)?|continued|stable|unchanged|new(?:ly)?|redemonstrated|previously (?:seen|noted|described))\b",
    r"\bremains?\b",
    r"\b(?:slightly |mildly )?(?:increas\w+|decreas\w+|improv\w+|worsen\w+|progress\w+) (?:in|from)\b",
]
_CHANGE = [re.compile(p, re.I) for p in CHANGE_PHRASES]
_DEID = re.compile(r"\bX{2,}\b")
_FILLER = {"is", "are", "present", "the", "a", "an", "and", "of", "seen", "noted", "there", "xxxx"}


def split_sentences(text: str) -> list[str]:
    return [_NUMBERING.sub("", s).strip() for s in _SPLIT.split(text.strip()) if _NUMBERING.sub("", s).strip()]


def _tidy(sentence: str) -> str:
    s = re.sub(r"\s+", " ", sentence)
    s = re.sub(r"\s+([,.;:])", r"\1", s)
    s = re.sub(r",\s*([.;])", r"\1", s)
    s = re.sub(r"^(?:[,;:\s]+|(?:and|or|but|of)\b\s*)+", "", s, flags=re.I).strip()
    s = re.sub(r"\b(is|are|has|have been|be)\s*([.,;]|$)", lambda m: ("is present" if m.group(1) == "is" else "are present" if m.group(1) == "are" else m.group(1)) + m.group(2), s)
    if s and s[0].islower():
        s = s[0].upper() + s[1:]
    if s and s[-1] not in ".!?":
        s += "."
    return s


def clean_sentence(sentence: str) -> str | None:
    s = sentence.strip()
    if not s or DROP.search(s) or NO_CHANGE.search(s) or re.match(r"(comparison|prior)\b", s, re.I):
        return None
    words = s.split()
    if sum(1 for w in words if _DEID.search(w)) * 2 >= len(words):
        return None  # mostly de-identified: noise
    for pattern in _CHANGE:
        s = pattern.sub(" ", s)
    s = _tidy(s)
    content = [w for w in re.sub(r"[^A-Za-z]+", " ", s).lower().split() if w not in _FILLER]
    if not content:
        return None
    return s


def clean_text(text: str) -> str:
    kept = [c for c in (clean_sentence(s) for s in split_sentences(text)) if c]
    return " ".join(kept)
