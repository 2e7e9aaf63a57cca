"""impression_form.py: the radiologist's form read from feedback, and replayed impressions rewritten in it. The
rewrites are checked against the outputs libs/evaluation/src/radiologist-style.test.ts expects of the simulated
radiologists, so the trainer and the e2e's radiologists agree on what a form is."""
import json
import subprocess
import sys
import tempfile
import unittest
from argparse import Namespace
from pathlib import Path

from radflow_train import impression_form as form
from radflow_train import prompts
from radflow_train.tasks import Example

REPO = Path(__file__).resolve().parents[3]
FINETUNE = REPO / "apps" / "retrainer" / "trainer" / "finetune.py"

NUMBERED = "1. Mild cardiomegaly. 2. Small left pleural effusion. 3. No pneumothorax."
PROSE = "Endotracheal tube in the right mainstem bronchus. Small left effusion and basilar atelectasis."


class Statements(unittest.TestCase):
    def test_splits_lists_and_prose_and_keeps_decimals(self):
        self.assertEqual(form.statements(NUMBERED),
                         ["Mild cardiomegaly", "Small left pleural effusion", "No pneumothorax"])
        self.assertEqual(form.statements(PROSE), ["Endotracheal tube in the right mainstem bronchus",
                                                  "Small left effusion and basilar atelectasis"])
        self.assertEqual(form.statements("Nodule measures 1.5 cm in the right upper lobe."),
                         ["Nodule measures 1.5 cm in the right upper lobe"])


class Rewrite(unittest.TestCase):
    def test_the_same_rewrites_as_the_simulated_radiologists(self):
        self.assertEqual(form.rewrite(PROSE, form.NUMBERED), "1. Endotracheal tube in the right mainstem bronchus.\n"
                                                            "2. Small left effusion and basilar atelectasis.")
        self.assertEqual(form.rewrite(NUMBERED, form.SINGLE_SENTENCE),
                         "Mild cardiomegaly; small left pleural effusion; no pneumothorax.")
        self.assertEqual(form.rewrite("No acute disease. PICC line tip in the SVC.", form.SINGLE_SENTENCE),
                         "No acute disease; PICC line tip in the SVC.")

    def test_a_list_on_one_line_when_the_radiologist_writes_it_so(self):
        self.assertEqual(form.rewrite(PROSE, form.NUMBERED, " "), "1. Endotracheal tube in the right mainstem "
                                                                 "bronchus. 2. Small left effusion and basilar "
                                                                 "atelectasis.")

    def test_form_of(self):
        self.assertEqual(form.form_of(NUMBERED), form.NUMBERED)
        self.assertEqual(form.form_of("1. No acute disease.\n2. Scar."), form.NUMBERED)
        self.assertEqual(form.form_of("1. Effusion. 3. Atelectasis."), "prose")  # numbers that do not run
        self.assertEqual(form.form_of("No acute disease."), form.SINGLE_SENTENCE)
        self.assertEqual(form.form_of(PROSE), "prose")


