"""Rules over an activation recording: dead ReLU units, saturated sigmoid/tanh units.

Example:
    >>> import numpy as np
    >>> from kerasdl.recorders import ActivationHistory
    >>> from kerasdl.diagnose.inputs import Run
    >>> h = ActivationHistory(columns=[("act_1", "output")], meta={"activations": {"act_1": "relu"}})
    >>> h.append([0], {"dead_frac": [[0.8]], "saturated_frac": [[np.nan]]})
    >>> dead_relu(Run(logs={}, activations=h))[0].evidence["layer"]
    'act_1'
"""

from __future__ import annotations

import numpy as np

from kerasdl.diagnose import thresholds as T
from kerasdl.diagnose.findings import Finding
from kerasdl.diagnose.inputs import Run, Skip

_RELUS = ("relu", "relu6")  # activations whose output is exactly 0 over half their input range
_SATURATING = ("sigmoid", "hard_sigmoid", "tanh", "hard_tanh")


def _layers(history, names: tuple[str, ...]) -> list[str]:
    kinds = history.meta.get("activations") or {}
    if not kinds:
        return history.layers  # an old recording without the activation names: judge every layer
    return [layer for layer in history.layers if kinds.get(layer) in names]


def _first_step_above(history, values: np.ndarray, threshold: float) -> int:
    return int(history.steps[int(np.argmax(values >= threshold))])


def _series(history, stat: str, kinds) -> list[tuple[str, np.ndarray]]:
    # The layers of the given activation kinds with their per-step values of `stat`.
    if stat not in history.values:
        raise Skip(f"the activation recording has no {stat!r}")
    return [(layer, history.get(layer, stat).astype(np.float64)) for layer in _layers(history, kinds)]


def dead_relu(run: Run) -> list[Finding]:
    """ReLU layers in which most units output 0 for every example of the probe batch.

    Example:
        >>> dead_relu(Run(logs={}))
        Traceback (most recent call last):
        ...
        kerasdl.diagnose.inputs.Skip: no activation recording (pass activations=ActivationRecorder(x).history)
    """
    history = run.need_activations()
    findings = []
    for layer, values in _series(history, "dead_frac", _RELUS):
        last = float(values[-1])
        if not np.isfinite(last) or last < T.DEAD_UNIT_FRACTION:
            continue
        since = _first_step_above(history, values, T.DEAD_UNIT_FRACTION)
        findings.append(Finding.of(
            "dead_relu", "error" if last >= 0.9 else "warning",
            f"{last:.0%} of the units of {layer!r} output 0 for every probe example at step "
            f"{int(history.steps[-1])} (above {T.DEAD_UNIT_FRACTION:.0%} since step {since})",
            {"layer": layer, "dead_fraction": last, "since_step": since, "initial": float(values[0]),
             "steps": [int(history.steps[0]), int(history.steps[-1])]},
        ))
    return findings


def saturated_units(run: Run) -> list[Finding]:
    """Sigmoid/tanh layers whose outputs sit mostly in the flat tails of the curve.

    Example:
        >>> from kerasdl.recorders import ActivationHistory
        >>> h = ActivationHistory(columns=[("s", "output")], meta={"activations": {"s": "sigmoid"}})
        >>> h.append([0, 5], {"saturated_frac": [[0.9], [0.95]]})
        >>> saturated_units(Run(logs={}, activations=h))[0].kind
        'saturated_units'
    """
    history = run.need_activations()
    findings = []
    for layer, values in _series(history, "saturated_frac", _SATURATING):
        finite = values[np.isfinite(values)]
        if not finite.size:
            continue
        median = float(np.median(finite))
        if median < T.SATURATED_FRACTION:
            continue
        findings.append(Finding.of(
            "saturated_units", "warning",
            f"{median:.0%} of the outputs of {layer!r} sit in the flat tails (median over "
            f"{finite.size} recorded steps; {float(finite[-1]):.0%} at the last one)",
            {"layer": layer, "median_fraction": median, "last_fraction": float(finite[-1]),
             "threshold": history.meta.get("saturation"),
             "steps": [int(history.steps[0]), int(history.steps[-1])]},
        ))
    return findings


RULES = {"dead_relu": dead_relu, "saturated_units": saturated_units}
