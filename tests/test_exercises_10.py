"""Wrong answers to the exercises of tutorial 10 fail their checks (the solutions run in the tutorial)."""

from __future__ import annotations

import keras
import pytest

from kerasdl import exercises
from exercise_cases import assert_fails_with_hint, wrong_cases  # noqa: E402

pytestmark = pytest.mark.backend_neutral

LOW = {"conv_block_1_conv": 0.0, "conv_block_2_conv": 0.0066, "conv_block_3_conv": 0.0089}
HIGH = {"conv_block_1_conv": 0.0, "conv_block_2_conv": 0.118, "conv_block_3_conv": 0.168}
UNFROZEN = ["conv_block_2_conv", "conv_block_3_conv"]
COUNTS = {"1": 75_018, "conv_block_2_conv": 93_450, "all": 93_738}


def _backbone(seed):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(4, 3, name="conv")(inputs)
    return keras.Model(inputs, keras.layers.GlobalAveragePooling2D(name="pool")(x))


WRONG = {
    "10.1": [
        dict(low=HIGH, high=LOW, unfrozen=UNFROZEN),  # the two runs swapped
        dict(low=LOW, high=LOW, unfrozen=UNFROZEN),  # the untouched starting code: the same rate twice
        # W0 read from `features`, which was tuned in place: the page's run seems not to move.
        dict(low={k: 0.0 for k in LOW}, high=HIGH, unfrozen=UNFROZEN),
        dict(low=LOW, high={**HIGH, "conv_block_1_conv": 0.05}, unfrozen=UNFROZEN),  # a frozen layer moved
    ],
    "10.2": [
        dict(counts=dict(reversed(COUNTS.items())), head=1_290, total=94_634),  # wrong order
        dict(counts=COUNTS, head=94_634, total=94_634),  # the total passed as the head
        dict(counts={**COUNTS, "all": 94_634}, head=1_290, total=94_634),  # BatchNormalization trained too
        dict(counts={"all": 93_738}, head=1_290, total=94_634),  # one setting
    ],
    "10.3": [
        dict(pretrained="features", random="random", pretrained_accuracy=0.9, random_accuracy=0.8),
        dict(pretrained=_backbone(0), random=_backbone(0), pretrained_accuracy=0.9, random_accuracy=0.8),
        dict(pretrained=_backbone(0), random=_backbone(1), pretrained_accuracy=94.9, random_accuracy=87.6),
    ],
}


def test_right_answers_pass():
    assert exercises.check("10.1", low=LOW, high=HIGH, unfrozen=UNFROZEN).passed
    assert exercises.check("10.2", counts=COUNTS, head=1_290, total=94_634).passed
    assert exercises.check("10.3", pretrained=_backbone(0), random=_backbone(1), pretrained_accuracy=0.9,
                           random_accuracy=0.95).passed  # the ordering is not judged: McNemar's line says it


def test_architecture_must_match():
    other = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(8, 3, name="conv")])
    result = exercises.check("10.3", pretrained=_backbone(0), random=other, pretrained_accuracy=0.9,
                             random_accuracy=0.8)
    assert not result.passed and "Hint:" in str(result)


@pytest.mark.parametrize("exercise_id, answer", wrong_cases(WRONG))
def test_wrong_answer_fails(exercise_id, answer):
    assert_fails_with_hint(exercise_id, answer)
