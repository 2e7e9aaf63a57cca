"""The decoder's masking/KV-cache semantics and the ONNX export, on a tiny random model; the committed tiny-random
fixture's parity ids through onnxruntime."""
import json
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import onnx  # noqa: E402,F401  (before torch: see train.py)
import numpy as np  # noqa: E402
import torch  # noqa: E402

from radflow_train import export  # noqa: E402
from radflow_train.generate import greedy, left_pad  # noqa: E402
from radflow_train.model import Decoder, DecoderConfig, positions_from_mask  # noqa: E402

TINY = Path(__file__).resolve().parents[2] / "tiny-random"


def tiny_model():
    torch.manual_seed(0)
    return Decoder(DecoderConfig(vocab_size=64, n_layer=2, n_head=2, d_model=16, max_position=64, init_std=0.3)).eval()


class DecoderTest(unittest.TestCase):
    def test_left_padding_does_not_change_the_real_tokens_logits(self):
        m = tiny_model()
        a, b = [5, 6, 7, 8, 9], [10, 11]
        ids, mask = left_pad([a, b], pad_id=1)
        with torch.no_grad():
            batch, _ = m(ids, mask, positions_from_mask(mask))
            alone, _ = m(torch.tensor([b]), torch.ones(1, 2, dtype=torch.long), torch.tensor([[0, 1]]))
        self.assertTrue(torch.isfinite(batch).all())
        self.assertTrue(torch.allclose(batch[1, -2:], alone[0], atol=1e-5))

    def test_kv_cache_steps_match_a_full_forward(self):
        m = tiny_model()
        seq = torch.tensor([[3, 4, 5, 6, 7, 8]])
        with torch.no_grad():
            full, _ = m(seq, torch.ones_like(seq), torch.arange(6).unsqueeze(0))
            first, past = m(seq[:, :4], torch.ones(1, 4, dtype=torch.long), torch.arange(4).unsqueeze(0), m.empty_past(1))
            step, _ = m(seq[:, 4:], torch.ones(1, 6, dtype=torch.long), torch.tensor([[4, 5]]), past)
        self.assertTrue(torch.allclose(torch.cat([first, step], 1), full, atol=1e-5))

    def test_onnx_export_matches_pytorch_with_empty_past(self):
        m = tiny_model()
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "model.onnx"
            export.export_onnx(m, path)
            sess = export.ort_session(path)
            names = [i.name for i in sess.get_inputs()]
            self.assertEqual(names[:4], ["input_ids", "attention_mask", "position_ids", "past_key_values.0.key"])
            prompts = [[5, 6, 7, 8, 9, 10], [11, 12, 13]]
            got, margin = export.ort_greedy(sess, 2, 2, 8, prompts, 8, pad_id=1)
        want = greedy(m, prompts, 8, pad_id=1)
        self.assertGreater(margin, 1e-4)
        self.assertEqual(got, want)


class TinyRandomFixtureTest(unittest.TestCase):
    def test_parity_ids_reproduce_through_onnxruntime(self):
        parity = json.loads((TINY / "parity.json").read_text())
        config = json.loads((TINY / "config.json").read_text())
        sess = export.ort_session(TINY / parity["model"])
        for case in parity["cases"]:
            got, _ = export.ort_greedy(sess, config["num_hidden_layers"], config["num_attention_heads"],
                                       config["head_dim"], [case["promptIds"]], parity["maxNewTokens"],
                                       parity["padTokenId"])
            self.assertEqual(got[0], case["generatedIds"])
        manifest = json.loads((TINY / "radflow-model.json").read_text())
        self.assertEqual(manifest["onnx"]["model"], "model.onnx")
        self.assertTrue((TINY / manifest["tokenizer"]).exists())


if __name__ == "__main__":
    unittest.main()


class LegNameTest(unittest.TestCase):
    def test_a_further_leg_of_the_same_mixture_gets_the_next_number(self):
        import train

        self.assertEqual(train.leg_name("instruct", [{"stage": "lm"}]), "instruct")
        history = [{"stage": "lm"}, {"stage": "instruct"}, {"stage": "instruct-focus"}]
        self.assertEqual(train.leg_name("instruct-focus", history), "instruct-focus-2")
        self.assertEqual(train.leg_name("instruct-focus", history + [{"stage": "instruct-focus-2"}]), "instruct-focus-3")
