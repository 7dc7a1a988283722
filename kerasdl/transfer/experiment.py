"""Does pre-training on glyphs help with few labels? Scratch vs frozen vs fine-tuned on real digits.

The target task is the handwritten scikit-learn digits (`kerasdl.datasets.load("digits")`)
with only a few labelled images per class; the source task of the
`kerasdl_glyphs` backbone has no digit classes (letters and symbols only,
see `kerasdl.datasets.glyphs`). Three networks with the same convolutional
body are compared:

* `scratch`: `kerasdl.models.cnn`, random initialisation, everything trained;
* `frozen`: the `kerasdl_glyphs` backbone frozen, only a new head trained (phase 1);
* `fine_tuned`: the same model after phase 2 (backbone unfrozen from
  `UNFREEZE` up, BN frozen, low learning rate).

Scratch gets as many gradient steps as phase 1 + phase 2 together. Every
network keeps the epoch with the lowest validation loss (`BestEpoch`, on the
digits validation split, the same images for every method and seed), in
each phase; the test split is then read once per final model. A logistic
regression on the 64 raw pixels is the classical reference. The result is a
`kerasdl.stats.LearningCurve` keyed by the number of labelled images, so its
`paired` intervals and verdicts compare the methods seed by seed.

The labelled sample is repeated to whole batches, at least
`_MIN_EPOCH_BATCHES` of them per epoch: the number of gradient steps stays
about `steps`, but Keras' fixed cost per epoch is not paid a hundred times per
run, and no smaller last batch triggers a second trace of the training step.

Example:
    >>> from kerasdl.transfer.experiment import digits_transfer_comparison
    >>> curve = digits_transfer_comparison(labels_per_class=(3,), seeds=(0,), steps=4)
    >>> curve.sizes, sorted(curve.models)
    ([30], ['fine_tuned', 'frozen', 'pixels_logreg', 'scratch'])
"""

from __future__ import annotations

import math
import time
from typing import Any

import keras
import numpy as np

from kerasdl.validation import check_int_sequence, check_non_negative_int, check_positive_float, check_positive_int

#: What phase 2 unfreezes, in the tutorial's demo and in the comparison alike.
UNFREEZE = "conv_block_2_conv"

