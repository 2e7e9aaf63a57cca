"""Routed adapters (radflow_train.routed_lora): several LoRA adapters over one frozen Llama, chosen per batch row, in
PyTorch and in the exported ONNX graph (`adapter_ids` input)."""
from __future__ import annotations

import tempfile
import unittest
from pathlib import Path

import onnx  # noqa: F401  (before torch)
import torch

from radflow_train import cxr_export
from radflow_train.routed_lora import route_adapters
from tests.test_cxr import TINY, tiny

PROMPTS = [[5, 6, 7, 8, 9], [11, 12], [13, 14, 15]]


def trained_adapter(seed: int, rank: int, first_layer: int) -> dict[str, torch.Tensor]:
    """A LoRA state as lora_state() saves it, with B non-zero so that the adapter changes the outputs."""
    model = tiny()
    model.add_lora(rank=rank, alpha=2 * rank, first_layer=first_layer)
    torch.manual_seed(seed)
    for name, p in model.named_parameters():
        if ".lora_" in name:
            torch.nn.init.normal_(p, std=0.4)
    return model.lora_state()


def merged(state: dict[str, torch.Tensor], rank: int, first_layer: int):
    model = tiny()
    model.add_lora(rank=rank, alpha=2 * rank, first_layer=first_layer)
    model.load_state_dict(state, strict=False)
    model.merge_lora()
    return model.eval()


class RoutedLoRATest(unittest.TestCase):
    def setUp(self):
        # Different ranks and blocks: a task adapter in both blocks, a narrower one in the top block only.
        self.first = trained_adapter(1, rank=4, first_layer=0)
        self.second = trained_adapter(2, rank=2, first_layer=1)
        self.model = tiny()
        self.route = route_adapters(self.model, [(self.first, 2.0), (self.second, 2.0)])

    def test_each_row_gets_its_own_adapter_as_if_merged_alone(self):
        x = torch.tensor([[3, 4, 5, 6], [7, 8, 9, 10], [3, 4, 5, 6]])
        self.route.set(torch.tensor([0, 1, 1]))
        with torch.no_grad():
            routed, _ = self.model(x)
            first, _ = merged(self.first, 4, 0)(x)
            second, _ = merged(self.second, 2, 1)(x)
            base, _ = tiny()(x)
        self.assertTrue(torch.allclose(routed[0], first[0], atol=1e-4))
        self.assertTrue(torch.allclose(routed[1], second[1], atol=1e-4))
        self.assertTrue(torch.allclose(routed[2], second[2], atol=1e-4))
        self.assertFalse(torch.allclose(first[0], second[0], atol=1e-2))
        self.assertFalse(torch.allclose(first[0], base[0], atol=1e-2))

    def test_an_adapter_the_model_cannot_take_is_refused(self):
        stray = {"layers.7.mlp.up_proj.lora_a": torch.zeros(2, 48), "layers.7.mlp.up_proj.lora_b": torch.zeros(64, 2)}
        with self.assertRaisesRegex(ValueError, "no linear of this model takes"):
            route_adapters(tiny(), [(stray, 1.0)])

    def test_onnx_graph_takes_adapter_ids_and_matches_pytorch_on_a_mixed_batch(self):
        ids = [1, 0, 1]
        want, _ = cxr_export.torch_greedy(self.model, PROMPTS, 8, 0, route=self.route, adapter_ids=ids)
        alone = [cxr_export.torch_greedy(merged(*spec), [p], 8, 0)[0][0]
                 for p, spec in zip(PROMPTS, [(self.second, 2, 1), (self.first, 4, 0), (self.second, 2, 1)])]
        self.assertEqual(want, alone)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "model.onnx"
            cxr_export.export_onnx(self.model, path, route=self.route)
            cxr_export.share_tied_head(path, TINY.vocab_size)
            session = cxr_export.ort_session(path)
            names = [i.name for i in session.get_inputs()]
            self.assertEqual(names[:4], ["input_ids", "attention_mask", "position_ids", "adapter_ids"])
            got, margin = cxr_export.ort_greedy(session, TINY.n_layers, TINY.n_kv_heads, TINY.head_dim, PROMPTS, 8,
                                                0, adapter_ids=ids)
        self.assertEqual(got, want, f"margin {margin}")


if __name__ == "__main__":
    unittest.main()
