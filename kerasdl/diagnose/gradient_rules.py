"""Rules over a gradient recording: vanishing, exploding, non-finite, clipping always on.

Each rule takes a `Run` and returns a list of `Finding`s (empty when the
run is healthy) or raises `Skip` when the recording it needs is missing.

Example:
    >>> import numpy as np
    >>> from kerasdl.recorders import GradientHistory
    >>> from kerasdl.diagnose.inputs import Run
    >>> h = GradientHistory(columns=[("hidden_1", "kernel"), ("output", "kernel")])
    >>> h.append([0, 1], {"l2": np.array([[1e-5, 0.5], [1e-5, 0.4]])})
    >>> [f.kind for f in vanishing_gradients(Run(logs={}, gradients=h))]
    ['vanishing_gradients']
"""

from __future__ import annotations

import numpy as np

from kerasdl.diagnose import thresholds as T
from kerasdl.diagnose.findings import Finding
from kerasdl.diagnose.inputs import Run, Skip
from kerasdl.recorders.history import GradientHistory


def _ends(history: GradientHistory) -> tuple[str, str, np.ndarray, np.ndarray]:
    # Kernels only: a BatchNorm gamma/beta or a bias has its own scale and says nothing about depth.
    with_kernel = [layer for layer, var in history.columns if var == "kernel"]
    layers = list(dict.fromkeys(with_kernel)) or history.layers
    if len(layers) < 2:
        raise Skip("the gradient recording has fewer than two layers")
    first, last = layers[0], layers[-1]
    var = "kernel" if with_kernel else None
    return first, last, history.get(first, variable=var).astype(np.float64), history.get(last, variable=var).astype(np.float64)


def _ratios(history: GradientHistory) -> tuple[str, str, np.ndarray]:
    first, last, a, b = _ends(history)
    ok = np.isfinite(a) & np.isfinite(b) & (b > 0)
    if not ok.any():
        raise Skip("no recorded step has a finite, non-zero output-layer gradient")
    return first, last, a[ok] / b[ok]


def _span(history: GradientHistory) -> list[int]:
    return [int(history.steps[0]), int(history.steps[-1])]


def vanishing_gradients(run: Run) -> list[Finding]:
    """First-layer gradient far smaller than last-layer gradient on most recorded steps.

    Example:
        >>> vanishing_gradients(Run(logs={}, gradients=None))
        Traceback (most recent call last):
        ...
        kerasdl.diagnose.inputs.Skip: no gradient recording (pass gradients=GradientRecorder().history)
    """
    history = run.need_gradients()
    first, last, ratios = _ratios(history)
    below = float(np.mean(ratios < T.VANISHING_RATIO))
    if below < T.VANISHING_STEP_FRACTION:
        return []
    median = float(np.median(ratios))
    times = 1.0 / median if median > 0 else float("inf")
    return [Finding.of(
        "vanishing_gradients", "error" if below > 0.9 else "warning",
        f"the gradient reaching {first!r} is {times:,.0f} times smaller than at {last!r} (median over "
        f"{ratios.size} recorded steps, {below:.0%} of them below 1/{1 / T.VANISHING_RATIO:.0f})",
        {"first_layer": first, "last_layer": last, "median_ratio": median,
         "ratio_first_step": float(ratios[0]), "ratio_last_step": float(ratios[-1]),
         "fraction_of_steps": below, "steps": _span(history)},
    )]


