"""LoRA on the small decoder (the retrainer's adapters), the replay sampler, and the retrainer's trainer end to end on
the tiny model: adapter + manifest out, merged directory rebuilt from base + adapter with the same greedy ids."""
import hashlib
import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import onnx  # noqa: E402,F401  (before torch: see train.py)
import torch  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

from radflow_train import data, export, prompts, replay, trainer  # noqa: E402
from radflow_train.llama import LoRALinear  # noqa: E402
from radflow_train.model import Decoder, DecoderConfig  # noqa: E402

REPO = Path(__file__).resolve().parents[3]
TINY = REPO / "models" / "tiny-random"
FINETUNE = REPO / "apps" / "retrainer" / "trainer" / "finetune.py"


def tiny_model(seed=0):
    torch.manual_seed(seed)
    return Decoder(DecoderConfig(vocab_size=64, n_layer=2, n_head=2, d_model=16, max_position=64, init_std=0.3)).eval()


def forward(model, ids):
    mask = torch.ones_like(ids)
    pos = torch.arange(ids.shape[1]).unsqueeze(0).expand_as(ids)
    return model(ids, mask, pos)[0]


IDS = torch.tensor([[5, 9, 3, 17, 40, 2, 8], [7, 7, 1, 30, 12, 60, 4]])


def randomise_adapter(model, seed=1):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".lora_b" in name:
                p.copy_(torch.randn(p.shape, generator=g) * 0.3)


class DecoderLoRATest(unittest.TestCase):
    def test_a_fresh_adapter_gives_the_base_logits(self):
        m = tiny_model()
        base = forward(m, IDS).detach()
        m.add_lora(rank=4, alpha=8)
        self.assertEqual(sum(isinstance(x, LoRALinear) for x in m.modules()), 2 * 4)
        self.assertTrue(torch.equal(forward(m, IDS), base))

    def test_merged_weights_give_the_unmerged_forward_and_a_plain_state_dict(self):
        m = tiny_model()
        plain_keys = set(m.state_dict())
        m.add_lora(rank=4, alpha=8)
        randomise_adapter(m)
        adapted = forward(m, IDS).detach()
        self.assertFalse(torch.allclose(adapted, forward(tiny_model(), IDS), atol=1e-3))
        m.merge_lora()
        self.assertFalse(any(isinstance(x, LoRALinear) for x in m.modules()))
        self.assertEqual(set(m.state_dict()), plain_keys)
        self.assertTrue(torch.allclose(forward(m, IDS), adapted, atol=1e-5))

    def test_only_the_adapter_learns(self):
        m = tiny_model()
        m.add_lora(rank=4, alpha=8, targets=("attn.qkv", "mlp.2"))
        m.train()
        batch = [trainer.Sequence([5, 9, 3, 17, 40], [-100, -100, 3, 17, 40])]
        loss, _ = trainer.loss_of(m, batch, pad_id=1)
        loss.backward()
        with_grad = {n for n, p in m.named_parameters() if p.grad is not None}
        trainable = {n for n, p in m.named_parameters() if p.requires_grad}
        self.assertEqual(with_grad, trainable)
        self.assertEqual(trainable, {f"blocks.{i}.{t}.lora_{ab}" for i in range(2) for t in ("attn.qkv", "mlp.2")
                                     for ab in "ab"})

    def test_a_saved_adapter_loads_into_a_fresh_wrap(self):
        m = tiny_model()
        m.add_lora(rank=4, alpha=8)
        randomise_adapter(m)
        other = tiny_model()
        other.add_lora(rank=4, alpha=8)
        other.load_lora(m.lora_state())
        self.assertTrue(torch.equal(forward(other, IDS), forward(m, IDS)))
        bad = tiny_model()
        bad.add_lora(rank=4, alpha=8, targets=("attn.qkv",))
        with self.assertRaises(ValueError):
            bad.load_lora(m.lora_state())
        with self.assertRaises(ValueError):
            tiny_model().add_lora(rank=4, alpha=8, targets=("attn.q",))


class ReplayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.reports = replay.train_split_reports()[:300]

    def test_the_train_split_only(self):
        self.assertEqual({data.split_of(r.uid) for r in self.reports}, {"train"})

    def test_the_sample_is_fixed_by_its_seed(self):
        a = replay.replay_sample(self.reports, 40, seed=7)
        b = replay.replay_sample(self.reports, 40, seed=7)
        c = replay.replay_sample(self.reports, 40, seed=8)
        self.assertEqual(len(a), 40)
        self.assertEqual(a, b)
        self.assertNotEqual([(e.uid, e.task) for e in a], [(e.uid, e.task) for e in c])
        self.assertEqual(len({(e.uid, e.task, e.prompt) for e in a}), 40)  # without replacement

    def test_weights_and_tasks_shape_the_mixture(self):
        only = replay.replay_sample(self.reports, 30, seed=7, task_ids={"impression", "device_labels"},
                                    weights={"device_labels": 0.0})
        self.assertEqual({e.task for e in only}, {"impression"})

    def test_the_facts_are_hashes_and_counts_never_text(self):
        sample = replay.replay_sample(self.reports, 25, seed=3)
        facts = replay.replay_facts(sample, ratio=1.0, seed=3)
        self.assertEqual(facts["count"], 25)
        self.assertEqual(sum(facts["countsPerTask"].values()), 25)
        self.assertEqual(facts["examples"][0]["reportIdSha256"], replay.sha256_hex(sample[0].uid))
        dumped = json.dumps(facts)
        for e in sample:
            self.assertNotIn(e.answer, dumped)
            self.assertNotIn(f'"{e.uid}"', dumped)
        for r in self.reports:
            if r.findings:
                self.assertNotIn(r.findings[:40], dumped)


