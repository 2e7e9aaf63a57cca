#!/usr/bin/python3
"""Greedy impression drafts of several radflow-cxr adapters on the same validation reports, scored by ROUGE-L.

  compare_adapters.py models/radflow-cxr/adapter.pt runs/cxr-0.6/state.pt --reports 120

Validation loss does not rank greedy drafts (a second epoch can raise the loss and still sharpen the drafts), so a
leg is kept on this figure: whitespace-token ROUGE-L (radflow_train.sanity, the same for every adapter; `radflow eval`
gives the published figures) on the first N validation reports that have findings and an impression. Accepts a
packaged adapter.pt, a run's best.pt or its state.pt (the adapter inside it).
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

from radflow_train import chat, cxr_export, data, gguf_base  # noqa: E402
from radflow_train.sanity import rouge_l  # noqa: E402

LORA = json.loads((Path(__file__).resolve().parents[1] / "radflow-cxr" / "adapter.json").read_text())["lora"]


def adapter_state(path: Path) -> dict[str, torch.Tensor]:
    state = torch.load(path, map_location="cpu")
    state = state.get("adapter", state)
    return {k: v.float() for k, v in state.items()}


def drafts(path: Path, prompts: list[list[int]], tok, batch: int, max_new: int) -> list[str]:
    model, _ = gguf_base.load_base()
    model.add_lora(LORA["rank"], LORA["alpha"], first_layer=LORA["first_layer"], targets=tuple(LORA["targets"]))
    result = model.load_state_dict(adapter_state(path), strict=False)
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
    ap.add_argument("--reports", type=int, default=120)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--max-new", type=int, default=48)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    reports = [r for r in data.by_split(data.load_reports())["validation"] if r.findings and r.impression]
    reports = reports[:args.reports]
    _, reader = gguf_base.load_base()
    tok_dir = Path("/tmp/radflow-compare-tokenizer")
    tok_dir.mkdir(exist_ok=True)
    gguf_base.write_tokenizer(reader, tok_dir)
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tok_dir / "tokenizer.json"))
    prompts = [tok.encode(chat.chat_prompt("impression", findings=r.findings)).ids for r in reports]
    normal = [r.impression for r in reports]
    print(f"{len(reports)} validation reports with findings and impression")
    for path in args.adapters:
        started = time.time()
        out = drafts(path, prompts, tok, args.batch, args.max_new)
        scores = [rouge_l(d, ref) for d, ref in zip(out, normal)]
        print(json.dumps({"adapter": str(path), "rougeL": round(100 * statistics.mean(scores), 2),
                          "distinct": len(set(out)), "seconds": round(time.time() - started)}), flush=True)


if __name__ == "__main__":
    main()
