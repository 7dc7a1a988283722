"""Checks for the exercises of tutorial 01 (shallow vs deep networks).

01.1 judges the structure of parameter-matched networks of several depths,
01.2 the learning curves of a longer run, 01.3 generalisation gaps read from
the runs over seeds (and the paired verdict they support).

Example:
    >>> from kerasdl import exercises
    >>> [e.id for e in exercises.exercises_of("01")]
    ['01.1', '01.2', '01.3']
    >>> before = {"loss": [0.6, 0.5], "val_accuracy": [0.6, 0.7]}
    >>> after = {"loss": [0.48, 0.45], "val_accuracy": [0.7, 0.72]}
    >>> exercises.check("01.2", before=before, after=after).passed
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from kerasdl.exercises.registry import exercise, expect

BUDGET = 3_300  # parameters of the tutorial's deep spiral network (4 x 32), rounded
TOLERANCE = 0.05  # a matched network may miss the budget by 5%


def _dense_widths(model: Any) -> list[int]:
    """Units of every Dense layer of `model`, in order (the last one is the output layer)."""
    import keras

    expect(isinstance(model, keras.Model), f"Keras models as the values; got a {type(model).__name__}")
    return [int(layer.units) for layer in model.layers if isinstance(layer, keras.layers.Dense)]


@exercise(
    "01.1",
    "Depth at a fixed budget",
    hint="A deep network of depth L and width w on d inputs and o outputs has (L-1)*w^2 + (d+L+o)*w + o "
    "parameters; solve for w at each depth, build with models.deep_mlp, and check with model.count_params().",
)
def _fixed_budget(models: Mapping[int, Any]) -> str:
    expect(isinstance(models, Mapping), "`models` as a dict {depth: keras.Model}")
    depths = sorted(int(d) for d in models)
    expect(len(depths) >= 3, f"networks for at least three depths; got depths {depths}")
    expect(depths[0] <= 3 and depths[-1] >= 6, f"depths from 2 or 3 up to at least 6; got {depths}")
    widths, counts = {}, {}
    for depth in depths:
        model = models[depth] if depth in models else models[str(depth)]
        dense = _dense_widths(model)
        expect(len(dense) - 1 == depth, f"the network under depth {depth} to have {depth} hidden Dense layers "
               f"(plus the output layer); it has {len(dense) - 1}")
        expect(model.input_shape[-1] == 2 and dense[-1] == 1,
               f"spiral networks (2 inputs, 1 output); depth {depth} has {model.input_shape[-1]} inputs and "
               f"{dense[-1]} outputs")
        widths[depth], counts[depth] = dense[0], int(model.count_params())
    off = {d: c for d, c in counts.items() if abs(c - BUDGET) > TOLERANCE * BUDGET}
    expect(not off, f"every network within {TOLERANCE:.0%} of {BUDGET:,} parameters "
           f"({BUDGET * (1 - TOLERANCE):,.0f} .. {BUDGET * (1 + TOLERANCE):,.0f}); got "
           + ", ".join(f"depth {d}: {c:,}" for d, c in off.items()))
    ordered = [widths[d] for d in depths]
    expect(all(a > b for a, b in zip(ordered, ordered[1:])),
           f"the width to fall as depth grows at a fixed budget; got widths {dict(zip(depths, ordered))}")
    shallow = round((BUDGET - 1) / 4)  # one hidden layer: 4h + 1 parameters on 2 inputs, 1 output
    return (
        f"At about {BUDGET:,} parameters the width falls from {ordered[0]} units at depth {depths[0]} to "
        f"{ordered[-1]} at depth {depths[-1]} (one hidden layer could have about {shallow}). Each extra layer "
        "costs about width^2 parameters, so at a fixed budget depth is paid for with narrower layers: "
        f"the deepest network passes everything it knows through {ordered[-1]} numbers per layer."
    )


def _curve(history: Any, key: str, name: str) -> np.ndarray:
    expect(isinstance(history, Mapping), f"`{name}` as a history dict (the `.history` of what fit returns)")
    expect(key in history, f"a {key!r} curve in `{name}`; it has {sorted(history)}")
    values = np.asarray(history[key], dtype=float)
    expect(values.ndim == 1 and len(values) >= 1 and np.all(np.isfinite(values)),
           f"`{name}[{key!r}]` to be a list of finite numbers, one per epoch")
    return values


@exercise(
    "01.2",
    "A longer budget for the shallow net",
    hint="Call fit again on the seed-0 shallow model (it keeps its weights and its optimizer), for as many "
    "epochs again as it had, and pass the two histories (the one before, the new one).",
)
def _longer_budget(before: Mapping[str, Sequence[float]], after: Mapping[str, Sequence[float]],
                   deep: Mapping[str, Sequence[float]] | None = None) -> str:
    loss_before, loss_after = _curve(before, "loss", "before"), _curve(after, "loss", "after")
    val_before, val_after = _curve(before, "val_accuracy", "before"), _curve(after, "val_accuracy", "after")
    expect(len(loss_after) >= len(loss_before),
           f"at least as many further epochs as the first run had ({len(loss_before)}); `after` has "
           f"{len(loss_after)}")
    expect(loss_after.min() < loss_before.min(),
           f"the continued run to fit the training data better than before: its lowest training loss "
           f"({loss_after.min():.4f}) below the first run's ({loss_before.min():.4f}). A loss that does not "
           "move means the model did not train")
    epochs, first, added = len(loss_before) + len(loss_after), len(loss_before), len(loss_after)
    best_all = max(val_before.max(), val_after.max())
    text = (f"With {epochs} epochs instead of {first} the shallow network's lowest training loss fell from "
            f"{loss_before.min():.4f} to {loss_after.min():.4f}. Its best validation accuracy was "
            f"{val_before.max():.3f} in the first {first} epochs and {val_after.max():.3f} in the {added} added "
            f"ones, so {best_all:.3f} over all {epochs}"
            + (": the extra epochs fit the training data better without finding a better network for new "
               "examples." if val_after.max() <= val_before.max() else "."))
    if deep is not None:
        target = _curve(deep, "val_accuracy", "deep").max()
        gap_before, gap_after = target - val_before.max(), target - best_all
        text += (f" The deep network's best, after {len(_curve(deep, 'loss', 'deep'))} epochs, is {target:.3f}: "
                 f"the gap went from {100 * gap_before:+.1f} to {100 * gap_after:+.1f} points (deep minus shallow's "
                 "best so far).")
    return text + " This is one seed: a measurement of this run, not a verdict."


@exercise(
    "01.3",
    "Which network overfits more?",
    hint="The generalisation gap of one run is its train accuracy minus its test accuracy; "
    "runs.scores(name, 'train') and runs.scores(name, 'test') give them seed by seed.",
)
def _overfitting(gaps: Mapping[str, Mapping[str, Sequence[float]]], runs: Mapping[str, Any]) -> str:
    from kerasdl.stats import SeedRuns, paired_difference

    expect(isinstance(runs, Mapping) and runs, "`runs` as a dict {dataset name: SeedRuns}")
    expect(isinstance(gaps, Mapping), "`gaps` as a dict {dataset name: {model name: [gap per seed]}}")
    missing = [name for name in runs if name not in gaps]
    expect(not missing, f"gaps for every dataset in `runs`; missing {missing}")
    lines = []
    for name, seed_runs in runs.items():
        expect(isinstance(seed_runs, SeedRuns), f"`runs[{name!r}]` as the SeedRuns of the page")
        expect(len(seed_runs.models) == 2, f"two networks in `runs[{name!r}]`; got {seed_runs.models}")
        expected = {m: seed_runs.scores(m, "train") - seed_runs.scores(m, "test") for m in seed_runs.models}
        for model, right in expected.items():
            expect(model in gaps[name], f"a gap list for {model!r} on {name}; got {sorted(gaps[name])}")
            given = np.asarray(gaps[name][model], dtype=float)
            expect(given.shape == right.shape, f"one gap per seed ({len(right)}) for {model!r} on {name}; "
                   f"got {given.size}")
            expect(not np.allclose(given, -right, atol=1e-6) or np.allclose(right, 0, atol=1e-6),
                   f"train minus test for {model!r} on {name}: your gaps {np.round(given, 4).tolist()} have "
                   "the opposite sign (test minus train)")
            expect(np.allclose(given, right, atol=1e-6), f"train minus test accuracy, seed by seed, for {model!r} "
                   f"on {name}: {np.round(right, 4).tolist()}; got {np.round(given, 4).tolist()}")
        shallow, deep = seed_runs.models
        if len(right) < 2:
            lines.append(f"{name}: one seed, no interval")
            continue
        diff = paired_difference(expected[deep], expected[shallow], names=(deep, shallow), scale=100, unit="points")
        interval = f"95% CI [{diff.ci_low:+.1f}, {diff.ci_high:+.1f}] points over {diff.n} seeds"
        if not diff.detected:
            lines.append(f"{name}: no detectable difference in the gap ({interval})")
        else:
            larger = deep if diff.mean > 0 else shallow
            lines.append(f"{name}: {larger} has the larger gap, by {abs(diff.mean):.1f} points ({interval})")
    return ("Gaps recomputed from the runs match yours. Deep minus shallow gap, paired by seed: "
            + "; ".join(lines) + ". A larger gap means more of the training accuracy fails to carry over to "
            "new examples.")
