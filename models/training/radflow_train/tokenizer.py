"""Byte-level BPE trained on report text, with the Rad-Phi2 special tokens as added special tokens."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

# Order fixes the ids: <endoftext>=0, <pad>=1, <instruct>=2, <output>=3.
SPECIAL_TOKENS = ["<endoftext>", "<pad>", "<instruct>", "<output>"]


def train_tokenizer(texts: Iterable[str], vocab_size: int) -> Tokenizer:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(list(texts), trainer)
    return tok


def special_ids(tok: Tokenizer) -> dict[str, int]:
    ids = {t: tok.token_to_id(t) for t in SPECIAL_TOKENS}
    assert all(v is not None for v in ids.values()), ids
    return ids  # type: ignore[return-value]


def save_tokenizer(tok: Tokenizer, out_dir: Path, max_length: int) -> None:
    tok.save(str(out_dir / "tokenizer.json"))
    ids = special_ids(tok)
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": "<endoftext>",
        "eos_token": "<endoftext>",
        "pad_token": "<pad>",
        "unk_token": None,
        "additional_special_tokens": ["<instruct>", "<output>"],
        "model_max_length": max_length,
        "padding_side": "left",
        "add_bos_token": False,
        "add_eos_token": False,
        "add_prefix_space": False,
        "clean_up_tokenization_spaces": False,
        "added_tokens_decoder": {
            str(i): {"content": t, "lstrip": False, "rstrip": False, "normalized": False, "single_word": False, "special": True}
            for t, i in sorted(ids.items(), key=lambda kv: kv[1])
        },
    }
    (out_dir / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")