_BATCH = 16
_MIN_EPOCH_BATCHES = 20  # repeat tiny samples: Keras' per-epoch cost dominates a 4-batch epoch


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
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4),
    steps: int = 400,
    head_learning_rate: float = 1e-3,
    fine_tune_learning_rate: float = 1e-4,
    unfreeze: Any = UNFREEZE,
    backbone_name: str = "kerasdl_glyphs",
    verbose: bool = False,
) -> Any:
    """Train scratch, frozen and fine-tuned networks on few labels; score them on validation and test.

    Args:
        labels_per_class: Labelled training images per digit (sampled from the
            digits training split, the same images for every method).
        seeds: Repetitions (different samples and initialisations); pairs for the intervals.
        steps: Gradient steps of each phase (batch size 16); scratch gets 2x.
        head_learning_rate: Adam learning rate of phase 1 and of scratch.
        fine_tune_learning_rate: Adam learning rate of phase 2.
        unfreeze: What phase 2 unfreezes (see `kerasdl.transfer.unfreeze`).
        backbone_name: Backbone to transfer (its body must match the scratch cnn).
        verbose: Print one line per run.

    Returns:
        A `kerasdl.stats.LearningCurve` keyed by labelled images (10 x
        labels per class); its rows have `model`, `seed`, `val_accuracy`,
        `test_accuracy`, `best_epoch` (per phase for `fine_tuned`) and `seconds`.

    Example:
        >>> curve = digits_transfer_comparison(labels_per_class=(2,), seeds=(0,), steps=2)
        >>> all(0.0 <= row["test_accuracy"] <= 1.0 for row in curve.runs[20].rows)
        True
    """
    from sklearn.linear_model import LogisticRegression

    from kerasdl.datasets import load
    from kerasdl.models import cnn
    from kerasdl.stats import LearningCurve, SeedRuns
    from kerasdl.training import BestEpoch, compile_for
    from kerasdl.transfer import fine_tune
    from kerasdl.transfer.backbones import backbone
    from kerasdl.transfer.head import build_transfer_model

    labels_per_class = check_int_sequence("labels_per_class", labels_per_class)
    if not isinstance(seeds, (tuple, list)) or not seeds:
        raise TypeError(f"seeds must be a non-empty tuple of non-negative integers; got {seeds!r}.")
    seeds = tuple(check_non_negative_int("seeds", seed) for seed in seeds)
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct (a repeated seed repeats the same run); got {seeds!r}.")
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
    (x_val, y_val), (x_test, y_test) = data.validation, data.test
    flat = lambda images: images.reshape(len(images), -1)  # noqa: E731
    curve = LearningCurve({})
    for per_class in labels_per_class:
        runs = SeedRuns(metric="accuracy")
        for seed in seeds:
            index = _sample(data.y_train, per_class, seed)
            x, y = data.x_train[index], data.y_train[index]
            x_fit, y_fit = _repeat(x, y, seed)
            epochs = max(1, math.ceil(steps / math.ceil(len(x_fit) / _BATCH)))
            rows: list[dict[str, Any]] = []

            tic = time.perf_counter()
            logreg = LogisticRegression(max_iter=2000).fit(flat(x), y)
            rows.append({"model": "pixels_logreg", "val_accuracy": float(logreg.score(flat(x_val), y_val)),
                         "test_accuracy": float(logreg.score(flat(x_test), y_test)),
                         "seconds": time.perf_counter() - tic})

            tic = time.perf_counter()
            keras.utils.set_random_seed(seed)
            scratch = compile_for(cnn((8, 8, 1), 10, filters=filters, batch_norm=True, dropout=0.2),
                                  learning_rate=head_learning_rate)
            best = BestEpoch("val_loss")
            scratch.fit(x_fit, y_fit, batch_size=_BATCH, epochs=2 * epochs, verbose=0,
                        validation_data=(x_val, y_val), callbacks=[best])
            rows.append({"model": "scratch", "best_epoch": best.best_epoch,
                         "val_accuracy": _accuracy(scratch, x_val, y_val),
                         "test_accuracy": _accuracy(scratch, x_test, y_test),
                         "seconds": time.perf_counter() - tic})

            tic = time.perf_counter()
            keras.utils.set_random_seed(seed)
            model = build_transfer_model(backbone(backbone_name), 10, dropout=0.2)
            best = BestEpoch("val_loss")
            phase_end = _PhaseEnd(best, x_val, y_val, x_test, y_test)
            fine_tune(model, (x_fit, y_fit), (x_val, y_val), head_epochs=epochs, fine_tune_epochs=epochs,
                      unfreeze=unfreeze, head_learning_rate=head_learning_rate,
                      fine_tune_learning_rate=fine_tune_learning_rate, batch_size=_BATCH,
                      callbacks=[best, phase_end])
            seconds = time.perf_counter() - tic
            for method, (val, test, epoch) in zip(("frozen", "fine_tuned"), phase_end.scores):
                rows.append({"model": method, "best_epoch": epoch, "val_accuracy": val,
                             "test_accuracy": test, "seconds": seconds})
            for row in rows:
                runs.rows.append({**row, "seed": seed, "labels_per_class": per_class, "train_images": len(x)})
            if verbose:
                print(f"{per_class:>3} per class, seed {seed}: "
                      + ", ".join(f"{r['model']} val {r['val_accuracy']:.3f}" for r in rows), flush=True)
        curve.runs[10 * per_class] = runs
    return curve


class _PhaseEnd(keras.callbacks.Callback):
    """Validation and test accuracy of each phase's kept epoch, read once when the phase ends.

    Listed after `best`, whose `on_train_end` restores the validation-selected weights first.
    """

    def __init__(self, best: Any, x_val: np.ndarray, y_val: np.ndarray, x_test: np.ndarray,
                 y_test: np.ndarray) -> None:
        super().__init__()
        self.best, self.x_val, self.y_val, self.x_test, self.y_test = best, x_val, y_val, x_test, y_test
        self.scores: list[tuple[float, float, int]] = []

    def on_train_end(self, logs: dict | None = None) -> None:
        self.scores.append((_accuracy(self.model, self.x_val, self.y_val),
                            _accuracy(self.model, self.x_test, self.y_test), int(self.best.best_epoch)))
