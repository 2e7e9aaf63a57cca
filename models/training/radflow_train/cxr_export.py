"""radflow-cxr's servable form: base + LoRA adapter, merged, exported to ONNX (Optimum "decoder with past" I/O,
grouped-query KV cache), int8-quantised, with the greedy ids the runtime must reproduce.

The ONNX graph differs from Optimum's in one way that the runtime handles: `logits` holds the LAST position only
([batch, 1, vocab]); a 49k-word head over every prompt position would cost a tenth of the prefill and 200 MB of
output for a 200-token prompt. The head is a Gemm on the embedding matrix itself, so the tied weight is stored once.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .export import io_names  # the Optimum decoder-with-past names, shared with radflow-cxr-small
from .llama import Llama
from .routed_lora import AdapterRoute

OPSET = 17
ADAPTER_IDS = "adapter_ids"  # [batch] int64: the adapter of each row, in a graph with routed adapters
ADAPTERS_DIR = "adapters"  # in a routed build: adapter.json and adapter-NAME.pt beside the graph, as packaged


class _OnnxLlama(nn.Module):
    def __init__(self, model: Llama):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        return self.decode(input_ids, attention_mask, position_ids, past_flat)

    def decode(self, input_ids, attention_mask, position_ids, past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(len(past_flat) // 2)]
        hidden, presents = self.model(input_ids, attention_mask, position_ids, past, hidden_only=True)
        last = hidden[:, -1, :]  # [b, d]: 2-D so the head exports as Gemm(transB) on the shared embedding
        logits = F.linear(last, self.model.embed_tokens.weight).unsqueeze(1)
        return (logits, *[t for kv in presents for t in kv])


class _OnnxRoutedLlama(_OnnxLlama):
    """The graph of a model whose adapters are routed per row (routed_lora): `adapter_ids` [batch] after position_ids."""

    def __init__(self, model: Llama, route: AdapterRoute):
        super().__init__(model)
        self.route = route

    def forward(self, input_ids, attention_mask, position_ids, adapter_ids, *past_flat):
        self.route.set(adapter_ids)
        return self.decode(input_ids, attention_mask, position_ids, past_flat)


def export_onnx(model: Llama, path: Path, route: AdapterRoute | None = None) -> None:
    """route: the model's adapters are routed per row (the graph takes `adapter_ids`); None: merged or none."""
    model.eval()
    cfg = model.cfg
    inputs, outputs = io_names(cfg.n_layers)
    batch, seq, past_len = 2, 3, 4  # a non-empty past keeps every shape symbolic; an empty one works at run time
    ids = torch.randint(10, cfg.vocab_size, (batch, seq))
    mask = torch.ones((batch, past_len + seq), dtype=torch.long)
    pos = torch.arange(past_len, past_len + seq).unsqueeze(0).repeat(batch, 1)
    past = [torch.randn(batch, cfg.n_kv_heads, past_len, cfg.head_dim) for _ in range(2 * cfg.n_layers)]
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"}, "logits": {0: "batch_size"}}
    for name in inputs[3:]:
        axes[name] = {0: "batch_size", 2: "past_sequence_length"}
    for name in outputs[1:]:
        axes[name] = {0: "batch_size", 2: "total_sequence_length"}
    wrapper, args = _OnnxLlama(model), (ids, mask, pos, *past)
    if route is not None:
        inputs = [*inputs[:3], ADAPTER_IDS, *inputs[3:]]
        axes[ADAPTER_IDS] = {0: "batch_size"}
        wrapper, args = _OnnxRoutedLlama(model, route), (ids, mask, pos, torch.arange(batch) % route.count, *past)
    with torch.no_grad():
        torch.onnx.export(wrapper, args, str(path), input_names=inputs, output_names=outputs, dynamic_axes=axes,
                          opset_version=OPSET, do_constant_folding=True)


def share_tied_head(path: Path, vocab: int) -> None:
    """torch's constant folding stores the head as a transposed copy of the embedding (+113 MB); point the head at
    the embedding itself instead (Gemm with transB) and drop the copy."""
    import onnx
    from onnx import helper

    proto = onnx.load(str(path))
    graph = proto.graph
    inits = {i.name: i for i in graph.initializer}
    gather = next(n for n in graph.node if n.op_type == "Gather" and "embed_tokens" in n.name)
    table = gather.input[0]
    for index, node in enumerate(graph.node):
        if node.op_type != "MatMul" or node.input[1] not in inits:
            continue
        weight = inits[node.input[1]]
        if list(weight.dims) != [inits[table].dims[1], vocab]:
            continue
        gemm = helper.make_node("Gemm", [node.input[0], table], list(node.output), name=node.name + "_tied",
                                transB=1)
        graph.node.remove(node)
        graph.node.insert(index, gemm)
        graph.initializer.remove(weight)
        break
    else:
        raise ValueError("no head MatMul on a transposed embedding found")
    onnx.save(proto, str(path))
    onnx.checker.check_model(str(path))


