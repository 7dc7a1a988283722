"""Wrong answers to the exercises of tutorial 09 fail their checks (the solutions run in the tutorial)."""

from __future__ import annotations

import numpy as np
import pytest

from kerasdl import exercises
from exercise_cases import assert_fails_with_hint, wrong_cases  # noqa: E402

pytestmark = pytest.mark.backend_neutral

VARIED = np.linspace(0.05, 0.95, 40)
SINGLE = {"MLP": {"worst radius": 0.0015, "worst perimeter": 0.008, "worst area": 0.0185},
          "RandomForest": {"worst radius": 0.0075, "worst perimeter": 0.0132, "worst area": 0.0114}}
IMPURITY = np.linspace(1, 30, 30) / np.linspace(1, 30, 30).sum()

WRONG = {
    "09.1": [
        dict(default_proba=VARIED, small_leaf_proba=np.full(40, 0.64), n_train=25),  # the two models swapped
        dict(default_proba=VARIED, small_leaf_proba=VARIED, n_train=455),  # the full training split: it splits
        dict(default_proba=np.full(40, 0.64), small_leaf_proba=np.full(40, 0.64), n_train=25),  # leaves unchanged
        dict(default_proba=np.full(40, 1.64), small_leaf_proba=VARIED, n_train=25),  # not probabilities
    ],
    "09.2": [
        # Each column shuffled with its own permutation, summed: no joint shuffle (less than a member alone).
        dict(single=SINGLE, group={"MLP": 0.01, "RandomForest": 0.012}),
        dict(single=SINGLE, group={"MLP": 0.05}),  # a model missing
        dict(single={"MLP": {"worst area": 0.0185}}, group={"MLP": 0.05}),  # a group of one
    ],
    "09.3": [
        dict(impurity=IMPURITY, permutation=-IMPURITY),  # an inverted quantity (fall instead of rise)
        dict(impurity=IMPURITY, permutation=IMPURITY[::-1]),  # the ranking reversed
        dict(impurity=IMPURITY * 30, permutation=IMPURITY),  # not the forest's importances
        dict(impurity=IMPURITY, permutation=IMPURITY[:10]),  # lengths differ
    ],
}


def test_right_answers_pass():
    assert exercises.check("09.1", default_proba=np.full(40, 0.64), small_leaf_proba=VARIED, n_train=25).passed
    assert exercises.check("09.2", single=SINGLE, group={"MLP": 0.054, "RandomForest": 0.10}).passed
    noisy = IMPURITY + np.random.default_rng(0).normal(0, 0.005, 30)
    assert exercises.check("09.3", impurity=IMPURITY, permutation=noisy).passed


@pytest.mark.parametrize("exercise_id, answer", wrong_cases(WRONG))
def test_wrong_answer_fails(exercise_id, answer):
    assert_fails_with_hint(exercise_id, answer)
