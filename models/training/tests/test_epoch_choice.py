"""apps/retrainer/trainer/epoch_choice.py: the held-out slice of the feedback, where passes end, and which pass is kept;
and finetune.py --epoch-choice-percent on models/tiny-random (the pass recorded in the manifest is the adapter saved)."""
import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import onnx  # noqa: E402,F401  (before torch: see train.py)
import torch  # noqa: E402

from radflow_train import prompts  # noqa: E402

REPO = Path(__file__).resolve().parents[3]
TINY = REPO / "models" / "tiny-random"
FINETUNE = REPO / "apps" / "retrainer" / "trainer" / "finetune.py"
sys.path.insert(0, str(FINETUNE.parent))

import epoch_choice  # noqa: E402


def scores(*losses):
    """A held-out loss function that answers these losses in turn (pass 0 first)."""
    it = iter(losses)
    return lambda: next(it)


class HoldOutTest(unittest.TestCase):
    def test_the_share_is_held_out_by_a_seeded_draw_keeping_the_order(self):
        seqs = list(range(40))
        train, held = epoch_choice.hold_out(seqs, 20, seed=7)
        self.assertEqual(len(held), 8)
        self.assertEqual(sorted(train + held), seqs)
        self.assertEqual(train, sorted(train))
        self.assertEqual(epoch_choice.hold_out(seqs, 20, seed=7), (train, held))
        self.assertNotEqual(epoch_choice.hold_out(seqs, 20, seed=8)[1], held)

    def test_too_few_to_choose_on_holds_nothing_out(self):
        self.assertEqual(epoch_choice.hold_out(list(range(20)), 20, seed=1), (list(range(20)), []))  # 4 < 5
        self.assertEqual(epoch_choice.hold_out(list(range(40)), 0, seed=1), (list(range(40)), []))
        self.assertEqual(len(epoch_choice.hold_out(list(range(25)), 20, seed=1)[1]), 5)


class PassEndsTest(unittest.TestCase):
    def test_every_full_pass_and_the_last_step_end_a_pass(self):
        self.assertEqual(epoch_choice.pass_ends(14, 4), {4, 8, 12, 14})
        self.assertEqual(epoch_choice.pass_ends(12, 4), {4, 8, 12})
        self.assertEqual(epoch_choice.pass_ends(3, 7), {3})


class EpochChoiceTest(unittest.TestCase):
    def test_keeps_the_best_pass_and_stops_at_the_first_that_is_no_better(self):
        choice = epoch_choice.EpochChoice(scores(2.0, 1.5, 1.2, 1.3, 0.9), held_out=6)
        states = iter([{"pass": 1}, {"pass": 2}, {"pass": 3}])
        self.assertTrue(choice.after_pass(lambda: next(states)))
        self.assertTrue(choice.after_pass(lambda: next(states)))
        self.assertFalse(choice.after_pass(lambda: next(states)))
        self.assertEqual(choice.best_state, {"pass": 2})
        self.assertEqual(choice.facts(4), {"heldOut": 6, "heldOutLoss": [2.0, 1.5, 1.2, 1.3], "chosenPasses": 2,
                                           "plannedPasses": 4})

    def test_the_first_pass_is_kept_even_when_training_made_the_held_out_loss_worse(self):
        # A candidate equal to what serves is no candidate: the first pass stands, and the loss says it was worse.
        choice = epoch_choice.EpochChoice(scores(1.0, 1.4, 1.6), held_out=5)
        self.assertTrue(choice.after_pass(lambda: {"pass": 1}))
        self.assertFalse(choice.after_pass(lambda: {"pass": 2}))
        self.assertEqual((choice.best_pass, choice.best_state), (1, {"pass": 1}))
        self.assertEqual(choice.losses, [1.0, 1.4, 1.6])


class FinetuneEpochChoiceTest(unittest.TestCase):
    def test_the_chosen_pass_is_the_adapter_saved(self):
        work = Path(tempfile.mkdtemp(prefix="radflow-epoch-choice-"))
        (work / "data" / "train").mkdir(parents=True)
        lines = []
        for i in range(30):
            prompt = prompts.build_prompt("impression", findings=f"The heart is normal in size. Study {i}.")
            answer = "1. No acute cardiopulmonary abnormality."
            lines.append(json.dumps({"uid": f"u{i}", "task": "impression", "prompt": prompt, "answer": answer,
                                     "text": prompt + answer + prompts.end_of_text()}))
        (work / "data" / "train" / "impression.jsonl").write_text("\n".join(lines) + "\n")
        common = ["--base", TINY, "--data", work / "data", "--name", "t", "--version", "0.1.0-ft.ec", "--steps", "40",
                  "--max-epochs", "3", "--lr", "1e-2", "--replay-ratio", "0", "--batch-tokens", "1024", "--seed", "3"]
        done = subprocess.run([sys.executable, str(FINETUNE), *map(str, common), "--out", str(work / "out"),
                               "--epoch-choice-percent", "20"], capture_output=True, text=True,
                              env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}, timeout=300)
        self.assertEqual(done.returncode, 0, done.stderr[-2000:])
        events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        started = next(e for e in events if e["event"] == "started")
        self.assertEqual((started["examples"], started["heldOutForEpochChoice"], started["sequences"]), (30, 6, 24))
        manifest = json.loads((work / "out" / "adapter-manifest.json").read_text())
        choice = manifest["training"]["epochChoice"]
        self.assertEqual(choice["heldOut"], 6)
        self.assertEqual(choice["plannedPasses"], 3)
        losses = choice["heldOutLoss"]
        self.assertEqual(choice["chosenPasses"], min(range(1, len(losses)), key=lambda k: losses[k]))
        self.assertLess(losses[choice["chosenPasses"]], losses[0])  # one target for all: held-out loss falls
        # The adapter saved is the chosen pass's: rescoring the held-out slice with it gives the recorded loss.
        import finetune  # noqa: E402
        from radflow_train import trainer  # noqa: E402
        from tokenizers import Tokenizer  # noqa: E402

        tok = Tokenizer.from_file(str(TINY / "tokenizer.json"))
        model, _ = finetune.load_base(TINY, None)
        model.add_lora(manifest["lora"]["rank"], manifest["lora"]["alpha"], tuple(manifest["lora"]["targets"]))
        model.load_lora(torch.load(work / "out" / "adapter" / "adapter.pt"))
        examples, _ = finetune.read_examples(work / "data", None)
        seqs, _ = trainer.sft_sequences(examples, tok, tok.token_to_id("<endoftext>"), model.cfg.max_position)
        _, held = epoch_choice.hold_out(seqs, 20, seed=3)
        loss, _ = trainer.evaluate(model, held, tok.token_to_id("<pad>"), 1024)
        self.assertAlmostEqual(loss, losses[choice["chosenPasses"]], places=3)
        refused = subprocess.run([sys.executable, str(FINETUNE), *map(str, common), "--out", str(work / "full"),
                                  "--full", "--epoch-choice-percent", "20"], capture_output=True, text=True)
        self.assertEqual(refused.returncode, 2)
        self.assertIn("--epoch-choice-percent", refused.stderr)


if __name__ == "__main__":
    unittest.main()
