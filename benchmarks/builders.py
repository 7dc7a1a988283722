"""Does the `deep_mlp` builder cost anything? Compare it with the same network written by hand.

Both models (same layers, initialisers, optimizer, data) are trained in
alternation, several rounds, in one process; the script prints the median
seconds per epoch of each and their ratio. The builder only assembles
standard Keras layers, so the ratio should be 1.00 within noise.

Usage:
    python benchmarks/builders.py [--rounds 7] [--epochs 3] [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from kerasdl import models  # noqa: E402

DEPTH, WIDTH, INPUTS, CLASSES = 6, 256, 64, 10


def by_hand() -> keras.Model:
    inputs = keras.Input((INPUTS,))
    x = inputs
    for _ in range(DEPTH):
        x = keras.layers.Dense(WIDTH, activation="relu", kernel_initializer="he_normal")(x)
    return keras.Model(inputs, keras.layers.Dense(CLASSES, activation="softmax")(x))


def by_builder() -> keras.Model:
    return models.deep_mlp((INPUTS,), CLASSES, depth=DEPTH, width=WIDTH, activation="relu")


def time_fit(build, x, y, epochs: int, batch_size: int) -> tuple[float, float]:
    keras.utils.set_random_seed(0)
    model = build()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x[:batch_size * 2], y[:batch_size * 2], epochs=1, batch_size=batch_size, verbose=0)  # trace/compile
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
    return (time.perf_counter() - wall) / epochs, (time.process_time() - cpu) / epochs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=8192)
    parser.add_argument("--quick", action="store_true", help="2 rounds, 1 epoch, small data")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.epochs, args.samples = 2, 1, 1024
    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.samples, INPUTS)).astype("float32")
    y = rng.integers(0, CLASSES, args.samples).astype("int32")
    a, b = by_hand(), by_builder()
    assert a.count_params() == b.count_params(), "the two networks must be identical"
    print(f"deep_mlp depth={DEPTH} width={WIDTH}: {b.count_params():,} parameters, {args.samples} samples, "
          f"batch 128, {args.rounds} rounds x {args.epochs} epochs, Keras {keras.__version__} "
          f"({keras.backend.backend()})")
    results: dict[str, list[tuple[float, float]]] = {"by hand": [], "builder": []}
    for round_ in range(args.rounds):
        # Alternate the order each round so drift in machine load hits both equally.
        order = [("by hand", by_hand), ("builder", by_builder)]
        for name, build in order if round_ % 2 == 0 else order[::-1]:
            results[name].append(time_fit(build, x, y, args.epochs, 128))
    print(f"{'':10}{'median s/epoch (wall)':>24}{'median s/epoch (CPU)':>24}")
    medians = {}
    for name, times in results.items():
        medians[name] = (statistics.median(t[0] for t in times), statistics.median(t[1] for t in times))
        print(f"{name:10}{medians[name][0]:>24.4f}{medians[name][1]:>24.4f}")
    ratio_wall = medians["builder"][0] / medians["by hand"][0]
    ratio_cpu = medians["builder"][1] / medians["by hand"][1]
    print(f"ratio builder / by hand: wall {ratio_wall:.3f}, CPU {ratio_cpu:.3f}")


if __name__ == "__main__":
    main()
