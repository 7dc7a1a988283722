"""The course's gradient table: each layer's gradient norm and its ratio to the output layer.

The course illustrates vanishing gradients with a chain of numbers
(output 0.8, layer 4 0.16, ... layer 1 0.00128, "625 times smaller"); these
helpers print the same table from a real recording.

Example:
    >>> import numpy as np
    >>> from kerasdl.recorders import GradientHistory, gradient_table
    >>> h = GradientHistory(columns=[("hidden_1", "kernel"), ("output", "kernel")])
    >>> h.append([0], {"l2": np.array([[0.00128, 0.8]])})
    >>> print(gradient_table(h))  # doctest: +NORMALIZE_WHITESPACE
    Gradient L2 norm per layer at step 0 (output layer first)
    layer     grad norm  ratio to output  times smaller
    output    8.000e-01  1                1
    hidden_1  1.280e-03  0.0016           625
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasdl.recorders.history import GradientHistory

STEP_CHOICES = ("first", "middle", "last", "median")


def _pick(history: GradientHistory, values: np.ndarray, step: Any) -> float:
    if step == "median":
        finite = values[np.isfinite(values)]
        return float(np.median(finite)) if finite.size else float("nan")
    return float(values[history.step_index(step)])


def gradient_ratios(
    history: GradientHistory,
    step: int | str = "first",
    stat: str = "l2",
    output_layer: str | None = None,
) -> list[dict[str, Any]]:
    """Per-layer gradient norm and ratio to the output layer, output layer first.

    Args:
        history: A `GradientHistory` (e.g. `GradientRecorder().history`).
        step: A recorded step number, "first", "middle", "last", or "median"
            (each layer's median over all recorded steps).
        stat: Recorded norm to use ("l2", "l2_clipped", "max_abs"...).
        output_layer: Reference layer; default the last recorded layer.

    Returns:
        Rows `{"layer", "norm", "ratio_to_output", "times_smaller"}` ordered
        from the output layer back to the input layer, as gradients flow.

    Example:
        >>> h = GradientHistory(columns=[("hidden_1", "kernel"), ("output", "kernel")])
        >>> h.append([0], {"l2": np.array([[0.1, 0.8]])})
        >>> [round(r["times_smaller"], 1) for r in gradient_ratios(h)]
        [1.0, 8.0]
    """
    if not isinstance(history, GradientHistory):
        raise TypeError(f"history must be a GradientHistory; got {type(history).__name__}.")
    if not (isinstance(step, str) and step in STEP_CHOICES) and not (
        isinstance(step, (int, np.integer)) and not isinstance(step, bool)
    ):
        raise ValueError(f"step must be a recorded step number or one of {list(STEP_CHOICES)}; got {step!r}.")
    layers = history.layers
    output_layer = layers[-1] if output_layer is None else output_layer
    if output_layer not in layers:
        raise ValueError(f"output_layer must be one of the recorded layers {layers}; got {output_layer!r}.")
    norms = {layer: _pick(history, history.get(layer, stat=stat), step) for layer in layers}
    ref = norms[output_layer]
    rows = []
    for layer in reversed(layers):
        norm = norms[layer]
        ratio = norm / ref if ref and np.isfinite(ref) else float("nan")
        rows.append({
            "layer": layer,
            "norm": norm,
            "ratio_to_output": ratio,
            "times_smaller": 1.0 / ratio if ratio and np.isfinite(ratio) else float("inf"),
        })
    return rows


def _fmt_ratio(x: float) -> str:
    if not np.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    if 0.01 <= abs(x) < 1e4:
        return f"{x:.4g}"
    return f"{x:.3g}"


def gradient_table(
    history: GradientHistory,
    step: int | str = "first",
    stat: str = "l2",
    output_layer: str | None = None,
) -> str:
    """Format `gradient_ratios` as a plain-text table (output layer first).

    Args:
        history: A `GradientHistory`.
        step: A recorded step number, "first", "middle", "last" or "median".
        stat: Recorded norm to use.
        output_layer: Reference layer; default the last recorded layer.

    Returns:
        The table as a string, ready to `print`.

    Example:
        >>> h = GradientHistory(columns=[("hidden_1", "kernel"), ("output", "kernel")])
        >>> h.append([0], {"l2": np.array([[0.2, 0.8]])})
        >>> gradient_table(h).splitlines()[-1].split()
        ['hidden_1', '2.000e-01', '0.25', '4']
    """
    rows = gradient_ratios(history, step=step, stat=stat, output_layer=output_layer)
    when = f"median over {len(history)} recorded steps" if step == "median" else (
        f"step {int(history.steps[history.step_index(step)])}")
    label = {"l2": "L2 norm", "l2_clipped": "L2 norm after clipping"}.get(stat, stat)
    header = ("layer", "grad norm", "ratio to output", "times smaller")
    body = [(r["layer"], f"{r['norm']:.3e}", _fmt_ratio(r["ratio_to_output"]), _fmt_ratio(r["times_smaller"]))
            for r in rows]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(4)]
    lines = [f"Gradient {label} per layer at {when} (output layer first)"]
    for row in [header, *body]:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return "\n".join(lines)
