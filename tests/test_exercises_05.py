"""Wrong answers to the exercises of tutorial 05 fail their checks (the solutions run in the tutorial)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from kerasdl import exercises, models
from exercise_cases import assert_fails_with_hint, wrong_cases  # noqa: E402

pytestmark = pytest.mark.backend_neutral

_BN = models.deep_mlp((8,), 3, depth=2, width=16, batch_norm=True)
_PLAIN = models.deep_mlp((8,), 3, depth=2, width=16)
_rng = np.random.default_rng(0)
_DIFFERENT = _rng.dirichlet(np.ones(3), size=5)
_SAME = np.repeat(_DIFFERENT[:1], 5, axis=0)


def _after_activation(use_bias=True, activation="relu", last_bn=False):
    inputs = keras.Input((8,))
    x = inputs
    for _ in range(2):
        x = keras.layers.Dense(16, activation=activation, use_bias=use_bias)(x)
        x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Dense(3, activation="softmax")(x)
    if last_bn:
        x = keras.layers.BatchNormalization()(x)
    return keras.Model(inputs, x)


WRONG = {
    "05.1": [
        dict(model=_BN, plain=_PLAIN, extra_trainable=_BN.count_params() - _PLAIN.count_params(),
             non_trainable=64),  # all parameters counted as trainable
        dict(model=_BN, plain=_PLAIN, extra_trainable=64, non_trainable=64),  # gamma, beta, bias not dropped
        dict(model=_BN, plain=_PLAIN, extra_trainable=32, non_trainable=0),
        dict(model=_PLAIN, plain=_BN, extra_trainable=-32, non_trainable=64),  # the two swapped
    ],
    "05.2": [
        dict(single_training=_DIFFERENT, single_inference=_SAME),  # the two modes swapped
        dict(single_training=_DIFFERENT, single_inference=_DIFFERENT),  # training=False twice
        dict(single_training=_SAME[:1], single_inference=_DIFFERENT[:1]),  # one image only
    ],
    "05.3": [
        dict(momentum=0.9, fractions=[0.9**k for k in range(1, 6)]),  # the distance left, not covered
        dict(momentum=0.99, fractions=[1 - 0.9**k for k in range(1, 6)]),  # measured at another momentum
        dict(momentum=0.9, fractions=[0.0] * 5),  # training=False: the running mean never moves
        dict(momentum=0.9, fractions=[0.1 * k for k in range(1, 6)]),  # a straight line
        dict(momentum=0.99, fractions=[1 - 0.99**k for k in range(1, 6)], steps_to_95=95),
    ],
    "05.4": [
        dict(model=models.deep_mlp((8,), 3, depth=2, width=16, batch_norm=True)),  # the course's order
        dict(model=_after_activation(use_bias=False)),
        dict(model=_after_activation(activation=None)),  # no activation before BN
        dict(model=_after_activation(last_bn=True)),  # BN after the output layer too
        dict(model=_PLAIN),
    ],
}


@pytest.mark.parametrize("exercise_id, answer", wrong_cases(WRONG))
def test_wrong_answer_fails(exercise_id, answer):
    assert_fails_with_hint(exercise_id, answer)


def test_right_answers_pass():
    # deep_mlp with BN: 2 x 16 units, each +gamma +beta -bias = +32 trainable, 2 x 32 running statistics.
    assert exercises.check("05.1", model=_BN, plain=_PLAIN, extra_trainable=32, non_trainable=64).passed
    assert exercises.check("05.2", single_training=_SAME, single_inference=_DIFFERENT).passed
    assert exercises.check("05.3", momentum=0.99, fractions=[1 - 0.99**k for k in range(1, 6)],
                           steps_to_95=299).passed
    assert exercises.check("05.4", model=_after_activation()).passed
