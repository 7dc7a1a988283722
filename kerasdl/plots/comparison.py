"""Figures of comparisons over seeds: each model's mean with its confidence interval.

They take the results of `kerasdl.stats` (`SeedRuns`, `LearningCurve`) and
draw them; they never train anything.

Example:
    >>> from kerasdl.stats import SeedRuns
    >>> from kerasdl.plots import plot_seed_runs
    >>> rows = [{"model": m, "seed": s, "test_accuracy": v} for m, vals in
    ...         {"a": [0.9, 0.92], "b": [0.85, 0.9]}.items() for s, v in enumerate(vals)]
    >>> plot_seed_runs(SeedRuns(rows)).axes[0].get_ylabel()
    'test accuracy'
"""

from __future__ import annotations

from typing import Any

import numpy as np


def plot_seed_runs(runs: Any, split: str = "test", title: str | None = None, ax: Any = None) -> Any:
    """Dot plot of every seed's score per model, with the mean and its 95% t interval.

    Args:
        runs: A `kerasdl.stats.SeedRuns`.
        split: "val" or "test" (or "train").
        title: Panel title.
        ax: A matplotlib `Axes` to draw into; a new figure when None.

    Returns:
        The matplotlib `Figure`.

    Example:
        >>> from kerasdl.stats import SeedRuns
        >>> rows = [{"model": "a", "seed": s, "val_accuracy": v} for s, v in enumerate([0.8, 0.9])]
        >>> len(plot_seed_runs(SeedRuns(rows), split="val").axes)
        1
    """
    import matplotlib.pyplot as plt

    from kerasdl.stats import SeedRuns

    if not isinstance(runs, SeedRuns):
        raise TypeError(f"runs must be a kerasdl.stats.SeedRuns; got {type(runs).__name__}.")
    summary = runs.summary(split)
    if ax is None:
        fig, ax = plt.subplots(figsize=(max(3.5, 1.3 * len(summary) + 1.5), 3.6))
    else:
        fig = ax.figure
    for i, row in enumerate(summary):
        scores = runs.scores(row["model"], split)
        jitter = np.linspace(-0.12, 0.12, len(scores)) if len(scores) > 1 else np.zeros(1)
        ax.scatter(i + jitter, scores, s=14, color="0.55", zorder=2)
        ax.errorbar(i + 0.25, row["mean"], yerr=[[row["mean"] - row["ci_low"]], [row["ci_high"] - row["mean"]]],
                    fmt="o", color="C0", capsize=4, zorder=3)
    ax.set_xticks(range(len(summary)), [row["model"] for row in summary], rotation=15)
    ax.set_ylabel(f"{'validation' if split == 'val' else split} {runs.metric}")
    ax.set_title(title or f"{len(runs.seeds)} seeds: each dot one seed, bar = mean and 95% CI", fontsize="small")
    ax.grid(alpha=0.3, axis="y")
    return fig


def plot_curve_intervals(curve: Any, split: str = "test", title: str | None = None, log_x: bool = True,
                         ax: Any = None) -> Any:
    """Learning curves over training-set size: mean over seeds with a shaded 95% t interval.

    Args:
        curve: A `kerasdl.stats.LearningCurve`.
        split: "val" or "test".
        title: Panel title.
        log_x: Logarithmic x axis.
        ax: A matplotlib `Axes` to draw into; a new figure when None.

    Returns:
        The matplotlib `Figure`.

    Example:
        >>> from kerasdl.stats import LearningCurve, SeedRuns
        >>> runs = {n: SeedRuns([{"model": "a", "seed": s, "test_accuracy": v + n / 1000}
        ...                      for s, v in enumerate([0.7, 0.8])]) for n in (10, 100)}
        >>> plot_curve_intervals(LearningCurve(runs)).axes[0].get_xlabel()
        'training examples'
    """
    import matplotlib.pyplot as plt

    from kerasdl.plots.curves import log_size_axis
    from kerasdl.stats import LearningCurve

    if not isinstance(curve, LearningCurve):
        raise TypeError(f"curve must be a kerasdl.stats.LearningCurve; got {type(curve).__name__}.")
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.2, 3.8))
    else:
        fig = ax.figure
    sizes = curve.sizes
    for model in curve.models:
        rows = [row for row in curve.rows(split) if row["model"] == model]
        mean = np.array([r["mean"] for r in rows])
        (line,) = ax.plot(sizes, mean, marker="o", label=model)
        ax.fill_between(sizes, [r["ci_low"] for r in rows], [r["ci_high"] for r in rows],
                        color=line.get_color(), alpha=0.2, linewidth=0)
    if log_x:
        log_size_axis(ax, sizes)
    ax.set_xlabel("training examples")
    ax.set_ylabel(f"{'validation' if split == 'val' else split} {curve.metric}")
    seeds = len(curve.runs[sizes[0]].seeds)
    ax.set_title(title or f"mean over {seeds} seeds, band = 95% CI", fontsize="small")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig
