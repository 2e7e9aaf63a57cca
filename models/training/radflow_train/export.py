"""ONNX export in Hugging Face Optimum's "decoder with past" convention, a runtime check with onnxruntime,
HF-style config.json, the radflow-model.json manifest and the parity file the TypeScript runtime tests against."""
from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

from .generate import greedy
from .model import Decoder, Past, positions_from_mask

OPSET = 17
TIE_MARGIN = 1e-4


class _OnnxDecoder(nn.Module):
    def __init__(self, model: Decoder):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past: Past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(len(past_flat) // 2)]
        logits, presents = self.model(input_ids, attention_mask, position_ids, past)
        flat = [t for kv in presents for t in kv]
        return (logits, *flat)


def io_names(n_layer: int) -> tuple[list[str], list[str]]:
    inputs = ["input_ids", "attention_mask", "position_ids"]
    outputs = ["logits"]
    for i in range(n_layer):
        inputs += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        outputs += [f"present.{i}.key", f"present.{i}.value"]
    return inputs, outputs


def export_onnx(model: Decoder, path: Path) -> None:
    model.eval()
    cfg = model.cfg
    inputs, outputs = io_names(cfg.n_layer)
    # Trace with a non-empty past so every shape stays symbolic; an empty past (0) works at run time.
    batch, seq, past_len = 2, 3, 4
    ids = torch.randint(4, cfg.vocab_size, (batch, seq))
    mask = torch.ones((batch, past_len + seq), dtype=torch.long)
    pos = torch.arange(past_len, past_len + seq).unsqueeze(0).repeat(batch, 1)
    past = [torch.randn(batch, cfg.n_head, past_len, cfg.head_dim) for _ in range(2 * cfg.n_layer)]
    axes = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
    }
    for name in inputs[3:]:
        axes[name] = {0: "batch_size", 2: "past_sequence_length"}
    for name in outputs[1:]:
        axes[name] = {0: "batch_size", 2: "total_sequence_length"}
    with torch.no_grad():
        torch.onnx.export(
            _OnnxDecoder(model), (ids, mask, pos, *past), str(path), input_names=inputs, output_names=outputs,
            dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True,
        )
    import onnx

    onnx.checker.check_model(onnx.load(str(path)))


def quantize_int8(src: Path, dst: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8)


def ort_session(path: Path):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def ort_greedy(session, n_layer: int, n_head: int, head_dim: int, prompts: list[list[int]], max_new_tokens: int,
               pad_id: int, eos_id: int | None = None) -> tuple[list[list[int]], float]:
    """Same procedure as generate.greedy, through onnxruntime: (new ids per prompt, smallest top-1 minus top-2 logit
    margin seen, which says how safe exact id parity is). One loop serves both models (cxr_export.greedy_loop)."""
    from .cxr_export import ort_greedy as greedy_with_cache

    return greedy_with_cache(session, n_layer, n_head, head_dim, prompts, max_new_tokens, pad_id, eos_id)


def write_hf_config(model: Decoder, special: dict[str, int], out_dir: Path) -> None:
    cfg = model.cfg
    config = {
        "model_type": "radflow-gpt",
        "architectures": ["RadflowDecoder"],
        "num_hidden_layers": cfg.n_layer,
        "num_attention_heads": cfg.n_head,
        "num_key_value_heads": cfg.n_head,
        "hidden_size": cfg.d_model,
        "head_dim": cfg.head_dim,
        "intermediate_size": cfg.mlp_ratio * cfg.d_model,
        "vocab_size": cfg.vocab_size,
        "max_position_embeddings": cfg.max_position,
        "bos_token_id": special["<endoftext>"],
        "eos_token_id": special["<endoftext>"],
        "pad_token_id": special["<pad>"],
        "tie_word_embeddings": True,
        "use_cache": True,
        "torch_dtype": "float32",
        "position_embedding_type": "absolute",
    }
    (out_dir / "config.json").write_text(json.dumps(config, indent=2) + "\n")


