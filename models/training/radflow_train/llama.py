"""A short Llama decoder in plain PyTorch (nanoGPT style) for SmolLM2-style checkpoints, with LoRA.

Why not transformers: 4.47.1 is the last release that accepts Debian's torch 1.13 and its generate() crashes there;
this file is the whole model, exports to ONNX in the Optimum "decoder with past" layout and is easy to read.

Shapes follow Hugging Face Llama: rotate-half RoPE over the whole head, grouped-query attention (n_kv_heads <
n_heads), RMSNorm, SiLU-gated MLP, tied input/output embedding. The KV cache holds n_kv_heads heads (what the ONNX
graph emits as present.{i}.key/value), repeated to n_heads inside attention only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

MASKED = -1e9  # finite, never -inf: a fully masked (padding) row must not give NaN


@dataclass
class LlamaConfig:
    vocab_size: int = 49152
    n_layers: int = 30
    d_model: int = 576
    n_heads: int = 9
    n_kv_heads: int = 3
    d_ff: int = 1536
    rope_theta: float = 100000.0
    rms_eps: float = 1e-5
    max_positions: int = 8192

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_heads

    def hf_config(self, bos: int, eos: int, pad: int) -> dict:
        """config.json as Hugging Face writes it for LlamaForCausalLM (read by the TypeScript runtime)."""
        return {
            "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": self.vocab_size,
            "hidden_size": self.d_model, "intermediate_size": self.d_ff, "num_hidden_layers": self.n_layers,
            "num_attention_heads": self.n_heads, "num_key_value_heads": self.n_kv_heads, "head_dim": self.head_dim,
            "rope_theta": self.rope_theta, "rms_norm_eps": self.rms_eps, "max_position_embeddings": self.max_positions,
            "tie_word_embeddings": True, "hidden_act": "silu", "bos_token_id": bos, "eos_token_id": eos,
            "pad_token_id": pad, "torch_dtype": "float32",
        }


class LoRALinear(nn.Module):
    """y = W x + (alpha / r) * B A x, with W frozen. B starts at zero, so a fresh adapter changes nothing."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float, dropout: float = 0.0):
        super().__init__()
        self.base = base
        self.rank = rank
        self.scale = alpha / rank
        self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        base.weight.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (self.dropout(x) @ self.lora_a.t() @ self.lora_b.t()) * self.scale

    @torch.no_grad()
    def merged_weight(self) -> torch.Tensor:
        return self.base.weight + (self.lora_b @ self.lora_a) * self.scale


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dtype = x.dtype
        x = x.float()
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dtype)


