"""Compile and train helpers: the right loss for the task, and side-by-side comparisons.

Example:
    >>> from kerasdl import datasets, models, training
    >>> data = datasets.load("wine")
    >>> result = training.compare({"shallow": models.shallow_mlp(data.input_shape, 3)}, data, epochs=2, verbose=0)
    >>> sorted(result.rows[0])[:4]
    ['best_epoch', 'model', 'params', 'seconds']
"""

from __future__ import annotations

import math
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


class BestEpoch(keras.callbacks.Callback):
    """Keep the weights of the epoch with the best validation score and restore them at the end.

    This is model selection on the validation split: the test split plays
    no part in choosing the epoch. Unlike `keras.callbacks.EarlyStopping` it
    never stops training early, so every model gets the same epoch budget.

    Args:
        monitor: A validation quantity from the logs, e.g. "val_loss" or "val_accuracy".
        mode: "min", "max", or "auto" (max for accuracy-like names, min otherwise).

    Attributes:
        best_epoch: 1-based epoch whose weights were restored (0 before training).
        best_value: The monitored value at that epoch.

    Example:
        >>> import numpy as np
        >>> from kerasdl.models import shallow_mlp
        >>> model = compile_for(shallow_mlp((2,), 1, hidden_units=4))
        >>> best = BestEpoch("val_loss")
        >>> x, y = np.zeros((8, 2)), np.zeros(8)
        >>> _ = model.fit(x, y, validation_data=(x, y), epochs=2, verbose=0, callbacks=[best])
        >>> best.best_epoch in (1, 2)
        True
    """

    def __init__(self, monitor: str = "val_loss", mode: str = "auto"):
        super().__init__()
        if not isinstance(monitor, str) or not monitor.startswith("val_"):
            raise ValueError(f"monitor must name a validation quantity such as 'val_loss'; got {monitor!r}. "
                             "Selecting an epoch on training or test scores is not model selection.")
        self.monitor = monitor
        mode = check_choice("mode", mode, ("auto", "min", "max"))
        if mode == "auto":
            mode = "max" if any(k in monitor for k in ("acc", "auc", "precision", "recall")) else "min"
        self.mode = mode
        self.best_epoch = 0
        self.best_value = float("nan")
        self._best_weights: list[Any] | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.best_epoch, self.best_value, self._best_weights = 0, float("nan"), None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        value = (logs or {}).get(self.monitor)
        if value is None:
            raise ValueError(f"BestEpoch: {self.monitor!r} is not in the epoch logs {sorted(logs or {})}; "
                             "pass validation_data to fit().")
        value = float(value)
        better = value < self.best_value if self.mode == "min" else value > self.best_value
        if self._best_weights is None or better:
            self.best_epoch, self.best_value = epoch + 1, value
            self._best_weights = self.model.get_weights()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._best_weights is not None:
            self.model.set_weights(self._best_weights)