def quantize_int8(src: Path, dst: Path) -> list[str]:
    """Dynamic int8 (per-tensor) on the block MatMuls except the 30 down_proj ones and the head.

    Measured on this base (greedy tokens identical to fp32 on the parity prompts): per-channel int8 in onnxruntime
    1.22's quantize_dynamic gives garbage (4 % identical), per-tensor keeps most (75 % on an early checkpoint; see the
    model card for the trained one); down_proj's activations carry outliers that int8 turns into wrong tokens, and the
    head stays fp32 so that it can share the embedding (share_tied_head). Run before share_tied_head: the quantiser
    rewrites a weight that a Gemm and the embedding's Gather share, which breaks the Gather."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(src), load_external_data=False).graph
    inits = {i.name: list(i.dims) for i in graph.initializer}
    vocab = max(d for dims in inits.values() for d in dims)
    excluded = [n.name for n in graph.node if n.op_type == "MatMul" and (
        "down_proj" in n.name or vocab in inits.get(n.input[1], []))]
    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=False,
                     op_types_to_quantize=["MatMul"], nodes_to_exclude=excluded)
    return excluded


def ort_session(path: Path, threads: int = 1):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def left_pad(prompts: list[list[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    n = max(len(p) for p in prompts)
    ids = np.full((len(prompts), n), pad_id, np.int64)
    mask = np.zeros((len(prompts), n), np.int64)
    for r, p in enumerate(prompts):
        ids[r, n - len(p):] = p
        mask[r, n - len(p):] = 1
    return ids, mask


def first_positions(mask: np.ndarray) -> np.ndarray:
    pos = mask.cumsum(-1) - 1
    return np.where(mask == 0, 1, pos).astype(np.int64)


def greedy_loop(step, prompts: list[list[int]], max_new: int, pad_id: int,
                stop_id: int | None = None) -> tuple[list[list[int]], float]:
    """The runtime's greedy procedure (left padding, position_ids = cumsum(mask) - 1 with padding at 1, then one token
    per step after the cache) around `step(ids, mask, positions) -> last-position logits [rows, vocab]` (numpy), which
    keeps its own cache. Returns the new ids per prompt and the smallest top-1 minus top-2 margin seen."""
    ids, mask = left_pad(prompts, pad_id)
    pos = first_positions(mask)
    out: list[list[int]] = [[] for _ in prompts]
    done = [False] * len(prompts)
    margin = float("inf")
    for _ in range(max_new):
        last = step(ids, mask, pos)
        top2 = np.sort(last, axis=-1)[:, -2:]
        for row in range(len(prompts)):
            if not done[row]:
                margin = min(margin, float(top2[row, 1] - top2[row, 0]))
        nxt = last.argmax(-1)
        for row, tok in enumerate(nxt.tolist()):
            if not done[row]:
                out[row].append(int(tok))
                done[row] = stop_id is not None and tok == stop_id
        if all(done):
            break
        ids = nxt.reshape(-1, 1).astype(np.int64)
        mask = np.concatenate([mask, np.ones((len(prompts), 1), np.int64)], axis=1)
        pos = mask.sum(-1, keepdims=True).astype(np.int64) - 1
    return out, margin


def ort_greedy(session, n_layers: int, n_kv_heads: int, head_dim: int, prompts: list[list[int]], max_new: int,
               pad_id: int, stop_id: int | None = None,
               adapter_ids: list[int] | None = None) -> tuple[list[list[int]], float]:
    """greedy_loop through onnxruntime, the cache fed back as past_key_values (empty on the first step);
    adapter_ids: each prompt's adapter, for a graph with routed adapters."""
    feeds = {f"past_key_values.{i}.{k}": np.zeros((len(prompts), n_kv_heads, 0, head_dim), np.float32)
             for i in range(n_layers) for k in ("key", "value")}
    if adapter_ids is not None:
        feeds[ADAPTER_IDS] = np.array(adapter_ids, np.int64)

    def step(ids, mask, pos):
        res = session.run(None, {"input_ids": ids, "attention_mask": mask, "position_ids": pos, **feeds})
        for i in range(n_layers):
            feeds[f"past_key_values.{i}.key"] = res[1 + 2 * i]
            feeds[f"past_key_values.{i}.value"] = res[2 + 2 * i]
        return res[0][:, -1, :]

    return greedy_loop(step, prompts, max_new, pad_id, stop_id)


@torch.no_grad()
def torch_greedy(model: Llama, prompts: list[list[int]], max_new: int, pad_id: int,
                 stop_id: int | None = None, route: AdapterRoute | None = None,
                 adapter_ids: list[int] | None = None) -> tuple[list[list[int]], float]:
    """greedy_loop in PyTorch, with the model's own cache (and each prompt's adapter when they are routed)."""
    cache = {"past": None}
    if route is not None:
        route.set(torch.tensor(adapter_ids if adapter_ids is not None else [0] * len(prompts), dtype=torch.long))

    def step(ids, mask, pos):
        logits, cache["past"] = model(torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(pos),
                                      cache["past"], last_only=True)
        return logits[:, -1, :].numpy()

    return greedy_loop(step, prompts, max_new, pad_id, stop_id)


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
