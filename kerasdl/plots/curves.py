"""Learning curves over training-set size: how a score grows as a model sees more data.

Unlike `plot_history` (a score per *epoch*), these curves put the number of
training examples on the x axis, one line per model, with the 95% t interval
of the mean over repeated runs (seeds) as a band. For paired verdicts between
the lines use `kerasdl.stats.learning_curve` and `plot_curve_intervals`.

Example:
    >>> from kerasdl.plots import plot_learning_curve
    >>> fig = plot_learning_curve([50, 100, 200], {"mlp": [[0.70, 0.74], [0.80, 0.82], [0.90, 0.91]]})
    >>> fig.axes[0].get_xlabel()
    'training examples'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from kerasdl.validation import check_positive_int


def interval_per_size(values: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over repeats and its t confidence interval (ddof=1), per training-set size.

    Args:
        values: Array-like of shape `(sizes,)` (one run) or `(sizes, repeats)`.
        confidence: Level of the interval.

    Returns:
        `(mean, low, high)`, each of shape `(sizes,)`; with a single run the
        interval is the run itself (nothing is known about the spread).

    Example:
        >>> mean, low, high = interval_per_size([[0.5, 0.7], [0.9, 0.9]])
        >>> mean.round(2).tolist(), low.round(2).tolist()
        ([0.6, 0.9], [-0.67, 0.9])
    """
    from kerasdl.stats import mean_interval

    array = np.asarray(values, dtype=float)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[1] == 0:
        raise ValueError(f"values must have shape (sizes,) or (sizes, repeats); got shape {array.shape}.")
    rows = np.array([mean_interval(row, confidence) for row in array])
    return rows[:, 0], rows[:, 1], rows[:, 2]


def log_size_axis(ax: Any, sizes: Sequence[int]) -> None:
    """A logarithmic x axis ticked at the measured training-set sizes themselves.

    Default log ticks (3x10^1, ...) overlap on short ranges; the sizes are what a reader wants.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> fig, ax = plt.subplots()
        >>> log_size_axis(ax, [10, 100])
        >>> ax.get_xscale()
        'log'
    """
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    ax.set_xscale("log")
    ax.set_xticks(list(sizes))
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())


def plot_learning_curve(
    sizes: Sequence[int],
    scores: Mapping[str, Any],
    ylabel: str = "test accuracy",
    title: str | None = None,
    log_x: bool = True,
    ax: Any = None,
) -> Any:
    """Plot a score against the number of training examples, one line per model.

    Each model's line is the mean over repeats, with a shaded band: the 95%
    t interval of that mean (ddof=1). Two bands that overlap do not mean "no
    difference" when the runs are paired by seed: judge that with
    `kerasdl.stats` (`SeedRuns.paired`, `LearningCurve.paired`).

    Args:
        sizes: Training-set sizes (a list or 1-D array), one per row of each score array.
        scores: Model name -> array-like of shape `(len(sizes),)` or
            `(len(sizes), repeats)`.
        ylabel: Label of the y axis (the score's name).
        title: Panel title.
        log_x: Use a logarithmic x axis (sizes usually grow geometrically).
        ax: A matplotlib `Axes` to draw into (to build multi-panel figures);
            a new figure is created when None.

    Returns:
        The matplotlib `Figure` holding the panel.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> fig, axes = plt.subplots(1, 2)
        >>> _ = plot_learning_curve([20, 40], {"forest": [0.8, 0.9]}, title="wine", ax=axes[0])
        >>> axes[0].get_title()
        'wine'
    """
    import matplotlib.pyplot as plt

    if isinstance(sizes, np.ndarray):
        sizes = sizes.tolist()
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or not sizes:
        raise TypeError(f"sizes must be a non-empty sequence of positive integers; got {sizes!r}.")
    sizes = [check_positive_int(f"sizes[{i}]", n) for i, n in enumerate(sizes)]
    if not isinstance(scores, Mapping) or not scores:
        raise TypeError(f"scores must be a non-empty dict of model name -> scores; got {type(scores).__name__}.")
    summaries = {}
    for name, values in scores.items():
        mean, low, high = interval_per_size(values)
        if len(mean) != len(sizes):
            raise ValueError(f"scores[{name!r}] has {len(mean)} rows but sizes has {len(sizes)} entries; "
                             "give one row per training-set size.")
        summaries[name] = (mean, low, high)

    if ax is None:
        fig, ax = plt.subplots(figsize=(5.2, 3.8))
    else:
        fig = ax.figure
    for name, (mean, low, high) in summaries.items():
        (line,) = ax.plot(sizes, mean, marker="o", label=str(name))
        ax.fill_between(sizes, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    if log_x:
        log_size_axis(ax, sizes)
    ax.set_xlabel("training examples")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig
