"""Quick Python-side sanity figures on the validation split (the official metrics come from `radflow eval` in
TypeScript): greedy answers for impression / label tasks, ROUGE-L F, label micro F1, a trivial baseline."""
from __future__ import annotations

from collections import Counter

from . import labels as lab
from .generate import greedy
from .tasks import Example


def _lcs(a: list[str], b: list[str]) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def rouge_l(pred: str, ref: str) -> float:
    p, r = pred.lower().split(), ref.lower().split()
    if not p or not r:
        return 0.0
    lcs = _lcs(p, r)
    if lcs == 0:
        return 0.0
    prec, rec = lcs / len(p), lcs / len(r)
    return 2 * prec * rec / (prec + rec)


def parse_labels(text: str, which: str) -> set[str]:
    known = set(lab.label_ids(which))
    return {t.strip().lower() for t in text.replace(".", "").split(",") if t.strip().lower() in known}


def micro_f1(preds: list[set[str]], refs: list[set[str]]) -> float:
    tp = sum(len(p & r) for p, r in zip(preds, refs))
    fp = sum(len(p - r) for p, r in zip(preds, refs))
    fn = sum(len(r - p) for p, r in zip(preds, refs))
    return 2 * tp / max(1, 2 * tp + fp + fn)


def macro_f1(preds: list[set[str]], refs: list[set[str]]) -> float:
    """Mean per-label F1 over the labels that occur in the references."""
    scores = []
    for label in sorted(set().union(*refs)):
        tp = sum(label in p and label in r for p, r in zip(preds, refs))
        fp = sum(label in p and label not in r for p, r in zip(preds, refs))
        fn = sum(label not in p and label in r for p, r in zip(preds, refs))
        scores.append(2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores) if scores else 0.0


def generate_answers(generate_fn, tok, examples: list[Example], max_new_tokens: int, batch: int = 16) -> list[str]:
    out = []
    for i in range(0, len(examples), batch):
        chunk = examples[i:i + batch]
        ids = generate_fn([tok.encode(e.prompt).ids for e in chunk], max_new_tokens)
        out += [tok.decode([t for t in seq if t != tok.token_to_id("<endoftext>")]).strip() for seq in ids]
    return out


def torch_generate_fn(model, tok):
    pad, eos = tok.token_to_id("<pad>"), tok.token_to_id("<endoftext>")
    return lambda prompts, n: greedy(model, prompts, n, pad, eos)


def sanity_metrics(generate_fn, tok, val: list[Example], train: list[Example], per_task: int = 60) -> dict:
    """Figures on the first per_task validation examples of each official task (a fixed subset)."""
    result: dict = {}
    imp = [e for e in val if e.task == "impression"][:per_task]
    if imp:
        preds = generate_answers(generate_fn, tok, imp, 64)
        baseline = Counter(e.answer for e in train if e.task == "impression").most_common(1)[0][0]
        result["impression"] = {
            "n": len(imp),
            "rougeL": round(sum(rouge_l(p, e.answer) for p, e in zip(preds, imp)) / len(imp), 4),
            "rougeL_most_frequent_baseline": round(sum(rouge_l(baseline, e.answer) for e in imp) / len(imp), 4),
            "samples": [{"reference": e.answer, "generated": p} for e, p in list(zip(imp, preds))[:4]],
        }
    for task, which in (("abnormality_labels", "abnormality"), ("device_labels", "device")):
        exs = [e for e in val if e.task == task][:per_task]
        if not exs:
            continue
        preds = generate_answers(generate_fn, tok, exs, 40)
        refs = [parse_labels(e.answer, which) for e in exs]
        top = Counter(e.answer for e in train if e.task == task).most_common(1)[0][0]
        result[task] = {
            "n": len(exs),
            "micro_f1": round(micro_f1([parse_labels(p, which) for p in preds], refs), 4),
            "micro_f1_most_frequent_baseline": round(micro_f1([parse_labels(top, which)] * len(exs), refs), 4),
            "exact_match": round(sum(p.strip() == e.answer for p, e in zip(preds, exs)) / len(exs), 4),
            "samples": [{"reference": e.answer, "generated": p} for e, p in list(zip(exs, preds))[:4]],
        }
    return result
