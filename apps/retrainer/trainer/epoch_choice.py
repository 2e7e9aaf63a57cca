"""How many passes over one feedback set: the pass whose loss on a held-out slice of that feedback is lowest.

A style the serving model already writes needs a pass or two; one far from it (numbered lists where the model writes
sentences) needs more, and more passes on a near style pull the drafts towards the few reviews at hand (shorter, less
content: apps/retrainer/README.md, radflow-cxr runs cxr-4 and cxr-5). So the trainer holds out a slice of the
feedback (never of the replay sample: the question is how far this radiologist is from the model, not Open-i), scores
it after every pass, keeps the adapter of the best pass and stops at the first pass that does not improve on it.
Measured (README, "Choosing the passes per radiologist"): the loss tells models apart more than radiologists, and on
radflow-cxr the one pass it keeps loses content, so the retrainer leaves it off unless asked."""
from __future__ import annotations

import random
from typing import Callable

# Fewer held-out sequences than this and one review decides the choice: train on everything for --max-epochs instead.
MIN_HELD_OUT = 5


def hold_out(seqs: list, percent: float, seed: int) -> tuple[list, list]:
    """(to train on, held out): `percent` of `seqs` by a seeded draw, in their original order; nothing held out when
    that would be under MIN_HELD_OUT sequences or leave none to train on."""
    count = round(len(seqs) * percent / 100)
    if count < MIN_HELD_OUT or count >= len(seqs):
        return list(seqs), []
    chosen = set(random.Random(f"{seed}:epoch-choice").sample(range(len(seqs)), count))
    return [s for i, s in enumerate(seqs) if i not in chosen], [s for i, s in enumerate(seqs) if i in chosen]


def pass_ends(total_steps: int, steps_per_pass: int) -> set[int]:
    """The step counts after which a pass is complete (the last step always ends one, even a partial pass)."""
    return set(range(steps_per_pass, total_steps, max(1, steps_per_pass))) | {total_steps}


class EpochChoice:
    """Scores the held-out slice before training (pass 0, the served adapter: recorded, never chosen, since a candidate
    equal to what serves is no candidate) and after each pass; remembers the state of the best pass."""

    def __init__(self, held_out_loss: Callable[[], float], held_out: int):
        self._loss = held_out_loss
        self.held_out = held_out
        self.losses = [round(held_out_loss(), 4)]
        self.best_pass = 0
        self.best_state: dict | None = None

    def after_pass(self, state: Callable[[], dict]) -> bool:
        """Scores the pass just finished; True while training should go on (this pass was the best so far)."""
        loss = round(self._loss(), 4)
        self.losses.append(loss)
        if self.best_state is None or loss < self.losses[self.best_pass]:
            self.best_pass, self.best_state = len(self.losses) - 1, state()
            return True
        return False

    def facts(self, planned_passes: float) -> dict:
        """For the adapter manifest: counts and losses only, never text."""
        return {"heldOut": self.held_out, "heldOutLoss": self.losses, "chosenPasses": self.best_pass,
                "plannedPasses": planned_passes}
