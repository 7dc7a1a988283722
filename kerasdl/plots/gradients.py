"""Figures of recorded gradients and activations (from `kerasdl.recorders`).

* `plot_gradient_flow`: per-layer gradient norm, output layer on the left
  and input layer on the right, as gradients flow in backpropagation; log
  scale, so a vanishing gradient is a straight downhill line.
* `plot_gradient_heatmap`: layer x step map of gradient norms over training.
* `plot_activation_stats`: one panel per activation statistic over training.

Each takes a recording (a recorder, its `history`, a `to_dict()` dict, or a
saved file's path) and returns a matplotlib `Figure`.

Example:
    >>> import numpy as np
    >>> from kerasdl.recorders import GradientHistory
    >>> from kerasdl.plots import plot_gradient_flow
    >>> h = GradientHistory(columns=[("hidden_1", "kernel"), ("output", "kernel")])
    >>> h.append([0, 1], {"l2": np.array([[0.01, 0.8], [0.02, 0.5]])})
    >>> [t.get_text() for t in plot_gradient_flow(h).axes[0].get_xticklabels()]
    ['output', 'hidden_1']
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from kerasdl.recorders.history import ActivationHistory, GradientHistory, StepHistory


def _as_history(value: Any, kind: type[StepHistory], name: str = "history") -> Any:
    if isinstance(getattr(value, "history", None), kind):
        value = value.history  # a recorder: plot what it recorded
    if isinstance(value, kind):
        return value
    if isinstance(value, Mapping) and "format" in value:
        return kind.from_dict(value)
    if isinstance(value, (str, os.PathLike)):
        return kind.load(value)
    raise TypeError(
        f"{name} must be a {kind.__name__}, its to_dict() dict or a saved file's path; got {type(value).__name__}."
    )


def _positive(values: np.ndarray) -> np.ndarray:
    # Log axes cannot show 0 or non-finite values: leave gaps there instead.
    values = np.asarray(values, np.float64).copy()
    values[~np.isfinite(values) | (values <= 0)] = np.nan
    return values


def _merge_layer_orders(orders: Sequence[Sequence[str]]) -> list[str]:
    """One layer order holding every list's layers, each list's own order kept.

    Example:
        >>> _merge_layer_orders([["output", "hidden_2", "hidden_1"], ["output", "bn_2", "hidden_2", "hidden_1"]])
        ['output', 'bn_2', 'hidden_2', 'hidden_1']
    """
    merged: list[str] = []
    for names in sorted(orders, key=len, reverse=True):
        for i, layer in enumerate(names):
            if layer in merged:
                continue
            before = next((names[j] for j in range(i - 1, -1, -1) if names[j] in merged), None)
            merged.insert(merged.index(before) + 1 if before is not None else 0, layer)
    return merged


def plot_gradient_flow(
    histories: Any,
    step: int | str | Sequence[int | str] | None = None,
    stat: str = "l2",
    title: str | None = None,
) -> Any:
    """Gradient norm per layer, from the output layer (left) to the input layer (right).

    Args:
        histories: One `GradientHistory` (one line per chosen step), or a
            dict `{name: GradientHistory}` to compare models (one line per
            model, all at the same `step`; points are placed by layer name,
            so models with extra layers such as `bn_i` still line up).
        step: Step(s) to draw: recorded step numbers, "first", "middle",
            "last" or "median" (per-layer median over all steps). Default:
            first, middle and last for one history; "first" for several.
        stat: Recorded statistic, e.g. "l2" or "l2_clipped".
        title: Figure title.

    Returns:
        A matplotlib `Figure` with a log-scale y axis.

    Example:
        >>> h = GradientHistory(columns=[("hidden_1", "kernel"), ("output", "kernel")])
        >>> h.append([0], {"l2": np.array([[0.001, 0.8]])})
        >>> plot_gradient_flow({"sigmoid": h}, step="first").axes[0].get_yscale()
        'log'
    """
    import matplotlib.pyplot as plt

    from kerasdl.recorders.tables import gradient_ratios

    several = isinstance(histories, Mapping) and "format" not in histories
    if several:
        if not histories:
            raise ValueError("histories must not be empty.")
        curves = {str(k): _as_history(v, GradientHistory, f"histories[{k!r}]") for k, v in histories.items()}
    else:
        curves = {"": _as_history(histories, GradientHistory)}
    if step is None:
        steps: list[Any] = ["first"] if several else ["first", "middle", "last"]
    elif isinstance(step, (list, tuple)):
        steps = list(step)
    else:
        steps = [step]
    if several and len(steps) != 1:
        raise ValueError(f"with several histories pass a single step; got step={step!r}.")

    # Models with different layer lists (e.g. with and without BatchNorm) share one x axis:
    # each point sits above its own layer's name, so "hidden_1" is the same column for all.
    order = _merge_layer_orders([list(reversed(h.layers)) for h in curves.values()])
    position = {layer: i for i, layer in enumerate(order)}
    fig, ax = plt.subplots(figsize=(max(5.0, 0.7 * len(order) + 2), 3.8))
    for name, history in curves.items():
        seen_steps = set()
        for chosen in steps:
            rows = gradient_ratios(history, step=chosen, stat=stat)
            if chosen != "median":
                at = int(history.steps[history.step_index(chosen)])
                if at in seen_steps:
                    continue
                seen_steps.add(at)
                label = f"step {at}"
            else:
                label = "median over steps"
            if several:
                label = name if len(steps) == 1 and chosen != "median" else f"{name}, {label}"
            ax.plot([position[r["layer"]] for r in rows], _positive([r["norm"] for r in rows]), marker="o",
                    label=label)
    ax.set_yscale("log")
    ax.set_xticks(range(len(order)))
    ax.set_xticklabels(order, rotation=45 if len(order) > 6 else 0, ha="right" if len(order) > 6 else "center")
    ax.set_xlabel("layer (output -> input, the direction gradients flow)")
    ax.set_ylabel(f"gradient {stat} norm" if stat.startswith("l2") else f"gradient {stat}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    ax.set_title(title or "Gradient flow")
    fig.tight_layout()
    return fig


def plot_gradient_heatmap(history: Any, stat: str = "l2", title: str | None = None) -> Any:
    """Layer x step heatmap of gradient norms (log colour scale), output layer on top.

    Args:
        history: A `GradientHistory` (or its dict / file path).
        stat: Recorded statistic to show.
        title: Figure title.

    Returns:
        A matplotlib `Figure`; non-finite values show as blank cells.

    Example:
        >>> h = GradientHistory(columns=[("hidden_1", "kernel"), ("output", "kernel")])
        >>> h.append([0, 1, 2], {"l2": np.array([[0.1, 1.0], [0.2, 0.9], [0.1, 0.5]])})
        >>> len(plot_gradient_heatmap(h).axes)  # the map and its colour bar
        2
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    history = _as_history(history, GradientHistory)
    if not len(history):
        raise ValueError("history is empty: nothing was recorded.")
    layers = list(reversed(history.layers))
    grid = np.stack([_positive(history.get(layer, stat=stat)) for layer in layers])
    finite = grid[np.isfinite(grid)]
    norm = LogNorm(vmin=float(finite.min()), vmax=float(finite.max())) if finite.size else None
    steps = history.steps
    fig, ax = plt.subplots(figsize=(8.0, 0.35 * len(layers) + 1.8))
    extent = (float(steps[0]) - 0.5, float(steps[-1]) + 0.5, len(layers) - 0.5, -0.5)
    image = ax.imshow(np.ma.masked_invalid(grid), aspect="auto", interpolation="nearest", norm=norm,
                      cmap="viridis", extent=extent)
    ax.set_yticks(range(len(layers)))
    ax.set_yticklabels(layers)
    ax.set_xlabel("training step")
    ax.set_ylabel("layer (output on top)")
    fig.colorbar(image, ax=ax, label=f"gradient {stat}")
    ax.set_title(title or "Gradient norm per layer over training")
    fig.tight_layout()
    return fig


