"""Checks for the exercises of tutorial 08 (the architecture tour).

Example:
    >>> from kerasdl import exercises
    >>> [e.id for e in exercises.exercises_of("08")]
    ['08.1', '08.2', '08.3', '08.4', '08.5']
    >>> exercises.check("08.1", counts={"simple": 1187, "gru": 3395, "lstm": 4451}).passed
    True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from kerasdl.exercises.registry import exercise, expect

CELLS = ("simple", "gru", "lstm")


def _count(name: str, value: Any) -> int:
    expect(isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value > 0,
           f"`{name}` as a positive whole number of parameters; got {value!r}")
    return int(value)


def _fraction(name: str, value: Any) -> float:
    value = float(value)
    expect(0 <= value <= 1, f"`{name}` as a fraction between 0 and 1; got {value!r}")
    return value


@exercise(
    "08.1",
    "Parameters of the recurrent cells",
    hint="Build the same `models.rnn` three times, changing only `cell`, and pass each model's "
    "`count_params()`. Count how many sets of weights (gates) each cell needs for one step.",
)
def _recurrent_cells(counts: Mapping[str, int], units: int = 32, features: int = 1) -> str:
    got = sorted(counts) if isinstance(counts, Mapping) else counts
    expect(isinstance(counts, Mapping) and set(counts) == set(CELLS),
           f"`counts` as a dict with the keys {list(CELLS)}; got {got!r}")
    n = {cell: _count(f"counts[{cell!r}]", counts[cell]) for cell in CELLS}
    units, features = _count("units", units), _count("features", features)
    expect(n["simple"] < n["gru"] < n["lstm"],
           f"simple < gru < lstm (more gates, more weights); got {n}")
    block = units * (units + features) + units  # one gate: input and recurrent kernels, bias
    extra = n["lstm"] - n["simple"]
    expect(
        extra == 3 * block,
        f"the LSTM to have exactly three more gate blocks than the simple RNN (3 x {block:,} = {3 * block:,} "
        f"for {units} units and {features} input feature(s)); the difference is {extra:,}. Same units and head "
        "in all three?",
    )
    return (
        f"Per step a simple RNN computes one block of {block:,} weights, a GRU three (update, reset, "
        f"candidate; {n['gru'] - n['simple']:,} more than simple) and an LSTM four (input, forget, output gates "
        f"and the candidate): {n['lstm']:,} parameters against {n['simple']:,}. The gates are what let the LSTM "
        "keep or forget its cell state, and they are paid for in weights."
    )


@exercise(
    "08.2",
    "Weight sharing in a convolution",
    hint="A Dense layer connects every input value to every output value, plus one bias per output. "
    "Count the conv layer's input values (height x width x channels) and its output values the same way.",
)
def _weight_sharing(conv_layer: Any, dense_params: int) -> str:
    expect(type(conv_layer).__name__ == "Conv2D",
           f"`conv_layer` to be the CNN's first Conv2D layer (model.get_layer(...)); got {type(conv_layer).__name__}")
    dense = _count("dense_params", dense_params)
    conv = int(conv_layer.count_params())
    inputs = math.prod(int(d) for d in conv_layer.input.shape[1:])
    outputs = math.prod(int(d) for d in conv_layer.output.shape[1:])
    expect(dense != conv, "the parameters of a Dense layer, not the convolution's own count")
    expect(
        dense == inputs * outputs + outputs,
        f"a Dense layer from the conv layer's {inputs} input values to its {outputs} output values, biases "
        f"included; got dense_params={dense:,}",
    )
    return (
        f"The convolution produces {outputs:,} values from {inputs} inputs with {conv:,} parameters; a Dense "
        f"layer producing as many would need {dense:,}, {dense / conv:,.0f}x more. The convolution reuses one small "
        "filter at every position (weight sharing) and looks only at a neighbourhood (local connectivity)."
    )


@exercise(
    "08.3",
    "How big must an anomaly be?",
    hint="Paste square patches of full ink of growing side on the same normal test images and score each "
    "size by ROC AUC against the unchanged images; pass {side: AUC}.",
)
def _patch_sizes(aucs: Mapping[int, float]) -> str:
    expect(isinstance(aucs, Mapping) and len(aucs) >= 3, "`aucs` as a dict {patch side: AUC} for at least 3 sides")
    sides = sorted(int(s) for s in aucs)
    values = [_fraction(f"aucs[{s}]", aucs[s]) for s in sorted(aucs, key=int)]
    expect(
        all(b > a for a, b in zip(values, values[1:])),
        f"the AUC to grow with the patch's side (a larger patch changes more pixels); got "
        f"{dict(zip(sides, np.round(values, 3).tolist()))}",
    )
    expect(values[-1] > 0.5, f"the largest patch to be detected better than chance (AUC above 0.5); got {values[-1]:.3f}")
    return (
        f"The AUC rises from {values[0]:.3f} ({sides[0]}x{sides[0]} patch) to {values[-1]:.3f} "
        f"({sides[-1]}x{sides[-1]}): the reconstruction error measures how far an image lies from what the "
        "autoencoder learned, so small defects hide in the error of normal images and large ones stand out."
    )


@exercise(
    "08.4",
    "Calibrating the two-sample test",
    hint="Run `two_sample_accuracy` on two samples of real moons of equal size (held-out points against "
    "as many training points); equal sizes matter, or the classifier can win by guessing the larger class.",
)
def _two_sample_null(real_vs_real: float, gaussian: float, untrained: float) -> str:
    same = _fraction("real_vs_real", real_vs_real)
    gauss, untr = _fraction("gaussian", gaussian), _fraction("untrained", untrained)
    expect(
        0.35 <= same <= 0.65,
        f"two samples of the same distribution to be indistinguishable: accuracy near 0.5 (0.35 .. 0.65); "
        f"got real_vs_real={same:.3f}",
    )
    expect(
        same < gauss and same < untr,
        f"real vs real to be harder to tell apart than real vs the Gaussian fit or the untrained generator; got "
        f"{same:.3f}, {gauss:.3f} and {untr:.3f}",
    )
    return (
        f"Real against real scores {same:.3f}, the floor a perfect generator would reach; the Gaussian fit "
        f"({gauss:.3f}) and the untrained generator ({untr:.3f}) sit above it. A GAN's score means something only "
        "next to this floor."
    )


@exercise(
    "08.5",
    "Tokens shuffled",
    hint="Shuffle each test sequence on its own (rng.permuted(x, axis=1)), predict with the trained "
    "Transformer, and pass one boolean per test sequence: was the prediction right?",
)
def _shuffled_tokens(correct: Any, accuracy: float | None = None) -> str:
    from kerasdl.stats import exact_binomial_two_sided

    right = np.asarray(correct)
    expect(right.ndim == 1 and right.size >= 50 and set(np.unique(right).tolist()) <= {0, 1, False, True},
           f"`correct` as one boolean per test sequence (at least 50); got shape {right.shape}")
    hits = int(right.astype(bool).sum())
    p = exact_binomial_two_sided(hits, right.size - hits)
    share = hits / right.size
    expect(
        p >= 0.001,
        f"chance-level accuracy on shuffled sequences (the label says whether 1 came before 2, which a shuffle "
        f"makes a coin flip); got {share:.3f} on {right.size} sequences, exact binomial p = {p:.2g} against 0.5",
    )
    before = "" if accuracy is None else f" (unshuffled: {_fraction('accuracy', accuracy):.3f})"
    return (
        f"On shuffled sequences the Transformer is right on {share:.3f} of {right.size}{before}, consistent with "
        f"a coin flip (exact binomial p = {p:.2g}): after a shuffle the order it learned to read no longer "
        "carries the label, so no model can beat chance, however well it was trained."
    )