def rope_tables(position_ids: torch.Tensor, head_dim: int, theta: float) -> tuple[torch.Tensor, torch.Tensor]:
    """cos, sin [batch, 1, seq, head_dim] for rotate-half RoPE at the given positions."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32, device=position_ids.device)
                                / head_dim))
    freqs = position_ids.to(torch.float32).unsqueeze(-1) * inv_freq  # [b, s, hd/2]
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos().unsqueeze(1), emb.sin().unsqueeze(1)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


class Attention(nn.Module):
    def __init__(self, cfg: LlamaConfig):
        super().__init__()
        self.cfg = cfg
        hd = cfg.head_dim
        self.q_proj = nn.Linear(cfg.d_model, cfg.n_heads * hd, bias=False)
        self.k_proj = nn.Linear(cfg.d_model, cfg.n_kv_heads * hd, bias=False)
        self.v_proj = nn.Linear(cfg.d_model, cfg.n_kv_heads * hd, bias=False)
        self.o_proj = nn.Linear(cfg.n_heads * hd, cfg.d_model, bias=False)

    def forward(self, x, cos, sin, bias, past_k=None, past_v=None):
        b, s, _ = x.shape
        cfg, hd = self.cfg, self.cfg.head_dim
        q = self.q_proj(x).view(b, s, cfg.n_heads, hd).transpose(1, 2)
        k = self.k_proj(x).view(b, s, cfg.n_kv_heads, hd).transpose(1, 2)
        v = self.v_proj(x).view(b, s, cfg.n_kv_heads, hd).transpose(1, 2)
        q = q * cos.to(q.dtype) + rotate_half(q) * sin.to(q.dtype)
        k = k * cos.to(k.dtype) + rotate_half(k) * sin.to(k.dtype)
        if past_k is not None:
            k = torch.cat([past_k.to(k.dtype), k], dim=2)
            v = torch.cat([past_v.to(v.dtype), v], dim=2)
        present = (k, v)
        group = cfg.n_heads // cfg.n_kv_heads
        if group > 1:  # expand, not repeat_interleave: the latter exports with the traced sizes baked in
            k = k.unsqueeze(2).expand(-1, -1, group, -1, -1).flatten(1, 2)
            v = v.unsqueeze(2).expand(-1, -1, group, -1, -1).flatten(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(hd) + bias.to(q.dtype)
        out = F.softmax(scores.float(), dim=-1).to(v.dtype) @ v
        return self.o_proj(out.transpose(1, 2).reshape(b, s, cfg.n_heads * hd)), present


class MLP(nn.Module):
    def __init__(self, cfg: LlamaConfig):
        super().__init__()
        self.gate_proj = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.up_proj = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.down_proj = nn.Linear(cfg.d_ff, cfg.d_model, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    def __init__(self, cfg: LlamaConfig):
        super().__init__()
        self.input_layernorm = RMSNorm(cfg.d_model, cfg.rms_eps)
        self.self_attn = Attention(cfg)
        self.post_attention_layernorm = RMSNorm(cfg.d_model, cfg.rms_eps)
        self.mlp = MLP(cfg)

    def forward(self, x, cos, sin, bias, past_k=None, past_v=None):
        h, present = self.self_attn(self.input_layernorm(x), cos, sin, bias, past_k, past_v)
        x = x + h
        return x + self.mlp(self.post_attention_layernorm(x)), present


def attention_bias(attention_mask: torch.Tensor, seq: int) -> torch.Tensor:
    """[b, 1, seq, past+seq]: causal within the new tokens, padding (mask 0) hidden everywhere."""
    total = attention_mask.shape[1]
    past = total - seq
    causal = torch.ones(seq, total, dtype=torch.bool, device=attention_mask.device).tril(diagonal=past)
    allowed = causal.unsqueeze(0) & attention_mask.bool().unsqueeze(1)
    return torch.where(allowed, 0.0, MASKED).unsqueeze(1)


class Llama(nn.Module):
    def __init__(self, cfg: LlamaConfig):
        super().__init__()
        self.cfg = cfg
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.layers = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.norm = RMSNorm(cfg.d_model, cfg.rms_eps)

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None, last_only=False,
                frozen_below: int = 0, hidden_only: bool = False):
        """Logits [b, s or 1, vocab] and the new cache (list of (k, v) per layer).

        frozen_below: blocks under this index run without autograd (nothing in them trains), which saves the
        activations that a backward pass through them would need.
        """
        b, s = input_ids.shape
        past_len = 0 if past is None else past[0][0].shape[2]
        if attention_mask is None:
            attention_mask = torch.ones(b, past_len + s, dtype=torch.long, device=input_ids.device)
        if position_ids is None:
            position_ids = (attention_mask.cumsum(-1) - 1).clamp(min=0)[:, past_len:]
        cos, sin = rope_tables(position_ids, self.cfg.head_dim, self.cfg.rope_theta)
        bias = attention_bias(attention_mask, s)
        presents = []
        grad_on = torch.is_grad_enabled()
        with torch.set_grad_enabled(grad_on and frozen_below == 0):
            x = self.embed_tokens(input_ids)
        for i, layer in enumerate(self.layers):
            pk, pv = (None, None) if past is None else past[i]
            with torch.set_grad_enabled(grad_on and i >= frozen_below):
                x, present = layer(x, cos, sin, bias, pk, pv)
            presents.append(present)
        if last_only:
            x = x[:, -1:, :]
        x = self.norm(x)
        if hidden_only:  # the caller applies the head to the positions it needs (training: answer tokens only)
            return x, presents
        return F.linear(x, self.embed_tokens.weight), presents

    # --- LoRA -----------------------------------------------------------------------------------------------------

    LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")

    def add_lora(self, rank: int, alpha: float, first_layer: int = 0, targets=LORA_TARGETS, dropout: float = 0.0):
        """Wraps the target linears of blocks first_layer.. in LoRALinear and freezes everything else."""
        for p in self.parameters():
            p.requires_grad_(False)
        for i in range(first_layer, self.cfg.n_layers):
            for parent in (self.layers[i].self_attn, self.layers[i].mlp):
                for name in targets:
                    if hasattr(parent, name) and isinstance(getattr(parent, name), nn.Linear):
                        setattr(parent, name, LoRALinear(getattr(parent, name), rank, alpha, dropout))

    def lora_state(self) -> dict[str, torch.Tensor]:
        return {k: v.detach().clone() for k, v in self.state_dict().items() if ".lora_" in k}

    @torch.no_grad()
    def merge_lora(self) -> None:
        """Folds every adapter into its base weight and removes the wrappers (what the ONNX export serves)."""
        for layer in self.layers:
            for parent in (layer.self_attn, layer.mlp):
                for name, child in list(parent.named_children()):
                    if isinstance(child, LoRALinear):
                        child.base.weight.copy_(child.merged_weight())
                        setattr(parent, name, child.base)
