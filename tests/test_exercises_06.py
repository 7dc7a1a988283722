"""Wrong answers to the exercises of tutorial 06 fail their checks (the solutions run in the tutorial)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kerasdl import exercises
from exercise_cases import assert_fails_with_hint, wrong_cases  # noqa: E402

pytestmark = pytest.mark.backend_neutral

_RULE = {s: s * math.sqrt(64 / 2) for s in (0.05, 0.1, 0.2, 0.4)}  # the ReLU rule, fan_in 64
_rng = np.random.default_rng(0)
_VARIED = _rng.dirichlet(np.ones(10), size=20)
_LABELS = _rng.integers(0, 10, size=20)

WRONG = {
    "06.1": [
        dict(spread=0.0, spread_zeros=0.0),  # dropout left out: still copies
        dict(spread=0.03, spread_zeros=0.03),  # the "zeros" spread taken from a random start
        dict(spread=-0.1, spread_zeros=0.0),
    ],
    "06.2": [
        dict(factors={s: f**5 for s, f in _RULE.items()}, fan_in=64, critical_std=0.18),  # no 5th root
        dict(factors={s: 1 / f for s, f in _RULE.items()}, fan_in=64, critical_std=0.18),  # inverted
        dict(factors={s: min(f, 1.0) for s, f in _RULE.items()}, fan_in=64, critical_std=0.18),  # saturating
        dict(factors=_RULE, fan_in=128, critical_std=0.18),  # fan_in + fan_out instead of fan_in
        dict(factors=_RULE, fan_in=64, critical_std=0.25),  # a critical std the factors do not give
        dict(factors={0.1: _RULE[0.1], 0.2: _RULE[0.2]}, fan_in=64, critical_std=0.18),  # two points
    ],
    "06.3": [
        dict(probabilities=_VARIED, labels=_LABELS),  # a network that learned: predictions differ
        dict(probabilities=_VARIED[:1].repeat(20, axis=0), labels=_LABELS[:5]),  # rows and labels mismatch
    ],
}


@pytest.mark.parametrize("exercise_id, answer", wrong_cases(WRONG))
def test_wrong_answer_fails(exercise_id, answer):
    assert_fails_with_hint(exercise_id, answer)


def test_right_answers_pass():
    # One random draw strays from the rule by some percent: that still passes.
    jittered = {s: f * j for (s, f), j in zip(_RULE.items(), (1.08, 0.93, 1.05, 0.96))}
    implied = math.exp(np.mean([math.log(s / f) for s, f in jittered.items()]))
    assert exercises.check("06.2", factors=jittered, fan_in=64, critical_std=implied).passed
    assert exercises.check("06.1", spread=0.02, spread_zeros=0.0).passed
    same = _VARIED[:1].repeat(20, axis=0)
    result = exercises.check("06.3", probabilities=same, labels=_LABELS)
    assert result.passed and f"{np.mean(_LABELS == same[0].argmax()):.3f}" in str(result)
