"""Rules over the loss curves of `fit`: learning rate too high or too low, over- and underfitting,
validation loss below training loss.

Epochs in the evidence are numbered from 1, as Keras prints them.

Example:
    >>> import numpy as np
    >>> from kerasdl.diagnose.inputs import Run
    >>> run = Run(logs={"loss": np.array([2.3, 2.3, 2.3, 2.3])})
    >>> [f.kind for f in lr_too_low(run)]
    ['lr_too_low']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasdl.diagnose import thresholds as T
from kerasdl.diagnose.findings import Finding
from kerasdl.diagnose.inputs import Run, Skip

ACCURACY_KEYS = ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy",
                 "binary_accuracy")


def _learning_rate(model: Any) -> float | None:
    try:
        return float(np.asarray(model.optimizer.learning_rate))
    except (AttributeError, TypeError, ValueError):
        return None


def chance_loss(model: Any) -> float | None:
    """Cross-entropy of guessing uniformly (ln K for K classes, ln 2 for one sigmoid unit).

    None when the model is missing or its loss is not a cross-entropy.

    Example:
        >>> chance_loss(None) is None
        True
    """
    loss = getattr(model, "loss", None)
    name = str(getattr(loss, "name", None) or getattr(loss, "__name__", None) or loss).lower()
    if "crossentropy" not in name:
        return None
    try:
        units = int(model.outputs[0].shape[-1])
    except (AttributeError, IndexError, TypeError, ValueError):
        return None
    return float(np.log(2.0 if units == 1 else units))


def _finite_loss(run: Run, min_epochs: int) -> np.ndarray:
    loss = run.curve("loss", min_epochs)
    if not np.all(np.isfinite(loss)):
        raise Skip("the training loss is not finite (see lr_too_high)")
    return loss


def lr_too_high(run: Run) -> list[Finding]:
    """The training loss became NaN, ended above where it started, or spiked repeatedly.

    Example:
        >>> lr_too_high(Run(logs={"loss": np.array([2.0, np.nan])}))[0].evidence["epochs"]
        [2]
    """
    loss = run.curve("loss", 1)
    lr = _learning_rate(run.model)
    chance = chance_loss(run.model)
    bad = np.flatnonzero(~np.isfinite(loss))
    blown = [] if chance is None else [
        int(i) + 1 for i in np.flatnonzero(np.isfinite(loss) & (loss > T.BLOWUP_FACTOR * chance))]
    finite = loss[np.isfinite(loss)]
    spikes = [i + 1 for i in range(1, loss.size)
              if np.all(np.isfinite(loss[:i + 1]))
              and loss[i] - np.min(loss[:i]) > T.SPIKE_FRACTION * abs(loss[0])]
    if bad.size:
        summary = f"the training loss became {loss[bad[0]]} at epoch {bad[0] + 1} of {loss.size}"
        epochs = [int(bad[0]) + 1]
    elif blown:
        summary = (f"the training loss averaged {loss[blown[0] - 1]:.3g} in epoch {blown[0]}, over "
                   f"{T.BLOWUP_FACTOR:g} times the {chance:.3g} of guessing at random")
        epochs = blown
    elif loss.size >= 2 and finite[-1] > finite[0]:
        summary = f"the training loss rose from {finite[0]:.4g} (epoch 1) to {finite[-1]:.4g} (epoch {loss.size})"
        epochs = [1, int(loss.size)]
    elif len(spikes) >= T.MIN_SPIKES:
        summary = (f"the training loss jumped back up {len(spikes)} times (epochs "
                   f"{', '.join(map(str, spikes[:6]))}) by more than {T.SPIKE_FRACTION:.0%} of its start")
        epochs = spikes
    else:
        return []
    if lr is not None:
        summary += f"; learning rate {lr:g}"
    return [Finding.of(
        "lr_too_high", "error" if bad.size or blown or epochs == [1, int(loss.size)] else "warning",
        summary,
        {"epochs": epochs, "first_loss": float(loss[0]), "last_loss": float(loss[-1]),
         "spike_epochs": spikes, "blowup_epochs": blown, "chance_loss": chance,
         "learning_rate": lr},
    )]


def lr_too_low(run: Run) -> list[Finding]:
    """The training loss hardly moved over the run.

    Example:
        >>> lr_too_low(Run(logs={"loss": np.array([2.3, 1.2, 0.6])}))
        []
    """
    loss = _finite_loss(run, T.MIN_EPOCHS)
    fall = (loss[0] - float(np.min(loss))) / abs(loss[0]) if loss[0] else 0.0
    if fall >= T.FLAT_DECREASE:
        return []
    lr = _learning_rate(run.model)
    summary = f"the training loss fell by {fall:.2%} in {loss.size} epochs ({loss[0]:.4g} -> {loss[-1]:.4g})"
    if lr is not None:
        summary += f"; learning rate {lr:g}"
    return [Finding.of(
        "lr_too_low", "warning", summary,
        {"epochs": [1, int(loss.size)], "relative_decrease": float(fall), "first_loss": float(loss[0]),
         "last_loss": float(loss[-1]), "learning_rate": lr},
    )]


def overfitting(run: Run) -> list[Finding]:
    """Validation loss rose well above its best, epochs ago, while the gap to training grew.

    Example:
        >>> logs = {"loss": np.array([1.0, .5, .3, .2, .1, .05]), "val_loss": np.array([1.0, .6, .7, .8, .9, 1.0])}
        >>> overfitting(Run(logs=logs))[0].evidence["best_epoch"]
        2
    """
    loss = _finite_loss(run, T.MIN_EPOCHS)
    val = run.curve("val_loss", T.MIN_EPOCHS)
    if not np.all(np.isfinite(val)):
        raise Skip("the validation loss is not finite")
    best = int(np.argmin(val))
    since = val.size - 1 - best
    rise = float(val[-1] / val[best] - 1.0) if val[best] > 0 else 0.0
    gap_best, gap_last = float(val[best] - loss[best]), float(val[-1] - loss[-1])
    if since < T.OVERFIT_PATIENCE or rise <= T.OVERFIT_RISE or gap_last <= gap_best:
        return []
    return [Finding.of(
        "overfitting", "warning",
        f"validation loss was lowest at epoch {best + 1} ({val[best]:.4g}) and is {rise:.0%} higher "
        f"{since} epochs later ({val[-1]:.4g}); the train/validation gap grew from {gap_best:.3g} "
        f"to {gap_last:.3g}",
        {"best_epoch": best + 1, "epochs_since_best": since, "best_val_loss": float(val[best]),
         "last_val_loss": float(val[-1]), "gap_at_best": gap_best, "gap_last": gap_last,
         "epochs": [best + 1, int(val.size)]},
    )]


def _accuracy(run: Run) -> tuple[str, float] | None:
    for key in ACCURACY_KEYS:
        values = run.logs.get(key)
        if values is not None and values.size and np.isfinite(values[-1]):
            return key, float(values[-1])
    return None


def underfitting(run: Run) -> list[Finding]:
    """The training loss fell, then stalled while still high; validation is no worse than training.

    Example:
        >>> logs = {"loss": np.array([0.70, 0.66, 0.65, 0.65, 0.65, 0.65]), "accuracy": np.array([.5] * 6)}
        >>> underfitting(Run(logs=logs))[0].evidence["accuracy"]
        0.5
    """
    loss = _finite_loss(run, T.MIN_EPOCHS)
    fall = (loss[0] - float(np.min(loss))) / abs(loss[0]) if loss[0] else 0.0
    if fall < T.FLAT_DECREASE:
        return []  # it never learnt at all: lr_too_low speaks
    k = max(1, loss.size // 3)
    recent = float((loss[-k - 1] - loss[-1]) / abs(loss[-k - 1])) if loss[-k - 1] else 0.0
    acc = _accuracy(run)
    high_loss = loss[-1] > T.UNDERFIT_LOSS_FRACTION * loss[0]
    low_acc = acc is not None and acc[1] < T.UNDERFIT_ACCURACY
    val = run.logs.get("val_loss")
    gap_ok = val is None or not np.isfinite(val[-1]) or val[-1] <= loss[-1] * (1 + T.OVERFIT_RISE)
    # A loss that rises again is overshooting (lr_too_high), not a network too small to fit.
    if abs(recent) >= T.UNDERFIT_PLATEAU or not (high_loss or low_acc) or not gap_ok:
        return []
    what = f"training {acc[0]} {acc[1]:.3f}" if low_acc else (
        f"training loss still {loss[-1] / loss[0]:.0%} of epoch 1's")
    return [Finding.of(
        "underfitting", "warning",
        f"the training loss improved only {recent:.1%} over the last {k} epochs and stays high "
        f"({loss[-1]:.4g}; {what})",
        {"epochs": [int(loss.size - k), int(loss.size)], "recent_improvement": recent,
         "last_loss": float(loss[-1]), "first_loss": float(loss[0]),
         "accuracy": None if acc is None else acc[1]},
    )]


def _regularisers(model: Any) -> list[str]:
    causes = []
    for layer in getattr(model, "layers", []) or []:
        kind = type(layer).__name__
        rate = getattr(layer, "rate", None)
        if "Dropout" in kind or kind in ("GaussianNoise", "GaussianDropout"):
            causes.append(f"{kind} {layer.name!r}" + (f" (rate {rate:g})" if isinstance(rate, float) else ""))
        elif any(getattr(layer, a, None) is not None for a in
                 ("kernel_regularizer", "bias_regularizer", "activity_regularizer")):
            causes.append(f"weight penalty on {layer.name!r}")
        if hasattr(layer, "layers") and layer is not model:
            causes.extend(_regularisers(layer))
    return causes


def val_below_train(run: Run) -> list[Finding]:
    """Validation loss clearly below training loss on most epochs after the first, with its usual causes.

    Example:
        >>> logs = {"loss": np.array([1.0, 0.8, 0.7]), "val_loss": np.array([0.7, 0.6, 0.5])}
        >>> val_below_train(Run(logs=logs))[0].severity
        'info'
    """
    loss = _finite_loss(run, T.MIN_EPOCHS)
    val = run.curve("val_loss", T.MIN_EPOCHS)
    n = min(loss.size, val.size)
    # Keras' training loss is an average over the epoch, so it describes the weights half-way
    # through it, while the validation loss is measured at its end. The mean of this epoch's and
    # the next one's averages estimates the training loss at the end of the epoch; only a gap
    # that remains after that correction needs another cause. Epoch 1 is left out: its average
    # spans the steepest part of the descent, where the estimate is poor.
    end_of_epoch = (loss[1:n - 1] + loss[2:n]) / 2
    below = val[1:n - 1] < end_of_epoch * (1 - T.VAL_BELOW_MARGIN)
    fraction = float(np.mean(below))
    if fraction < T.VAL_BELOW_EPOCH_FRACTION:
        return []
    regs = _regularisers(run.model) if run.model is not None else []
    causes = []
    if regs:
        causes.append("regularisation that acts only in training: " + ", ".join(regs[:4]))
    causes.append("Keras averages the training loss over the epoch while the weights improve "
                  "(corrected for here only approximately)")
    causes.append("a validation split that is easier than, or overlaps, the training data")
    epochs = [int(i) + 2 for i in np.flatnonzero(below)]
    return [Finding.of(
        "val_below_train", "info",
        f"validation loss is more than {T.VAL_BELOW_MARGIN:.0%} below the training loss at the epoch's "
        f"end (mean of that epoch's and the next one's) on {len(epochs)} of epochs 2-{n - 1} "
        f"(epoch {n - 1}: {val[n - 2]:.4g} vs {end_of_epoch[-1]:.4g})",
        {"epochs": epochs, "fraction_of_epochs": fraction, "causes": causes,
         "last_loss": float(loss[n - 1]), "last_val_loss": float(val[n - 1])},
        explanation="Usual causes, most likely first: " + "; ".join(causes) + ".",
    )]


RULES = {
    "lr_too_high": lr_too_high,
    "lr_too_low": lr_too_low,
    "overfitting": overfitting,
    "underfitting": underfitting,
    "val_below_train": val_below_train,
}