class RadiologistForm(unittest.TestCase):
    def test_a_list_writer_is_recognised_with_their_separator(self):
        lists = [form.rewrite(PROSE, form.NUMBERED)] * 4 + ["1. No acute disease."] * 6
        found = form.radiologist_form(lists)
        self.assertEqual((found["form"], found["separator"], found["evidence"]), (form.NUMBERED, "\n", 10))
        one_line = form.radiologist_form([NUMBERED] * 4 + ["1. No acute disease."] * 6)
        self.assertEqual(one_line["separator"], " ")

    def test_a_single_sentence_writer_needs_joined_statements_as_evidence(self):
        joined = [form.rewrite(PROSE, form.SINGLE_SENTENCE)] * 5
        found = form.radiologist_form(joined + ["No acute disease."] * 20)
        self.assertEqual((found["form"], found["separator"]), (form.SINGLE_SENTENCE, "; "))
        # A prose radiologist whose impressions happen to be one sentence (normal studies) is no evidence of a form.
        self.assertIsNone(form.radiologist_form(["No acute disease."] * 30))
        self.assertIsNone(form.radiologist_form(joined[:4] + ["No acute disease."] * 20))

    def test_mixed_forms_are_left_alone(self):
        self.assertIsNone(form.radiologist_form([NUMBERED] * 8 + [PROSE] * 2))
        self.assertIsNone(form.radiologist_form([]))

    def test_replay_impressions_rewritten_other_tasks_untouched(self):
        replayed = [Example("1", "impression", "p", PROSE), Example("1", "abnormality_labels", "q", "none"),
                    Example("2", "impression", "p", "1. No acute disease.")]
        found = form.radiologist_form([NUMBERED] * 10)
        out, changed = form.rewrite_replay(replayed, found)
        self.assertEqual([e.answer for e in out], [form.rewrite(PROSE, form.NUMBERED, " "), "none",
                                                   "1. No acute disease."])
        self.assertEqual(changed, 1)
        self.assertEqual(form.rewrite_replay(replayed, None), (replayed, 0))
        out, facts = form.replay_in_form(found, replayed)
        self.assertEqual((out[0].answer, facts["form"], facts["rewritten"]),
                         (form.rewrite(PROSE, form.NUMBERED, " "), form.NUMBERED, 1))
        self.assertEqual(form.replay_in_form(form.radiologist_form([PROSE] * 10), replayed), (replayed, None))


class FinetuneReplayForm(unittest.TestCase):
    def test_a_list_writers_run_replays_open_i_impressions_as_lists_and_says_so(self):
        work = Path(tempfile.mkdtemp(prefix="radflow-replay-form-"))
        (work / "data" / "train").mkdir(parents=True)
        lines = []
        for i in range(12):
            prompt = prompts.build_prompt("impression", findings=f"Small left effusion. Study {i}.")
            answer = "1. Small left pleural effusion. 2. No pneumothorax."
            lines.append(json.dumps({"uid": f"u{i}", "task": "impression", "prompt": prompt, "answer": answer,
                                     "text": prompt + answer + prompts.end_of_text()}))
        (work / "data" / "train" / "impression.jsonl").write_text("\n".join(lines) + "\n")
        args = ["--base", REPO / "models" / "tiny-random", "--data", work / "data", "--out", work / "out", "--name",
                "t", "--version", "0.1.0-ft.form", "--steps", "1", "--replay-ratio", "2", "--replay-tasks",
                "impression", "--openi-dir", REPO / "data" / "openi", "--replay-form", "auto"]
        done = subprocess.run([sys.executable, str(FINETUNE), *map(str, args)], capture_output=True, text=True,
                              env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}, timeout=300)
        self.assertEqual(done.returncode, 0, done.stderr[-2000:])
        replay = json.loads((work / "out" / "adapter-manifest.json").read_text())["data"]["replay"]
        self.assertEqual(replay["countsPerTask"], {"impression": 24})
        found = replay["impressionForm"]
        self.assertEqual((found["form"], found["separator"], found["evidence"]), (form.NUMBERED, " ", 12))
        self.assertGreater(found["rewritten"], 0)  # Open-i's impressions are mostly prose
        exported = next(json.loads(line) for line in done.stdout.splitlines() if '"exported"' in line)
        self.assertEqual(exported["replay"]["impressionForm"], found)

    def test_off_replays_as_learnt(self):
        sys.path.insert(0, str(FINETUNE.parent))
        import finetune  # noqa: E402

        replayed = [Example("1", "impression", "p", PROSE)]
        feedback = [Example("2", "impression", "p", NUMBERED)] * 10
        self.assertEqual(finetune.rewrite_replay_form(Namespace(replay_form="off"), feedback, replayed),
                         (replayed, None))
        out, found = finetune.rewrite_replay_form(Namespace(replay_form="auto"), feedback, replayed)
        self.assertEqual((out[0].answer, found["rewritten"]), (form.rewrite(PROSE, form.NUMBERED, " "), 1))


if __name__ == "__main__":
    unittest.main()
