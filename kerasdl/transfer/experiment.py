"""Does pre-training on glyphs help with few labels? Scratch vs frozen vs fine-tuned on real digits.

The target task is the handwritten scikit-learn digits (`kerasdl.datasets.load("digits")`)
with only a few labelled images per class. Three networks with the same
convolutional body are compared on the full digits test split:

* `scratch`: `kerasdl.models.cnn`, random initialisation, everything trained;
* `frozen`: the `kerasdl_glyphs` backbone frozen, only a new head trained (phase 1);
* `fine_tuned`: the same model after phase 2 (backbone unfrozen, BN frozen, low learning rate).

Scratch gets as many gradient steps as phase 1 + phase 2 together. The test
split is only read for reporting (no early stopping, no model selection).
A logistic regression on the 64 raw pixels is the classical reference.
The labelled sample is repeated to whole batches, at least
`_MIN_EPOCH_BATCHES` of them per epoch: the number of gradient steps stays
about `steps`, but Keras' fixed cost per epoch is not paid a hundred times per
run, and no smaller last batch triggers a second trace of the training step.

Example:
    >>> from kerasdl.transfer.experiment import digits_transfer_comparison
    >>> rows = digits_transfer_comparison(labels_per_class=(3,), seeds=(0,), steps=4)
    >>> sorted({row["method"] for row in rows})
    ['fine_tuned', 'frozen', 'pixels_logreg', 'scratch']
"""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np

from kerasdl.validation import check_int_sequence, check_non_negative_int, check_positive_float, check_positive_int

_BATCH = 16
_MIN_EPOCH_BATCHES = 20  # repeat tiny samples: Keras' per-epoch cost dominates a 4-batch epoch


