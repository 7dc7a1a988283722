"""The mechanism behind `kerasdl.exercises.check`: a registry of exercises and their judges.

An exercise is registered once, in the module of its tutorial
(``kerasdl/exercises/tutorial_NN.py``), by decorating a *judge*: a function
whose keyword arguments are the parts of the learner's answer and which
either returns a sentence saying what the result shows, or stops at the first
unmet property with `expect` (the sentence says what was expected). The
judge never compares with one exact number: it checks properties (an
ordering, a sign, a structure) and tolerance bands measured over seeds
(`kerasdl.exercises.bands`).

`check` looks the exercise up, validates the answer's names, runs the judge
and returns a `CheckResult`; it never raises for a wrong answer, only for a
call that cannot be judged (unknown exercise, missing or unknown answer
names).

Example:
    >>> from kerasdl.exercises.registry import CheckResult
    >>> CheckResult("01.1", "Depth", passed=True, message="Right.").passed
    True
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_ID = re.compile(r"^(\d{2})\.(\d+)$")
# Filled as tutorial modules are imported: "07.2" -> Exercise.
_REGISTRY: dict[str, Exercise] = {}
TUTORIALS = tuple(f"{n:02d}" for n in range(1, 11))


class ExerciseNotPassed(AssertionError):
    """Raised by `CheckResult.require` when an answer does not pass its check."""


class Unmet(Exception):
    """Raised inside a judge by `expect`: the answer lacks a property (not an error of the call)."""


@dataclass(frozen=True)
class Exercise:
    """One exercise: its id (``"07.2"``), title, hint, the answer's names and its judge.

    Example:
        >>> from kerasdl import exercises
        >>> exercises.get("07.2").id
        '07.2'
    """

    id: str
    title: str
    hint: str
    answer: tuple[str, ...]
    optional: tuple[str, ...]
    judge: Callable[..., str] = field(repr=False)

    @property
    def tutorial(self) -> str:
        """The two-digit tutorial number (``"07"``)."""
        return self.id.split(".")[0]


@dataclass(frozen=True)
class CheckResult:
    """What `check` decided: passed or not, and the sentence that says why.

    Truthy when passed. Printing it (or leaving it as a cell's last value)
    shows one line; `require()` turns a failure into an `ExerciseNotPassed`
    error, which is how the solutions on the site prove they pass.

    Example:
        >>> from kerasdl.exercises.registry import CheckResult
        >>> r = CheckResult("07.2", "Depth and the ratio", passed=False, message="expected 3 depths", hint="Try 2, 6, 12.")
        >>> bool(r)
        False
    """

    exercise: str
    title: str
    passed: bool
    message: str
    hint: str = ""

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        if self.passed:
            return f"Exercise {self.exercise} ({self.title}): passed. {self.message}"
        text = f"Exercise {self.exercise} ({self.title}): not yet. Expected {self.message}"
        return f"{text}\nHint: {self.hint}" if self.hint else text

    __repr__ = __str__

    def require(self) -> CheckResult:
        """Return self when passed; raise `ExerciseNotPassed` with the explanation otherwise.

        Example:
            >>> from kerasdl.exercises.registry import CheckResult
            >>> CheckResult("01.1", "Depth", passed=True, message="Right.").require().passed
            True
        """
        if not self.passed:
            raise ExerciseNotPassed(str(self))
        return self


def expect(condition: Any, expected: str) -> None:
    """Inside a judge: stop with "Expected <expected>" unless `condition` holds.

    Example:
        >>> from kerasdl.exercises.registry import expect
        >>> expect(2 > 1, "two to exceed one")  # holds: nothing happens
    """
    if not condition:
        raise Unmet(expected)


def exercise(exercise_id: str, title: str, hint: str) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Register the decorated judge as exercise `exercise_id` (``"NN.k"``).

    The judge's keyword-only or positional parameters name the parts of the
    answer; those with defaults are optional.

    Example:
        >>> from kerasdl import exercises
        >>> exercises.get("07.2").answer  # registered by @exercise("07.2", ...) on its judge
        ('ratios',)
    """
    if not _ID.match(exercise_id):
        raise ValueError(f"exercise_id must look like '07.2'; got {exercise_id!r}.")

    def register(judge: Callable[..., str]) -> Callable[..., str]:
        params = inspect.signature(judge).parameters.values()
        required = tuple(p.name for p in params if p.default is inspect.Parameter.empty)
        optional = tuple(p.name for p in params if p.default is not inspect.Parameter.empty)
        _REGISTRY[exercise_id] = Exercise(exercise_id, title, hint, required, optional, judge)
        return judge

    return register


def _normalise(exercise_id: Any) -> str:
    if isinstance(exercise_id, tuple) and len(exercise_id) == 2:
        exercise_id = f"{int(exercise_id[0]):02d}.{int(exercise_id[1])}"
    if not isinstance(exercise_id, str) or not _ID.match(exercise_id):
        raise ValueError(
            f"exercise must be a string 'NN.k' (tutorial number, exercise number), e.g. '07.2'; got {exercise_id!r}."
        )
    return exercise_id


def _load(tutorial: str) -> None:
    if tutorial not in TUTORIALS:
        raise ValueError(f"tutorial must be one of {', '.join(TUTORIALS)}; got {tutorial!r}.")
    importlib.import_module(f"kerasdl.exercises.tutorial_{tutorial}")


def get(exercise_id: str) -> Exercise:
    """The registered `Exercise` for ``"NN.k"`` (ValueError naming the known ones otherwise).

    Example:
        >>> from kerasdl import exercises
        >>> exercises.get("07.2").tutorial
        '07'
    """
    exercise_id = _normalise(exercise_id)
    _load(exercise_id.split(".")[0])
    if exercise_id not in _REGISTRY:
        known = ", ".join(e.id for e in exercises_of(exercise_id.split(".")[0]))
        raise ValueError(f"exercise must be one of {known}; got {exercise_id!r}.")
    return _REGISTRY[exercise_id]


def exercises_of(tutorial: str | int) -> list[Exercise]:
    """The exercises of one tutorial (``"07"`` or ``7``), in order.

    Example:
        >>> from kerasdl import exercises
        >>> [e.id for e in exercises.exercises_of(7)][:2]
        ['07.1', '07.2']
    """
    tutorial = f"{int(tutorial):02d}" if isinstance(tutorial, int) else str(tutorial)
    _load(tutorial)
    found = [e for e in _REGISTRY.values() if e.tutorial == tutorial]
    return sorted(found, key=lambda e: int(e.id.split(".")[1]))


def check(exercise_id: str, **answer: Any) -> CheckResult:
    """Judge an answer to exercise ``"NN.k"`` by its properties; say what it shows or what is missing.

    Args:
        exercise_id: ``"NN.k"``: tutorial number and exercise number, as the page numbers them.
        **answer: the parts of the answer the exercise asks for (the page names them).

    Returns:
        A `CheckResult`: truthy when passed; print it to read the verdict,
        call `.require()` to raise when it did not pass.

    Raises:
        ValueError: for an unknown exercise, or answer names it does not take or misses.

    Example:
        >>> from kerasdl import exercises
        >>> result = exercises.check("07.2", ratios={2: 0.3, 6: 0.02, 12: 0.001})
        >>> result.passed
        True
    """
    found = get(exercise_id)
    unknown = sorted(set(answer) - set(found.answer) - set(found.optional))
    missing = [name for name in found.answer if name not in answer]
    takes = ", ".join(found.answer + tuple(f"{n} (optional)" for n in found.optional))
    if unknown:
        raise ValueError(f"exercise {found.id} takes the answer {takes}; got unknown {', '.join(unknown)}.")
    if missing:
        raise ValueError(f"exercise {found.id} takes the answer {takes}; missing {', '.join(missing)}.")
    try:
        message = found.judge(**answer)
    except Unmet as unmet:
        return CheckResult(found.id, found.title, False, str(unmet), found.hint)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as error:
        # A wrong *shape* of answer is a failed check with the reason, not a traceback.
        return CheckResult(found.id, found.title, False, f"an answer of the shape the page asks for ({error})", found.hint)
    return CheckResult(found.id, found.title, True, message)