class FinetuneAdapterTest(unittest.TestCase):
    """apps/retrainer/trainer/finetune.py on models/tiny-random: adapter, manifest, merged; --rebuild is identical."""

    @classmethod
    def setUpClass(cls):
        cls.work = Path(tempfile.mkdtemp(prefix="radflow-lora-"))
        (cls.work / "data" / "train").mkdir(parents=True)
        lines = []
        for i in range(10):
            prompt = prompts.build_prompt("impression", findings=f"The heart is normal in size. Study {i}.")
            answer = "1. No acute cardiopulmonary abnormality."
            lines.append(json.dumps({"uid": f"u{i}", "task": "impression", "prompt": prompt, "answer": answer,
                                     "text": prompt + answer + prompts.end_of_text()}))
        cls.lines = lines
        (cls.work / "data" / "train" / "impression.jsonl").write_text("\n".join(lines) + "\n")
        cls.out = cls.work / "out"
        cls.events = cls.finetune("--base", TINY, "--data", cls.work / "data", "--out", cls.out, "--name", "tiny-ft",
                               "--version", "0.1.0-ft.t", "--steps", "3", "--max-epochs", "100", "--lr", "1e-2",
                               "--replay-ratio", "0.5", "--seed", "7", "--data-snapshot", "ab" * 32)

    @staticmethod
    def finetune(*args):
        done = subprocess.run([sys.executable, str(FINETUNE), *map(str, args)], capture_output=True, text=True,
                              env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}, timeout=300)
        if done.returncode != 0:
            raise AssertionError(done.stderr[-2000:])
        return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]

    def test_the_adapter_and_its_manifest(self):
        started = next(e for e in self.events if e["event"] == "started")
        self.assertEqual((started["mode"], started["examples"], started["replayExamples"]), ("adapter", 10, 5))
        self.assertLess(started["trainableParameters"], started["parameters"] / 4)
        manifest = json.loads((self.out / "adapter-manifest.json").read_text())
        weights = self.out / "adapter" / "adapter.pt"
        self.assertEqual(manifest["adapter"]["sha256"], hashlib.sha256(weights.read_bytes()).hexdigest())
        self.assertEqual(manifest["baseModel"]["name"], "radflow-tiny-random")
        self.assertEqual(manifest["baseModel"]["onnxSha256"],
                         hashlib.sha256((TINY / "model.onnx").read_bytes()).hexdigest())
        self.assertEqual(manifest["lora"]["rank"], 8)
        self.assertEqual(manifest["data"]["snapshot"], "ab" * 32)
        self.assertEqual([e["sha256"] for e in manifest["data"]["feedback"]["examples"]],
                         [hashlib.sha256(line.encode()).hexdigest() for line in self.lines])
        self.assertEqual(manifest["data"]["replay"]["count"], 5)
        self.assertEqual(manifest["training"]["steps"], 3)
        self.assertTrue(manifest["merged"]["derived"])
        text = (self.out / "adapter-manifest.json").read_text()
        self.assertNotIn("heart", text)
        self.assertNotIn("No acute", text)
        merged = json.loads((self.out / "merged" / "radflow-model.json").read_text())
        self.assertEqual((merged["name"], merged["version"], merged["adapter"]["derived"]), ("tiny-ft", "0.1.0-ft.t", True))

    def test_a_rebuild_from_base_and_adapter_gives_the_same_greedy_ids(self):
        again = self.work / "again"
        again.mkdir()
        for name in ("adapter", "adapter-manifest.json"):
            src = self.out / name
            subprocess.run(["cp", "-r", str(src), str(again / name)], check=True)
        self.finetune("--rebuild", again, "--base", TINY)
        tok = Tokenizer.from_file(str(TINY / "tokenizer.json"))
        cfg = json.loads((TINY / "config.json").read_text())
        ids = [tok.encode(prompts.build_prompt("impression", findings="Clear lungs. Normal heart.")).ids,
               tok.encode(prompts.build_prompt("impression", findings="Small left effusion.")).ids]

        def greedy(model_dir):
            session = export.ort_session(model_dir / "model.onnx")
            return export.ort_greedy(session, cfg["num_hidden_layers"], cfg["num_attention_heads"], cfg["head_dim"],
                                     ids, 12, pad_id=1)[0]

        self.assertEqual(greedy(again / "merged"), greedy(self.out / "merged"))
        self.assertNotEqual(greedy(self.out / "merged"), greedy(TINY))  # the adapter did change the model
        self.assertEqual((again / "merged" / "model.onnx").read_bytes(), (self.out / "merged" / "model.onnx").read_bytes())

    def test_a_rebuild_refuses_another_base(self):
        other = self.work / "other-base"
        subprocess.run(["cp", "-r", str(TINY), str(other)], check=True)
        with (other / "model.onnx").open("ab") as fh:
            fh.write(b"\0")
        done = subprocess.run([sys.executable, str(FINETUNE), "--rebuild", str(self.out), "--base", str(other)],
                              capture_output=True, text=True, env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
        events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        self.assertEqual(done.returncode, 2)
        self.assertEqual(events[-1]["code"], "BASE_MISMATCH")



class ReplayOptionsTest(unittest.TestCase):
    """finetune.py's replay options: which tasks are replayed, and style-neutral replay of the tasks the feedback has."""

    def test_style_neutral_replay_takes_no_loss_where_a_list_style_shows(self):
        sys.path.insert(0, str(FINETUNE.parent))
        import finetune  # noqa: E402

        tok = Tokenizer.from_file(str(TINY / "tokenizer.json"))
        eos = tok.token_to_id("<endoftext>")
        example = finetune.Example("impression", prompts.build_prompt("impression", findings="Clear lungs."),
                                   "No acute disease. Mild cardiomegaly.")
        (seq,), _ = trainer.sft_sequences([example], tok, eos, 512)
        neutral = finetune.style_neutral(seq, tok, eos)
        start = len(tok.encode(example.prompt).ids)
        after_stop = {i for i in range(start + 1, len(seq.ids)) if tok.id_to_token(seq.ids[i - 1]).endswith(".")}
        dropped = [i for i, (a, b) in enumerate(zip(seq.labels, neutral.labels)) if a != b]
        self.assertEqual(dropped, sorted({start} | after_stop - {len(seq.ids) - 1}))
        self.assertGreaterEqual(len(dropped), 2)  # the first word, and the first word of the second sentence
        self.assertEqual(neutral.labels[-1], eos)  # where the answer ends still counts
        self.assertTrue(all(neutral.labels[i] == seq.labels[i] for i in range(len(seq.ids)) if i not in dropped))

    def test_replay_tasks_and_the_manifest_records_them(self):
        work = Path(tempfile.mkdtemp(prefix="radflow-replay-tasks-"))
        (work / "data" / "train").mkdir(parents=True)
        prompt = prompts.build_prompt("impression", findings="The heart is normal in size.")
        answer = "1. No acute cardiopulmonary abnormality."
        line = json.dumps({"uid": "u", "task": "impression", "prompt": prompt, "answer": answer,
                           "text": prompt + answer + prompts.end_of_text()})
        (work / "data" / "train" / "impression.jsonl").write_text((line + "\n") * 6)
        FinetuneAdapterTest.finetune("--base", TINY, "--data", work / "data", "--out", work / "out", "--name", "t",
                                     "--version", "0.1.0-ft.t", "--steps", "1", "--replay-ratio", "1",
                                     "--replay-tasks", "abnormality_labels,impression", "--replay-style-neutral")
        facts = json.loads((work / "out" / "adapter-manifest.json").read_text())["data"]["replay"]
        self.assertEqual(facts["count"], 6)
        self.assertTrue(set(facts["countsPerTask"]) <= {"abnormality_labels", "impression"})
        self.assertEqual(facts["styleNeutralTasks"], ["impression"])


class BaseDistillationTest(unittest.TestCase):
    """finetune.py --kl-weight: KL(base || adapter) on the answer tokens, the base being the adapters switched off."""

    def setUp(self):
        sys.path.insert(0, str(FINETUNE.parent))
        import base_distillation  # noqa: E402

        self.distill = base_distillation
        self.batch = [trainer.Sequence([5, 9, 3, 17, 40, 2], [-100, -100, 3, 17, 40, 2])]

    def test_a_fresh_adapter_is_the_base_so_the_kl_is_zero_and_the_loss_is_the_cross_entropy(self):
        m = tiny_model()
        m.add_lora(rank=4, alpha=8)
        total, ce, kl = self.distill.loss_with_base_distillation(m, self.batch, pad_id=1, kl_weight=0.5)
        self.assertAlmostEqual(float(kl), 0.0, places=6)
        self.assertAlmostEqual(float(total), float(trainer.loss_of(m, self.batch, 1)[0]), places=5)

    def test_a_trained_adapter_pays_its_distance_from_the_base_and_switching_off_restores_it(self):
        m = tiny_model()
        m.add_lora(rank=4, alpha=8)
        randomise_adapter(m)
        adapted = forward(m, IDS).detach()
        with self.distill.adapters_off(m):
            self.assertTrue(torch.allclose(forward(m, IDS), forward(tiny_model(), IDS), atol=1e-6))
        self.assertTrue(torch.equal(forward(m, IDS), adapted))
        total, ce, kl = self.distill.loss_with_base_distillation(m, self.batch, pad_id=1, kl_weight=2.0)
        self.assertGreater(float(kl), 1e-3)
        self.assertAlmostEqual(float(total), float(ce) + 2.0 * float(kl), places=5)
        total.backward()
        self.assertTrue(all(p.grad is not None for n, p in m.named_parameters() if ".lora_" in n))

    def test_finetune_records_the_weight_and_refuses_it_without_an_adapter(self):
        work = Path(tempfile.mkdtemp(prefix="radflow-kl-"))
        (work / "data" / "train").mkdir(parents=True)
        prompt = prompts.build_prompt("impression", findings="The heart is normal in size.")
        line = json.dumps({"uid": "u", "task": "impression", "prompt": prompt, "answer": "1. No acute disease.",
                           "text": prompt + "1. No acute disease." + prompts.end_of_text()})
        (work / "data" / "train" / "impression.jsonl").write_text((line + "\n") * 4)
        common = ["--base", TINY, "--data", work / "data", "--name", "t", "--version", "0.1.0-ft.kl", "--steps", "1",
                  "--replay-ratio", "0", "--kl-weight", "0.5"]
        FinetuneAdapterTest.finetune(*common, "--out", work / "out")
        manifest = json.loads((work / "out" / "adapter-manifest.json").read_text())
        self.assertEqual(manifest["training"]["klWeight"], 0.5)
        refused = subprocess.run([sys.executable, str(FINETUNE), *map(str, common), "--out", str(work / "full"),
                                  "--full"], capture_output=True, text=True)
        self.assertEqual(refused.returncode, 2)
        self.assertIn("--kl-weight", refused.stderr)


if __name__ == "__main__":
    unittest.main()
