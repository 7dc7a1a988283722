"""Wrong answers to the exercises of tutorial 02 fail their checks (the solutions run in the tutorial)."""

from __future__ import annotations

import numpy as np
import pytest

from kerasdl import exercises, models, plots
from kerasdl.exercises import bands
from exercise_cases import assert_fails_with_hint, wrong_cases  # noqa: E402

pytestmark = pytest.mark.backend_neutral


def _purity(reduce):
    def purity_fn(activations, labels, k=20):
        tops = plots.top_inputs(reduce(activations), k=k)
        return float(np.mean([np.bincount(labels[t]).max() / k for t in tops]))

    return purity_fn


def _tiny_cnn():
    return models.cnn((8, 8, 1), 10, filters=(2, 2, 4))


INPUTS = np.random.default_rng(0).uniform(0, 1, size=(40, 8, 8, 1)).astype("float32")
GREY = np.full((8, 8, 1), 0.5, dtype="float32")


def _fields(blocks: int) -> list[int]:
    out, field, stride = [], 1, 1
    for _ in range(blocks):
        field += 2 * stride
        out.append(field)
        field += stride
        stride *= 2
    return out


WRONG = {
    "02.1": [
        # The untouched starting code: the page's (16, 32, 64) network.
        dict(model=lambda: models.cnn((8, 8, 1), 10, filters=(16, 32, 64)), test_accuracy=0.95),
        # The right structure, untrained (chance accuracy).
        dict(model=lambda: models.cnn((8, 8, 1), 10, filters=(4, 8, 16)), test_accuracy=0.1),
        # Accuracy as a percentage.
        dict(model=lambda: models.cnn((8, 8, 1), 10, filters=(4, 8, 16)), test_accuracy=86.0),
    ],
    "02.2": [
        # The untouched starting code: the page's peak-based purity.
        dict(purity_fn=_purity(lambda a: a.max(axis=(1, 2)))),
        # The weakest response instead of the average.
        dict(purity_fn=_purity(lambda a: a.min(axis=(1, 2)))),
        # A share in percent.
        dict(purity_fn=lambda a, y, k=20: 100 * _purity(lambda x: x.mean(axis=(1, 2)))(a, y, k)),
        dict(purity_fn="mean"),
    ],
    "02.3": [
        # The untouched start: the grey image itself.
        dict(model=_tiny_cnn, unit=0, image=GREY, inputs=INPUTS),
        # Unclipped ascent: far outside the pixel range.
        dict(model=_tiny_cnn, unit=0, image=GREY * 50, inputs=INPUTS),
        # Descent instead of ascent: a black image excites nothing.
        dict(model=_tiny_cnn, unit=0, image=np.zeros_like(GREY), inputs=INPUTS),
        # A unit the block does not have.
        dict(model=_tiny_cnn, unit=7, image=GREY, inputs=INPUTS),
    ],
    "02.4": [
        # The untouched page: three blocks on 8x8 images.
        dict(model=lambda: models.cnn((8, 8, 1), 10, filters=(16, 32, 64)), fields=_fields(3)),
        # Five blocks, but the fields of a network without pooling (3, 5, 7, 9, 11).
        dict(model=lambda: models.cnn((32, 32, 1), 10, filters=(4,) * 5), fields=[3, 5, 7, 9, 11]),
        # Only the first three fields.
        dict(model=lambda: models.cnn((32, 32, 1), 10, filters=(4,) * 5), fields=_fields(3)),
    ],
}


@pytest.mark.parametrize("exercise_id, answer", wrong_cases(WRONG))
def test_wrong_answer_fails(exercise_id, answer):
    answer = {k: v() if callable(v) and k == "model" else v for k, v in answer.items()}
    assert_fails_with_hint(exercise_id, answer)


def test_right_answers_pass():
    narrow = models.cnn((8, 8, 1), 10, filters=(4, 8, 16))
    middle = float(np.mean(bands.band("02.1/test_accuracy", "full").values))
    assert exercises.check("02.1", model=narrow, test_accuracy=middle).passed
    assert exercises.check("02.2", purity_fn=_purity(lambda a: a.mean(axis=(1, 2)))).passed
    result = exercises.check("02.4", model=models.cnn((32, 32, 1), 10, filters=(4,) * 5), fields=_fields(5))
    assert result.passed and "block 2 8x8 and block 3 18x18" in result.message, str(result)


def test_activation_maximisation_passes_for_the_strongest_input():
    # The real input that excites the unit most passes (it beats grey and 90% of the inputs)
    # whenever it beats grey, so a synthetic right answer is the best of the inputs themselves.
    import keras

    model = _tiny_cnn()
    block = keras.Model(model.input, model.get_layer("conv_block_3").output)
    response = keras.ops.convert_to_numpy(block(INPUTS)).reshape(len(INPUTS), -1, 4).max(axis=1)
    grey = keras.ops.convert_to_numpy(block(GREY[None])).reshape(1, -1, 4).max(axis=1)[0]
    unit = int(np.argmax(response.max(axis=0) - grey))
    if response[:, unit].max() <= grey[unit]:
        pytest.skip("no input of this random network beats the grey image")
    best = INPUTS[int(np.argmax(response[:, unit]))]
    assert exercises.check("02.3", model=model, unit=unit, image=best, inputs=INPUTS).passed
