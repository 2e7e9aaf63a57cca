"""Sentence-subset variants for silver label examples (radflow_train/silver_labels.py); the rule labeler that labels
them is radflow's own (`radflow rule-labels`, tested in apps/cli)."""
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from radflow_train.data import Report  # noqa: E402
from radflow_train.silver_labels import sentence_variants  # noqa: E402


def report(uid: str, findings: str, impression: str) -> Report:
    return Report(uid=uid, mesh=[], problems=[], image="", indication="", comparison="", findings=findings,
                  impression=impression)


FOUR = report("7", "The heart is enlarged. Small left effusion. No pneumothorax.", "Cardiomegaly.")


class SentenceVariantsTest(unittest.TestCase):
    def test_a_variant_keeps_some_sentences_of_the_report_but_never_all(self):
        variants = sentence_variants([FOUR], per_report=6, seed=0)
        self.assertTrue(variants)
        original = set(FOUR.findings.split(". ")) | {FOUR.impression}
        for v in variants:
            kept = [s for s in (v.findings + " " + v.impression).replace(".", ".|").split("|") if s.strip()]
            self.assertGreaterEqual(len(kept), 1)
            self.assertLess(len(kept), 4)
            self.assertNotEqual((v.findings, v.impression), (FOUR.findings, FOUR.impression))
            for sentence in kept:
                self.assertIn(sentence.strip().rstrip("."), {s.rstrip(".") for s in original})

    def test_variants_are_named_after_their_report_distinct_and_deterministic(self):
        first = sentence_variants([FOUR], per_report=6, seed=0)
        self.assertEqual(first, sentence_variants([FOUR], per_report=6, seed=0))
        self.assertTrue(all(v.uid.startswith("7~s") for v in first))
        self.assertEqual(len({(v.findings, v.impression) for v in first}), len(first))
        self.assertNotEqual(first, sentence_variants([FOUR], per_report=6, seed=1))

    def test_a_report_of_one_sentence_has_no_variant(self):
        self.assertEqual(sentence_variants([report("8", "", "Normal chest.")], per_report=3, seed=0), [])


if __name__ == "__main__":
    unittest.main()