def plot_activation_stats(
    history: Any,
    stats: Sequence[str] = ("mean", "std", "zero_frac", "saturated_frac"),
    layers: Sequence[str] | None = None,
    title: str | None = None,
) -> Any:
    """One panel per activation statistic over training, one line per layer.

    Args:
        history: An `ActivationHistory` (or its dict / file path).
        stats: Statistics to draw; a panel whose values are all NaN (e.g.
            "saturated_frac" in a ReLU network) is drawn empty with a note.
        layers: Layers to draw (default all recorded).
        title: Figure title.

    Returns:
        A matplotlib `Figure`.

    Example:
        >>> h = ActivationHistory(columns=[("hidden_1", "output")])
        >>> h.append([0, 5], {s: np.zeros((2, 1)) for s in ("mean", "std", "zero_frac", "saturated_frac")})
        >>> [ax.get_title() for ax in plot_activation_stats(h).axes]
        ['mean', 'std', 'zero_frac', 'saturated_frac']
    """
    import matplotlib.pyplot as plt

    history = _as_history(history, ActivationHistory)
    if isinstance(stats, str):
        stats = (stats,)
    stats = list(stats)
    unknown = [s for s in stats if s not in history.values]
    if unknown or not stats:
        raise ValueError(f"stats must be recorded statistics {history.stats}; got {stats!r}.")
    layers = list(layers) if layers is not None else history.layers
    missing = [n for n in layers if n not in history.layers]
    if missing:
        raise ValueError(f"layers {missing} were not recorded; recorded: {history.layers}.")
    fig, axes = plt.subplots(1, len(stats), figsize=(3.8 * len(stats), 3.8), squeeze=False)
    for ax, stat in zip(axes[0], stats):
        drawn = False
        for layer in layers:
            values = history.get(layer, stat)
            if np.isfinite(values).any():
                ax.plot(history.steps, values, marker="." if len(values) < 40 else None, label=layer)
                drawn = True
        if not drawn:
            ax.text(0.5, 0.5, "not applicable\n(no sigmoid/tanh layer)" if stat == "saturated_frac" else "no data",
                    ha="center", va="center", transform=ax.transAxes, color="gray")
        ax.set_title(stat)
        ax.set_xlabel("training step")
        ax.grid(True, alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    if not handles:
        for ax in axes[0]:
            handles, labels = ax.get_legend_handles_labels()
            if handles:
                break
    top = 1.0 if title is None else 0.92
    if handles:
        ncol = min(len(labels), 6)
        bottom = 0.03 + 0.06 * -(-len(labels) // ncol)
        fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize="small", frameon=False)
        fig.tight_layout(rect=(0, bottom, 1, top))
    else:
        fig.tight_layout(rect=(0, 0, 1, top))
    if title:
        fig.suptitle(title)
    return fig
