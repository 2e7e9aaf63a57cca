"""Reading adapter files (their LoRA layout) and the macro-F1 that compare_adapters.py scores label adapters with."""
import json
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import onnx  # noqa: E402,F401  (before torch: see train.py)
import torch  # noqa: E402

from radflow_train import adapter_files, sanity  # noqa: E402


def adapter(first_layer: int, layers: int, rank: int) -> dict[str, torch.Tensor]:
    state = {}
    for i in range(first_layer, layers):
        for parent, name in (("self_attn", "q_proj"), ("mlp", "down_proj")):
            state[f"layers.{i}.{parent}.{name}.lora_a"] = torch.zeros(rank, 8)
            state[f"layers.{i}.{parent}.{name}.lora_b"] = torch.zeros(8, rank)
    return state


class LayoutTest(unittest.TestCase):
    def test_layout_read_off_the_tensors_of_a_run_still_training(self):
        with tempfile.TemporaryDirectory() as tmp:
            layout = adapter_files.lora_layout(Path(tmp) / "state.pt", adapter(12, 30, 64))
        self.assertEqual(layout, {"rank": 64, "alpha": 128, "first_layer": 12, "targets": ["down_proj", "q_proj"]})

    def test_a_finished_runs_summary_wins_over_the_tensors(self):
        with tempfile.TemporaryDirectory() as tmp:
            lora = {"rank": 64, "alpha": 32, "first_layer": 12, "targets": ["q_proj"]}
            (Path(tmp) / "summary.json").write_text(json.dumps({"lora": lora}))
            self.assertEqual(adapter_files.lora_layout(Path(tmp) / "best.pt", adapter(12, 30, 64)), lora)


class LabelScoreTest(unittest.TestCase):
    def test_macro_f1_averages_the_labels_the_references_hold(self):
        preds = [{"cardiomegaly"}, {"cardiomegaly", "edema"}, set()]
        refs = [{"cardiomegaly"}, {"cardiomegaly"}, {"edema"}]
        # cardiomegaly: tp 2 -> F1 1; edema: fp 1, fn 1 -> F1 0; "none" rows add nothing
        self.assertAlmostEqual(sanity.macro_f1(preds, refs), 0.5)
        self.assertEqual(sanity.macro_f1([set()], [set()]), 0.0)


if __name__ == "__main__":
    unittest.main()


class TrainingRecordTest(unittest.TestCase):
    def test_an_adapter_of_a_routed_package_keeps_its_own_record(self):
        with tempfile.TemporaryDirectory() as tmp:
            lora = {"rank": 64, "alpha": 128, "first_layer": 12, "targets": ["q_proj"]}
            meta = {"adapters": [{"file": "adapter-general.pt", "lora": {"rank": 32}, "training": {"steps": 625}},
                                 {"file": "adapter-impression.pt", "lora": lora, "training": {"steps": 417}}]}
            (Path(tmp) / "adapter.json").write_text(json.dumps(meta))
            path = Path(tmp) / "adapter-impression.pt"
            self.assertEqual(adapter_files.training_record(path), {"steps": 417})
            self.assertEqual(adapter_files.lora_layout(path, adapter(12, 30, 64)), lora)

    def test_a_continued_run_names_the_record_it_continues(self):
        with tempfile.TemporaryDirectory() as tmp:
            packaged, run = Path(tmp) / "package", Path(tmp) / "run"
            packaged.mkdir()
            run.mkdir()
            (packaged / "adapter.json").write_text(json.dumps({"adapters": [
                {"file": "adapter-impression.pt", "training": {"steps": 417, "best_val_loss": 1.481}}]}))
            (packaged / "adapter-impression.pt").write_bytes(b"")
            (run / "summary.json").write_text(json.dumps({
                "steps": 278, "best_val_loss": 1.47, "init": str(packaged / "adapter-impression.pt"),
                "init_val_loss": 1.4806, "lr": 2e-4}))
            record = adapter_files.training_record(run / "best.pt")
        self.assertEqual(record["steps"], 278)
        self.assertEqual(record["init_val_loss"], 1.4806)
        self.assertNotIn("lr", record)
        self.assertEqual(record["continues"], {"steps": 417, "best_val_loss": 1.481})
