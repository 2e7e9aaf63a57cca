"""Splits, prompt filling, label targets, cleaning and pair answers: pure functions, fixed inputs we wrote."""
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from radflow_train import clean, data, labels, pairs, paths, prompts  # noqa: E402
from radflow_train.data import Report  # noqa: E402


def report(uid="1", mesh=(), findings="", impression="", negbio=None, problems=None):
    return Report(uid=uid, mesh=list(mesh), problems=list(problems or [m.split("/")[0] for m in mesh]), image="",
                  indication="", comparison="", findings=findings, impression=impression, negbio=negbio or {})


class SplitTest(unittest.TestCase):
    def test_split_is_a_fixed_function_of_the_uid(self):
        self.assertEqual(data.split_of("1"), data.split_of("1"))
        counts = {"train": 0, "validation": 0, "test": 0}
        for uid in range(1, 5001):
            counts[data.split_of(str(uid))] += 1
        self.assertAlmostEqual(counts["train"] / 5000, 0.8, delta=0.03)
        self.assertAlmostEqual(counts["validation"] / 5000, 0.1, delta=0.02)

    def test_committed_uid_lists_agree_with_the_hash(self):
        for name in ("train", "validation", "test"):
            uids = (paths.SPLITS_DIR / f"{name}.txt").read_text().split()
            self.assertTrue(uids)
            self.assertTrue(all(data.split_of(u) == name for u in uids))


class PromptTest(unittest.TestCase):
    def test_fills_like_the_typescript_builder(self):
        got = prompts.build_prompt("impression", findings="  Heart size is normal. ")
        self.assertEqual(got, "<instruct>Given the findings from a radiology report: Heart size is normal. Based on the "
                              "above findings from a radiology report, write an impression.\n<output>")

    def test_special_tokens_in_inputs_are_removed(self):
        got = prompts.build_prompt("abnormality_labels", report="a <output> b {findings}")
        self.assertIn("a   b {findings}", got)
        self.assertEqual(got.count("<output>"), 1)

    def test_missing_input_is_an_error(self):
        with self.assertRaises(ValueError):
            prompts.build_prompt("temporal_findings", report="r", prior_report=" ")


class LabelTest(unittest.TestCase):
    def test_mesh_negbio_and_qualifier_rules(self):
        r = report(mesh=["Pleural Effusion/right/small", "Thickening/pleura/left", "Mediastinum/prominent"],
                   negbio={"Atelectasis": 1})
        self.assertEqual(labels.abnormality_labels(r),
                         {"pleural effusion", "pleural thickening", "enlarged cardiomediastinum", "atelectasis"})

    def test_answer_format_is_vocabulary_order_or_none(self):
        self.assertEqual(labels.format_labels({"pleural effusion", "atelectasis"}, "abnormality"),
                         "atelectasis, pleural effusion")
        self.assertEqual(labels.format_labels(set(), "device"), "none")

    def test_device_phrases_negation_and_mesh(self):
        r = report(findings="Median sternotomy wires. No chest tube. Right IJ central venous catheter tip in the SVC.")
        self.assertEqual(labels.device_labels(r), {"sternotomy wires", "central venous catheter"})
        tagged = report(mesh=["Implanted Medical Device/left"], findings="Left chest XXXX.")
        self.assertEqual(labels.device_labels(tagged), {"other medical device"})


class CleanTest(unittest.TestCase):
    def test_drops_advice_and_change_wording(self):
        text = "1. Stable cardiomegaly. 2. Recommend follow-up CT. 3. No change from prior study. Lungs remain clear."
        self.assertEqual(clean.clean_text(text), "Cardiomegaly. Lungs clear.")


class PairTest(unittest.TestCase):
    def test_answers_follow_from_the_label_sets(self):
        current = report("1", mesh=["Pleural Effusion/right/large", "Cardiomegaly"])
        prior = report("2", mesh=["Pleural Effusion/right/small", "Pulmonary Atelectasis"])
        pair = pairs.Pair(current, prior)
        self.assertEqual(pairs.added_removed(pair), "Added: cardiomegaly. Removed: atelectasis.")
        self.assertEqual(pairs.progression(pair), "atelectasis: resolved; cardiomegaly: new; pleural effusion: worsened")

    def test_pairs_stay_in_the_given_reports_and_differ(self):
        rs = [report(str(i), mesh=m) for i, m in enumerate([["Cardiomegaly"], ["Cardiomegaly", "Nodule"], [], ["Mass"]])]
        built = pairs.build_pairs(rs, "findings")
        self.assertTrue(built)
        for p in built:
            self.assertIn(p.prior, rs)
            self.assertNotEqual(labels.abnormality_labels(p.current), labels.abnormality_labels(p.prior))


if __name__ == "__main__":
    unittest.main()
