"""Wrong answers to the exercises of tutorial 08 fail their checks (the solutions run in the tutorial)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from kerasdl import exercises
from exercise_cases import assert_fails_with_hint, wrong_cases  # noqa: E402

pytestmark = pytest.mark.backend_neutral

COUNTS = {"simple": 1187, "gru": 3459, "lstm": 4451}  # models.rnn((50, 1), 3, units=32)


def _conv():
    inputs = keras.Input((8, 8, 1))
    layer = keras.layers.Conv2D(16, 3, padding="same", name="conv")
    keras.Model(inputs, layer(inputs))
    return layer


WRONG = {
    "08.1": [
        dict(counts={"simple": 4451, "gru": 3459, "lstm": 1187}),  # inverted
        dict(counts={"simple": 1187, "lstm": 4451}),  # a cell missing
        dict(counts={"simple": 1187, "gru": 3459, "lstm": 4451 + 4352}),  # two LSTM layers stacked
        dict(counts={"simple": 1187, "gru": 3459, "lstm": 4451}, units=64),  # the wrong width
    ],
    "08.2": [
        dict(conv_layer=_conv, dense_params=64 * 1024 + 1024),  # a builder, not the layer
        dict(conv_layer="conv", dense_params=66560),
    ],
    "08.3": [
        dict(aucs={1: 0.8, 3: 0.7, 5: 0.6}),  # inverted
        dict(aucs={3: 0.8}),  # the untouched starting code: one size
        dict(aucs={1: 0.2, 3: 0.3, 5: 0.4}),  # never above chance
    ],
    "08.4": [
        dict(real_vs_real=0.76, gaussian=0.66, untrained=0.9),  # unequal sizes: the majority class wins
        dict(real_vs_real=0.92, gaussian=0.66, untrained=0.9),  # the trained GAN passed as real
        dict(real_vs_real=0.5, gaussian=0.45, untrained=0.9),
    ],
    "08.5": [
        dict(correct=np.r_[np.ones(90, bool), np.zeros(10, bool)]),  # the unshuffled sequences of a good model
        dict(correct=np.zeros(200, bool)),  # an inverted label
        dict(correct=np.ones(10, bool)),  # too few sequences
        dict(correct=0.5),  # a number, not one boolean per sequence
    ],
}


def test_weight_sharing_wrong_and_right():
    layer = _conv()
    assert not exercises.check("08.2", conv_layer=layer, dense_params=layer.count_params()).passed
    assert not exercises.check("08.2", conv_layer=layer, dense_params=64 * 1024).passed  # no biases
    assert "Hint:" in str(exercises.check("08.2", conv_layer=layer, dense_params=64 * 1024))
    assert exercises.check("08.2", conv_layer=layer, dense_params=64 * 1024 + 1024).passed


def test_right_answers_pass():
    assert exercises.check("08.1", counts=COUNTS).passed
    assert exercises.check("08.3", aucs={1: 0.55, 3: 0.8, 5: 0.93}).passed
    assert exercises.check("08.4", real_vs_real=0.47, gaussian=0.66, untrained=0.9).passed
    coin = np.random.default_rng(0).random(750) < 0.5
    assert exercises.check("08.5", correct=coin, accuracy=0.97).passed


@pytest.mark.parametrize("exercise_id, answer", wrong_cases(WRONG))
def test_wrong_answer_fails(exercise_id, answer):
    assert_fails_with_hint(exercise_id, answer)
