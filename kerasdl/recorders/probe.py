"""Gradients of the loss on one fixed probe batch, at the model's current weights.

This is the classic way of watching gradients (a `GradientTape` in a
callback): it measures how the loss on *that batch* would change, in
inference mode, with no loss scaling, clipping or replica split. It is not
the gradient the optimizer applied, which `GradientRecorder`'s default mode
records.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable

import keras
import numpy as np
from keras import ops

from kerasdl.recorders import _keras_private as kp
from kerasdl.recorders._stats import stat_vector


def _row(grads: Sequence[Any], weights: Sequence[Any], stats: Sequence[str]) -> Any:
    return ops.concatenate([stat_vector(stat, weights if stat == "weight_l2" else grads) for stat in stats])


def make_probe(model: Any, data: tuple[Any, Any], columns: Sequence[Any],
               stats: Sequence[str]) -> Callable[[], np.ndarray]:
    """Return a function computing one row of statistics of the probe-batch gradient.

    Args:
        model: A compiled Keras model.
        data: `(x, y)` probe batch.
        columns: Trainable variables to report, in column order.
        stats: Statistic names (see `GRADIENT_STATS`).

    Returns:
        A no-argument function returning a float32 array `(len(stats) * len(columns),)`.

    Example:
        >>> import numpy as np
        >>> m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="out")])
        >>> m.compile("sgd", "mse")
        >>> probe = make_probe(m, (np.ones((4, 2)), np.zeros((4, 1))), m.trainable_variables, ["l2"])
        >>> probe().shape
        (2,)
    """
    backend = keras.backend.backend()
    x, y = data
    x = ops.convert_to_tensor(np.asarray(x))
    y = ops.convert_to_tensor(np.asarray(y))
    trainable = list(model.trainable_variables)
    positions = [next(i for i, v in enumerate(trainable) if v is c) for c in columns]

    if backend == "tensorflow":
        import tensorflow as tf

        @tf.function(reduce_retracing=True)
        def probe_tf() -> Any:
            with tf.GradientTape() as tape:
                y_pred = model(x, training=False)
                loss = model.compute_loss(x=x, y=y, y_pred=y_pred, training=False)
            grads = tape.gradient(loss, trainable)
            picked = [grads[i] for i in positions]
            return _row(picked, [ops.cast(trainable[i], "float32") for i in positions], stats)

        return lambda: np.asarray(probe_tf(), np.float32)

    if backend == "jax":
        import jax

        def loss_fn(tv: Any, ntv: Any, mv: Any) -> Any:
            y_pred, _ = model.stateless_call(tv, ntv, x, training=False)
            loss, _ = model.stateless_compute_loss(tv, ntv, mv, x=x, y=y, y_pred=y_pred, training=False)
            return loss

        @jax.jit
        def probe_jax(tv: Any, ntv: Any, mv: Any) -> Any:
            grads = jax.grad(loss_fn)(tv, ntv, mv)
            return _row([grads[i] for i in positions], [tv[i] for i in positions], stats)

        def run() -> np.ndarray:
            # Mid-epoch the live values sit in the trainer's state (the variables are purged).
            state = kp.jax_state(model)
            if state and state.get("trainable_variables") is not None:
                tv, ntv = list(state["trainable_variables"]), list(state["non_trainable_variables"])
                mv = list(state["metrics_variables"])
            else:
                tv = [v.value for v in model.trainable_variables]
                ntv = [v.value for v in model.non_trainable_variables]
                mv = [v.value for v in model.metrics_variables]
            return np.asarray(probe_jax(tv, ntv, mv), np.float32)

        return run

    if backend == "torch":
        import torch

        def probe_torch() -> np.ndarray:
            # Callbacks run outside the train step's no_grad block, but make sure of it.
            with torch.enable_grad():
                y_pred = model(x, training=False)
                loss = model.compute_loss(x=x, y=y, y_pred=y_pred, training=False)
                wanted = [trainable[i].value for i in positions]
                grads = torch.autograd.grad(loss, wanted, allow_unused=True)
            with torch.no_grad():
                grads = [torch.zeros_like(w) if g is None else g for g, w in zip(grads, wanted)]
                row = _row(grads, [ops.cast(w, "float32") for w in wanted], stats)
            return ops.convert_to_numpy(row).astype(np.float32)

        return probe_torch

    raise NotImplementedError(
        f"GradientRecorder(mode='probe') supports the tensorflow, jax and torch backends; this is "
        f"{backend!r}. Use the default mode='applied'."
    )
