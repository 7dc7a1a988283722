"""Checks for the exercises of tutorial 05 (batch normalization).

The judges read structure and mechanics, which do not depend on the seed:
the parameters batch normalization adds, what it does with a batch of one
example, how fast its running averages move, and where a hand-built
network puts it. None of them needs a stored band.

Example:
    >>> from kerasdl import exercises
    >>> steps = [1 - 0.9 ** k for k in range(1, 6)]  # share of the way to the batch mean
    >>> exercises.check("05.3", momentum=0.9, fractions=steps).passed
    True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from kerasdl.exercises.registry import exercise, expect


def _model(value: Any, name: str) -> Any:
    import keras

    expect(isinstance(value, keras.Model), f"`{name}` as a keras.Model; got {type(value).__name__}")
    return value


def _count(weights: list) -> int:
    return int(sum(int(np.prod(w.shape)) for w in weights))


def _whole(value: Any, name: str) -> int:
    expect(not isinstance(value, bool) and isinstance(value, (int, np.integer, float)) and float(value) == int(value),
           f"`{name}` as a whole number of parameters; got {value!r}")
    return int(value)


@exercise(
    "05.1",
    "What batch normalization adds to a network",
    hint="Count model.trainable_weights and model.non_trainable_weights of both networks (the sizes "
    "of their arrays). Think of what BN learns per unit and what it only tracks, and of the bias the "
    "Dense layer gave up.",
)
def _bn_parameters(model: Any, plain: Any, extra_trainable: int, non_trainable: int) -> str:
    import keras

    model, plain = _model(model, "model"), _model(plain, "plain")
    bns = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    expect(bns, "`model` to be the network with batch normalization (it has no BatchNormalization layer)")
    expect(not any(isinstance(layer, keras.layers.BatchNormalization) for layer in plain.layers),
           "`plain` to be the network without batch normalization")
    extra, frozen = _whole(extra_trainable, "extra_trainable"), _whole(non_trainable, "non_trainable")
    true_extra = _count(model.trainable_weights) - _count(plain.trainable_weights)
    true_frozen = _count(model.non_trainable_weights)
    units = sum(int(layer.gamma.shape[0]) for layer in bns)
    expect(
        extra == true_extra,
        f"the difference in *trainable* parameters, model minus plain; you passed {extra:,}, which is not it "
        f"(the two networks hold {model.count_params():,} and {plain.count_params():,} parameters in all)",
    )
    expect(frozen == true_frozen, f"the number of non-trainable parameters of `model`; you passed {frozen:,}")
    return (
        f"{len(bns)} BN layers over {units} units: each unit learns a scale gamma and a shift beta "
        f"(+{2 * units:,}) and its Dense layer drops the bias that beta replaces, so {extra:+,} trainable "
        f"parameters in all; the {frozen:,} non-trainable ones are the running mean and variance "
        "(2 per unit), updated by averaging during training, never by the gradient."
    )


def _probabilities(value: Any, name: str) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    expect(array.ndim == 2 and array.shape[0] >= 2,
           f"`{name}` as one row of predictions per image, for at least 2 images; got shape {array.shape}")
    expect(np.all(np.isfinite(array)), f"finite predictions in `{name}`")
    return array


@exercise(
    "05.2",
    "Batch normalization with a batch of one",
    hint="Call the network on each image alone (a batch of shape (1, 64)), once with training=True and "
    "once with training=False, and stack the predictions image by image.",
)
def _batch_of_one(single_training: Any, single_inference: Any) -> str:
    train = _probabilities(single_training, "single_training")
    infer = _probabilities(single_inference, "single_inference")
    expect(train.shape == infer.shape, f"the same images in both; got shapes {train.shape} and {infer.shape}")
    train_gap = float(np.abs(train - train[:1]).max())
    infer_gap = float(np.abs(infer - infer[:1]).max())
    expect(
        train_gap <= 1e-4,
        f"every image alone in training mode to get the same prediction; `single_training` rows differ by up "
        f"to {train_gap:.3g}",
    )
    expect(infer_gap > 1e-3, f"different images to get different predictions in inference mode; "
           f"`single_inference` rows differ by at most {infer_gap:.3g}")
    return (
        f"Alone in a batch, every image got the same prediction in training mode (rows differ by at most "
        f"{train_gap:.1g}): each unit minus its batch mean is 0, so BN outputs only its shift beta and the "
        f"image is lost. In inference mode the running statistics replace the batch's, and the predictions "
        f"differ again (by up to {infer_gap:.2f}). That is why BN keeps running averages."
    )


@exercise(
    "05.3",
    "How fast the running averages move",
    hint="Start from a fresh BatchNormalization layer (running mean 0), call it with training=True on the "
    "same batch several times, and after each call read how far moving_mean has come towards the batch "
    "mean, as a share of the way (0 at the start, 1 when it has arrived).",
)
def _running_average(momentum: float, fractions: Sequence[float], steps_to_95: int | None = None) -> str:
    expect(not isinstance(momentum, bool) and isinstance(momentum, (int, float)) and 0 < momentum < 1,
           f"`momentum` as the layer's momentum, between 0 and 1; got {momentum!r}")
    values = np.asarray(fractions, dtype=float).ravel()
    expect(values.size >= 3, f"the share after each of at least 3 calls; got {values.size}")
    expect(np.all(np.isfinite(values)), "finite shares")
    expect(values.max() > 0, "the running mean to move; it stayed at 0, so the layer ran in inference mode")
    expect(np.all(np.diff(values) > 0), f"a share that grows with every call; got {values.round(4).tolist()}")
    k = np.arange(1, values.size + 1)
    predicted = 1 - momentum**k
    off = float(np.abs(values - predicted).max())
    expect(
        off <= 2e-3 + 1e-3 * float(predicted.max()),
        f"for momentum {momentum:g}, the share the running mean covers after each call (each call keeps "
        f"{momentum:g} of the old value); yours {values.round(4).tolist()[:5]} stray from it by up to {off:.3g}",
    )
    need = math.ceil(math.log(0.05) / math.log(momentum))
    text = (
        f"After k calls the running mean has covered 1 - {momentum:g}^k of the way (largest deviation "
        f"{off:.1g}): an exponential moving average. Reaching 95% takes {need} calls at momentum {momentum:g}"
    )
    if steps_to_95 is not None:
        given = _whole(steps_to_95, "steps_to_95")
        expect(abs(given - need) <= 1, f"`steps_to_95` near {need} calls for momentum {momentum:g}; got {given}")
    return text + f" ({math.ceil(math.log(0.05) / math.log(0.99))} at Keras's default 0.99)."


@exercise(
    "05.4",
    "Batch normalization after the activation",
    hint="Each hidden block should be a Dense layer with its activation (and its bias: nothing shifts its "
    "output before the ReLU), then a BatchNormalization layer; the softmax output layer comes last.",
)
def _bn_after_activation(model: Any) -> str:
    import keras

    model = _model(model, "model")
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    bns = [i for i, layer in enumerate(layers) if isinstance(layer, keras.layers.BatchNormalization)]
    dense = [i for i, layer in enumerate(layers) if isinstance(layer, keras.layers.Dense)]
    expect(len(bns) >= 2, f"a BatchNormalization layer in every hidden block; found {len(bns)}")
    expect(len(dense) == len(bns) + 1, f"one BN per hidden Dense layer ({len(dense) - 1} hidden Dense layers, "
           f"{len(bns)} BN layers) and none after the output")

    def linear(layer: Any) -> bool:
        return getattr(getattr(layer, "activation", None), "__name__", "linear") == "linear"

    for i in bns:
        before = layers[i - 1]
        feeds = before if isinstance(before, keras.layers.Dense) else layers[i - 2] if i >= 2 else None
        activated = isinstance(before, keras.layers.Activation) or (
            isinstance(before, keras.layers.Dense) and not linear(before))
        expect(activated, f"{layers[i].name} to come after an activation; it follows {before.name}, a "
               f"{type(before).__name__} without one (that is the course's order, BN before the activation)")
        expect(isinstance(feeds, keras.layers.Dense) and feeds.use_bias,
               f"{getattr(feeds, 'name', '?')} to keep its bias: a ReLU after a bias-free Dense cuts at 0 "
               "with no shift to move the cut")
    return (
        f"{len(bns)} blocks of Dense (with bias) -> activation -> BN and {model.count_params():,} "
        "parameters: BN now standardises what each block passes on, instead of what goes into its ReLU, "
        "and the Dense layers keep their biases because BN's shift no longer sits in front of the ReLU."
    )
