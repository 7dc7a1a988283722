"""Per-layer activation statistics on a fixed batch: the health check for initialization.

Statistics per layer output:

* "mean", "std": of all output values;
* "zero_frac": fraction of values exactly 0 (ReLU units switched off);
* "dead_frac": fraction of units (last axis) that are 0 for every example
  of the batch (dead ReLU units);
* "saturated_frac": for sigmoid/tanh layers, fraction of values in the flat
  tails (sigmoid below 1 - s or above s, |tanh| above s, s = 0.99), where
  the derivative is nearly 0; NaN for other activations.

The batch runs in inference mode (`training=False`), so Dropout is off and
BatchNormalization uses, and does not change, its moving statistics.

Example:
    >>> import numpy as np, keras
    >>> from kerasdl.recorders import activation_stats
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu", name="h")])
    >>> sorted(activation_stats(model, np.ones((2, 4)))["h"])
    ['dead_frac', 'mean', 'saturated_frac', 'std', 'zero_frac']
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np

from kerasdl.recorders._hook import optimizer_iterations
from kerasdl.recorders.progress import Progress as _Progress
from kerasdl.recorders.gradients import check_layers
from kerasdl.recorders.history import ActivationHistory
from kerasdl.validation import check_positive_int

ACTIVATION_STATS = ("mean", "std", "zero_frac", "dead_frac", "saturated_frac")


def _activation_name(layer: Any) -> str:
    fn = getattr(layer, "activation", None)
    return str(getattr(fn, "__name__", fn) or "").lower()


def default_layers(model: Any) -> list[str]:
    """Layers that apply an activation (Dense, Conv, Activation, RNN...), in model order.

    Example:
        >>> m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, name="h"), keras.layers.Dropout(0.1)])
        >>> default_layers(m)
        ['h']
    """
    return [
        layer.name for layer in model.layers
        if hasattr(layer, "activation") and not isinstance(layer, keras.layers.InputLayer)
    ]


def _batch_size(x: Any) -> int:
    if isinstance(x, dict):
        x = next(iter(x.values()))
    elif isinstance(x, (list, tuple)):
        x = x[0]
    return int(np.shape(x)[0])


def _check_saturation(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"saturation must be a number in (0.5, 1); got {value!r}.")
    if not 0.5 < float(value) < 1.0:
        raise ValueError(f"saturation must be in (0.5, 1); got {value!r}.")
    return float(value)


def _probe_model(model: Any, layers: Sequence[str] | None) -> tuple[Any, list[str]]:
    names = list(layers) if layers is not None else default_layers(model)
    known = [layer.name for layer in model.layers]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"layers={names!r} names layers the model lacks: {unknown}; it has {known}.")
    if not names:
        raise ValueError("the model has no layer with an activation; pass layers=[...] explicitly.")
    try:
        inputs = model.inputs
        outputs = [model.get_layer(n).output for n in names]
    except (AttributeError, ValueError) as err:
        raise ValueError(
            "activation statistics need a Functional or built Sequential model (layer outputs must be "
            f"reachable from model.inputs); {type(model).__name__} is not: {err}"
        ) from None
    return keras.Model(inputs, outputs, name=f"{model.name}_activations"), names


def _stats(out: np.ndarray, activation: str, saturation: float) -> dict[str, float]:
    out = np.asarray(out, np.float64)
    zero = out == 0
    units = zero.reshape(-1, out.shape[-1]) if out.ndim > 1 else zero.reshape(-1, 1)
    if activation in ("sigmoid", "hard_sigmoid"):
        saturated = float(np.mean((out < 1.0 - saturation) | (out > saturation)))
    elif activation in ("tanh", "hard_tanh"):
        saturated = float(np.mean(np.abs(out) > saturation))
    else:
        saturated = float("nan")
    return {
        "mean": float(np.mean(out)),
        "std": float(np.std(out)),
        "zero_frac": float(np.mean(zero)),
        "dead_frac": float(np.mean(np.all(units, axis=0))),
        "saturated_frac": saturated,
    }


def _measure(probe: Any, names: list[str], model: Any, x: Any, saturation: float) -> dict[str, dict[str, float]]:
    outputs = probe.predict_on_batch(x)
    if len(names) == 1 and not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return {
        name: _stats(keras.ops.convert_to_numpy(out), _activation_name(model.get_layer(name)), saturation)
        for name, out in zip(names, outputs)
    }


def activation_stats(
    model: Any,
    x: Any,
    layers: Sequence[str] | None = None,
    saturation: float = 0.99,
) -> dict[str, dict[str, float]]:
    """Activation statistics of each layer on the batch `x`, in inference mode.

    Args:
        model: A Functional or Sequential Keras model (compiled or not).
        x: One batch of inputs.
        layers: Layer names; default every layer with an activation.
        saturation: Threshold `s` for "saturated_frac".

    Returns:
        `{layer: {"mean", "std", "zero_frac", "dead_frac", "saturated_frac"}}`.

    Example:
        >>> import numpy as np, keras
        >>> m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="sigmoid", name="s")])
        >>> 0.0 <= activation_stats(m, np.zeros((2, 3)))["s"]["saturated_frac"] <= 1.0
        True
    """
    layers = check_layers("layers", layers)
    saturation = _check_saturation(saturation)
    probe, names = _probe_model(model, layers)
    return _measure(probe, names, model, x, saturation)


class ActivationRecorder(keras.callbacks.Callback):
    """Record per-layer activation statistics on a fixed batch every `every` steps.

    A first row is taken at `on_train_begin` (the weights as initialised or
    as left by the previous `fit`), then one every `every` training steps
    and one at the end of training;
    rows are numbered by the optimizer's step counter, like
    `GradientRecorder`'s. The batch runs in inference mode, so recording
    never changes BatchNormalization statistics. On the JAX backend each
    recording copies the training state back into the model (as any
    callback that reads weights does), so keep `every` at 10 or more there.

    Args:
        data: A batch of inputs `x`, or an `(x, y)` tuple (y is ignored).
        every: Record every `every`-th training step.
        layers: Layer names; default every layer with an activation.
        saturation: Threshold for "saturated_frac" (sigmoid/tanh layers).
        path: Optional `.npz`/`.json` file saved atomically at each epoch end.

    Example:
        >>> import numpy as np
        >>> rec = ActivationRecorder(np.zeros((16, 4)), every=5)
        >>> rec.every
        5
    """

    def __init__(
        self,
        data: Any,
        every: int = 10,
        layers: Sequence[str] | None = None,
        saturation: float = 0.99,
        path: str | os.PathLike | None = None,
    ) -> None:
        super().__init__()
        if data is None:
            raise ValueError("data must be a fixed batch of inputs (or an (x, y) tuple); got None.")
        self.data = data[0] if isinstance(data, tuple) and len(data) == 2 else data
        self.every = check_positive_int("every", every)
        self.layers = check_layers("layers", layers)
        self.saturation = _check_saturation(saturation)
        if path is not None and Path(path).suffix.lower() not in (".npz", ".json"):
            raise ValueError(f"path must end in .npz or .json; got {str(path)!r}.")
        self.path = Path(path) if path is not None else None
        self.history = ActivationHistory()
        # Set up for each fit by on_train_begin (declared here, as Keras's callbacks do).
        self._probe: Any = None
        self._names: list[str] = []
        self._progress = _Progress()

    def on_train_begin(self, logs: dict | None = None) -> None:
        model = self.model  # syncs JAX state: the probe needs current weights
        self._probe, self._names = _probe_model(model, self.layers)
        columns = [(name, "output") for name in self._names]
        if self.path is not None and not len(self.history) and self.path.exists():
            self.history = ActivationHistory.load(self.path)
        if self.history.columns and self.history.columns != columns:
            raise ValueError(
                f"this ActivationRecorder already holds a history for layers {self.history.layers}; "
                "use a new recorder for this model."
            )
        self.history.columns = columns
        self.history.meta.update({"recorder": "ActivationRecorder", "every": self.every,
                                  "saturation": self.saturation, "batch_size": _batch_size(self.data),
                                  "mode": "inference", "backend": keras.backend.backend(),
                                  "activations": {n: _activation_name(model.get_layer(n)) for n in self._names}})
        self._progress = _Progress()
        self._record()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._progress.last_batch = -1

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        progress = self._progress
        done = progress.advance(batch)
        if progress.batches // self.every > (progress.batches - done) // self.every:
            self._record()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.path is not None and len(self.history):
            self.history.save(self.path)

    def on_train_end(self, logs: dict | None = None) -> None:
        self._record()  # the final weights, unless the last step was just recorded
        if self.path is not None and len(self.history):
            self.history.save(self.path)

    def _record(self) -> None:
        model = self.model
        step = optimizer_iterations(model)
        if len(self.history) and int(self.history.steps[-1]) == step:
            return
        measured = _measure(self._probe, self._names, model, self.data, self.saturation)
        rows = {stat: np.array([[measured[n][stat] for n in self._names]]) for stat in ACTIVATION_STATS}
        self.history.append([step], rows)
