"""How fast is this machine? Matmul GFLOP/s, training examples/s, and saved recordings of both.

The measuring core shared by `benchmarks/throughput.py` (which writes JSON
recordings under `benchmarks/results/`) and the tutorial on why deep learning
became practical (which measures live and reads those recordings back).

Example:
    >>> from kerasdl.device.throughput import matmul_gflops
    >>> matmul_gflops(64, "float32", min_seconds=0.01, repeats=1)["size"]
    64
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import keras
import numpy as np

from kerasdl.validation import check_positive_float, check_positive_int


def sync(x: Any) -> float:
    """Wait until `x` (and every kernel queued before it) is computed; return its sum.

    Accelerators run asynchronously: an op returns before its kernel has
    finished. Summing on the device and fetching one number waits for every
    queued kernel (they share a stream) without timing a large copy to the host.

    Example:
        >>> sync(keras.ops.ones((2, 3)))
        6.0
    """
    return float(keras.ops.convert_to_numpy(keras.ops.sum(keras.ops.cast(x, "float32"))))


def matmul_gflops(n: int, dtype: str = "float32", min_seconds: float = 1.0, repeats: int = 3) -> dict[str, Any]:
    """Time `keras.ops.matmul` of two `n x n` matrices in `dtype`; each product is 2 n^3 FLOPs.

    The number of back-to-back products is grown until one batch lasts
    `min_seconds`, then the batch is timed `repeats` times and the fastest
    counts (other programs on the machine only ever slow a run down).

    Args:
        n: Side of the square matrices.
        dtype: "float32", "float16", "bfloat16", ...
        min_seconds: Shortest timed batch.
        repeats: Timed batches; the fastest is kept.

    Returns:
        `{"size", "dtype", "reps", "seconds", "gflops"}`.

    Example:
        >>> row = matmul_gflops(64, "float32", min_seconds=0.01, repeats=1)
        >>> row["gflops"] > 0
        True
    """
    n = check_positive_int("n", n)
    min_seconds = check_positive_float("min_seconds", min_seconds)
    repeats = check_positive_int("repeats", repeats)
    a = keras.ops.cast(keras.random.normal((n, n), seed=1), dtype)
    b = keras.ops.cast(keras.random.normal((n, n), seed=2), dtype)
    sync(keras.ops.matmul(a, b))  # warm-up: kernel selection, op compilation

    def timed(reps: int) -> float:
        start = time.perf_counter()
        for _ in range(reps):
            c = keras.ops.matmul(a, b)
        sync(c)
        return time.perf_counter() - start

    reps, elapsed = 1, timed(1)
    while elapsed < min_seconds and reps < 4096:
        reps = max(reps * 2, int(reps * min_seconds / max(elapsed, 1e-6) * 1.2))
        elapsed = timed(reps)
    elapsed = min([elapsed] + [timed(reps) for _ in range(repeats - 1)])
    return {"size": n, "dtype": dtype, "reps": reps, "seconds": elapsed,
            "gflops": 2.0 * n**3 * reps / elapsed / 1e9}


def fit_throughput(model: keras.Model, x: Any, y: Any, batch_size: int = 128, repeats: int = 3) -> dict[str, Any]:
    """Training examples per second of `model.fit` on `(x, y)`, after a warm-up fit.

    The warm-up (two batches) pays for tracing and compilation, and its time
    is reported separately; then one epoch over all of `x` is timed `repeats`
    times, unshuffled, and the fastest counts. The model is trained by this
    call, so pass a fresh compiled model, not one you care about.

    Args:
        model: A compiled `keras.Model`.
        x: Inputs (numpy).
        y: Targets (numpy).
        batch_size: Mini-batch size.
        repeats: Timed epochs; the fastest is kept.

    Returns:
        `{"examples", "batch_size", "warmup_seconds", "seconds", "examples_per_s"}`.

    Example:
        >>> from kerasdl import models, training
        >>> net = training.compile_for(models.deep_mlp((4,), 3, depth=2, width=8))
        >>> x, y = np.zeros((64, 4), "float32"), np.zeros(64, "int32")
        >>> fit_throughput(net, x, y, batch_size=32, repeats=1)["examples"]
        64
    """
    if not isinstance(model, keras.Model) or not model.compiled:
        raise TypeError("model must be a compiled keras.Model (see kerasdl.training.compile_for).")
    batch_size = check_positive_int("batch_size", batch_size)
    repeats = check_positive_int("repeats", repeats)
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"x and y must be non-empty and of equal length; got {len(x)} and {len(y)}.")
    start = time.perf_counter()
    model.fit(x[: 2 * batch_size], y[: 2 * batch_size], batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
    warmup = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
        times.append(time.perf_counter() - start)
    seconds = min(times)
    return {"examples": len(x), "batch_size": batch_size, "warmup_seconds": warmup, "seconds": seconds,
            "examples_per_s": len(x) / seconds}


def is_accelerated(recording: dict[str, Any]) -> bool:
    """True when a recording (or a `describe()` dict) was made with a GPU or TPU visible.

    Example:
        >>> is_accelerated({"describe": {"gpus": [{"name": "some GPU"}], "tpus": 0}})
        True
    """
    info = recording.get("describe", recording)
    return bool(info.get("gpus")) or bool(info.get("tpus"))


def load_recordings(folders: str | Path | Iterable[str | Path], accelerated: bool | None = None) -> list[dict]:
    """Read the benchmark recordings (`*.json` written by `benchmarks/throughput.py`) in `folders`.

    Missing folders are skipped, each file is read once even when folders
    overlap, and files that are not recordings (no `matmul` list) are ignored.
    Each recording gets a `path` entry naming its file.

    Args:
        folders: A folder or several, searched in order.
        accelerated: True keeps recordings made on a GPU/TPU, False keeps
            CPU-only ones, None keeps all.

    Returns:
        The recordings, newest `date` first.

    Example:
        >>> load_recordings("/no/such/folder")
        []
    """
    if isinstance(folders, (str, Path)):
        folders = [folders]
    seen, found = set(), []
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.json")):
            key = path.resolve()
            if key in seen:
                continue
            seen.add(key)
            try:
                recording = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(recording, dict) or not isinstance(recording.get("matmul"), list):
                continue
            if accelerated is not None and is_accelerated(recording) != accelerated:
                continue
            recording["path"] = str(path)
            found.append(recording)
    return sorted(found, key=lambda r: str(r.get("date", "")), reverse=True)
