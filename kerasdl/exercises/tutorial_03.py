"""Checks for the exercises of tutorial 03 (why deep learning became practical).

03.1 judges matmul timings in three precisions (complete and self-consistent),
03.2 epochs-to-target counts at two targets against the recorded curves,
03.3 SGD with momentum against plain SGD and Adam, paired by seed.

Example:
    >>> from kerasdl import exercises
    >>> best = {"sgd": [0.60, 0.62], "momentum": [0.85, 0.88], "adam": [0.93, 0.94]}
    >>> exercises.check("03.3", best=best).passed
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from kerasdl.exercises.registry import exercise, expect

DTYPES = ("float32", "bfloat16", "float16")


@exercise(
    "03.1",
    "Half precision on this CPU",
    hint="Call device.matmul_gflops once per dtype (float32, bfloat16, float16) at one size and pass the "
    "three rows it returns unchanged; pass info['cpu'] from device.describe() as cpu to compare with its flags.",
)
def _half_precision(rows: Sequence[Mapping[str, Any]], cpu: Mapping[str, Any] | None = None) -> str:
    expect(isinstance(rows, Sequence) and all(isinstance(r, Mapping) for r in rows),
           "`rows` as a list of the dicts device.matmul_gflops returns")
    by_dtype = {str(r["dtype"]): r for r in rows}
    missing = [d for d in DTYPES if d not in by_dtype]
    expect(not missing, f"a timing for each of {', '.join(DTYPES)}; missing {', '.join(missing)}")
    sizes = sorted({int(by_dtype[d]["size"]) for d in DTYPES})
    expect(len(sizes) == 1, f"the three dtypes timed at one matrix size, so the rates compare; got sizes {sizes}")
    for dtype in DTYPES:
        row = by_dtype[dtype]
        seconds, reps, gflops = float(row["seconds"]), int(row["reps"]), float(row["gflops"])
        expect(seconds > 0 and reps > 0 and gflops > 0, f"positive seconds, reps and gflops for {dtype}")
        implied = 2.0 * sizes[0] ** 3 * reps / seconds / 1e9
        expect(abs(gflops - implied) <= 0.01 * implied,
               f"the {dtype} row's gflops to follow from its own timing (2 n^3 x reps / seconds = "
               f"{implied:.3g}); it says {gflops:.3g}")
    ratio = {d: float(by_dtype[d]["gflops"]) / float(by_dtype["float32"]["gflops"]) for d in DTYPES[1:]}
    text = (f"At size {sizes[0]}, bfloat16 ran at {ratio['bfloat16']:.2f} x and float16 at {ratio['float16']:.2f} x "
            "the float32 rate.")
    if cpu is not None:
        units = bool(cpu.get("bf16_matrix_units"))
        text += (f" device.describe() reports {'' if units else 'no '}bfloat16 matrix units (Intel AMX) on "
                 f"{cpu.get('name') or 'this CPU'}" + ("." if units else "; without them a bfloat16 gain can "
                 "only come from bfloat16 dot-product instructions (AVX512-BF16), where the CPU has them."))
    return text + (" A ratio near 1 is within the noise of one timing on a busy machine: time it again "
                   "before drawing a conclusion.")


def _epochs(curve: np.ndarray, target: float) -> int | None:
    hit = np.flatnonzero(np.asarray(curve) >= target)
    return int(hit[0]) + 1 if hit.size else None


@exercise(
    "03.2",
    "A stricter target",
    hint="For each variant and seed, the first epoch whose validation accuracy reaches the target "
    "(1-based), or None when it never does; the page's `curves` hold every run's validation curve.",
)
def _stricter_target(epochs_to_target: Mapping[float, Mapping[str, Sequence[int | None]]],
                     curves: Mapping[str, Sequence[Sequence[float]]]) -> str:
    expect(isinstance(epochs_to_target, Mapping) and len(epochs_to_target) >= 2,
           "`epochs_to_target` as a dict {target: {variant: [epochs per seed]}} for at least two targets")
    targets = sorted(float(t) for t in epochs_to_target)
    tables = {float(t): table for t, table in epochs_to_target.items()}
    variants = sorted(curves)
    for target in targets:
        expect(sorted(tables[target]) == variants, f"every variant of the page at target {target}; "
               f"got {sorted(tables[target])}")
    low, high = targets[0], targets[-1]
    for name in variants:
        for seed, (a, b) in enumerate(zip(tables[low][name], tables[high][name])):
            expect(b is None or (a is not None and a <= b),
                   f"a stricter target never to be reached sooner: {name}, run {seed}, reaches {high} at epoch "
                   f"{b} but {low} at {a}. Are the targets swapped?")
    for target in targets:
        for name in variants:
            right = [_epochs(c, target) for c in curves[name]]
            given = [None if e is None else int(e) for e in tables[target][name]]
            expect(given == right, f"the epochs read from the curves at target {target} for {name}: {right}; "
                   f"got {given}")
    missed = {t: sum(e is None for name in variants for e in tables[t][name]) for t in (low, high)}
    extra = [b - a for name in variants for a, b in zip(tables[low][name], tables[high][name]) if b is not None]
    runs = sum(len(curves[name]) for name in variants)
    return (f"Of {runs} runs, {missed[low]} never reach {low} and {missed[high]} never reach {high}; "
            + (f"those that reach both need {np.mean(extra):.1f} more epochs on average for the stricter target."
               if extra else "no run reaches both targets.")
            + " A verdict can change where a variant quick to the easy target stalls below the hard one.")


@exercise(
    "03.3",
    "SGD with momentum",
    hint="Train the page's network with keras.optimizers.SGD(0.01, momentum=0.9) for each seed, and compare "
    "each run's best validation accuracy with the first as many epochs of the page's SGD and Adam curves.",
)
def _momentum(best: Mapping[str, Sequence[float]]) -> str:
    from kerasdl.stats import paired_difference

    expect(isinstance(best, Mapping) and {"sgd", "momentum", "adam"} <= set(best),
           "`best` as a dict with 'sgd', 'momentum' and 'adam': each run's best validation accuracy, per seed")
    values = {k: np.asarray(best[k], dtype=float) for k in ("sgd", "momentum", "adam")}
    lengths = sorted({v.size for v in values.values()})
    expect(len(lengths) == 1 and lengths[0] >= 2, f"one value per seed, the same seeds (at least 2) for all "
           f"three; got {({k: v.size for k, v in values.items()})}")
    expect(all(np.all((v >= 0) & (v <= 1)) for v in values.values()), "accuracies between 0 and 1")
    expect(not np.allclose(values["momentum"], values["sgd"]),
           "momentum to change the runs; your 'momentum' and 'sgd' accuracies are the same. Is momentum=0.9 set?")
    sgd, mom, adam = (float(values[k].mean()) for k in ("sgd", "momentum", "adam"))
    expect(mom > sgd, f"SGD with momentum to do better than plain SGD on average (each step carries on 90% of "
           f"the previous one); got {mom:.3f} against {sgd:.3f}")
    diff = paired_difference(values["momentum"], values["sgd"], scale=100, unit="points")
    seen = (f"detectably, by {diff.mean:.1f} points (95% CI [{diff.ci_low:+.1f}, {diff.ci_high:+.1f}])"
            if diff.detected else f"but not detectably at {diff.n} seeds (95% CI [{diff.ci_low:+.1f}, "
            f"{diff.ci_high:+.1f}] points)")
    if adam <= sgd:
        gap = f"; Adam ({adam:.3f}) was not ahead of plain SGD here"
    elif mom >= adam:
        gap = f" and closes the whole gap from plain SGD ({sgd:.3f}) to Adam ({adam:.3f}): it reaches {mom:.3f}"
    else:
        gap = (f" and closes {100 * (mom - sgd) / (adam - sgd):.0f}% of the gap from plain SGD ({sgd:.3f}) "
               f"to Adam ({adam:.3f})")
    return f"Momentum raises SGD's best validation accuracy {seen}{gap}."
