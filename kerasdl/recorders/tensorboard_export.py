"""Recordings in TensorBoard: per-layer gradient norms (and activation statistics) as scalars.

Keras' own `TensorBoard` callback logs no gradients. `write_tensorboard`
exports a recording (live or loaded from a saved `.npz`/`.json`) to event
files, and `TensorBoardRecording` (in `tensorboard_callback`) does the same during `fit`, epoch by epoch,
from a `GradientRecorder` or `ActivationRecorder` listed before it.

Scalar tags: `gradients/<layer>` (the layer's norm, its variables combined),
`gradients/<layer>/<variable>` and, with `histograms=True`, one histogram
per step of the log10 norms of every recorded variable. Activation
recordings give `activations/<layer>/<stat>`. The x axis is the optimizer
step. Writing uses `tf.summary` (TensorFlow is a dependency of kerasdl on
every backend); viewing needs the `tensorboard` package:
`tensorboard --logdir <logdir>`.

Example:
    >>> import tempfile, numpy as np
    >>> from kerasdl.recorders import GradientHistory, write_tensorboard
    >>> h = GradientHistory(columns=[("hidden_1", "kernel"), ("output", "kernel")])
    >>> h.append([0, 1], {"l2": np.array([[0.1, 0.8], [0.2, 0.7]])})
    >>> write_tensorboard(h, tempfile.mkdtemp())["rows"]
    2
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from kerasdl.recorders.history import ActivationHistory, GradientHistory, StepHistory


def _as_recording(history: Any) -> StepHistory:
    history = getattr(history, "history", history)  # a recorder
    if isinstance(history, (str, os.PathLike)):
        history = StepHistory.load(history)
    if not isinstance(history, (GradientHistory, ActivationHistory)):
        raise TypeError(
            "history must be a GradientHistory or ActivationHistory, its recorder, or the path of a saved "
            f"one; got {type(history).__name__}."
        )
    return history


def _write_rows(history: StepHistory, writer: Any, start: int, histograms: bool, prefix: str | None) -> int:
    import tensorflow as tf

    rows = range(start, len(history))
    with writer.as_default():
        if isinstance(history, GradientHistory):
            base = prefix or "gradients"
            per_layer = {layer: history.get(layer) for layer in history.layers}
            block = history.values["l2"]
            for i in rows:
                step = int(history.steps[i])
                for layer, values in per_layer.items():
                    tf.summary.scalar(f"{base}/{layer}", float(values[i]), step=step)
                for j, (layer, var) in enumerate(history.columns):
                    tf.summary.scalar(f"{base}/{layer}/{var}", float(block[i, j]), step=step)
                if histograms:
                    finite = block[i][np.isfinite(block[i]) & (block[i] > 0)]
                    if finite.size:
                        tf.summary.histogram(f"{base}/log10_norms", np.log10(finite), step=step)
        else:
            base = prefix or "activations"
            for i in rows:
                step = int(history.steps[i])
                for stat, block in history.values.items():
                    for j, (layer, _) in enumerate(history.columns):
                        if np.isfinite(block[i, j]):
                            tf.summary.scalar(f"{base}/{layer}/{stat}", float(block[i, j]), step=step)
    writer.flush()
    return len(rows)


def write_tensorboard(history: Any, logdir: str | os.PathLike, histograms: bool = False,
                      prefix: str | None = None) -> dict[str, Any]:
    """Write a recording to TensorBoard event files under `logdir`.

    Args:
        history: A `GradientHistory` / `ActivationHistory`, its recorder, or
            the path of a saved recording (`.npz` / `.json`).
        logdir: Folder for the event files (created); point
            `tensorboard --logdir` at it or at a parent.
        histograms: Also write, per step, a histogram of the log10 gradient
            norms of all recorded variables (gradient recordings only).
        prefix: Tag prefix; default "gradients" or "activations".

    Returns:
        `{"logdir": Path, "rows": rows written, "tags": scalar tags per step}`.

    Example:
        >>> import tempfile
        >>> from kerasdl.recorders import ActivationHistory
        >>> h = ActivationHistory(columns=[("h", "output")]); h.append([0], {"std": [[0.5]]})
        >>> write_tensorboard(h, tempfile.mkdtemp())["tags"]
        1
    """
    history = _as_recording(history)
    if not isinstance(histograms, bool):
        raise TypeError(f"histograms must be True or False; got {histograms!r}.")
    if prefix is not None and (not isinstance(prefix, str) or not prefix.strip("/")):
        raise ValueError(f"prefix must be None or a non-empty tag prefix such as 'gradients'; got {prefix!r}.")
    import tensorflow as tf

    logdir = Path(logdir)
    logdir.mkdir(parents=True, exist_ok=True)
    writer = tf.summary.create_file_writer(str(logdir))
    try:
        rows = _write_rows(history, writer, 0, histograms, prefix)
    finally:
        writer.close()
    tags = (len(history.layers) + len(history.columns) if isinstance(history, GradientHistory)
            else len(history.columns) * len(history.values))
    return {"logdir": logdir, "rows": rows, "tags": tags}
