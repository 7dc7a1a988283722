"""What a recorder computes: a table from statistic name to its per-tensor reduction.

Each entry maps one tensor (a gradient, or a weight for "weight_l2") to a
float32 scalar, plus an optional finishing function applied to the stacked
vector. Adding a statistic is one line here: the recorders, their argument
checks and the row layout all read this table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable, NamedTuple

import keras
from keras import ops


class Statistic(NamedTuple):
    """One entry of `STATISTICS`: `finish(stack([reduce(t) for t in tensors]))`."""

    reduce: Callable[[Any], Any]
    finish: Callable[[Any], Any] | None = None
    of_weights: bool = False  # computed on the weights, not the gradients (and never unscaled)


def _sum_squares(x: Any) -> Any:
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        # One fused kernel instead of square + sum: op count is what costs in TF graphs.
        return 2.0 * tf.nn.l2_loss(x)
    return ops.sum(ops.square(x))


STATISTICS: dict[str, Statistic] = {
    "l2": Statistic(_sum_squares, ops.sqrt),
    "max_abs": Statistic(lambda t: ops.max(ops.abs(t))),
    "mean": Statistic(ops.mean),
    "std": Statistic(ops.std),
    "weight_l2": Statistic(_sum_squares, ops.sqrt, of_weights=True),
}
GRADIENT_STATS = tuple(STATISTICS)


def _dense(grad: Any) -> Any:
    # TF hands embedding gradients over as IndexedSlices; norms need them dense.
    if type(grad).__name__ == "IndexedSlices":
        import tensorflow as tf

        return tf.convert_to_tensor(grad)
    return grad


def stat_vector(stat: str, tensors: Sequence[Any], scale: Any = None) -> Any:
    """A float32 vector: `stat` of each tensor (a gradient, or a weight for "weight_l2").

    Built from keras.ops (plus TF's fused l2_loss), so it traces on every
    backend. `scale` divides the result (gradients still multiplied by a loss
    scale); a `None` gradient, i.e. one the loss does not reach, counts as 0.

    Example:
        >>> import numpy as np
        >>> v = stat_vector("l2", [np.array([3.0, 4.0]), None])
        >>> np.asarray(v).tolist()
        [5.0, 0.0]
    """
    entry = STATISTICS[stat]
    values = []
    for t in tensors:
        if t is None:
            values.append(ops.zeros((), "float32"))
            continue
        t = _dense(t)
        if keras.backend.standardize_dtype(t.dtype) != "float32":
            t = ops.cast(t, "float32")
        values.append(entry.reduce(t))
    vector = ops.stack(values)
    if entry.finish is not None:
        vector = entry.finish(vector)
    if scale is not None and not entry.of_weights:
        vector = vector / ops.abs(ops.cast(scale, "float32"))
    return vector


def row_width(columns: int, stats: int, clipped: bool) -> int:
    """Floats in one buffer row: each statistic per column, then the post-clip L2 if clipping is on.

    Example:
        >>> row_width(4, 2, clipped=True)
        12
    """
    return columns * (stats + int(clipped))
