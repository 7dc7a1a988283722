"""Wrong answers to the exercises of tutorial 07 fail their checks (the solutions run in the tutorial)."""

from __future__ import annotations

import numpy as np
import pytest

from kerasdl import exercises
from exercise_cases import assert_fails_with_hint, wrong_cases  # noqa: E402

pytestmark = pytest.mark.backend_neutral

LAYERS = [f"hidden_{i}" for i in range(1, 9)] + ["output"]
NORMS_03 = {layer: 90.0 for layer in LAYERS}

WRONG = {
    "07.1": [
        # The gradient ratio passed as Adam's step ratio: no rescaling seen.
        dict(sgd_ratio=4.7e-6, adam_ratio=4.7e-6, sgd_step_ratio=5.8e-6, adam_step_ratio=4.7e-6),
        # Adam's ratio read after training instead of at step 0.
        dict(sgd_ratio=4.7e-6, adam_ratio=3e-3, sgd_step_ratio=5.8e-6, adam_step_ratio=0.05),
        # SGD's step ratio from a different quantity (it must match its gradient ratio).
        dict(sgd_ratio=4.7e-6, adam_ratio=4.7e-6, sgd_step_ratio=0.05, adam_step_ratio=0.05),
        # A network whose gradient does not vanish (ReLU + He) is not the exercise's.
        dict(sgd_ratio=0.3, adam_ratio=0.3, sgd_step_ratio=0.3, adam_step_ratio=1.0),
    ],
    # 1 / ratio (the "times smaller" column) instead of the ratio: grows instead of falling.
    "07.2": [dict(ratios={2: 3.0, 6: 40.0, 12: 900.0}), dict(ratios={2: 0.5, 6: 0.4}), dict(ratios={2: 0.5, 6: 0.45, 12: 0.4})],
    "07.3": [
        # sigmoid and tanh swapped (an inverted quantity).
        dict(sigmoid_ratio=0.5, tanh_ratio=5e-6, relu_ratio=0.3),
        # 1 / ratio (the "times smaller" column) for tanh.
        dict(sigmoid_ratio=5e-6, tanh_ratio=2.0e4, relu_ratio=0.3),
        # A tanh ratio stuck near the sigmoid's.
        dict(sigmoid_ratio=5e-6, tanh_ratio=1e-4, relu_ratio=0.3),
    ],
    "07.4": [
        # The norms before clipping (what backpropagation produced) for the global run.
        dict(clipnorm=[3.6, 4.1, 3.9], global_clipnorm=[321.0, 53.0, 80.0]),
        # The two runs swapped.
        dict(clipnorm=[1.0, 1.0, 0.99], global_clipnorm=[3.6, 4.1, 3.9]),
        # One number instead of one per step.
        dict(clipnorm=4.1, global_clipnorm=1.0),
    ],
    "07.5": [
        # The untouched starting code: std 0.3 in both runs.
        dict(norms_03=NORMS_03, norms_05=NORMS_03, clipped_accuracy=0.29, weights_finite=True),
        # The unclipped run: weights became NaN, accuracy at chance.
        dict(norms_03=NORMS_03, norms_05={k: 3000.0 for k in LAYERS}, clipped_accuracy=0.10, weights_finite=False),
        # Inverted: std 0.3's norms passed as std 0.5's.
        dict(norms_03={k: 3000.0 for k in LAYERS}, norms_05=NORMS_03, clipped_accuracy=0.29, weights_finite=True),
        # Layers that do not match.
        dict(norms_03={"output": 1.0}, norms_05={"hidden_1": 50.0}, clipped_accuracy=0.29, weights_finite=True),
    ],
}

RIGHT = {
    "07.1": dict(sgd_ratio=4.7e-6, adam_ratio=4.7e-6, sgd_step_ratio=5.8e-6, adam_step_ratio=0.056),
    "07.3": dict(sigmoid_ratio=4.7e-6, tanh_ratio=0.51, relu_ratio=0.30, depth=8),
    "07.4": dict(clipnorm=[4.1, 3.6, np.nan, 3.9], global_clipnorm=[1.0, 0.9999999, 1.0]),
    "07.5": dict(norms_03=NORMS_03, norms_05={k: 3200.0 for k in LAYERS}, clipped_accuracy=0.29,
                 weights_finite=np.True_),
}


@pytest.mark.parametrize("exercise_id, answer", wrong_cases(WRONG))
def test_wrong_answer_fails(exercise_id, answer):
    assert_fails_with_hint(exercise_id, answer)


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answer_passes(exercise_id):
    # Synthetic answers shaped like the solutions' (a NaN step in 07.4: non-finite steps are skipped).
    result = exercises.check(exercise_id, **RIGHT[exercise_id])
    assert result.passed, str(result)
