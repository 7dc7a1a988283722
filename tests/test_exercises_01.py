"""Wrong answers to the exercises of tutorial 01 fail their checks (the solutions run in the tutorial)."""

from __future__ import annotations

import numpy as np
import pytest

from kerasdl import exercises, models
from kerasdl.stats import SeedRuns
from exercise_cases import assert_fails_with_hint, wrong_cases  # noqa: E402

pytestmark = pytest.mark.backend_neutral


def _runs(train: dict, test: dict) -> SeedRuns:
    rows = [{"model": m, "seed": s, "train_accuracy": train[m][s], "val_accuracy": test[m][s] - 0.02,
             "test_accuracy": test[m][s]} for m in train for s in range(len(train[m]))]
    return SeedRuns(rows)


RUNS = {"spirals": _runs({"shallow": [0.90, 0.92, 0.91], "deep (4x32)": [0.99, 1.0, 0.98]},
                         {"shallow": [0.88, 0.90, 0.90], "deep (4x32)": [0.93, 0.94, 0.92]})}
RIGHT_GAPS = {"spirals": {m: RUNS["spirals"].scores(m, "train") - RUNS["spirals"].scores(m, "test")
                          for m in RUNS["spirals"].models}}
BEFORE = {"loss": [0.7, 0.6, 0.55], "val_accuracy": [0.55, 0.6, 0.62]}


def _budget(widths: dict, inputs: int = 2):
    return lambda: {d: models.deep_mlp((inputs,), 1, depth=d, width=w) for d, w in widths.items()}


WRONG = {
    "01.1": [
        # The untouched width of 32 at every depth: the count grows with depth.
        dict(models=_budget({2: 32, 3: 32, 6: 32, 8: 32})),
        # Only two depths.
        dict(models=_budget({2: 55, 8: 21})),
        # A model filed under the wrong depth.
        dict(models=lambda: {2: models.deep_mlp((2,), 1, depth=2, width=55),
                             3: models.deep_mlp((2,), 1, depth=3, width=39),
                             6: models.deep_mlp((2,), 1, depth=5, width=28)}),
        # Networks for the digits (64 inputs), not the spirals.
        dict(models=lambda: {d: models.deep_mlp((64,), 1, depth=d, width=8) for d in (2, 3, 6)}),
        dict(models="not a dict"),
    ],
    "01.2": [
        # The untouched starting code: no further training, the same history twice.
        dict(before=BEFORE, after=BEFORE),
        # A sabotaged run (learning rate 0): long enough, but the loss never moves.
        dict(before=BEFORE, after={"loss": [0.55] * 6, "val_accuracy": [0.62] * 6}),
        # Too few further epochs.
        dict(before=BEFORE, after={"loss": [0.5, 0.45], "val_accuracy": [0.65, 0.7]}),  # 2 < 3 epochs
        dict(before=BEFORE, after={"val_accuracy": [0.65] * 6}),
    ],
    "01.3": [
        # An inverted quantity: test minus train.
        dict(gaps={"spirals": {m: -g for m, g in RIGHT_GAPS["spirals"].items()}}, runs=RUNS),
        # The validation split instead of the test split.
        dict(gaps={"spirals": {m: RUNS["spirals"].scores(m, "train") - RUNS["spirals"].scores(m, "val")
                               for m in RUNS["spirals"].models}}, runs=RUNS),
        # A dataset missing.
        dict(gaps={}, runs=RUNS),
        # Means instead of one gap per seed.
        dict(gaps={"spirals": {m: [float(np.mean(g))] for m, g in RIGHT_GAPS["spirals"].items()}}, runs=RUNS),
    ],
}


@pytest.mark.parametrize("exercise_id, answer", wrong_cases(WRONG))
def test_wrong_answer_fails(exercise_id, answer):
    answer = {k: v() if callable(v) else v for k, v in answer.items()}
    assert_fails_with_hint(exercise_id, answer)


def test_right_answers_pass():
    budget = _budget({2: 55, 3: 39, 6: 25, 8: 21})()
    assert exercises.check("01.1", models=budget).passed
    after = {"loss": [0.5, 0.45, 0.4, 0.38, 0.35, 0.3], "val_accuracy": [0.6, 0.64, 0.66, 0.7, 0.7, 0.72]}
    result = exercises.check("01.2", before=BEFORE, after=after, deep={"loss": [0.3] * 3, "val_accuracy": [0.9] * 3})
    assert result.passed and "gap" in result.message
    result = exercises.check("01.3", gaps=RIGHT_GAPS, runs=RUNS)
    assert result.passed and "deep (4x32) has the larger gap" in result.message, str(result)


def test_longer_budget_reports_the_best_over_all_epochs():
    """A continued run whose added epochs validate worse leaves the best so far where it was."""
    after = {"loss": [0.3, 0.29, 0.28, 0.27, 0.26, 0.25], "val_accuracy": [0.1, 0.2, 0.3, 0.2, 0.1, 0.2]}
    deep = {"loss": [0.3] * 3, "val_accuracy": [0.95] * 3}
    result = exercises.check("01.2", before=BEFORE, after=after, deep=deep)
    best_before = max(BEFORE["val_accuracy"])
    assert result.passed
    assert f"so {best_before:.3f} over all" in result.message
    gap = 100 * (0.95 - best_before)
    assert f"the gap went from {gap:+.1f} to {gap:+.1f} points" in result.message
