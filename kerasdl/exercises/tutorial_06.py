"""Checks for the exercises of tutorial 06 (weight initialization).

The judges read properties that follow from how a network starts: whether
its units are copies of each other, how a weight scale sets the signal's
factor per layer (compared with the `sqrt(fan_in * Var(w) / 2)` rule for
ReLU, with a tolerance for one random draw), and what a network whose
hidden layers cannot learn predicts. None of them needs a stored band.

Example:
    >>> import math
    >>> from kerasdl import exercises
    >>> factors = {s: s * math.sqrt(64 / 2) for s in (0.1, 0.2, 0.3)}  # the ReLU rule, fan_in 64
    >>> exercises.check("06.2", factors=factors, fan_in=64, critical_std=0.18).passed
    True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from kerasdl.exercises.registry import exercise, expect


def _number(value: Any, name: str) -> float:
    expect(not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))
           and math.isfinite(float(value)), f"`{name}` as one finite number; got {value!r}")
    return float(value)


@exercise(
    "06.1",
    "A constant start, and dropout",
    hint="Measure both spreads the same way (the page's unit_spread on hidden_1, after training): the "
    "zero start of section 1 and a constant start trained with dropout=0.1 in deep_mlp.",
)
def _symmetry(spread: float, spread_zeros: float) -> str:
    broken = _number(spread, "spread")
    copies = _number(spread_zeros, "spread_zeros")
    expect(broken >= 0 and copies >= 0, "spreads as largest absolute differences (>= 0)")
    expect(copies <= 1e-6, f"`spread_zeros` from the zero start without dropout, whose units stay exact "
           f"copies (spread 0); got {copies:.3g}")
    expect(broken > 1e-4, f"a spread above 0 for the constant start trained with dropout; got {broken:.3g}, "
           "so the units are still copies (was dropout in the network?)")
    return (
        f"Without noise the units stay exact copies (spread {copies:.3g}); with dropout they differ by "
        f"up to {broken:.3g} after training. Equal weights, zero or not, give equal units; a random mask "
        "per unit hands each one a different gradient, so training pulls them apart."
    )


@exercise(
    "06.2",
    "The factor per layer, and the scale that keeps it at 1",
    hint="For each standard deviation, build the untrained ReLU network, read the std of hidden_1 and of "
    "the last hidden layer on one batch, and take the per-layer factor as the (layers - 1)-th root of "
    "their ratio; then find the standard deviation where that factor would be 1.",
)
def _factor_per_layer(factors: Mapping[float, float], fan_in: int, critical_std: float) -> str:
    expect(isinstance(factors, Mapping), "`factors` as a dict {weight std: measured factor per layer}")
    expect(len(factors) >= 3, f"factors for at least three standard deviations; got {len(factors)}")
    fan_in_value = _number(fan_in, "fan_in")
    expect(fan_in_value >= 1 and fan_in_value == int(fan_in_value), f"`fan_in` as a whole number; got {fan_in!r}")
    stds = sorted(float(s) for s in factors)
    measured = np.array([float(factors[s]) for s in sorted(factors, key=float)])
    expect(all(s > 0 for s in stds) and np.all(np.isfinite(measured)) and np.all(measured > 0),
           "positive standard deviations and positive, finite factors")
    expect(np.all(np.diff(measured) > 0), f"a factor that grows with the weight scale; got "
           f"{dict(zip(stds, measured.round(3).tolist()))}")
    predicted = np.array(stds) * math.sqrt(fan_in_value / 2)
    off = measured / predicted
    worst = int(np.argmax(np.abs(np.log(off))))
    expect(
        np.all((off > 0.75) & (off < 1.33)),
        f"factors near the ReLU rule sqrt(fan_in * std^2 / 2) (one random draw can stray a little); at std "
        f"{stds[worst]:g} it predicts {predicted[worst]:.3g}, you measured {measured[worst]:.3g}",
    )
    critical = _number(critical_std, "critical_std")
    he = math.sqrt(2 / fan_in_value)
    # The factor is proportional to the std: fit factor = c * std on a log scale; it is 1 at 1 / c.
    implied = float(np.exp(-np.mean(np.log(measured) - np.log(stds))))
    expect(critical > 0 and abs(math.log(critical / implied)) < math.log(1.1),
           f"`critical_std`, the std where your factors would reach 1, within 10% of {implied:.3g} (what "
           f"a straight line through them gives); got {critical:.3g}")
    return (
        f"The factor grows in proportion to the weight scale, within {100 * np.abs(off - 1).max():.0f}% of "
        f"sqrt(fan_in * std^2 / 2), and crosses 1 near std {critical:.3g}: He's sqrt(2 / fan_in) = {he:.3g}. "
        "Below it the signal shrinks geometrically with depth, above it it grows."
    )


@exercise(
    "06.3",
    "What a network that cannot learn predicts",
    hint="Predict the validation images with the trained six-layer zeros / relu network and pass the "
    "probabilities and the validation labels; compare the rows of the probabilities with each other.",
)
def _zero_network(probabilities: Any, labels: Any) -> str:
    probs = np.asarray(probabilities, dtype=float)
    y = np.asarray(labels).ravel()
    expect(probs.ndim == 2 and probs.shape[0] >= 2 and probs.shape[0] == y.size,
           f"one row of probabilities per label; got shapes {probs.shape} and {y.shape}")
    expect(np.all(np.isfinite(probs)), "finite probabilities")
    gap = float(np.abs(probs - probs[:1]).max())
    expect(gap <= 1e-5, f"the same prediction for every image (a network whose hidden layers output 0 "
           f"everywhere); the rows differ by up to {gap:.3g}")
    chosen = int(probs[0].argmax())
    share = float(np.mean(y.astype(int) == chosen))
    return (
        f"Every image gets the same probabilities (rows differ by at most {gap:.1g}): the hidden layers "
        f"output 0 for any input, so only the output layer's biases speak. It always answers class "
        f"{chosen}, so its accuracy is the share of that class among the labels, {share:.3f}."
    )