class _TestAccuracy(keras.callbacks.Callback):
    """Test accuracy at the end of each `fit`: after phase 1, then after phase 2."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        super().__init__()
        self.x, self.y, self.accuracies = x, y, []

    def on_train_end(self, logs: dict | None = None) -> None:
        self.accuracies.append(_accuracy(self.model, self.x, self.y))


def _accuracy(model: keras.Model, x: np.ndarray, y: np.ndarray) -> float:
    # One direct call (inference mode): `predict` would trace a new function for every fresh model.
    probabilities = keras.ops.convert_to_numpy(model(x, training=False))
    return float(np.mean(np.argmax(probabilities, axis=-1) == y))


def _repeat(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Repeat the sample to whole batches, at least `_MIN_EPOCH_BATCHES` of them.

    Every image appears equally often, give or take one; whole batches mean
    one traced training step per model (a smaller last batch traces another).
    """
    size = _BATCH * max(_MIN_EPOCH_BATCHES, math.ceil(len(x) / _BATCH))
    rest = np.random.default_rng(seed).choice(len(x), size % len(x), replace=False)
    index = np.concatenate([np.tile(np.arange(len(x)), size // len(x)), rest])
    return x[index], y[index]


def _sample(y: np.ndarray, per_class: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    picks = [rng.choice(np.flatnonzero(y == label), size=per_class, replace=False) for label in np.unique(y)]
    return rng.permutation(np.concatenate(picks))


def digits_transfer_comparison(
    labels_per_class: tuple[int, ...] = (5, 10, 20, 50),
    seeds: tuple[int, ...] = (0, 1, 2),
    steps: int = 400,
    head_learning_rate: float = 1e-3,
    fine_tune_learning_rate: float = 1e-4,
    unfreeze: Any = "all",
    backbone_name: str = "kerasdl_glyphs",
    verbose: bool = False,
) -> list[dict[str, Any]]:
    """Measure test accuracy with few labels: scratch, frozen transfer, fine-tuned transfer.

    Args:
        labels_per_class: Labelled training images per digit (sampled from the
            digits training split, the same images for every method).
        seeds: Repetitions (different samples and initialisations).
        steps: Gradient steps of each phase (batch size 16); scratch gets 2x.
        head_learning_rate: Adam learning rate of phase 1 and of scratch.
        fine_tune_learning_rate: Adam learning rate of phase 2.
        unfreeze: What phase 2 unfreezes (see `kerasdl.transfer.unfreeze`).
        backbone_name: Backbone to transfer (its body must match the scratch cnn).
        verbose: Print one line per run.

    Returns:
        One row per (labels_per_class, seed, method) with `test_accuracy`.

    Example:
        >>> rows = digits_transfer_comparison(labels_per_class=(2,), seeds=(0,), steps=2)
        >>> all(0.0 <= row["test_accuracy"] <= 1.0 for row in rows)
        True
    """
    from sklearn.linear_model import LogisticRegression

    from kerasdl.datasets import load
    from kerasdl.models import cnn
    from kerasdl.training import compile_for
    from kerasdl.transfer.backbones import backbone
    from kerasdl.transfer.recipe import fine_tune
    from kerasdl.transfer.head import build_transfer_model

    labels_per_class = check_int_sequence("labels_per_class", labels_per_class)
    if not isinstance(seeds, (tuple, list)) or not seeds:
        raise TypeError(f"seeds must be a non-empty tuple of non-negative integers; got {seeds!r}.")
    seeds = tuple(check_non_negative_int("seeds", seed) for seed in seeds)
    steps = check_positive_int("steps", steps)
    check_positive_float("head_learning_rate", head_learning_rate)
    check_positive_float("fine_tune_learning_rate", fine_tune_learning_rate)
    data = load("digits")
    largest = int(np.bincount(data.y_train).min())
    if max(labels_per_class) > largest:
        raise ValueError(f"labels_per_class must be at most {largest} (the rarest digit's training images); "
                         f"got {labels_per_class!r}.")
    template = backbone(backbone_name)
    filters = tuple(int(layer.filters) for layer in template.layers if isinstance(layer, keras.layers.Conv2D))
    rows: list[dict[str, Any]] = []
    for per_class in labels_per_class:
        for seed in seeds:
            index = _sample(data.y_train, per_class, seed)
            x, y = data.x_train[index], data.y_train[index]
            x_fit, y_fit = _repeat(x, y, seed)
            epochs = max(1, math.ceil(steps / math.ceil(len(x_fit) / _BATCH)))
            results: dict[str, float] = {}

            logreg = LogisticRegression(max_iter=2000).fit(x.reshape(len(x), -1), y)
            results["pixels_logreg"] = float(logreg.score(data.x_test.reshape(len(data.x_test), -1), data.y_test))

            keras.utils.set_random_seed(seed)
            scratch = compile_for(cnn((8, 8, 1), 10, filters=filters, batch_norm=True, dropout=0.2),
                                  learning_rate=head_learning_rate)
            scratch.fit(x_fit, y_fit, batch_size=_BATCH, epochs=2 * epochs, verbose=0)
            results["scratch"] = _accuracy(scratch, data.x_test, data.y_test)

            keras.utils.set_random_seed(seed)
            model = build_transfer_model(backbone(backbone_name), 10, dropout=0.2)
            probe = _TestAccuracy(data.x_test, data.y_test)
            fine_tune(model, (x_fit, y_fit), head_epochs=epochs, fine_tune_epochs=epochs, unfreeze=unfreeze,
                      head_learning_rate=head_learning_rate, fine_tune_learning_rate=fine_tune_learning_rate,
                      batch_size=_BATCH, callbacks=[probe])
            results["frozen"], results["fine_tuned"] = probe.accuracies
            for method, accuracy in results.items():
                rows.append({"labels_per_class": per_class, "seed": seed, "method": method,
                             "train_images": len(x), "test_accuracy": accuracy})
            if verbose:
                print(f"{per_class:>3} per class, seed {seed}: "
                      + ", ".join(f"{m} {a:.3f}" for m, a in results.items()), flush=True)
    return rows


def summarize(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mean and standard deviation of test accuracy per (labels_per_class, method).

    Example:
        >>> summarize([{"labels_per_class": 5, "method": "a", "test_accuracy": 0.5},
        ...            {"labels_per_class": 5, "method": "a", "test_accuracy": 0.7}])[0]["mean"]
        0.6
    """
    groups: dict[tuple[int, str], list[float]] = {}
    for row in rows:
        groups.setdefault((row["labels_per_class"], row["method"]), []).append(row["test_accuracy"])
    return [{"labels_per_class": n, "method": method, "runs": len(values),
             "mean": round(float(np.mean(values)), 4), "std": round(float(np.std(values)), 4)}
            for (n, method), values in sorted(groups.items())]
