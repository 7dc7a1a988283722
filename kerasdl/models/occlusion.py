"""Occlusion maps: which parts of an image a trained model's score depends on.

Hide one square of the image at a time (filled with a constant), run the model
again and record how much the chosen output drops. A pixel's value is the mean
drop over every square that covered it, so the map has the image's size and
can be laid over it. This is the probe Zeiler and Fergus used on ImageNet
CNNs (2014); it needs no gradients, only forward passes.

A confident classifier's probability sits a hair below 1, and hiding a small
square barely moves it even where the evidence lies; `score="logit"` reads
the score before the final sigmoid or softmax instead, which keeps moving.

Example:
    >>> import numpy as np
    >>> from kerasdl.models import cnn, occlusion_map
    >>> model = cnn((12, 12, 1), 1, filters=(4,))
    >>> occlusion_map(model, np.zeros((2, 12, 12, 1), "float32"), patch=4, stride=2).shape
    (2, 12, 12)
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from kerasdl.validation import check_choice, check_non_negative_int, check_positive_int

_SQUASHING = ("sigmoid", "softmax")


def _positions(side: int, patch: int, stride: int) -> list[int]:
    # Top-left corners along one axis; the last square always reaches the far edge.
    starts = list(range(0, side - patch + 1, stride))
    if starts[-1] != side - patch:
        starts.append(side - patch)
    return starts


def occlusion_map(
    model: keras.Model,
    images: Any,
    patch: int = 5,
    stride: int = 1,
    fill: float | None = None,
    output: int = 0,
    score: str = "output",
    batch_size: int = 512,
) -> np.ndarray:
    """How much the model's output drops when each part of each image is hidden.

    Args:
        model: A trained model taking `images` and returning `(batch, outputs)`
            scores (probabilities, for a classifier made by `kerasdl.models`).
        images: Images of shape `(n, height, width)` or `(n, height, width, channels)`.
        patch: Side of the hiding square, in pixels.
        stride: Step between two squares.
        fill: Value the hidden pixels get; None uses the mean of `images`
            (a neutral grey for the data at hand).
        output: Which output column to watch (1 unit for a binary classifier: 0).
        score: "output" watches what the model returns; "logit" watches the
            last Dense layer's value before its sigmoid or softmax (the
            model must end in such a layer).
        batch_size: Occluded copies per forward pass.

    Returns:
        A float32 array of shape `(n, height, width)`: at each pixel, the score of
        the intact image minus the score with the pixel hidden, averaged over
        every square that covered it. Positive: hiding it lowers the score.

    Raises:
        ValueError: `images` is not a batch of images, `patch` is larger than
            the image, `output` is not one of the model's outputs, or
            `score="logit"` for a model that does not end in a sigmoid or
            softmax Dense layer.

    Example:
        >>> import numpy as np
        >>> inputs = keras.Input((4, 4, 1))
        >>> add = keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")
        >>> model = keras.Model(inputs, add(keras.layers.Flatten()(inputs)))  # the sum of the pixels
        >>> drop = occlusion_map(model, np.ones((1, 4, 4, 1)), patch=2, stride=2, fill=0.0)
        >>> float(drop[0, 0, 0])  # hiding a 2x2 square of ones removes 4 from the sum
        4.0
    """
    images = np.asarray(images, dtype="float32")
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or 0 in images.shape:
        raise ValueError(f"images must have shape (n, height, width) or (n, height, width, channels); "
                         f"got {images.shape}.")
    patch = check_positive_int("patch", patch)
    stride = check_positive_int("stride", stride)
    output = check_non_negative_int("output", output)
    batch_size = check_positive_int("batch_size", batch_size)
    n, height, width, _ = images.shape
    if patch > min(height, width):
        raise ValueError(f"patch={patch} is larger than the {height}x{width} images; allowed: 1..{min(height, width)}.")
    outputs = model.output_shape[-1]
    if output >= outputs:
        raise ValueError(f"output={output}: the model has {outputs} output(s); allowed: 0..{outputs - 1}.")
    fill = float(images.mean()) if fill is None else float(fill)
    forward = _logit_of(model) if check_choice("score", score, ("output", "logit")) == "logit" else model

    def score_of(x: np.ndarray) -> np.ndarray:
        values = [keras.ops.convert_to_numpy(forward(x[i:i + batch_size], training=False))[:, output]
                  for i in range(0, len(x), batch_size)]
        return np.concatenate(values)

    squares = [(r, c) for r in _positions(height, patch, stride) for c in _positions(width, patch, stride)]
    drops = np.zeros((n, height, width), "float64")
    covered = np.zeros((height, width), "float64")
    for r, c in squares:
        covered[r:r + patch, c:c + patch] += 1
    intact = score_of(images)
    for k in range(n):
        hidden = np.repeat(images[k:k + 1], len(squares), axis=0)
        for index, (r, c) in enumerate(squares):
            hidden[index, r:r + patch, c:c + patch, :] = fill
        drop = intact[k] - score_of(hidden)
        for (r, c), value in zip(squares, drop):
            drops[k, r:r + patch, c:c + patch] += value
    return (drops / covered).astype("float32")


def _logit_of(model: keras.Model) -> Any:
    """A function computing the model's last Dense layer without its sigmoid or softmax."""
    head = model.layers[-1]
    activation = getattr(getattr(head, "activation", None), "__name__", None)
    if not isinstance(head, keras.layers.Dense) or activation not in _SQUASHING:
        raise ValueError(f"score='logit' needs a model ending in a Dense layer with a sigmoid or softmax; "
                         f"model {model.name!r} ends in {type(head).__name__} {head.name!r} "
                         f"(activation {activation!r}). Use score='output'.")
    body = keras.Model(model.input, head.input)

    def logit(x: Any, training: bool = False) -> Any:
        features = keras.ops.cast(body(x, training=training), head.kernel.dtype)
        values = keras.ops.matmul(features, head.kernel)
        return values + head.bias if head.use_bias else values

    return logit
