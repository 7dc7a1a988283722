"""Learning curves of two-phase transfer training, with the phase boundary marked.

Example:
    >>> from kerasdl.plots import plot_transfer_history
    >>> fig = plot_transfer_history({"history": {"loss": [1.0, 0.6, 0.4]}, "boundary": 2})
    >>> fig.axes[0].get_title()
    'loss'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kerasdl.plots.history import _epoch_axis, _finish_epoch_figure


def plot_transfer_history(history: Any, metrics: Sequence[str] | None = None, title: str | None = None) -> Any:
    """Plot train (solid) and validation (dashed) curves of both phases, one panel per metric.

    A vertical dotted line separates phase 1 (head only) from phase 2
    (fine-tuning), so a jump in accuracy or loss at the boundary is easy to see.

    Args:
        history: A `kerasdl.transfer.TransferHistory`, or a dict with
            "history" (metric -> list) and "boundary" (phase-1 epochs), as
            `TransferHistory.to_dict()` gives.
        metrics: Metric names (default: every metric without `val_`, loss first).
        title: Figure title.

    Returns:
        A matplotlib `Figure`.

    Example:
        >>> fig = plot_transfer_history({"history": {"accuracy": [0.5, 0.7, 0.9]}, "boundary": 1})
        >>> len(fig.axes)
        1
    """
    import matplotlib.pyplot as plt

    if hasattr(history, "history") and hasattr(history, "boundary"):
        curves, boundary = history.history, history.boundary
    elif isinstance(history, Mapping) and "history" in history and "boundary" in history:
        curves, boundary = history["history"], history["boundary"]
    else:
        raise TypeError("history must be a TransferHistory or a dict with 'history' and 'boundary'; "
                        f"got {type(history).__name__}.")
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError("history contains no metrics to plot.")
    if isinstance(boundary, bool) or not isinstance(boundary, int) or boundary < 0:
        raise ValueError(f"boundary must be a non-negative int (phase-1 epochs); got {boundary!r}.")
    if metrics is None:
        found = [k for k in curves if not k.startswith("val_")]
        metrics = sorted(found, key=lambda k: (k != "loss", found.index(k)))
    else:
        metrics = list(metrics)
        unknown = [m for m in metrics if m not in curves and f"val_{m}" not in curves]
        if unknown:
            raise ValueError(f"metrics {unknown} are not in the history; available: {sorted(curves)}.")

    fig, axes = plt.subplots(1, len(metrics), figsize=(4.8 * len(metrics), 3.6), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for key, style, label in ((metric, "-", "train"), (f"val_{metric}", "--", "validation")):
            if key in curves:
                values = [float(v) for v in curves[key]]
                ax.plot(range(1, len(values) + 1), values, linestyle=style, color="C0", label=label)
        if 0 < boundary:
            ax.axvline(boundary + 0.5, color="grey", linestyle=":", label="fine-tuning starts")
        _epoch_axis(ax, metric)
    return _finish_epoch_figure(fig, axes, title)
