"""Checks for the exercises of tutorial 07 (vanishing and exploding gradients).

Example:
    >>> from kerasdl import exercises
    >>> [e.id for e in exercises.exercises_of("07")]
    ['07.1', '07.2', '07.3', '07.4', '07.5']
    >>> exercises.check("07.3", sigmoid_ratio=5e-6, tanh_ratio=0.5, relu_ratio=0.3, depth=8).passed
    True
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from kerasdl.exercises.registry import exercise, expect

SIGMOID_SLOPE = 0.25  # the sigmoid's largest slope, at z = 0


def _positive(name: str, value: float) -> float:
    value = float(value)
    expect(math.isfinite(value) and value > 0, f"`{name}` to be a positive, finite number; got {value!r}")
    return value


@exercise(
    "07.1",
    "Adam on the sigmoid network",
    hint="The recorder sees the gradient before the optimizer uses it; the step is what the "
    "optimizer does with it. Compare each layer's weights before and after one update.",
)
def _adam(sgd_ratio: float, adam_ratio: float, sgd_step_ratio: float, adam_step_ratio: float) -> str:
    sgd, adam = _positive("sgd_ratio", sgd_ratio), _positive("adam_ratio", adam_ratio)
    sgd_step, adam_step = _positive("sgd_step_ratio", sgd_step_ratio), _positive("adam_step_ratio", adam_step_ratio)
    expect(sgd < 0.01, f"a vanishing first-step gradient ratio with SGD (below 0.01); got sgd_ratio={sgd:.3g}")
    expect(
        0.5 <= adam / sgd <= 2,
        "the same first-step gradient ratio with Adam as with SGD (the gradient at step 0 depends on the "
        f"weights and the batch, not on the optimizer); got adam_ratio={adam:.3g}, sgd_ratio={sgd:.3g}",
    )
    expect(
        1 / 3 <= sgd_step / sgd <= 3,
        "SGD's step ratio to match its gradient ratio (an SGD step is the learning rate times the "
        f"gradient, in every layer); got sgd_step_ratio={sgd_step:.3g}, sgd_ratio={sgd:.3g}",
    )
    expect(
        adam_step >= 100 * sgd_step,
        "Adam's step ratio to be at least 100x SGD's (Adam divides each gradient by its own running "
        f"size); got adam_step_ratio={adam_step:.3g}, sgd_step_ratio={sgd_step:.3g}",
    )
    return (
        f"The recorded gradient ratio is the same with both optimizers ({adam:.3g} vs {sgd:.3g}), but "
        f"hidden_1's first step is {adam_step / sgd_step:,.0f}x larger relative to the output layer's "
        f"with Adam ({adam_step:.3g} vs {sgd_step:.3g}): Adam rescales steps, not gradients, which is why "
        "it hides much of the vanishing-gradient problem without removing it."
    )


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


@exercise(
    "07.3",
    "tanh instead of sigmoid",
    hint="Pass three first-step hidden_1/output ratios (the `ratio` of `run`) from networks of the "
    "same depth; tanh's slope reaches 1 at zero, four times the sigmoid's best.",
)
def _tanh(sigmoid_ratio: float, tanh_ratio: float, relu_ratio: float, depth: int = 8) -> str:
    sig, tanh, relu = (_positive(n, v) for n, v in
                       (("sigmoid_ratio", sigmoid_ratio), ("tanh_ratio", tanh_ratio), ("relu_ratio", relu_ratio)))
    depth = int(depth)
    expect(depth >= 2, f"`depth`, the number of hidden layers, of at least 2; got {depth}")
    expect(
        tanh <= 10,
        f"a tanh ratio of at most 10 (tanh's slope never exceeds 1, so hidden_1 cannot get a far larger "
        f"gradient than the output layer); got tanh_ratio={tanh:.3g}: is it the 'times smaller' column?",
    )
    expect(
        tanh >= 100 * sig,
        f"tanh's ratio to be at least 100x the sigmoid's; got tanh_ratio={tanh:.3g}, sigmoid_ratio={sig:.3g}",
    )
    expect(
        abs(math.log(tanh / relu)) < abs(math.log(tanh / sig)),
        f"tanh to land nearer ReLU + He than sigmoid on a log scale; got tanh {tanh:.3g}, ReLU {relu:.3g}, "
        f"sigmoid {sig:.3g}",
    )
    factor = tanh ** (1 / depth)
    expect(
        factor > SIGMOID_SLOPE,
        f"tanh's per-layer factor (ratio ** (1 / depth)) above the sigmoid's largest slope 0.25; got {factor:.3f}",
    )
    return (
        f"tanh's first layer gets {tanh:.3g} of the output layer's gradient against the sigmoid's {sig:.3g} "
        f"({tanh / sig:,.0f}x more), next to ReLU + He ({relu:.3g}): a factor of {factor:.2f} per layer, "
        "since near zero tanh's slope is close to 1 and Glorot initialization keeps its inputs near zero."
    )


def _finite_array(name: str, values: object) -> np.ndarray:
    array = np.asarray(values, dtype=float).ravel()
    expect(array.size >= 2, f"`{name}` as one combined norm per step (an array); got {array.size} value(s)")
    finite = array[np.isfinite(array)]
    expect(finite.size > 0, f"finite values in `{name}`")
    return finite


@exercise(
    "07.4",
    "One norm for all variables",
    hint="Combine the after-clipping norms ('l2_clipped') of every layer into one norm per step (root of "
    "the summed squares) for each run, and compare it with the clipping threshold.",
)
def _global_clipnorm(clipnorm: object, global_clipnorm: object, threshold: float = 1.0) -> str:
    per_variable = _finite_array("clipnorm", clipnorm)
    together = _finite_array("global_clipnorm", global_clipnorm)
    threshold = _positive("threshold", threshold)
    expect(
        together.max() <= threshold * 1.001,
        f"every combined norm of the global_clipnorm run at or below the threshold {threshold:g}; its largest "
        f"is {together.max():.4g} (are these the norms after clipping?)",
    )
    expect(
        per_variable.max() > threshold * 1.05,
        f"the clipnorm run's combined norm to exceed the threshold {threshold:g} (each variable is clipped on its "
        f"own, so together they add up to more); its largest is {per_variable.max():.4g}",
    )
    return (
        f"With global_clipnorm the applied gradient of the whole network never exceeded {together.max():.3g}; "
        f"with clipnorm each variable is capped separately, so the whole reached {per_variable.max():.3g} "
        f"(median {np.median(per_variable):.3g}). Global clipping keeps the direction of the whole update; "
        "per-variable clipping changes the balance between layers."
    )


@exercise(
    "07.5",
    "A larger start",
    hint="Pass each layer's gradient norm at step 0 for the std 0.3 and std 0.5 runs (same layer names), "
    "the validation accuracy of the clipped std 0.5 run, and whether all its weights stayed finite.",
)
def _larger_start(norms_03: Mapping[str, float], norms_05: Mapping[str, float], clipped_accuracy: float,
                  weights_finite: bool, num_classes: int = 10) -> str:
    expect(isinstance(norms_03, Mapping) and isinstance(norms_05, Mapping),
           "`norms_03` and `norms_05` as dicts {layer name: first-step gradient norm}")
    expect(set(norms_03) == set(norms_05) and len(norms_03) >= 2,
           f"the same layers in both dicts; got {sorted(norms_03)} and {sorted(norms_05)}")
    growth = {layer: _positive(f"norms_05[{layer!r}]", norms_05[layer]) / _positive(f"norms_03[{layer!r}]",
              norms_03[layer]) for layer in norms_03}
    smallest = min(growth, key=growth.get)
    expect(
        growth[smallest] >= 5,
        f"every layer's first-step gradient at least 5x larger with std 0.5 than with 0.3; {smallest} grew "
        f"{growth[smallest]:.3g}x",
    )
    expect(weights_finite is True or weights_finite is np.True_,
           f"the clipped run to keep finite weights (`weights_finite=True`); got {weights_finite!r}")
    accuracy = float(clipped_accuracy)
    chance = 1 / int(num_classes)
    expect(0 <= accuracy <= 1, f"`clipped_accuracy` as a fraction between 0 and 1; got {accuracy!r}")
    expect(
        accuracy >= 1.5 * chance,
        f"the clipped std 0.5 run to learn something: validation accuracy at least 1.5x chance "
        f"({1.5 * chance:.2f}); got {accuracy:.3f}",
    )
    low, high = min(growth.values()), max(growth.values())
    return (
        f"std 0.5 made every first-step gradient {low:.3g}x to {high:.3g}x larger than std 0.3 (each ReLU "
        "layer scales the signal by the size of its weights, so a factor of 5/3 per layer compounds with "
        f"depth), yet with clipnorm the weights stayed finite and the network reached {accuracy:.3f} validation accuracy "
        "(one seed): clipping bounds every step, however large the gradient it is given."
    )
