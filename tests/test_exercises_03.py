"""Wrong answers to the exercises of tutorial 03 fail their checks (the solutions run in the tutorial)."""

from __future__ import annotations

import numpy as np
import pytest

from kerasdl import exercises
from exercise_cases import assert_fails_with_hint, wrong_cases  # noqa: E402

pytestmark = pytest.mark.backend_neutral


def _row(dtype: str, size: int = 256, reps: int = 100, seconds: float = 0.5) -> dict:
    return {"size": size, "dtype": dtype, "reps": reps, "seconds": seconds,
            "gflops": 2.0 * size**3 * reps / seconds / 1e9}


ROWS = [_row("float32"), _row("bfloat16", reps=160), _row("float16", reps=40)]
CURVES = {"fast": [np.array([0.85, 0.92, 0.96]), np.array([0.91, 0.94, 0.97])],
          "slow": [np.array([0.5, 0.8, 0.91]), np.array([0.6, 0.85, 0.89])]}
AT_90 = {"fast": [2, 1], "slow": [3, None]}
AT_95 = {"fast": [3, 3], "slow": [None, None]}
BEST = {"sgd": [0.60, 0.62, 0.58], "momentum": [0.85, 0.88, 0.86], "adam": [0.93, 0.94, 0.95]}

WRONG = {
    "03.1": [
        # The untouched starting code: float32 only.
        dict(rows=[_row("float32")]),
        # The three dtypes at different sizes.
        dict(rows=[_row("float32"), _row("bfloat16", size=512), _row("float16")]),
        # A hand-typed rate that its own timing does not give.
        dict(rows=[_row("float32"), {**_row("bfloat16"), "gflops": 500.0}, _row("float16")]),
        dict(rows="fast"),
    ],
    "03.2": [
        # The untouched starting code: the page's target only.
        dict(epochs_to_target={0.9: AT_90}, curves=CURVES),
        # The two targets swapped.
        dict(epochs_to_target={0.9: AT_95, 0.95: AT_90}, curves=CURVES),
        # Epochs counted from 0.
        dict(epochs_to_target={0.9: {k: [None if e is None else e - 1 for e in v] for k, v in AT_90.items()},
                               0.95: {k: [None if e is None else e - 1 for e in v] for k, v in AT_95.items()}},
             curves=CURVES),
        # A variant missing.
        dict(epochs_to_target={0.9: {"fast": [2, 1]}, 0.95: {"fast": [3, 3]}}, curves=CURVES),
    ],
    "03.3": [
        # The untouched starting code: momentum never set, so the same runs as plain SGD.
        dict(best={**BEST, "momentum": BEST["sgd"]}),
        # A sabotaged run (a learning rate of 0 with momentum): worse than plain SGD.
        dict(best={**BEST, "momentum": [0.1, 0.11, 0.09]}),
        # Percentages instead of accuracies.
        dict(best={k: [100 * x for x in v] for k, v in BEST.items()}),
        # One seed only.
        dict(best={k: v[:1] for k, v in BEST.items()}),
    ],
}


@pytest.mark.parametrize("exercise_id, answer", wrong_cases(WRONG))
def test_wrong_answer_fails(exercise_id, answer):
    assert_fails_with_hint(exercise_id, answer)


def test_right_answers_pass():
    cpu = {"name": "Test CPU", "cores": 2, "bf16_matrix_units": False}
    result = exercises.check("03.1", rows=ROWS, cpu=cpu)
    assert result.passed and "1.60 x" in result.message and "no bfloat16 matrix units" in result.message
    result = exercises.check("03.2", epochs_to_target={0.9: AT_90, 0.95: AT_95}, curves=CURVES)
    assert result.passed and "1 never reach 0.9 and 2 never reach 0.95" in result.message, str(result)
    result = exercises.check("03.3", best=BEST)
    assert result.passed and "detectably" in result.message and "% of the gap" in result.message
