"""Score libs/metrics/reference/examples.json with the reference implementations.

Run once to (re)generate the literal expected values in src/reference-crosscheck.test.ts:

    python3 -m venv .cache/metrics-ref-venv
    .cache/metrics-ref-venv/bin/pip install rouge-score==0.1.2 nltk==3.10.4
    .cache/metrics-ref-venv/bin/python libs/metrics/reference/generate_expected.py

ROUGE-L: Google's rouge-score RougeScorer(['rougeL']).score(reference, candidate).fmeasure,
with and without its Porter stemmer (NLTK's PorterStemmer).
BLEU-1: NLTK sentence_bleu(references=[ref.split()], hypothesis=cand.split(), weights=(1,0,0,0)),
no smoothing, on lower-cased whitespace tokens (the token lists are printed so the TypeScript test
can feed the same tokens; LLaVA-Med's normalisation is cross-checked separately, by hand).
"""
import json
import pathlib
import warnings
from importlib.metadata import version

from nltk.translate.bleu_score import sentence_bleu
from rouge_score import rouge_scorer

warnings.simplefilter("ignore")  # NLTK warns about zero higher-order n-gram counts (weights are 0 there)

here = pathlib.Path(__file__).parent
pairs = json.loads((here / "examples.json").read_text())["pairs"]
plain = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
stemmed = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)

rows = []
for p in pairs:
    cand, ref = p["candidate"], p["reference"]
    rows.append({
        "rougeL": plain.score(ref, cand)["rougeL"].fmeasure,
        "rougeLStemmed": stemmed.score(ref, cand)["rougeL"].fmeasure,
        "bleu1": float(sentence_bleu(references=[ref.lower().split()], hypothesis=cand.lower().split(), weights=(1, 0, 0, 0))),
    })

print(f"// produced by rouge-score {version('rouge-score')}, nltk {version('nltk')}")
print("const EXPECTED = [")
for r in rows:
    print(f"  {{ rougeL: {r['rougeL']!r}, rougeLStemmed: {r['rougeLStemmed']!r}, bleu1: {r['bleu1']!r} }},")
print("];")
