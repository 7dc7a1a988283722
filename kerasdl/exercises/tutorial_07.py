"""Checks for the exercises of tutorial 07 (vanishing and exploding gradients).

Example:
    >>> from kerasdl import exercises
    >>> [e.id for e in exercises.exercises_of("07")][:2]
    ['07.1', '07.2']
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from kerasdl.exercises.registry import exercise, expect


@exercise(
    "07.2",
    "Depth and the gradient ratio",
    hint="Pass the hidden_1/output ratio at the first step (the page's `ratio`), keyed by depth; "
    "a ratio below 1 means the first layer gets the smaller gradient.",
)
def _depth_and_ratio(ratios: Mapping[int, float]) -> str:
    expect(isinstance(ratios, Mapping), "`ratios` as a dict {depth: hidden_1/output ratio}")
    expect(len(ratios) >= 3, f"ratios for at least three depths; got {len(ratios)}")
    depths = sorted(int(d) for d in ratios)
    values = np.array([float(ratios[d]) for d in sorted(ratios, key=int)])
    expect(np.all(np.isfinite(values)) and np.all(values > 0), "positive, finite ratios")
    expect(
        np.all(np.diff(values) < 0),
        "the ratio to fall as depth grows (each extra sigmoid layer multiplies the first layer's "
        f"gradient by a factor below 1); got {dict(zip(depths, values.round(6).tolist()))}",
    )
    expect(values[0] / values[-1] >= 10, "at least a 10x fall between the shallowest and the deepest network")
    slope, intercept = np.polyfit(depths, np.log(values), 1)
    fitted = slope * np.array(depths) + intercept
    r2 = 1 - np.sum((np.log(values) - fitted) ** 2) / np.sum((np.log(values) - np.log(values).mean()) ** 2)
    factor = math.exp(slope)
    versus = (
        "below the sigmoid's largest slope (0.25): the weights shrink the gradient further"
        if factor < 0.25
        else "above the sigmoid's largest slope (0.25): the weights give back part of what the slopes take"
    )
    return (
        f"On a log scale the ratio falls close to a straight line (R^2 = {r2:.3f}): a factor of about "
        f"{factor:.2f} per extra layer, {versus}. A constant factor per layer is the geometric decay "
        "of the course's 0.8 x 0.2^n picture."
    )
