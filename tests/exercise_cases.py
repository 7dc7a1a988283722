"""Shared by tests/test_exercises_NN.py: wrong answers as parametrized cases, and what a failure must say."""

from __future__ import annotations

import pytest

from kerasdl import exercises


def wrong_cases(wrong: dict[str, list[dict]]) -> list:
    """One case per wrong answer, with ids that are the same in every process (``"07.2-0"``)."""
    return [pytest.param(k, a, id=f"{k}-{i}") for k, answers in wrong.items() for i, a in enumerate(answers)]


def assert_fails_with_hint(exercise_id: str, answer: dict) -> None:
    """The check must refuse `answer` and give its hint."""
    result = exercises.check(exercise_id, **answer)
    assert not result.passed, str(result)
    assert "Hint:" in str(result)
