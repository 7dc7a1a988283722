"""Wrong answers to the exercises of tutorial 07 fail their checks (the solutions run in the tutorial)."""

from __future__ import annotations

import pytest

from kerasdl import exercises

pytestmark = pytest.mark.backend_neutral

WRONG = {
    # 1 / ratio (the "times smaller" column) instead of the ratio: grows instead of falling.
    "07.2": [dict(ratios={2: 3.0, 6: 40.0, 12: 900.0}), dict(ratios={2: 0.5, 6: 0.4}), dict(ratios={2: 0.5, 6: 0.45, 12: 0.4})],
}


@pytest.mark.parametrize(
    "exercise_id, answer", [(k, a) for k, answers in WRONG.items() for a in answers], ids=lambda v: str(v)[:40]
)
def test_wrong_answer_fails(exercise_id, answer):
    result = exercises.check(exercise_id, **answer)
    assert not result.passed, str(result)
    assert "Hint:" in str(result)
