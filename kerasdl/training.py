"""Compile and train helpers: the right loss for the task, and side-by-side comparisons.

Example:
    >>> from kerasdl import datasets, models, training
    >>> data = datasets.load("wine")
    >>> result = training.compare({"shallow": models.shallow_mlp(data.input_shape, 3)}, data, epochs=2, verbose=0)
    >>> sorted(result.rows[0])
    ['model', 'params', 'seconds', 'test_accuracy', 'test_loss', 'train_accuracy', 'train_loss']
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

from kerasdl.models.blocks import count_params
from kerasdl.validation import TASKS, check_choice, check_positive_float, check_positive_int

LOSSES = {
    "multiclass": "sparse_categorical_crossentropy",
    "binary": "binary_crossentropy",
    "regression": "mean_squared_error",
}
METRICS = {"multiclass": "accuracy", "binary": "accuracy", "regression": "mae"}
_ACTIVATION_TASKS = {"softmax": "multiclass", "sigmoid": "binary", "linear": "regression"}


def loss_for(task: str) -> str:
    """The Keras loss name that matches a builder's output head.

    Example:
        >>> loss_for("binary")
        'binary_crossentropy'
    """
    return LOSSES[check_choice("task", task, TASKS)]


def infer_task(model: keras.Model) -> str:
    """Read the task from the activation of the model's `output` layer.

    Example:
        >>> from kerasdl.models import shallow_mlp
        >>> infer_task(shallow_mlp((4,), 3))
        'multiclass'
    """
    try:
        layer = model.get_layer("output")
    except ValueError:
        layer = model.layers[-1]
    activation = getattr(getattr(layer, "activation", None), "__name__", None)
    if activation not in _ACTIVATION_TASKS:
        raise ValueError(
            f"Cannot tell the task of model {model.name!r} from its last layer {layer.name!r} "
            f"(activation {activation!r}); pass task= one of {list(TASKS)}."
        )
    return _ACTIVATION_TASKS[activation]


def compile_for(
    model: keras.Model,
    task: str | None = None,
    optimizer: str | keras.optimizers.Optimizer = "adam",
    learning_rate: float = 1e-3,
    **compile_kwargs: Any,
) -> keras.Model:
    """Compile `model` with the loss and metric its task needs.

    Multiclass heads get sparse categorical cross-entropy (integer labels),
    binary heads binary cross-entropy, regression heads mean squared error;
    accuracy (or MAE for regression) is tracked.

    Args:
        model: An uncompiled model from a kerasdl builder (or any model).
        task: "multiclass", "binary", "regression", or None to infer it from
            the `output` layer's activation.
        optimizer: An optimizer name ("adam", "sgd", "rmsprop", ...) or instance.
        learning_rate: Used when `optimizer` is a name.
        **compile_kwargs: Passed to `model.compile` (e.g. `jit_compile=False`).

    Returns:
        The same model, compiled.

    Example:
        >>> from kerasdl.models import deep_mlp
        >>> model = compile_for(deep_mlp((4,), 1, task="regression"))
        >>> model.loss
        'mean_squared_error'
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model; got {type(model).__name__}.")
    task = infer_task(model) if task is None else check_choice("task", task, TASKS)
    if isinstance(optimizer, str):
        learning_rate = check_positive_float("learning_rate", learning_rate)
        try:
            optimizer = keras.optimizers.get({"class_name": optimizer, "config": {"learning_rate": learning_rate}})
        except ValueError:
            raise ValueError(f"optimizer={optimizer!r} is not a Keras optimizer; try 'adam', 'sgd', 'rmsprop', "
                             "'adamw' or an optimizer instance.") from None
    compile_kwargs.setdefault("metrics", [METRICS[task]])
    model.compile(optimizer=optimizer, loss=LOSSES[task], **compile_kwargs)
    return model


