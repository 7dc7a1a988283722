"""What do DiagnosisCallback and LivePlot cost? Whole-`fit` timings, side by side in one run.

Variants, interleaved (each repeat runs every variant once, in a rotated order, so drifting
machine load hits all of them alike):

* plain:          `fit` with no callback;
* diagnosis:      `DiagnosisCallback()` (loss-curve rules at the end of fit);
* recorder:       `GradientRecorder()` alone;
* recorder_diag:  `GradientRecorder()` + `DiagnosisCallback(gradients=rec)` (all gradient rules);
* live_notebook:  `LivePlot(gradients=rec, notebook=True, every_s=...)` with a recorder,
                  redrawing through IPython's display (its text output is discarded here);
* live_script:    `LivePlot(gradients=rec, notebook=False)`: one figure written at the end.

Model: a 4 x 64 ReLU MLP on the 8x8 digits (kerasdl builder), batch 32. Reported: the median
wall time of the whole `fit` (tracing included, since the diagnosis runs once per fit) and its
ratio to `plain` (recorder variants also to `recorder`), and the time the callbacks themselves
measured (diagnosis run time, LivePlot's drawing time), which is steadier on a shared machine.

Usage:
    python benchmarks/diagnosis_overhead.py            # 20 epochs, 3 repeats
    python benchmarks/diagnosis_overhead.py --quick    # 5 epochs, 2 repeats
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

import keras  # noqa: E402

from kerasdl import datasets, models, training  # noqa: E402
from kerasdl.diagnose import DiagnosisCallback  # noqa: E402
from kerasdl.plots import LivePlot  # noqa: E402
from kerasdl.recorders import GradientRecorder  # noqa: E402

VARIANTS = ("plain", "diagnosis", "recorder", "recorder_diag", "live_notebook", "live_script")


def _callbacks(variant: str, every_s: float, folder: str) -> tuple[list, dict]:
    rec = GradientRecorder()
    parts: dict = {}
    if variant == "plain":
        return [], parts
    if variant == "diagnosis":
        parts["diag"] = DiagnosisCallback(print_fn=None)
        return [parts["diag"]], parts
    if variant == "recorder":
        return [rec], parts
    if variant == "recorder_diag":
        parts["diag"] = DiagnosisCallback(gradients=rec, print_fn=None)
        return [rec, parts["diag"]], parts
    notebook = variant == "live_notebook"
    parts["live"] = LivePlot(gradients=rec, every_s=every_s, notebook=notebook,
                             path=os.path.join(folder, f"{variant}.png"))
    return [rec, parts["live"]], parts


def run_once(variant: str, data, epochs: int, every_s: float, folder: str) -> dict:
    keras.utils.set_random_seed(0)
    model = training.compile_for(models.deep_mlp(data.input_shape, data.num_outputs, depth=4, width=64))
    callbacks, parts = _callbacks(variant, every_s, folder)
    diag_seconds = 0.0
    if "diag" in parts:  # time the diagnosis itself: wrap its on_train_end
        inner = parts["diag"].on_train_end

        def timed(logs=None, _inner=inner):
            nonlocal diag_seconds
            start = time.perf_counter()
            _inner(logs)
            diag_seconds = time.perf_counter() - start

        parts["diag"].on_train_end = timed
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        model.fit(data.x_train, data.y_train, validation_data=data.validation, epochs=epochs,
                  batch_size=32, verbose=0, callbacks=callbacks)
    wall = time.perf_counter() - start
    live = parts.get("live")
    return {"wall": wall, "diag_s": diag_seconds, "draw_s": live.draw_seconds if live else 0.0,
            "redraws": live.redraws if live else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 epochs, 2 repeats")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--every-s", type=float, default=2.0, help="LivePlot's least interval (default 2 s)")
    args = parser.parse_args()
    epochs = args.epochs or (5 if args.quick else 20)
    repeats = args.repeats or (2 if args.quick else 3)
    data = datasets.load("digits")
    results: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    with tempfile.TemporaryDirectory() as folder:
        for r in range(repeats):
            order = VARIANTS[r % len(VARIANTS):] + VARIANTS[:r % len(VARIANTS)]
            for variant in order:
                results[variant].append(run_once(variant, data, epochs, args.every_s, folder))
                row = results[variant][-1]
                print(f"repeat {r} {variant:<14} fit {row['wall']:.2f} s, callback {row['diag_s'] + row['draw_s']:.3f} s, "
                      f"redraws {row['redraws']}", flush=True)
    median = {v: statistics.median(x["wall"] for x in rows) for v, rows in results.items()}
    print(f"digits, deep_mlp 4x64, {epochs} epochs, batch 32, {repeats} interleaved repeats, "
          f"backend {keras.backend.backend()}, LivePlot every_s={args.every_s:g}")
    print(f"{'variant':<15}{'fit s (median)':>15}{'/ plain':>9}{'/ recorder':>12}{'callback s':>12}"
          f"{'share':>8}{'redraws':>9}")
    for v, rows in results.items():
        own = statistics.median(x["diag_s"] + x["draw_s"] for x in rows)
        vs_rec = f"{median[v] / median['recorder']:.3f}" if v.startswith(("recorder", "live")) else ""
        print(f"{v:<15}{median[v]:>15.2f}{median[v] / median['plain']:>9.3f}{vs_rec:>12}{own:>12.3f}"
              f"{own / median[v]:>8.2%}{statistics.median(x['redraws'] for x in rows):>9.0f}")


if __name__ == "__main__":
    main()
