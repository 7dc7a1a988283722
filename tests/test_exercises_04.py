"""Wrong answers to the exercises of tutorial 04 fail their checks (the solutions run in the tutorial)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from kerasdl import exercises, models
from exercise_cases import assert_fails_with_hint, wrong_cases  # noqa: E402

pytestmark = pytest.mark.backend_neutral

_rng = np.random.default_rng(0)
_MASK = _rng.random((200, 256)) >= 0.8


def _hand_built(input_rate=0.2, hidden_rate=0.5, input_dropout=True, last_dropout=True, depth=2):
    inputs = keras.Input((8,), name="input")
    x = keras.layers.Dropout(input_rate)(inputs) if input_dropout else inputs
    for i in range(depth):
        x = keras.layers.Dense(16, activation="relu", name=f"hidden_{i + 1}")(x)
        if last_dropout or i < depth - 1:
            x = keras.layers.Dropout(hidden_rate)(x)
    return keras.Model(inputs, keras.layers.Dense(3, activation="softmax", name="output")(x))


def _pair(**kwargs):
    model = _hand_built(**kwargs)
    plain = models.deep_mlp((8,), 3, depth=2, width=16)
    plain.set_weights(model.get_weights())
    return model, plain


def _unshared():
    model, plain = _pair()
    plain.set_weights([w + 0.1 for w in model.get_weights()])
    return dict(model=model, plain=plain)


WRONG = {
    "04.1": [
        dict(outputs=np.ones((200, 256)), rate=0.8),  # training=False: nothing dropped
        dict(outputs=_MASK * 0.2, rate=0.8),  # survivors scaled by (1 - rate) instead of 1 / (1 - rate)
        dict(outputs=(_rng.random((200, 256)) >= 0.5) * 2.0, rate=0.8),  # a 0.5 layer, said to be 0.8
        dict(outputs=np.repeat(_MASK[:1] * 5.0, 200, axis=0), rate=0.8),  # one mask for the whole batch
        dict(outputs=_MASK * 5.0, rate=1.5),
    ],
    "04.2": [
        dict(model=models.deep_mlp((8,), 3, depth=2, width=16, dropout=0.5),
             plain=models.deep_mlp((8,), 3, depth=2, width=16)),  # no input dropout
        dict(zip(("model", "plain"), _pair(last_dropout=False))),  # the last hidden layer undropped
        dict(zip(("model", "plain"), _pair(input_rate=0.5))),  # input rate as high as the hidden ones
        _unshared(),  # weights not copied: the predictions differ with dropout off
        dict(model=_hand_built(), plain=_hand_built()),  # "plain" has dropout
    ],
    "04.3": [
        dict(evaluated_loss=0.40, training_mode_loss=0.05),  # the two losses swapped
        dict(evaluated_loss=0.05, training_mode_loss=0.05),
        dict(evaluated_loss=float("nan"), training_mode_loss=0.3),
    ],
    "04.4": [
        dict(disagreement_correct=np.zeros(200), disagreement_wrong=np.zeros(40)),  # training=False
        dict(disagreement_correct=np.full(200, 0.4), disagreement_wrong=np.full(40, 0.1)),  # groups swapped
        dict(disagreement_correct=np.full(200, 0.1), disagreement_wrong=[]),
        dict(disagreement_correct=np.full(200, 2.0), disagreement_wrong=np.full(40, 9.0)),  # counts, not shares
    ],
}


@pytest.mark.parametrize("exercise_id, answer", wrong_cases(WRONG))
def test_wrong_answer_fails(exercise_id, answer):
    assert_fails_with_hint(exercise_id, answer)


def test_right_answers_pass():
    # A hand-built network of the asked shape, with the weights copied, passes 04.2.
    model, plain = _pair()
    assert exercises.check("04.2", model=model, plain=plain).passed
    assert exercises.check("04.1", outputs=_MASK * 5.0, rate=0.8).passed
    assert exercises.check("04.3", evaluated_loss=0.05, training_mode_loss=0.4, fit_loss=0.5).passed
    assert exercises.check("04.4", disagreement_correct=np.full(9, 0.1), disagreement_wrong=np.full(3, 0.4)).passed
