"""Learning-curve figures from training histories.

Example:
    >>> from kerasdl.plots import plot_history
    >>> fig = plot_history({"model": {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}})
    >>> len(fig.axes)
    1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _as_dict(history: Any) -> dict[str, list[float]]:
    # Accept keras History objects as well as their .history dicts.
    if hasattr(history, "history") and isinstance(history.history, Mapping):
        history = history.history
    if not isinstance(history, Mapping):
        raise TypeError(f"each history must be a keras History or a dict of lists; got {type(history).__name__}.")
    return {str(k): [float(v) for v in vals] for k, vals in history.items()}


def plot_history(
    histories: Any,
    metrics: Sequence[str] | None = None,
    title: str | None = None,
    log_loss: bool = False,
) -> Any:
    """Plot training (solid) and validation (dashed) curves, one panel per metric.

    Args:
        histories: A `History`, a `history.history` dict, or a dict mapping
            a model name to either (several models share each panel, one
            colour per model).
        metrics: Metric names to plot (default: every metric without a
            `val_` prefix, loss first).
        title: Figure title.
        log_loss: Use a log scale on the loss panel.

    Returns:
        A matplotlib `Figure`.

    Example:
        >>> fig = plot_history({"shallow": {"loss": [0.9, 0.6], "accuracy": [0.5, 0.7]},
        ...                     "deep": {"loss": [0.8, 0.4], "accuracy": [0.6, 0.8]}})
        >>> [ax.get_title() for ax in fig.axes]
        ['loss', 'accuracy']
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    if hasattr(histories, "history") or (
        isinstance(histories, Mapping) and histories and all(
            isinstance(v, (list, tuple)) for v in histories.values())
    ):
        histories = {"": histories}
    if not isinstance(histories, Mapping) or not histories:
        raise TypeError("histories must be a History, a history dict, or a non-empty dict of name -> history.")
    curves = {name: _as_dict(h) for name, h in histories.items()}
    if metrics is None:
        found: list[str] = []
        for curve in curves.values():
            found.extend(k for k in curve if not k.startswith("val_") and k not in found)
        metrics = sorted(found, key=lambda k: (k != "loss", found.index(k)))
    else:
        metrics = list(metrics)
        known = {k for curve in curves.values() for k in curve}
        unknown = [m for m in metrics if m not in known and f"val_{m}" not in known]
        if unknown:
            raise ValueError(f"metrics {unknown} are not in the histories; available: {sorted(known)}.")
    if not metrics:
        raise ValueError("the histories contain no metrics to plot.")

    fig, axes = plt.subplots(1, len(metrics), figsize=(4.8 * len(metrics), 3.6), squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, metric in zip(axes[0], metrics):
        for index, (name, curve) in enumerate(curves.items()):
            colour = colours[index % len(colours)]
            label = f"{name} " if name else ""
            if metric in curve:
                ax.plot(range(1, len(curve[metric]) + 1), curve[metric], color=colour, label=f"{label}train")
            if f"val_{metric}" in curve:
                values = curve[f"val_{metric}"]
                ax.plot(range(1, len(values) + 1), values, color=colour, linestyle="--", label=f"{label}validation")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if metric == "loss" and log_loss:
            ax.set_yscale("log")
        _epoch_axis(ax, metric)
    return _finish_epoch_figure(fig, axes, title)


def _epoch_axis(ax: Any, metric: str) -> None:
    """Title, x label and grid of one per-epoch panel (shared by the history plots)."""
    ax.set_title(metric)
    ax.set_xlabel("epoch")
    ax.grid(alpha=0.3)


def _finish_epoch_figure(fig: Any, axes: Any, title: str | None) -> Any:
    """Legend in the first panel, optional suptitle, tight layout; returns `fig`."""
    axes[0][0].legend(fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
