"""`diagnose`: run every rule over a training run and collect the findings.

Example:
    >>> from kerasdl.diagnose import diagnose
    >>> d = diagnose({"loss": [2.3, float("nan")]})
    >>> d.kinds
    ['lr_too_high']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kerasdl.diagnose import activation_rules, curve_rules, gradient_rules, model_rules
from kerasdl.diagnose.findings import KINDS, Diagnosis
from kerasdl.diagnose.inputs import Run, Skip, as_activations, as_gradients, as_logs

RULES = {
    **gradient_rules.RULES,
    **activation_rules.RULES,
    **curve_rules.RULES,
    **model_rules.RULES,
}
"""Rule name -> rule function, for every rule `diagnose` runs (pass names as `rules=` to run a few)."""
assert set(RULES) == set(KINDS), "every rule needs a tutorial link in findings.TUTORIALS"


def _check_rules(rules: Sequence[str] | None) -> list[str]:
    if rules is None:
        return list(RULES)
    if isinstance(rules, str):
        rules = [rules]
    if not isinstance(rules, (list, tuple)) or not rules:
        raise TypeError(f"rules must be None or a non-empty list of rule names from {list(RULES)}; got {rules!r}.")
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        raise ValueError(f"rules={list(rules)!r} has unknown names {unknown}; known rules: {list(RULES)}.")
    return list(dict.fromkeys(rules))


def diagnose(
    history: Any = None,
    gradients: Any = None,
    activations: Any = None,
    model: Any = None,
    rules: Sequence[str] | None = None,
) -> Any:
    """Say in plain words what went wrong in a training run, with the numbers that show it.

    Every rule looks at what it needs and is skipped (listed in
    `Diagnosis.skipped`) when that is missing: the loss-curve rules need a
    history, the gradient rules a gradient recording, the activation rules
    an activation recording, the BatchNorm rule the model. The thresholds
    are named constants in `kerasdl.diagnose.thresholds`.

    Args:
        history: What `fit` returned (a `keras.callbacks.History`) or a dict
            `{metric: [value per epoch]}` such as `history.history`.
        gradients: A `GradientRecorder`, its `GradientHistory`, or the path of
            a saved one (`.npz` / `.json`).
        activations: An `ActivationRecorder`, its `ActivationHistory`, or a path.
        model: The trained model (its optimizer's learning rate, Dropout and
            BatchNormalization layers are read, never changed).
        rules: Names of the rules to run (default all, see `RULES`).

    Returns:
        A `Diagnosis`: `findings` (a list of `Finding`, most severe first),
        `checked` and `skipped` rules, and `report()` for the text.

    Example:
        >>> d = diagnose({"loss": [1.0, 0.6, 0.4, 0.3], "val_loss": [1.0, 0.7, 0.6, 0.55]})
        >>> d.findings
        []
        >>> diagnose({"loss": [2.30, 2.30, 2.30]}).kinds
        ['lr_too_low']
    """
    names = _check_rules(rules)
    run = Run(logs=as_logs(history), gradients=as_gradients(gradients),
              activations=as_activations(activations), model=model)
    findings, checked, skipped = [], [], {}
    for name in names:
        try:
            found = RULES[name](run)
        except Skip as reason:
            skipped[name] = str(reason)
            continue
        checked.append(name)
        findings.extend(found)
    return Diagnosis(findings, checked=checked, skipped=skipped)
