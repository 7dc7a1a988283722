"""What does recording gradients cost? Side-by-side timings in one run.

Variants, interleaved (each repeat runs every variant once, in a rotated
order, so drifting machine load hits all of them alike):

* plain:        `fit` with no recorder;
* grad_every1:  `GradientRecorder(every=1)` (L2 norms of the applied gradients);
* grad_every10: `GradientRecorder(every=10)`;
* probe:        `GradientRecorder(mode="probe", every=N)` (the gradient of a fixed batch:
                GradientTape, jax.grad or torch autograd, whichever the backend);
* tensorboard:  `keras.callbacks.TensorBoard(histogram_freq=1)` (weight histograms per epoch);
* grad_all:     (with --all-stats) every statistic: l2, max_abs, mean, std, weight_l2.

Models: a 10 x 256 ReLU MLP and a small CNN (kerasdl builders), on random
data. Each variant builds its model once and calls `fit` `--fits` times
(each with a fresh callback list, as a user's loop would), several epochs
each. Two figures per variant:

* steady state: the median epoch time, leaving out the first epoch of each
  `fit` (tracing, first-batch work), as wall-clock and as process CPU time
  (the latter is steadier on a shared machine), and its ratio to `plain`;
* one-off cost per fit: for the second and later `fit` calls, the call's
  wall time minus `epochs` x the steady epoch time (the median over those
  calls), and that cost minus `plain`'s, i.e. what the recorder adds to each
  `fit` call beyond its per-step cost.

Runs on the Keras backend set by `KERAS_BACKEND` (tensorflow, jax or torch).

Usage:
    python benchmarks/recorders.py            # full run (minutes)
    KERAS_BACKEND=torch python benchmarks/recorders.py --quick   # on PyTorch
    python benchmarks/recorders.py --quick    # a smoke run (about a minute)
    python benchmarks/recorders.py --jit      # the same with XLA-compiled train steps
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from kerasdl.models import cnn, deep_mlp  # noqa: E402
from kerasdl.recorders import GradientRecorder  # noqa: E402

VARIANTS = ("plain", "grad_every1", "grad_every10", "probe", "tensorboard")


class _EpochClock(keras.callbacks.Callback):
    """Wall and CPU time per epoch; one instance first in the list, one last."""

    def __init__(self, role: str, store: dict) -> None:
        super().__init__()
        self.role, self.store = role, store

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if self.role == "start":
            self.store["t0"] = (time.perf_counter(), time.process_time())

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.role == "stop":
            wall0, cpu0 = self.store["t0"]
            self.store["epochs"].append((time.perf_counter() - wall0, time.process_time() - cpu0))


def _task(name: str, steps: int, batch: int) -> tuple:
    rng = np.random.default_rng(0)
    n = steps * batch
    if name == "mlp":
        x = rng.normal(size=(n, 64)).astype("float32")
        build = lambda: deep_mlp((64,), 10, depth=10, width=256)  # noqa: E731
    else:
        x = rng.normal(size=(n, 32, 32, 3)).astype("float32")
        build = lambda: cnn((32, 32, 3), 10, filters=(16, 32))  # noqa: E731
    y = rng.integers(0, 10, size=n)
    return build, x, y


def _callbacks(variant: str, probe_every: int, data: tuple, logdir: str) -> list:
    if variant == "grad_every1":
        return [GradientRecorder(every=1)]
    if variant == "grad_every10":
        return [GradientRecorder(every=10)]
    if variant == "probe":
        return [GradientRecorder(mode="probe", data=data, every=probe_every)]
    if variant == "grad_all":
        return [GradientRecorder(stats=("l2", "max_abs", "mean", "std", "weight_l2"))]
    if variant == "tensorboard":
        return [keras.callbacks.TensorBoard(log_dir=logdir, histogram_freq=1)]
    return []


def run_one(task: str, variant: str, args: argparse.Namespace, logdir: str) -> tuple[float, ...]:
    """Steady epoch (wall s, CPU s) and one-off cost per later fit call (wall s, CPU s)."""
    build, x, y = _task(task, args.steps, args.batch_size)
    keras.utils.set_random_seed(0)
    model = build()
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy",
                  jit_compile=True if args.jit else "auto")
    probe = (x[: args.batch_size], y[: args.batch_size])
    steady, calls = [], []
    for _ in range(args.fits):
        store: dict = {"epochs": []}
        cbs = [_EpochClock("start", store), *_callbacks(variant, args.probe_every, probe, logdir),
               _EpochClock("stop", store)]
        t0, c0 = time.perf_counter(), time.process_time()
        model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs, verbose=0, callbacks=cbs)
        calls.append((time.perf_counter() - t0, time.process_time() - c0))
        steady += store["epochs"][1:]  # the first epoch of a fit includes any tracing
    wall = statistics.median(w for w, _ in steady)
    cpu = statistics.median(c for _, c in steady)
    if len(calls) < 2:
        return wall, cpu, float("nan"), float("nan")
    return (wall, cpu, statistics.median(t - args.epochs * wall for t, _ in calls[1:]),
            statistics.median(c - args.epochs * cpu for _, c in calls[1:]))


def _tensorboard_available() -> bool:
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny run to check the script works")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--fits", type=int, default=3, help="fit calls per variant (one-off cost: 2nd on)")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated subset")
    parser.add_argument("--steps", type=int, default=100, help="steps per epoch")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--probe-every", type=int, default=1)
    parser.add_argument("--tasks", default="mlp,cnn")
    parser.add_argument("--jit", action="store_true", help="compile train steps (jit_compile=True: XLA; torch.compile on PyTorch)")
    parser.add_argument("--all-stats", action="store_true", help="add a variant recording every statistic")
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.epochs, args.steps, args.fits = 1, 2, 10, 2
    tasks = [t for t in args.tasks.split(",") if t]
    print(f"keras {keras.__version__}, backend {keras.backend.backend()}, repeats={args.repeats}, "
          f"fits={args.fits}, epochs={args.epochs} per fit (first dropped), steps/epoch={args.steps}, "
          f"batch={args.batch_size}, "
          f"probe every {args.probe_every} step(s), jit_compile={'True' if args.jit else 'auto'}")
    variants = tuple(v for v in args.variants.split(",") if v) + (("grad_all",) if args.all_stats else ())
    unknown = [v for v in variants if v not in VARIANTS + ("grad_all",)]
    if unknown or "plain" not in variants:
        parser.error(f"--variants must include plain and name only {list(VARIANTS)}; got {unknown or variants}")
    if not _tensorboard_available():
        variants = tuple(v for v in variants if v != "tensorboard")
        print("tensorboard is not installed: the TensorBoard(histogram_freq=1) variant is skipped")
    logdir = tempfile.mkdtemp(prefix="kerasdl_bench_tb_")
    results = {(t, v): [] for t in tasks for v in variants}
    try:
        for rep in range(args.repeats):
            for task in tasks:
                order = variants[rep % len(variants):] + variants[:rep % len(variants)]
                for variant in order:
                    results[(task, variant)].append(run_one(task, variant, args, logdir))
    finally:
        shutil.rmtree(logdir, ignore_errors=True)
    for task in tasks:
        med = {v: [statistics.median(r[i] for r in results[(task, v)]) for i in range(4)] for v in variants}
        base_wall, base_cpu, base_once, base_once_cpu = med["plain"]
        print(f"\n{task}: steady state = median epoch time ({args.steps} steps), ratio to plain fit; "
              f"one-off = extra time per later fit call (wall, CPU), and its excess over plain")
        print(f"  {'variant':<13} {'wall s':>8} {'ratio':>6} {'cpu s':>8} {'ratio':>6} "
              f"{'1-off wall':>10} {'- plain':>8} {'1-off cpu':>10} {'- plain':>8}")
        for variant in variants:
            wall, cpu, once, once_cpu = med[variant]
            print(f"  {variant:<13} {wall:8.3f} {wall / base_wall:6.3f} {cpu:8.3f} {cpu / base_cpu:6.3f} "
                  f"{once:10.3f} {once - base_once:8.3f} {once_cpu:10.3f} {once_cpu - base_once_cpu:8.3f}")


if __name__ == "__main__":
    main()
