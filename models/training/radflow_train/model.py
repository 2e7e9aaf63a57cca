"""A small GPT-style decoder whose forward pass has exactly the inputs and outputs of Hugging Face Optimum's
"decoder with past" ONNX convention, so the same class trains, generates with a KV cache and exports."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

# Masked attention scores get this added: finite (not -inf) so a row with every key masked (a left-pad query)
# gives a finite softmax instead of NaN.
MASK_VALUE = -1e9


@dataclass
class DecoderConfig:
    vocab_size: int
    n_layer: int = 4
    n_head: int = 8
    d_model: int = 256
    max_position: int = 512
    mlp_ratio: int = 4
    dropout: float = 0.0
    init_std: float = 0.02

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_head

    def to_dict(self) -> dict:
        return asdict(self)


Past = list[tuple[torch.Tensor, torch.Tensor]]


class Attention(nn.Module):
    def __init__(self, cfg: DecoderConfig):
        super().__init__()
        assert cfg.d_model % cfg.n_head == 0
        self.n_head = cfg.n_head
        self.head_dim = cfg.head_dim
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)

    def forward(self, x: torch.Tensor, bias: torch.Tensor, past_k: torch.Tensor | None, past_v: torch.Tensor | None):
        b, t, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=-1)
        q = q.view(b, t, self.n_head, self.head_dim).transpose(1, 2)
        k = k.view(b, t, self.n_head, self.head_dim).transpose(1, 2)
        v = v.view(b, t, self.n_head, self.head_dim).transpose(1, 2)
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.head_dim)) + bias
        weights = F.softmax(scores, dim=-1)  # no dropout on attention weights: it costs more than it gives here
        y = torch.matmul(weights, v).transpose(1, 2).reshape(b, t, d)
        return self.proj(y), k, v


class Block(nn.Module):
    def __init__(self, cfg: DecoderConfig):
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.attn = Attention(cfg)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.mlp = nn.Sequential(
            nn.Linear(cfg.d_model, cfg.mlp_ratio * cfg.d_model),
            nn.GELU(),
            nn.Linear(cfg.mlp_ratio * cfg.d_model, cfg.d_model),
            nn.Dropout(cfg.dropout),
        )

    def forward(self, x, bias, past_k, past_v):
        a, k, v = self.attn(self.ln1(x), bias, past_k, past_v)
        x = x + a
        x = x + self.mlp(self.ln2(x))
        return x, k, v


class Decoder(nn.Module):
    def __init__(self, cfg: DecoderConfig):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.wpe = nn.Embedding(cfg.max_position, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)])
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.apply(self._init)
        for block in self.blocks:  # GPT-2's scaled init of the residual projections
            nn.init.normal_(block.attn.proj.weight, std=cfg.init_std / math.sqrt(2 * cfg.n_layer))
            nn.init.normal_(block.mlp[2].weight, std=cfg.init_std / math.sqrt(2 * cfg.n_layer))

    def _init(self, m: nn.Module):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=self.cfg.init_std)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=self.cfg.init_std)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def empty_past(self, batch: int) -> Past:
        shape = (batch, self.cfg.n_head, 0, self.cfg.head_dim)
        return [(torch.zeros(shape), torch.zeros(shape)) for _ in range(self.cfg.n_layer)]

    def forward(
        self,
        input_ids: torch.Tensor,  # [batch, seq] int64
        attention_mask: torch.Tensor,  # [batch, past + seq] int64, 1 = real token, 0 = padding
        position_ids: torch.Tensor,  # [batch, seq] int64, supplied by the caller (cumsum(mask) - 1)
        past: Past | None = None,  # per layer (key, value) [batch, heads, past, head_dim]
    ) -> tuple[torch.Tensor, Past]:
        seq = input_ids.shape[1]
        total = attention_mask.shape[1]
        past_len = total - seq
        # Query i sits at absolute index past_len + i and may see key j when j <= past_len + i and key j is real.
        key_idx = torch.arange(total, device=input_ids.device)
        query_idx = torch.arange(seq, device=input_ids.device) + past_len
        causal = key_idx.unsqueeze(0) <= query_idx.unsqueeze(1)  # [seq, total]
        allowed = causal.unsqueeze(0).unsqueeze(0) & (attention_mask > 0).unsqueeze(1).unsqueeze(2)
        bias = torch.where(allowed, torch.zeros((), dtype=torch.float32), torch.full((), MASK_VALUE))

        # Padding positions may carry any value (Optimum writes 1): clamp so they always index the table.
        positions = position_ids.clamp(0, self.cfg.max_position - 1)
        x = self.drop(self.wte(input_ids) + self.wpe(positions))
        presents: Past = []
        for i, block in enumerate(self.blocks):
            pk, pv = (past[i] if past is not None else (None, None))
            x, k, v = block(x, bias, pk, pv)
            presents.append((k, v))
        logits = F.linear(self.ln_f(x), self.wte.weight)  # tied input and output embeddings
        return logits, presents


def positions_from_mask(attention_mask: torch.Tensor) -> torch.Tensor:
    """Optimum / transformers semantics for left padding: cumsum(mask) - 1, with padding positions set to 1."""
    pos = attention_mask.long().cumsum(-1) - 1
    return pos.masked_fill(attention_mask == 0, 1)
