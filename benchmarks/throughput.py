"""How fast does this machine do deep-learning maths? Matmul GFLOP/s and training examples/s.

Measures, side by side in one run on whatever device Keras sees:

* matrix-multiply throughput (GFLOP/s) at several sizes in float32, float16
  and bfloat16, through `keras.ops.matmul`;
* training-step throughput (examples/s) of a `kerasdl.models.cnn` and a
  `kerasdl.models.deep_mlp`, with and without XLA (`jit_compile`) and with
  and without mixed precision (forced where `kerasdl.device` would refuse
  it, so the cost of refusing is measured too).

Inputs are random tensors: throughput does not depend on what the numbers
mean. Results go to `benchmarks/results/<device>-<backend>[-quick].json`
with the device, versions, backend and date. Runs on every Keras backend:

    python benchmarks/throughput.py --quick
    KERAS_BACKEND=jax python benchmarks/throughput.py

The measuring itself (`matmul_gflops`, `fit_throughput`) lives in
`kerasdl.device.throughput`, so the tutorials measure with the same code.

Example:
    >>> from kerasdl.device import matmul_gflops  # doctest: +SKIP
    >>> matmul_gflops(256, "float32", min_seconds=0.1)["gflops"] > 0  # doctest: +SKIP
    True
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from kerasdl import device, models, training  # noqa: E402
from kerasdl.device.throughput import fit_throughput, matmul_gflops  # noqa: E402

RESULTS_DIR = Path(__file__).resolve().parent / "results"
FULL = {"sizes": (512, 1024, 2048, 4096), "dtypes": ("float32", "float16", "bfloat16"), "min_seconds": 1.0,
        "repeats": 3,
        "steps": 50, "batch_size": 128, "image": (32, 32, 3), "mlp_in": 784, "mlp_width": 512, "mlp_depth": 6,
        "filters": (32, 64, 128)}
QUICK = {"sizes": (256, 512), "dtypes": ("float32", "float16", "bfloat16"), "min_seconds": 0.2, "repeats": 2,
         "steps": 8, "batch_size": 64, "image": (32, 32, 3), "mlp_in": 784, "mlp_width": 256, "mlp_depth": 4,
         "filters": (16, 32)}


def _mixed_policy(info: dict[str, Any]) -> str:
    recommended = info["mixed_precision"]["recommended"]
    if recommended:
        return recommended
    return "mixed_float16" if info["gpus"] else "mixed_bfloat16"


def train_throughput(family: str, jit: bool, policy: str, cfg: dict[str, Any]) -> dict[str, Any]:
    """Examples/s of `fit` on a kerasdl builder, after a warm-up fit that pays for compilation.

    The timed fit runs `cfg["repeats"]` times; the fastest counts.

    Example:
        >>> train_throughput("deep_mlp", False, "float32", QUICK)["examples_per_s"] > 0  # doctest: +SKIP
        True
    """
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    batch, steps = cfg["batch_size"], cfg["steps"]
    if family == "cnn":
        x = rng.random((batch * steps, *cfg["image"]), dtype=np.float32)
    else:
        x = rng.random((batch * steps, cfg["mlp_in"]), dtype=np.float32)
    y = rng.integers(0, 10, len(x)).astype("int32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # forced policies warn; that they are forced is in the JSON
        with device.mixed_precision(policy, force=True) if policy != "float32" else contextlib.nullcontext():
            if family == "cnn":
                model = models.cnn(cfg["image"], 10, filters=cfg["filters"])
            else:
                model = models.deep_mlp((cfg["mlp_in"],), 10, depth=cfg["mlp_depth"], width=cfg["mlp_width"])
            training.compile_for(model, jit_compile=jit)
    row = {"model": family, "params": models.count_params(model), "jit_compile": bool(model.jit_compile),
           "policy": policy, "batch_size": batch, "steps": steps}
    timing = fit_throughput(model, x, y, batch_size=batch, repeats=cfg["repeats"])
    row.update(warmup_seconds=timing["warmup_seconds"], seconds=timing["seconds"],
               examples_per_s=timing["examples_per_s"])
    return row


def device_slug(info: dict[str, Any]) -> str:
    """A file-name-safe name of the device that did the maths, e.g. `nvidia-h100-80gb-hbm3`.

    Example:
        >>> device_slug({"gpus": [], "tpus": 0, "cpu": {"name": "AMD EPYC", "cores": 2}})
        'cpu-amd-epyc-2cores'
    """
    if info["gpus"]:
        name = info["gpus"][0]["name"] + (f" x{len(info['gpus'])}" if len(info["gpus"]) > 1 else "")
    elif info["tpus"]:
        name = f"tpu x{info['tpus']}"
    else:
        name = f"cpu {info['cpu']['name']} {info['cpu']['cores']}cores"
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):  # not on every OS
        return None


def _print_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    print(training.format_table([{k: row[k] for k in columns} for row in rows]), flush=True)


def main(argv: list[str] | None = None) -> Path:
    """Run the benchmark, print tables, write the JSON; return its path."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and few steps (a smoke run, ~1 min on CPU)")
    parser.add_argument("--out-dir", type=Path, default=RESULTS_DIR, help="where to write the JSON")
    parser.add_argument("--skip-train", action="store_true", help="only the matmul part")
    args = parser.parse_args(argv)
    cfg = dict(QUICK if args.quick else FULL)
    load_before = _load_average()
    info = device.describe()
    if not args.quick and (info["gpus"] or info["tpus"]):
        # An accelerator finishes 50 small steps in milliseconds; time enough of them to see it.
        cfg.update(steps=100, batch_size=256)
    print(device.format_description(info), "\n", flush=True)

    matmul = []
    for dtype in cfg["dtypes"]:
        for n in cfg["sizes"]:
            try:
                matmul.append(matmul_gflops(n, dtype, cfg["min_seconds"], cfg["repeats"]))
            except Exception as error:  # a backend/device without this dtype: record, keep going
                matmul.append({"size": n, "dtype": dtype, "error": f"{type(error).__name__}: {error}"[:300]})
    print("Matrix multiply (keras.ops.matmul)")
    _print_table([dict(r, gflops=r.get("gflops", float("nan"))) for r in matmul], ["dtype", "size", "gflops"])

    train = []
    if not args.skip_train:
        mixed = _mixed_policy(info)
        for family in ("deep_mlp", "cnn"):
            for policy in ("float32", mixed):
                for jit in (False, True):
                    try:
                        row = train_throughput(family, jit, policy, cfg)
                    except Exception as error:  # e.g. torch.compile failing: record it, keep going
                        row = {"model": family, "jit_compile": jit, "policy": policy,
                               "error": f"{type(error).__name__}: {error}"[:300]}
                    row["policy_forced"] = policy != "float32" and policy != info["mixed_precision"]["recommended"]
                    train.append(row)
                    print(f"  {family:8s} {policy:15s} jit={str(jit):5s} "
                          f"{row.get('examples_per_s', float('nan')):10.0f} examples/s", flush=True)
        device.reset_mixed_precision()
        print("\nTraining throughput (fit, after a warm-up fit)")
        _print_table([dict(r, examples_per_s=r.get("examples_per_s", float("nan")),
                           warmup_seconds=r.get("warmup_seconds", float("nan"))) for r in train],
                     ["model", "policy", "jit_compile", "examples_per_s", "warmup_seconds"])

    slug = device_slug(info)
    result = {
        "device": slug,
        "backend": info["backend"],
        "versions": {"keras": info["keras_version"], info["backend"]: info["backend_version"],
                     "tensorflow": info["tensorflow_version"], "python": info["python"]},
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "quick": args.quick,
        # Other programs on the machine slow every number down; this says how busy it was.
        "load_average_1min": {"start": load_before, "end": _load_average(), "cpu_cores": os.cpu_count()},
        "config": {k: list(v) if isinstance(v, tuple) else v for k, v in cfg.items()},
        "describe": info,
        "matmul": matmul,
        "train": train,
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    path = args.out_dir / f"{slug}-{info['backend']}{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nWrote {path}")
    return path


if __name__ == "__main__":
    main()