@dataclass
class Comparison:
    """What `compare` returns: one summary row per model and each model's history.

    Attributes:
        rows: Dicts with `model`, `params`, `best_epoch` (chosen on validation),
            `train_<metric>`, `val_<metric>`, `test_<metric>`, the same for
            `loss`, and `seconds` (training wall time).
        histories: `History.history` dicts, keyed by model name.
        models: The trained models (weights of their best validation epoch).

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

    def best(self, column: str = "val_accuracy") -> dict[str, Any]:
        """The row with the highest value of a *validation* column (model selection).

        Raises:
            ValueError: `column` is a test or training column: picking a model
                by its test score turns the test split into a validation split.

        Example:
            >>> Comparison(rows=[{"model": "a", "val_accuracy": 0.8}, {"model": "b", "val_accuracy": 0.9}]
            ...            ).best()["model"]
            'b'
        """
        if not isinstance(column, str) or not column.startswith("val_"):
            raise ValueError(f"column must be a validation column (val_...); got {column!r}. Select models on "
                             "the validation split and read the test split once for the chosen model.")
        missing = [row["model"] for row in self.rows if column not in row]
        if missing:
            raise ValueError(f"column {column!r} is missing for {missing}; columns: {sorted(self.rows[0])}.")
        lower_better = "loss" in column or column.endswith(("_mae", "_mse", "_error"))
        return (min if lower_better else max)(self.rows, key=lambda row: row[column])


# Up to this many bytes (the training rows of every epoch plus the validation split), the
# splits of a fit are handed to TensorFlow as one pipeline; see _fit_inputs.
_PIPELINE_MAX_BYTES = 256 * 2**20


def _fit_inputs(x: np.ndarray, y: np.ndarray, x_val: np.ndarray, y_val: np.ndarray, batch_size: int,
                epochs: int, steps_per_execution: int = 1) -> dict[str, Any]:
    """Keyword arguments for `fit`: the training split in a new order each epoch, and the validation split.

    On TensorFlow, `fit` on numpy arrays builds a new `tf.data` iterator for
    the training data and another for the validation data every epoch, which
    on the small data of the tutorials costs about as much as the training
    steps themselves. Here the orders of all epochs are drawn up front with
    numpy (from the seeded global generator, so runs repeat) and handed over
    as one pipeline, read by one iterator per fit: each epoch is one full pass
    (`steps_per_epoch` batches, the last one smaller), each validation pass
    the same batches. Other backends, larger data and models compiled with
    `steps_per_execution > 1` get the arrays: such a model reads its batches
    in blocks, and a block that runs past an epoch's last batch would take
    the next epoch's first ones (and validation would count some twice).
    """
    arrays = {"x": x, "y": y, "batch_size": batch_size, "validation_data": (x_val, y_val)}
    rows = np.asarray(x).nbytes + np.asarray(y).nbytes
    if (keras.backend.backend() != "tensorflow" or steps_per_execution != 1
            or rows * epochs + np.asarray(x_val).nbytes > _PIPELINE_MAX_BYTES):
        return arrays
    import tensorflow as tf

    orders = np.stack([np.random.permutation(len(x)) for _ in range(epochs)])
    epoch_batches = tf.data.Dataset.from_tensor_slices(orders).flat_map(
        lambda order: tf.data.Dataset.from_tensor_slices(order).batch(batch_size))
    x_all, y_all = tf.constant(x), tf.constant(y)
    train = epoch_batches.map(lambda index: (tf.gather(x_all, index), tf.gather(y_all, index)))
    val = tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch(batch_size).repeat()
    return {"x": train.prefetch(2), "steps_per_epoch": math.ceil(len(x) / batch_size), "shuffle": False,
            "validation_data": val, "validation_steps": math.ceil(len(x_val) / batch_size)}


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
    select_epoch: str | None = "val_loss",
) -> Comparison:
    """Train each model on the same data and tabulate the results side by side.

    Each model is compiled with `compile_for` (unless already compiled) and
    trained with the *validation* split as `validation_data`. With
    `select_epoch` set, the weights of the best validation epoch are
    restored (`BestEpoch`), so the final model is chosen without looking at
    the test split. Then each model is evaluated once on the train,
    validation and test splits (train accuracy is measured with dropout
    off, like the others). The random seed is reset before each model, so
    every model sees the same shuffling and a builder gets the same initial
    weights for the same seed.

    Args:
        models: Name -> model, or name -> zero-argument function building one
            (built after seeding, so its initial weights are reproducible).
        data: A `kerasdl.datasets.Dataset` with a validation split.
        epochs: Training epochs per model.
        batch_size: Mini-batch size.
        seed: Seed passed to `keras.utils.set_random_seed` before each model.
        optimizer: Optimizer name for models that are not compiled yet.
        learning_rate: Learning rate for those models.
        verbose: Keras `fit` verbosity (2 prints one line per epoch).
        callbacks: Extra callbacks passed to every `fit`.
        select_epoch: Validation quantity that picks the epoch whose weights
            are kept ("val_loss", "val_accuracy", ...), or None to keep the
            last epoch.

    Returns:
        A `Comparison` with `rows`, `histories` and `models`.

    Example:
        >>> from kerasdl import datasets, models
        >>> data = datasets.load("breast_cancer")
        >>> result = compare({"deep": lambda: models.deep_mlp(data.input_shape, 1, depth=3, width=16)},
        ...                  data, epochs=1, verbose=0)
        >>> result.rows[0]["model"], result.rows[0]["best_epoch"]
        ('deep', 1)
    """
    if not isinstance(models, Mapping) or not models:
        raise TypeError("models must be a non-empty dict of name -> keras.Model (or a function returning one).")
    for attr in ("x_train", "y_train", "x_test", "y_test", "validation"):
        if not hasattr(data, attr):
            raise TypeError(f"data must be a kerasdl.datasets.Dataset with numpy splits; it has no {attr!r}.")
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    x_val, y_val = data.validation
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
        selector = BestEpoch(select_epoch) if select_epoch else None
        start = time.perf_counter()
        inputs = _fit_inputs(data.x_train, data.y_train, x_val, y_val, batch_size, epochs,
                             steps_per_execution=int(getattr(model, "steps_per_execution", 1) or 1))
        history = model.fit(**inputs,
                            epochs=epochs, verbose=verbose,
                            callbacks=list(callbacks or []) + ([selector] if selector else []))
        seconds = time.perf_counter() - start
        splits = (("train", data.x_train, data.y_train), ("val", x_val, y_val), ("test", data.x_test, data.y_test))
        scores = {split: model.evaluate(x, y, batch_size=max(batch_size, 256), verbose=0, return_dict=True)
                  for split, x, y in splits}
        row: dict[str, Any] = {"model": name, "params": count_params(model),
                               "best_epoch": selector.best_epoch if selector else epochs}
        # Metric columns first (what a learner compares), then losses, then time.
        for key in [k for k in scores["train"] if k != "loss"] + ["loss"]:
            for split in ("train", "val", "test"):
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
