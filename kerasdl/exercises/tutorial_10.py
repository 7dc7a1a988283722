"""Checks for the exercises of tutorial 10 (transfer learning).

Example:
    >>> from kerasdl import exercises
    >>> [e.id for e in exercises.exercises_of("10")]
    ['10.1', '10.2', '10.3']
    >>> exercises.check("10.2", counts={"1": 75_000, "conv_block_2_conv": 93_450, "all": 93_610},
    ...                 head=1_290, total=94_634).passed
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from kerasdl.exercises.registry import exercise, expect


def _changes(name: str, value: Any) -> dict[str, float]:
    expect(isinstance(value, Mapping) and len(value) >= 2,
           f"`{name}` as a dict {{conv layer name: relative weight change}} for the backbone's conv layers")
    out = {str(k): float(v) for k, v in value.items()}
    expect(all(np.isfinite(v) and v >= 0 for v in out.values()), f"non-negative, finite changes in `{name}`")
    return out


@exercise(
    "10.1",
    "A fine-tuning rate as high as the head's",
    hint="For each conv layer of the backbone, compare the kernel after fine-tuning with the pre-trained "
    "kernel (a fresh transfer.backbone): ||W - W0|| / ||W0||, for the page's run and for the run at 3e-3.",
)
def _fine_tune_rate(low: Mapping[str, float], high: Mapping[str, float], unfrozen: Any) -> str:
    low, high = _changes("low", low), _changes("high", high)
    expect(set(low) == set(high), f"the same layers in `low` and `high`; got {sorted(low)} and {sorted(high)}")
    unfrozen = [str(u) for u in unfrozen]
    expect(unfrozen and set(unfrozen) < set(low),
           f"`unfrozen` as the names of the layers phase 2 trained (a part of {sorted(low)}); got {unfrozen}")
    for layer in sorted(set(low) - set(unfrozen)):
        expect(low[layer] < 1e-6 and high[layer] < 1e-6,
               f"{layer}, which stays frozen, to be unchanged in both runs; got {low[layer]:.3g} and {high[layer]:.3g}")
    for layer in unfrozen:
        expect(low[layer] > 0, f"{layer} to have changed in the page's fine-tuning run; got {low[layer]:.3g}")
        expect(high[layer] >= 3 * low[layer],
               f"{layer} to change at least 3x more at the high rate; got {high[layer]:.3g} against {low[layer]:.3g}")
    shown = ", ".join(f"{layer} {low[layer]:.3g} -> {high[layer]:.3g}" for layer in unfrozen)
    return (
        f"Relative change of the unfrozen kernels, rate 1e-4 -> 3e-3: {shown}; the frozen layers did not move. "
        "At the head's rate the first fine-tuning steps rewrite the pre-trained filters instead of adjusting "
        "them, while the gradients that drive them come from a head that has only just been fitted."
    )


@exercise(
    "10.2",
    "How much does unfreezing train?",
    hint="Build a fresh transfer model for each setting, call transfer.unfreeze(model, setting) and read "
    "transfer.parameter_counts(model)['trainable']; pass them in order from the fewest layers to all.",
)
def _unfreeze_counts(counts: Mapping[Any, int], head: int, total: int) -> str:
    expect(isinstance(counts, Mapping) and len(counts) >= 3,
           "`counts` as a dict {unfreeze setting: trainable parameters} for at least three settings")
    values = [int(v) for v in counts.values()]
    head, total = int(head), int(total)
    expect(0 < head < min(values), f"the head alone ({head:,}) to train fewer parameters than any unfreeze setting; "
           f"got {dict(counts)}")
    expect(all(b > a for a, b in zip(values, values[1:])),
           f"trainable counts growing as more layers are unfrozen (in the order given); got {values}")
    expect(values[-1] < total,
           f"even 'all' to leave some parameters frozen (BatchNormalization keeps its statistics); got "
           f"{values[-1]:,} of {total:,}")
    return (
        f"Phase 1 trains {head:,} of {total:,} parameters ({head / total:.1%}); unfreezing trains "
        + ", ".join(f"{k}: {v:,}" for k, v in counts.items())
        + f". Even 'all' leaves {total - values[-1]:,} frozen: the BatchNormalization layers. With few labels, "
        "every unfrozen parameter is one more that can fit the noise of 100 images."
    )


@exercise(
    "10.3",
    "Pre-trained or just the architecture?",
    hint="Build transfer.backbone(transfer.GLYPHS, weights=None) (same layers, random weights), extract "
    "features with both backbones and fit the same linear classifier on each; pass both backbones and "
    "both test accuracies.",
)
def _random_backbone(pretrained: Any, random: Any, pretrained_accuracy: float, random_accuracy: float) -> str:
    import keras

    expect(isinstance(pretrained, keras.Model) and isinstance(random, keras.Model),
           "`pretrained` and `random` as the two backbones (keras.Model)")
    kinds = [type(layer).__name__ for layer in pretrained.layers]
    shapes = [tuple(w.shape) for w in pretrained.weights]
    expect(kinds == [type(layer).__name__ for layer in random.layers]
           and shapes == [tuple(w.shape) for w in random.weights],
           "two backbones with the same layers and weight shapes (only the weights' values differ)")
    kernels = [(a, b) for a, b in zip(pretrained.weights, random.weights) if len(a.shape) == 4]
    expect(kernels, "convolution kernels in the backbones")
    same = all(np.allclose(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b)) for a, b in kernels)
    expect(not same, "different weights in the two backbones (is `random` built with weights=None?)")
    pre, rnd = float(pretrained_accuracy), float(random_accuracy)
    expect(0 <= pre <= 1 and 0 <= rnd <= 1, f"accuracies between 0 and 1; got {pre!r} and {rnd!r}")
    return (
        f"Same architecture, same linear classifier: pre-trained features reach {pre:.3f}, random ones {rnd:.3f} "
        f"({100 * (pre - rnd):+.1f} points, one sample of labels). Random convolutions already give a classifier "
        "something (the architecture's share); the rest is what pre-training taught the filters. Whether the gap "
        "is more than the luck of this test set is what the McNemar line above says."
    )