def exploding_gradients(run: Run) -> list[Finding]:
    """Gradient norms beyond any healthy scale, or growing on their way to the input.

    Example:
        >>> from kerasdl.recorders import GradientHistory
        >>> h = GradientHistory(columns=[("a", "kernel"), ("b", "kernel")])
        >>> h.append([0], {"l2": np.array([[5e4, 2.0]])})
        >>> exploding_gradients(Run(logs={}, gradients=h))[0].evidence["layer"]
        'a'
    """
    history = run.need_gradients()
    block = history.values["l2"].astype(np.float64)
    finite = np.where(np.isfinite(block), block, np.nan)
    if np.all(np.isnan(finite)):
        return []  # nothing finite to judge: the non-finite rule speaks
    row, col = np.unravel_index(np.nanargmax(finite), finite.shape)
    peak = float(finite[row, col])
    layer = history.columns[col][0]
    large_steps = int(np.sum(np.any(np.nan_to_num(finite, nan=0.0) > T.EXPLODING_NORM, axis=1)))
    try:
        first, last, ratios = _ratios(history)
        grows = float(np.mean(ratios > T.EXPLODING_RATIO))
    except Skip:
        first, last, ratios, grows = None, None, np.array([np.nan]), 0.0
    if peak <= T.EXPLODING_NORM and grows < 0.5:
        return []
    if peak > T.EXPLODING_NORM:
        summary = (f"gradient norm of {layer!r} reached {peak:.3g} at step {int(history.steps[row])} "
                   f"(above {T.EXPLODING_NORM:g} on {large_steps} of {len(history)} recorded steps)")
    else:
        summary = (f"the gradient at {first!r} is {float(np.median(ratios)):.3g} times the one at "
                   f"{last!r} (median over {ratios.size} steps): it grows on its way to the input")
    return [Finding.of(
        "exploding_gradients", "error",
        summary,
        {"layer": layer, "max_norm": peak, "step": int(history.steps[row]), "steps_above": large_steps,
         "median_ratio_first_to_last": float(np.median(ratios)), "steps": _span(history)},
    )]


def nonfinite_gradients(run: Run) -> list[Finding]:
    """NaN or infinite gradient values in the recording.

    Example:
        >>> from kerasdl.recorders import GradientHistory
        >>> h = GradientHistory(columns=[("a", "kernel")])
        >>> h.append([0, 1], {"l2": np.array([[1.0], [np.nan]])})
        >>> nonfinite_gradients(Run(logs={}, gradients=h))[0].evidence["first_step"]
        1
    """
    history = run.need_gradients()
    bad = ~np.isfinite(history.values["l2"])
    if not bad.any():
        return []
    rows, cols = np.nonzero(bad)
    first_row = int(rows.min())
    layers = list(dict.fromkeys(history.columns[c][0] for c in cols[rows == first_row]))
    steps_bad = int(np.unique(rows).size)
    return [Finding.of(
        "nonfinite_gradients", "error",
        f"NaN/inf gradients from step {int(history.steps[first_row])} on ({steps_bad} of "
        f"{len(history)} recorded steps), first in {', '.join(map(repr, layers))}",
        {"first_step": int(history.steps[first_row]), "layers": layers, "steps_bad": steps_bad,
         "steps": _span(history)},
    )]


def clipping_always_on(run: Run) -> list[Finding]:
    """Gradient clipping changed the gradient on almost every recorded step.

    Example:
        >>> from kerasdl.recorders import GradientHistory
        >>> h = GradientHistory(columns=[("a", "kernel")])
        >>> h.append([0, 1], {"l2": np.array([[4.0], [3.0]]), "l2_clipped": np.array([[1.0], [1.0]])})
        >>> clipping_always_on(Run(logs={}, gradients=h))[0].evidence["fraction_of_steps"]
        1.0
    """
    history = run.need_gradients()
    if "l2_clipped" not in history.values:
        raise Skip("no clipping in the recording (no clipnorm/global_clipnorm/clipvalue)")
    raw = history.values["l2"].astype(np.float64)
    clipped = history.values["l2_clipped"].astype(np.float64)
    ok = np.all(np.isfinite(raw) & np.isfinite(clipped), axis=1)
    if not ok.any():
        return []
    active = np.any(raw - clipped > T.CLIP_ACTIVE_TOLERANCE * raw, axis=1)[ok]
    fraction = float(np.mean(active))
    if fraction < T.CLIP_STEP_FRACTION:
        return []
    total = np.sqrt(np.sum(np.square(raw[ok]), axis=1))
    setting = {k: v for k, v in history.meta.get("clipping", {}).items() if v is not None}
    return [Finding.of(
        "clipping_always_on", "warning",
        f"clipping changed the gradient on {fraction:.0%} of {int(ok.sum())} recorded steps "
        f"(median unclipped norm {float(np.median(total)):.3g}; setting {setting or 'unknown'})",
        {"fraction_of_steps": fraction, "median_norm": float(np.median(total)), "clipping": setting,
         "steps": _span(history)},
    )]


RULES = {
    "nonfinite_gradients": nonfinite_gradients,
    "exploding_gradients": exploding_gradients,
    "vanishing_gradients": vanishing_gradients,
    "clipping_always_on": clipping_always_on,
}
