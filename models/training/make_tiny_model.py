#!/usr/bin/python3
"""Builds models/tiny-random: a tiny randomly initialised decoder (the class the trainer trains), a byte-level BPE
tokenizer trained on the train split's report text, the ONNX export, config, manifest and parity.json.
It is a fixture for the TypeScript runtime's tests (loading, KV cache, batching, exact greedy parity), not a model
that does the tasks."""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# onnx before torch: Debian's torch registers its own (older) onnx.proto in protobuf's C++ pool, and the
# newer onnx package then fails to import.
import onnx  # noqa: E402,F401
import numpy as np  # noqa: E402
import torch  # noqa: E402

from radflow_train import data, export, prompts, tokenizer  # noqa: E402
from radflow_train.model import Decoder, DecoderConfig  # noqa: E402

# Written by us (not taken from the data set), so the fixture carries no report text.
PARITY_INPUTS = [
    ("impression", {"findings": "The heart size is normal. The lungs are clear. No pleural effusion or pneumothorax."}),
    ("abnormality_labels", {"report": "FINDINGS: Mild cardiomegaly. Small left pleural effusion with basilar "
                                      "atelectasis.\nIMPRESSION: Cardiomegaly and small left effusion."}),
    ("qa_comprehension", {"report": "FINDINGS: Right chest tube in place. Small apical pneumothorax.",
                          "question": "Is there a pneumothorax?"}),
]


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "tiny-random")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--vocab-size", type=int, default=512)
    args = ap.parse_args()
    torch.set_num_threads(1)
    seed_everything(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)

    reports = data.by_split(data.load_reports())["train"]
    texts = [data.report_text(r) for r in reports]
    tok = tokenizer.train_tokenizer(texts, args.vocab_size)
    max_length = 512
    tokenizer.save_tokenizer(tok, args.out, max_length)

    # A larger init than training uses keeps top-1/top-2 logit gaps wide, so exact id parity is not a coin toss.
    cfg = DecoderConfig(vocab_size=tok.get_vocab_size(), n_layer=2, n_head=4, d_model=32, max_position=max_length,
                        init_std=0.25)
    model = Decoder(cfg)
    export.export_onnx(model, args.out / "model.onnx")
    special = tokenizer.special_ids(tok)
    export.write_hf_config(model, special, args.out)
    export.write_manifest(args.out, name="radflow-tiny-random", version="0.1.0", tasks=prompts.task_ids(),
                          max_length=max_length, quantized=False, card=False,
                          extra={"description": "Randomly initialised test fixture; does not do the tasks."})
    texts = [prompts.build_prompt(task, **inputs) for task, inputs in PARITY_INPUTS]
    parity = export.write_parity(model, tok, texts, args.out)
    print(f"tiny-random: {model.num_parameters()} parameters, vocab {cfg.vocab_size}, written to {args.out}")
    for case in parity["cases"]:
        print(f"  {len(case['promptIds'])} prompt ids -> {case['generatedIds']} (min margin {case['minTop2Margin']})")


if __name__ == "__main__":
    main()