def write_manifest(out_dir: Path, name: str, version: str, tasks: list[str], max_length: int,
                   quantized: bool, card: bool, extra: dict | None = None) -> None:
    onnx_files = {"model": "model.onnx"}
    if quantized:
        onnx_files["quantized"] = "model.int8.onnx"
    manifest = {
        "name": name,
        "version": version,
        "architecture": "decoder-only",
        "onnx": onnx_files,
        "tokenizer": "tokenizer.json",
        "config": "config.json",
        "specialTokens": {"instruct": "<instruct>", "output": "<output>", "endOfText": "<endoftext>", "pad": "<pad>"},
        "maxLength": max_length,
        "tasks": tasks,
        "promptTemplates": "rad-phi2-tasks.v1",
    }
    if card:
        manifest["card"] = "MODEL_CARD.md"
    manifest.update(extra or {})
    (out_dir / "radflow-model.json").write_text(json.dumps(manifest, indent=2) + "\n")


def _torch_margins(model: Decoder, encoded: list[list[int]], max_new_tokens: int, pad: int) -> list[float]:
    margins = []
    for ids in encoded:
        with torch.no_grad():
            x = torch.tensor([ids])
            mask = torch.ones_like(x)
            for _ in range(max_new_tokens):
                logits, _ = model(x, mask, positions_from_mask(mask))
                top2 = logits[0, -1].topk(2).values
                margins.append(float(top2[0] - top2[1]))
                x = torch.cat([x, logits[0, -1].argmax().view(1, 1)], dim=1)
                mask = torch.ones_like(x)
    return margins


def write_parity(model: Decoder, tok, prompts: list[str], out_dir: Path, onnx_name: str = "model.onnx",
                 max_new_tokens: int = 20) -> dict:
    """Greedy ids from PyTorch for each prompt alone and for all prompts as one left-padded batch; checked against
    onnxruntime here, so a mismatch in the TypeScript runtime points at the runtime, not the export."""
    pad = tok.token_to_id("<pad>")
    encoded = [tok.encode(p).ids for p in prompts]
    single = [greedy(model, [ids], max_new_tokens, pad)[0] for ids in encoded]
    batched = greedy(model, encoded, max_new_tokens, pad)
    if batched != single and min(_torch_margins(model, encoded, max_new_tokens, pad)) > TIE_MARGIN:
        raise AssertionError("left-padded batch differs from single-prompt generation")
    cfg = model.cfg
    session = ort_session(out_dir / onnx_name)
    margins = []
    for ids, want in zip(encoded, single):
        got, margin = ort_greedy(session, cfg.n_layer, cfg.n_head, cfg.head_dim, [ids], max_new_tokens, pad)
        # A near-tie (barely trained smoke model) may flip between float kernels; anything clearer is a real bug.
        if got[0] != want and margin > TIE_MARGIN:
            raise AssertionError(f"onnxruntime ids {got[0]} differ from PyTorch {want}")
        margins.append(margin)
    got_batch, batch_margin = ort_greedy(session, cfg.n_layer, cfg.n_head, cfg.head_dim, encoded, max_new_tokens, pad)
    if got_batch != single and batch_margin > TIE_MARGIN:
        raise AssertionError("onnxruntime batched ids differ from PyTorch")
    parity = {
        "description": "Greedy decoding with KV cache: left padding, attention_mask 1 for real tokens, position_ids = "
                       "cumsum(attention_mask) - 1 (padding positions 1), empty past (past_sequence_length 0) on the "
                       "first step, then one token per step with position = sum(attention_mask) - 1. Exactly "
                       "maxNewTokens tokens are generated (no stop at <endoftext>). The same ids come out for each "
                       "prompt alone and for all prompts as one left-padded batch.",
        "model": onnx_name,
        "maxNewTokens": max_new_tokens,
        "padTokenId": pad,
        "cases": [
            {"prompt": p, "promptIds": ids, "generatedIds": gen, "generatedText": tok.decode(gen, skip_special_tokens=False),
             "minTop2Margin": round(m, 6)}
            for p, ids, gen, m in zip(prompts, encoded, single, margins)
        ],
        "batchMinTop2Margin": round(batch_margin, 6),
    }
    (out_dir / "parity.json").write_text(json.dumps(parity, indent=2) + "\n")
    return parity


def ort_generate_fn(path: Path, cfg, tok):
    session = ort_session(path)
    pad, eos = tok.token_to_id("<pad>"), tok.token_to_id("<endoftext>")
    return lambda prompts, n: ort_greedy(session, cfg.n_layer, cfg.n_head, cfg.head_dim, prompts, n, pad, eos)[0]
