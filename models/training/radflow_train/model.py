"""A small GPT-style decoder whose forward pass has exactly the inputs and outputs of Hugging Face Optimum's
"decoder with past" ONNX convention, so the same class trains, generates with a KV cache and exports."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .llama import LoRALinear

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

    # --- LoRA (the retrainer's adapters; the forward above is unchanged without them) --------------------------------

    # Linear layers of a block by their state-dict path under blocks.<i>.
    LORA_TARGETS = ("attn.qkv", "attn.proj", "mlp.0", "mlp.2")

    def add_lora(self, rank: int, alpha: float, targets=LORA_TARGETS, dropout: float = 0.0) -> None:
        """Wraps the target linears of every block in LoRALinear (B = 0: the model is unchanged) and freezes every
        other parameter, so only the adapter learns."""
        unknown = set(targets) - set(self.LORA_TARGETS)
        if unknown:
            raise ValueError(f"unknown LoRA targets {sorted(unknown)} (known: {', '.join(self.LORA_TARGETS)})")
        for p in self.parameters():
            p.requires_grad_(False)
        for block in self.blocks:
            for target in targets:
                parent, name = _parent_of(block, target)
                child = getattr(parent, name)
                if isinstance(child, nn.Linear):
                    setattr(parent, name, LoRALinear(child, rank, alpha, dropout))

    def lora_state(self) -> dict[str, torch.Tensor]:
        """The adapter alone (lora_a, lora_b of each wrapped linear), by state-dict name."""
        return {k: v.detach().clone() for k, v in self.state_dict().items() if ".lora_" in k}

    @torch.no_grad()
    def load_lora(self, state: dict[str, torch.Tensor]) -> None:
        """Loads an adapter saved by lora_state into a model that add_lora wrapped the same way."""
        own = {k: v for k, v in self.state_dict().items() if ".lora_" in k}
        if set(own) != set(state):
            raise ValueError(f"adapter does not fit: {len(set(own) ^ set(state))} tensors differ in name")
        for name, tensor in own.items():
            tensor.copy_(state[name].to(tensor.dtype))

    @torch.no_grad()
    def merge_lora(self) -> None:
        """Folds every adapter into its base weight and removes the wrappers: the plain Decoder the export serves."""
        for block in self.blocks:
            for target in self.LORA_TARGETS:
                parent, name = _parent_of(block, target)
                child = getattr(parent, name)
                if isinstance(child, LoRALinear):
                    child.base.weight.copy_(child.merged_weight())
                    setattr(parent, name, child.base)

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


def _parent_of(block: nn.Module, target: str) -> tuple[nn.Module, str]:
    path, _, name = target.rpartition(".")
    return block.get_submodule(path) if path else block, name


def positions_from_mask(attention_mask: torch.Tensor) -> torch.Tensor:
    """Optimum / transformers semantics for left padding: cumsum(mask) - 1, with padding positions set to 1."""
    pos = attention_mask.long().cumsum(-1) - 1
    return pos.masked_fill(attention_mask == 0, 1)
