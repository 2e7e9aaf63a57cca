#!/usr/bin/python3
"""Greedy answers of several radflow-cxr adapters on the same validation reports: impression drafts scored by
ROUGE-L, or (--task abnormality_labels / device_labels) label lists scored by micro- and macro-F1.

  compare_adapters.py models/radflow-cxr/adapter-impression.pt runs/cxr-0.6/state.pt --reports 120
  compare_adapters.py runs/cxr-labels/best.pt --task abnormality_labels --reports 150

Validation loss does not rank greedy drafts (a second epoch can raise the loss and still sharpen the drafts), so a
leg is kept on this figure: whitespace-token ROUGE-L (radflow_train.sanity, the same for every adapter; `radflow eval`
gives the published figures) on the first N validation reports that have findings and an impression; labels
unconstrained (the runtime's label grammar can only help) against the trainer's own validation targets (NegBio and
MeSH of the report, radflow_train.labels). Accepts a packaged adapter.pt, a run's best.pt or its state.pt.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import onnx  # noqa: E402,F401  (before torch: protobuf clash, see train.py)
import torch  # noqa: E402
from tqdm import tqdm  # noqa: E402

from radflow_train import chat, cxr_export, data, gguf_base, labels, tasks  # noqa: E402
from radflow_train.adapter_files import adapter_state, lora_layout  # noqa: E402
from radflow_train.sanity import macro_f1, micro_f1, parse_labels, rouge_l  # noqa: E402

def drafts(path: Path, prompts: list[list[int]], tok, batch: int, max_new: int) -> list[str]:
    model, _ = gguf_base.load_base()
    state = adapter_state(path)
    lora = lora_layout(path, state)
    model.add_lora(lora["rank"], lora["alpha"], first_layer=lora["first_layer"], targets=tuple(lora["targets"]))
    result = model.load_state_dict(state, strict=False)
    if result.unexpected_keys:
        raise SystemExit(f"{path} does not fit the LoRA layout: {result.unexpected_keys[:4]}")
    model.merge_lora()
    model.eval()
    out = []
    with torch.no_grad():
        for i in tqdm(range(0, len(prompts), batch), desc=path.parent.name + "/" + path.name, unit="batch"):
            ids, _ = cxr_export.torch_greedy(model, prompts[i:i + batch], max_new, chat.PAD_ID, stop_id=chat.END_ID)
            out += [tok.decode([t for t in seq if t not in (chat.END_ID, chat.PAD_ID)]).strip() for seq in ids]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("adapters", nargs="+", type=Path)
    ap.add_argument("--task", choices=["impression", "abnormality_labels", "device_labels"], default="impression")
    ap.add_argument("--reports", type=int, default=120)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--max-new", type=int, default=48)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    validation = data.by_split(data.load_reports())["validation"]
    _, reader = gguf_base.load_base()
    tok_dir = Path("/tmp/radflow-compare-tokenizer")
    tok_dir.mkdir(exist_ok=True)
    gguf_base.write_tokenizer(reader, tok_dir)
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tok_dir / "tokenizer.json"))
    if args.task == "impression":
        reports = [r for r in validation if r.findings and r.impression][:args.reports]
        prompts = [tok.encode(chat.chat_prompt("impression", findings=r.findings)).ids for r in reports]
        references = [r.impression for r in reports]
    else:
        examples = [e for e in tasks.build_examples(validation, seed=0) if e.task == args.task][:args.reports]
        prompts = [tok.encode(chat.to_chat(e.prompt)).ids for e in examples]
        references = [e.answer for e in examples]
    print(f"{len(prompts)} validation prompts ({args.task})")
    which = "abnormality" if args.task == "abnormality_labels" else "device"
    for path in args.adapters:
        started = time.time()
        out = drafts(path, prompts, tok, args.batch, args.max_new)
        figures = {"adapter": str(path), "distinct": len(set(out))}
        if args.task == "impression":
            figures["rougeL"] = round(100 * statistics.mean(rouge_l(d, ref) for d, ref in zip(out, references)), 2)
        else:
            preds = [parse_labels(d, which) for d in out]
            refs = [parse_labels(ref, which) for ref in references]
            figures["microF1"] = round(100 * micro_f1(preds, refs), 2)
            figures["macroF1"] = round(100 * macro_f1(preds, refs), 2)
            figures["labels"] = len(labels.label_ids(which))
        figures["seconds"] = round(time.time() - started)
        print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
