"""Exercises that check themselves: `check("NN.k", ...)` judges an answer by its properties.

Every tutorial ends with exercises; each has a check here and a worked
solution on its page (folded until opened). A check never compares with one
exact number, because a learner's run differs from anyone else's by seed,
machine and library version. It judges properties ("the ratio falls with
depth", "the model has 3 hidden layers and about 5k parameters") and, where
the answer is a score, a tolerance band: the prediction interval of the
reference solution measured over seeds (`kerasdl.exercises.bands`,
re-measured with ``python -m kerasdl.exercises.measure``). On failure it says
what was expected and gives a hint that does not give the answer away.

Example:
    >>> from kerasdl import exercises
    >>> result = exercises.check("07.2", ratios={2: 0.3, 6: 0.02, 12: 0.001})
    >>> result.passed
    True
"""

from kerasdl.exercises.bands import Band, band
from kerasdl.exercises.registry import (
    CheckResult,
    Exercise,
    ExerciseNotPassed,
    check,
    exercises_of,
    expect,
    get,
)

__all__ = [
    "Band",
    "CheckResult",
    "Exercise",
    "ExerciseNotPassed",
    "band",
    "check",
    "exercises_of",
    "expect",
    "get",
]
