"""The form a radiologist writes impressions in (a numbered list, one sentence, or prose), read from their feedback,
and the base's replayed impressions rewritten in that form.

Why: replay keeps the base's skills by training on its own examples beside the feedback, but a replayed impression in
the hospital's prose teaches the opposite form to the one the radiologist's feedback teaches, and the drafts lose
content where the two pull apart. Rewritten in the radiologist's form, a replayed impression says what the base learnt
in the way the radiologist writes. Only forms that are a mechanical rewrite of the same statements are recognised;
anything else is left as the base learnt it.

The statements are split as libs/evaluation's radiologist-style.ts splits them (the simulated radiologists of the
per-radiologist e2e), so a rewrite here says what that rewrite says."""
from __future__ import annotations

import re

from .tasks import Example

NUMBERED, SINGLE_SENTENCE = "numbered-list", "single-sentence"
FORMS = (NUMBERED, SINGLE_SENTENCE)
# A form is the radiologist's when at least this share of their impressions is written in it, and at least
# MIN_EVIDENCE of them could only be in it (a numbered list; one sentence joining statements with "; "): most prose
# radiologists also write one-sentence impressions of normal studies.
MIN_SHARE = 0.9
MIN_EVIDENCE = 5

_LEADING_NUMBER = re.compile(r"^\s*\d+[.)]\s*")
_STATEMENT_BREAK = re.compile(r"\n+|(?<=\.)\s+(?=\d+[.)]\s)|(?<=[a-z0-9)]\.)\s+(?=[A-Z])")
# A list number before a statement (not a decimal, not "T1."): what replay_measure.py strips to compare content.
LIST_NUMBER = re.compile(r"(?:^|(?<=\s))\d{1,2}[.)](?=\s|$|[A-Z])")


def statements(impression: str) -> list[str]:
    """An impression's statements, without list numbers or a trailing full stop."""
    parts = (_LEADING_NUMBER.sub("", p, count=1).strip() for p in _STATEMENT_BREAK.split(impression))
    return [s for s in (re.sub(r"\.+\Z", "", p).strip() for p in parts) if s]


def form_of(impression: str) -> str:
    """numbered-list (numbers 1, 2, ... each before a statement, on lines or in one line), single-sentence, or
    prose."""
    text = impression.strip()
    numbers = [m.group(0)[:-1] for m in LIST_NUMBER.finditer(text)]
    if numbers and _LEADING_NUMBER.match(text) and numbers == [str(i) for i in range(1, len(numbers) + 1)]:
        return NUMBERED
    if text.endswith(".") and not _LEADING_NUMBER.match(text) and not re.search(r"\.\s+\S", text[:-1]):
        return SINGLE_SENTENCE
    return "prose"


def _lower_first(statement: str) -> str:
    # Acronyms and laterality markers ("AP", "PICC") stay as written.
    return statement[0].lower() + statement[1:] if re.match(r"[A-Z][a-z]", statement) else statement


def rewrite(impression: str, form: str, separator: str = "\n") -> str:
    """The same statements in the given form (separator: between the items of a numbered list; one sentence joins
    its statements with "; ")."""
    said = statements(impression)
    if not said:
        return impression.strip()
    if form == NUMBERED:
        return separator.join(f"{i}. {s}." for i, s in enumerate(said, 1))
    return "; ".join([said[0], *map(_lower_first, said[1:])]) + "."


def radiologist_form(impressions: list[str]) -> dict | None:
    """The form these impressions (one radiologist's feedback) are written in, with what separates its statements
    (a new line or a space between list items, "; " in one sentence), or None when no recognised form holds for
    MIN_SHARE of them with MIN_EVIDENCE that only that form explains."""
    if not impressions:
        return None
    forms = [form_of(i) for i in impressions]
    for form in FORMS:
        in_form = [i for i, f in zip(impressions, forms) if f == form]
        evidence = len(in_form) if form == NUMBERED else sum("; " in i for i in in_form)
        if len(in_form) >= MIN_SHARE * len(impressions) and evidence >= MIN_EVIDENCE:
            lists = [i.strip() for i in in_form if form == NUMBERED and len(statements(i)) > 1]
            on_lines = 2 * sum("\n" in i for i in lists) >= len(lists)
            separator = "; " if form == SINGLE_SENTENCE else "\n" if on_lines else " "
            return {"form": form, "separator": separator, "share": round(len(in_form) / len(impressions), 3),
                    "evidence": evidence}
    return None


def rewrite_replay(examples: list[Example], form: dict | None, task: str = "impression") -> tuple[list[Example], int]:
    """The replay sample with every `task` answer rewritten in `form`; returns it and how many answers changed."""
    if form is None:
        return examples, 0
    out, changed = [], 0
    for e in examples:
        if e.task == task:
            answer = rewrite(e.answer, form["form"], form["separator"])
            changed += answer != e.answer
            e = Example(e.uid, e.task, e.prompt, answer)
        out.append(e)
    return out, changed


def replay_in_form(found: dict | None, replayed: list[Example]) -> tuple[list[Example], dict | None]:
    """The replay sample with its impressions in `found` (radiologist_form of the feedback's impressions), and what
    the manifest records of it: the form and how many replayed answers it changed (None: no recognised form)."""
    out, changed = rewrite_replay(replayed, found)
    return out, None if found is None else {**found, "rewritten": changed}
