"""MODEL_CARD.md for a trained model, filled with the run's own figures."""
from __future__ import annotations

import json


def _task_table(counts: dict[str, dict[str, int]]) -> str:
    rows = ["| task | train | validation |", "| --- | ---: | ---: |"]
    for task in counts.get("train", {}):
        rows.append(f"| {task} | {counts['train'].get(task, 0)} | {counts.get('validation', {}).get(task, 0)} |")
    return "\n".join(rows)


def _loss_table(per_task: dict[str, float]) -> str:
    rows = ["| task | validation loss (nats / answer token) |", "| --- | ---: |"]
    rows += [f"| {t} | {v:.3f} |" for t, v in sorted(per_task.items())]
    return "\n".join(rows)


def _quant_line(q: dict) -> str:
    if not q:
        return "not produced."
    f, i = q["fp32_onnx"], q["int8_onnx"]
    verdict = "kept" if q["kept"] else "dropped"
    return (f"{verdict} ({q['rule']}). Through onnxruntime on the same subset, fp32 / int8: impression ROUGE-L "
            f"{f['impression_rougeL']} / {i['impression_rougeL']}, abnormality micro F1 {f['abnormality_micro_f1']} / "
            f"{i['abnormality_micro_f1']}, device micro F1 {f['device_micro_f1']} / {i['device_micro_f1']}; size "
            f"{q['size_bytes']['fp32'] / 1e6:.1f} MB / {q['size_bytes']['int8'] / 1e6:.1f} MB.")


def render(summary: dict) -> str:
    m = summary["model"]
    s = summary["sanity"]
    imp = s.get("impression", {})
    al = s.get("abnormality_labels", {})
    dl = s.get("device_labels", {})
    stages = "\n".join(
        f"| {st['stage']} | {st['steps']} | {st['epochs']} | {st['tokens']:,} | {st['seconds'] / 60:.1f} | {st['tokens_per_s']:,} | {st['best_val_loss']} |"
        for st in summary["stages"])
    quant = summary.get("quantization", {})
    return f"""# {m['name']} {m['version']}

A small decoder-only language model (GPT-style, {m['parameters']:,} parameters: {m['n_layer']} layers, d={m['d_model']},
{m['n_head']} heads, context {m['max_position']}, byte-level BPE vocabulary {m['vocab_size']}) trained with radflow's
adaptation of the Rad-Phi2 recipe (Ranjit, *Rad-Phi2: Instruction Tuning Phi2 for Radiology*) on the Indiana University chest X-ray reports. It writes the
Rad-Phi2 task answers (`<instruct>…<output>…<endoftext>`, prompts in `libs/prompts/templates/rad-phi2-tasks.v1.json`)
and runs on CPU through onnxruntime (`model.onnx`, Optimum "decoder with past" convention).

## Intended use

Drafts for a radiologist: a suggested impression, abnormality and device labels, to be read, corrected and signed by
a radiologist. **Never a final read**, never a diagnosis, never shown to a patient unreviewed. Every output radflow
writes from it is marked preliminary and AI-generated, with this model's name and version.

## Data and its terms

- Indiana University chest X-ray reports from NLM Open-i (Demner-Fushman D, et al. *Preparing a collection of
  radiology examinations for distribution and retrieval.* J Am Med Inform Assoc. 2016;23(2):304-310), the 3,080
  reports available here. Open-i asks users to cite this source; the collection is distributed under
  **CC BY-NC-ND 4.0: non-commercial use only**. This model is trained on it and inherits that restriction.
- NegBio gold-standard labels for the same reports (US Government work, public domain).
- Splits by uid (sha256 of `radflow-openi-split-v1:<uid>`, 80 / 10 / 10): train {summary['splits']['train']},
  validation {summary['splits']['validation']}, test {summary['splits']['test']} reports; uid lists in
  `models/training/splits/`. Only the train split was used for training and the tokenizer; validation chose checkpoints.
- No general-domain instruction data was used (the paper's first stage used Super Natural Instructions; none was
  fetched here): stage 1 is language-model pretraining on the train split's report text.

## Tasks and training examples

{_task_table(summary['example_counts'])}

Targets: impression = the report's own impression; label tasks = human MeSH tags and NegBio labels mapped to the
closed vocabularies; extract / cleanup = a deterministic rule cleaner; QA = questions built from the tags and
sections; temporal tasks = constructed report pairs (two reports of the same split) whose answers follow from their
label sets. Details and caveats: `models/training/README.md`.

## Training

| stage | steps | epochs | tokens | minutes | tokens/s | best validation loss |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
{stages}

CPU, 1 thread (torch {summary['env']['torch']}), seed {summary['seed']}; stage 1 is language-model pretraining on
report text, the `instruct*` rows are stage-2 legs (multi-task instruction tuning, loss on answer tokens only;
`instruct-focus` legs continue from the leg above with label answers other than "none" weighted up; `-2`, `-3`
number further legs of the same mixture). Loss curves:
`loss.png` beside this card. Recipe and commands: `models/training/README.md`.

## Metrics

Official metrics (ROUGE-L, BLEU-1, unigram F1, label precision/recall/F1 with bootstrap confidence intervals, next
to the rule labeler and a trivial baseline) come from `radflow eval --task all` on the validation split. Quick
trainer-side figures on a fixed validation subset (greedy, PyTorch; point estimates on 60 reports, no confidence
intervals: read them as a sanity check only):

- impression ({imp.get('n', 0)} reports): ROUGE-L F {imp.get('rougeL', 'n/a')} vs {imp.get('rougeL_most_frequent_baseline', 'n/a')} for the most frequent training impression.
- abnormality labels ({al.get('n', 0)} reports): micro F1 {al.get('micro_f1', 'n/a')} vs {al.get('micro_f1_most_frequent_baseline', 'n/a')} for the most frequent answer; exact match {al.get('exact_match', 'n/a')}.
- device labels ({dl.get('n', 0)} reports): micro F1 {dl.get('micro_f1', 'n/a')} vs {dl.get('micro_f1_most_frequent_baseline', 'n/a')}; exact match {dl.get('exact_match', 'n/a')}.

Validation loss per task (answer tokens):

{_loss_table(summary['val_loss_per_task'])}

Quantized variant (`model.int8.onnx`, dynamic int8 weights): {_quant_line(quant)}

## Limits

- Tiny by design (CPU, repository-sized): it imitates phrasing of one institution's reports and misses rare findings;
  label F1 on rare labels (pneumothorax, mass, pneumoperitoneum) is low and unreliable.
- Trained on one US institution's chest X-ray reports of the 2010s; no other body part or modality; English only.
- The temporal tasks are trained on constructed pairs of unrelated reports, so they compare label sets, not patients.
- Device labels come partly from text rules; abnormality labels follow NegBio and the vocabulary's MeSH mapping
  (before 2026-12-07 that mapping was wider than NegBio for edema, emphysema and fibrosis).
- De-identification placeholders (`XXXX`) appear in the training text and may appear in outputs.
"""