@dataclass
class Comparison:
    """What `compare` returns: one summary row per model and each model's history.

    Attributes:
        rows: Dicts with `model`, `params`, `train_<metric>`, `test_<metric>`,
            `train_loss`, `test_loss` and `seconds` (training wall time).
        histories: `History.history` dicts, keyed by model name.
        models: The trained models.

    Example:
        >>> Comparison(rows=[{"model": "a", "params": 3}]).table().splitlines()[0].split()
        ['model', 'params']
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    histories: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    models: dict[str, keras.Model] = field(default_factory=dict, repr=False)

    def table(self) -> str:
        """The rows as an aligned text table."""
        return format_table(self.rows)

    def best(self, column: str) -> dict[str, Any]:
        """The row with the highest value of `column` (e.g. "test_accuracy")."""
        return max(self.rows, key=lambda row: row[column])


def compare(
    models: Mapping[str, keras.Model | Callable[[], keras.Model]],
    data: Any,
    epochs: int = 20,
    batch_size: int = 32,
    seed: int = 0,
    optimizer: str = "adam",
    learning_rate: float = 1e-3,
    verbose: int | str = "auto",
    callbacks: list | None = None,
) -> Comparison:
    """Train each model on the same data and tabulate the results side by side.

    Each model is compiled with `compile_for` (unless already compiled),
    trained with the test split as validation data, then evaluated on the
    full train and test splits (so train accuracy is measured with dropout
    off, like test accuracy). The random seed is reset before each model so
    every model sees the same shuffling.

    Args:
        models: Name -> model, or name -> zero-argument function building one
            (built after seeding, so its initial weights are reproducible).
        data: A `kerasdl.datasets.Dataset`.
        epochs: Training epochs per model.
        batch_size: Mini-batch size.
        seed: Seed passed to `keras.utils.set_random_seed` before each model.
        optimizer: Optimizer name for models that are not compiled yet.
        learning_rate: Learning rate for those models.
        verbose: Keras `fit` verbosity (2 prints one line per epoch).
        callbacks: Extra callbacks passed to every `fit`.

    Returns:
        A `Comparison` with `rows`, `histories` and `models`.

    Example:
        >>> from kerasdl import datasets, models
        >>> data = datasets.load("breast_cancer")
        >>> result = compare({"deep": lambda: models.deep_mlp(data.input_shape, 1, depth=3, width=16)},
        ...                  data, epochs=1, verbose=0)
        >>> result.rows[0]["model"]
        'deep'
    """
    if not isinstance(models, Mapping) or not models:
        raise TypeError("models must be a non-empty dict of name -> keras.Model (or a function returning one).")
    for attr in ("x_train", "y_train", "x_test", "y_test"):
        if not hasattr(data, attr):
            raise TypeError(f"data must be a kerasdl.datasets.Dataset with numpy splits; it has no {attr!r}.")
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    result = Comparison()
    for name, model in models.items():
        keras.utils.set_random_seed(seed)
        if callable(model) and not isinstance(model, keras.Model):
            model = model()
        if not isinstance(model, keras.Model):
            raise TypeError(f"models[{name!r}] must be a keras.Model or build one; got {type(model).__name__}.")
        if not model.compiled:
            compile_for(model, optimizer=optimizer, learning_rate=learning_rate)
        if verbose not in (0, "0"):
            print(f"--- training {name} ({count_params(model):,} parameters) ---", flush=True)
        start = time.perf_counter()
        history = model.fit(data.x_train, data.y_train, validation_data=(data.x_test, data.y_test), epochs=epochs,
                            batch_size=batch_size, verbose=verbose, callbacks=list(callbacks or []))
        seconds = time.perf_counter() - start
        scores = {split: model.evaluate(x, y, batch_size=max(batch_size, 256), verbose=0, return_dict=True)
                  for split, x, y in (("train", data.x_train, data.y_train), ("test", data.x_test, data.y_test))}
        row: dict[str, Any] = {"model": name, "params": count_params(model)}
        # Metric columns first (what a learner compares), then losses, then time.
        for key in [k for k in scores["train"] if k != "loss"] + ["loss"]:
            for split in ("train", "test"):
                if key in scores[split]:
                    row[f"{split}_{key}"] = float(scores[split][key])
        row["seconds"] = seconds
        result.rows.append(row)
        result.histories[name] = {k: [float(v) for v in vals] for k, vals in history.history.items()}
        result.models[name] = model
    return result


def format_table(rows: list[dict[str, Any]], digits: int = 4) -> str:
    """Format rows of dicts as an aligned plain-text table (no pandas needed).

    Floats in [0, 1] columns named like accuracy print with `digits`
    decimals; seconds with 1; integers with thousands separators.

    Example:
        >>> print(format_table([{"model": "a", "test_accuracy": 0.91234, "seconds": 1.234}]))
        model  test_accuracy  seconds
        a             0.9123      1.2
    """
    if not rows:
        return "(no rows)"
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)

    def cell(key: str, value: Any) -> str:
        if value is None:
            return "-"
        if isinstance(value, (bool, np.bool_)):
            return str(value)
        if isinstance(value, (int, np.integer)):
            return f"{int(value):,}"
        if isinstance(value, (float, np.floating)):
            return f"{value:.1f}" if key in ("seconds", "time") else f"{value:.{digits}f}"
        return str(value)

    cells = [[cell(key, row.get(key)) for key in columns] for row in rows]
    widths = [max(len(key), *(len(r[i]) for r in cells)) for i, key in enumerate(columns)]
    first_text = all(not isinstance(row.get(columns[0]), (int, float, np.number)) for row in rows)

    def line(values: list[str]) -> str:
        parts = [v.ljust(w) if i == 0 and first_text else v.rjust(w) for i, (v, w) in enumerate(zip(values, widths))]
        return "  ".join(parts).rstrip()

    return "\n".join([line(columns)] + [line(values) for values in cells])
