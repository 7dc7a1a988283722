"""Checks for the exercises of tutorial 04 (dropout).

Each judge reads properties of the learner's answer: the values a `Dropout`
layer lets through, the structure of a hand-built network and what it
computes with dropout off, the order of two losses, and where the passes of
Monte Carlo dropout disagree more. None of them needs a stored band.

Example:
    >>> import numpy as np
    >>> from kerasdl import exercises
    >>> rng = np.random.default_rng(0)
    >>> out = (rng.random((200, 256)) >= 0.8) * 5.0  # what Dropout(0.8) makes of ones
    >>> exercises.check("04.1", outputs=out, rate=0.8).passed
    True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from kerasdl.exercises.registry import exercise, expect


def _rate(rate: Any, name: str = "rate") -> float:
    expect(
        not isinstance(rate, bool) and isinstance(rate, (int, float)) and 0 < float(rate) < 1,
        f"`{name}` as the dropout rate, a number between 0 and 1; got {rate!r}",
    )
    return float(rate)


@exercise(
    "04.1",
    "Inverted dropout at rate 0.8",
    hint="Call the layer on a batch of ones with training=True (a plain call runs in inference "
    "mode and lets everything through), and pass the same rate you built it with.",
)
def _inverted_dropout(outputs: Any, rate: float) -> str:
    rate = _rate(rate)
    values = np.asarray(outputs, dtype=float)
    expect(values.ndim == 2 and values.size >= 100, f"a 2-D batch of at least 100 values; got shape {values.shape}")
    expect(np.all(np.isfinite(values)), "finite values")
    kept = values != 0
    share = float(kept.mean())
    expect(share < 1, "some values set to 0; every value came through, so dropout was off")
    expect(share > 0, "some values to survive; every value is 0")
    scale = 1 / (1 - rate)
    survivors = values[kept]
    expect(
        np.allclose(survivors, scale, rtol=1e-4),
        f"every survivor to carry 1 / (1 - rate) = {scale:.4g} (the input was ones); got values from "
        f"{survivors.min():.4g} to {survivors.max():.4g}",
    )
    # The share kept is a binomial proportion: allow five standard deviations around 1 - rate.
    spread = 5 * math.sqrt(rate * (1 - rate) / values.size)
    expect(
        abs(share - (1 - rate)) <= spread,
        f"about {1 - rate:.0%} of the values kept at rate {rate:g} (within {spread:.1%}); {share:.1%} were kept",
    )
    expect(
        values.shape[0] < 2 or not np.all(kept == kept[:1]),
        "different units dropped in different rows; every row has the same mask",
    )
    return (
        f"{share:.1%} of the {values.size} values survived (1 - rate = {1 - rate:.0%}), each scaled to "
        f"{survivors.mean():.4g} = 1 / (1 - {rate:g}), so the mean stays at {values.mean():.3f}, close to "
        "the input's 1. That is inverted dropout: the rescaling happens in training, so inference uses the "
        "weights as they are. Each row got its own mask."
    )


def _layers(model: Any) -> list:
    import keras

    expect(isinstance(model, keras.Model), f"a keras.Model; got {type(model).__name__}")
    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


@exercise(
    "04.2",
    "Dropout on the inputs too, built by hand",
    hint="Put a Dropout layer straight after the Input and one after every hidden Dense layer, none "
    "after the output layer; then copy the weights with plain.set_weights(model.get_weights()).",
)
def _input_dropout(model: Any, plain: Any, input_rate: float = 0.2, hidden_rate: float = 0.5) -> str:
    import keras

    input_rate, hidden_rate = _rate(input_rate, "input_rate"), _rate(hidden_rate, "hidden_rate")
    layers, plain_layers = _layers(model), _layers(plain)
    drops = [layer for layer in layers if isinstance(layer, keras.layers.Dropout)]
    expect(not any(isinstance(layer, keras.layers.Dropout) for layer in plain_layers),
           "`plain` to be the network without dropout (build(0.0))")
    expect(drops and layers[0] in drops, f"a Dropout layer straight after the input; the first layer is "
           f"{layers[0].name} ({type(layers[0]).__name__})")
    dense = [i for i, layer in enumerate(layers) if isinstance(layer, keras.layers.Dense)]
    expect(len(dense) >= 2, f"hidden Dense layers and an output layer; found {len(dense)} Dense layer(s)")
    output = dense[-1]
    expect(output == len(layers) - 1 or not isinstance(layers[output + 1], keras.layers.Dropout),
           "no Dropout after the output layer")
    missing = [layers[i].name for i in dense[:-1]
               if i + 1 >= len(layers) or not isinstance(layers[i + 1], keras.layers.Dropout)]
    expect(not missing, f"a Dropout after every hidden Dense layer; none after {', '.join(missing)}")
    expect(len(drops) == len(dense), f"{len(dense)} Dropout layers (the input and {len(dense) - 1} hidden "
           f"ones); found {len(drops)}")
    expect(math.isclose(float(drops[0].rate), input_rate),
           f"input dropout at rate {input_rate:g}; got {float(drops[0].rate):g}")
    wrong = [f"{d.name} {float(d.rate):g}" for d in drops[1:] if not math.isclose(float(d.rate), hidden_rate)]
    expect(not wrong, f"hidden dropout at rate {hidden_rate:g}; got {', '.join(wrong)}")
    n_model, n_plain = model.count_params(), plain.count_params()
    expect(n_model == n_plain, f"as many parameters as `plain` (Dropout has none); got {n_model:,} and {n_plain:,}")
    x = np.random.default_rng(0).random((8, *model.input_shape[1:])).astype("float32")
    same = np.abs(keras.ops.convert_to_numpy(model(x, training=False))
                  - keras.ops.convert_to_numpy(plain(x, training=False))).max()
    expect(same <= 1e-5, f"the same predictions as `plain` with dropout off (copy the weights); they differ "
           f"by up to {same:.3g}")
    noisy = np.abs(keras.ops.convert_to_numpy(model(x, training=True))
                   - keras.ops.convert_to_numpy(model(x, training=True))).max()
    expect(noisy > 0, "two training-mode calls to differ (dropout acts when training=True)")
    return (
        f"{len(drops)} Dropout layers ({input_rate:g} on the inputs, {hidden_rate:g} after each of the "
        f"{len(dense) - 1} hidden layers) and {n_model:,} parameters, as many as without dropout. With "
        f"dropout off the two networks compute the same function (largest difference {same:.1g}); two "
        f"training-mode calls differ by up to {noisy:.2f} in a probability. Dropout changes how a network "
        "is trained, not the network that is used."
    )


def _positive(value: Any, name: str) -> float:
    expect(not isinstance(value, bool) and isinstance(value, (int, float, np.floating)),
           f"`{name}` as one number; got {type(value).__name__}")
    value = float(value)
    expect(math.isfinite(value) and value > 0, f"`{name}` as a positive, finite loss; got {value!r}")
    return value


@exercise(
    "04.3",
    "Why the training curve sits above validation",
    hint="Both losses come from the same trained network on the same training images: one with "
    "evaluate() (dropout off), one from net(x, training=True) and the loss function.",
)
def _training_mode_loss(evaluated_loss: float, training_mode_loss: float, fit_loss: float | None = None) -> str:
    evaluated = _positive(evaluated_loss, "evaluated_loss")
    noisy = _positive(training_mode_loss, "training_mode_loss")
    expect(
        evaluated < noisy,
        f"the loss with dropout off (evaluated_loss) to be the lower one; got evaluated_loss {evaluated:.4g} "
        f"and training_mode_loss {noisy:.4g}",
    )
    text = (
        f"With dropout on, the same weights give a training loss {noisy / evaluated:.2g} times the one "
        f"evaluate() reports ({noisy:.4g} vs {evaluated:.4g}): each training-mode pass runs a thinned "
        "network. The training curve of fit() is measured that way, so it can sit above the validation "
        "curve, which is measured with dropout off."
    )
    if fit_loss is not None:
        fit = _positive(fit_loss, "fit_loss")
        text += f" fit() reported {fit:.4g} for its last epoch (an average over the epoch's batches)."
    return text


def _shares(values: Sequence[float], name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float).ravel()
    expect(array.size > 0, f"`{name}` with one share per image; it is empty")
    expect(np.all(np.isfinite(array)) and np.all((array >= 0) & (array <= 1)),
           f"`{name}` to hold shares of the passes, between 0 and 1")
    return array


@exercise(
    "04.4",
    "Monte Carlo dropout: where is the network unsure?",
    hint="Predict the same images many times with training=True, take each image's class from the mean "
    "prediction, count the passes that vote for another class, and split the images by whether the "
    "averaged class is right.",
)
def _mc_dropout(disagreement_correct: Sequence[float], disagreement_wrong: Sequence[float]) -> str:
    right = _shares(disagreement_correct, "disagreement_correct")
    wrong = _shares(disagreement_wrong, "disagreement_wrong")
    expect(right.max() > 0 or wrong.max() > 0,
           "some passes to disagree; every pass voted alike, so dropout was off (training=False)")
    expect(
        wrong.mean() > right.mean(),
        f"more disagreement on the misclassified images; got a mean share of {wrong.mean():.3f} (wrong, "
        f"{wrong.size} images) and {right.mean():.3f} (right, {right.size} images)",
    )
    return (
        f"On the {wrong.size} misclassified images {wrong.mean():.1%} of the passes voted for another "
        f"class than the averaged prediction, against {right.mean():.1%} on the {right.size} correct ones: "
        "the disagreement between thinned networks flags the images the network is likely to get wrong, "
        "without any label."
    )
