"""Re-measure the exercise bands: run each reference solution over seeds, in full and smoke mode.

A tutorial module registers a measurer for each exercise whose answer is a
score, with `measured`: a function of the seed that runs the reference
solution (at the scale `kerasdl.smoke_mode()` asks for) and returns the
scores by name. This command runs every measurer (or those named with
``--only``) for each seed in each mode and writes
``kerasdl/assets/exercise_bands.json`` with the values, the bands, the seeds
and how they were measured (date, package versions, backend, CPU).

    python -m kerasdl.exercises.measure                 # every band, 5 seeds, both modes
    python -m kerasdl.exercises.measure --only 04.2 --seeds 5 --modes smoke

Example:
    >>> from kerasdl.exercises.measure import measurers
    >>> isinstance(measurers(), dict)
    True
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from kerasdl.exercises import bands as _bands
from kerasdl.exercises.registry import TUTORIALS, _load


@dataclass(frozen=True)
class Measurer:
    """A reference solution run per seed; `floor` is the least half-width of its bands.

    Example:
        >>> from kerasdl.exercises.measure import Measurer
        >>> Measurer("99.1", floor=0.01, run=lambda seed: {"score": 1.0}).run(0)
        {'score': 1.0}
    """

    exercise: str
    floor: float
    run: Callable[[int], dict[str, float]] = field(repr=False)


_MEASURERS: dict[str, Measurer] = {}


def measured(exercise_id: str, floor: float = 0.0) -> Callable[[Callable[[int], dict[str, float]]], Callable]:
    """Register `run(seed) -> {name: score}` as the reference measurement of `exercise_id`.

    Its bands are stored under ``"<exercise_id>/<name>"``.

    Example:
        >>> from kerasdl.exercises.measure import measurers
        >>> all("." in key for key in measurers())
        True
    """

    def register(run: Callable[[int], dict[str, float]]) -> Callable[[int], dict[str, float]]:
        _MEASURERS[exercise_id] = Measurer(exercise_id, float(floor), run)
        return run

    return register


def measurers() -> dict[str, Measurer]:
    """Every registered measurer, after importing all tutorial modules."""
    for tutorial in TUTORIALS:
        _load(tutorial)
    return dict(sorted(_MEASURERS.items()))


def _versions() -> dict[str, str]:
    found = {}
    for package in ("kerasdl", "keras", "tensorflow", "jax", "torch", "numpy", "scikit-learn"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return found


def _cpu() -> str:
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} ({os.cpu_count()} logical cores)"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()} ({os.cpu_count()} logical cores)"


def measure_bands(only: list[str] | None = None, seeds: int = 5, modes: tuple[str, ...] = ("full", "smoke")) -> dict[str, Any]:
    """Run the measurers and return the new content of the bands file (merged with what is stored).

    Example:
        >>> from kerasdl.exercises.measure import measure_bands
        >>> sorted(measure_bands(only=[], seeds=2))
        ['bands', 'measured']
    """
    import keras

    chosen = {k: m for k, m in measurers().items() if only is None or k in only}
    content = json.loads(json.dumps(_bands.stored()))  # a copy
    content.setdefault("bands", {})
    previous = os.environ.get("KERASDL_SMOKE")
    try:
        for mode in modes:
            os.environ["KERASDL_SMOKE"] = "1" if mode == "smoke" else "0"
            for key, measurer in chosen.items():
                values: dict[str, list[float]] = {}
                start = time.perf_counter()
                for seed in range(seeds):
                    keras.backend.clear_session()
                    keras.utils.set_random_seed(seed)
                    for name, value in measurer.run(seed).items():
                        values.setdefault(name, []).append(float(value))
                seconds = time.perf_counter() - start
                for name, series in values.items():
                    b = _bands.band_from_values(f"{key}/{name}", mode, series, floor=measurer.floor)
                    content["bands"].setdefault(f"{key}/{name}", {})[mode] = {
                        "values": [round(v, 6) for v in series],
                        "low": round(b.low, 6),
                        "high": round(b.high, 6),
                        "seeds": list(range(seeds)),
                        "floor": measurer.floor,
                        "confidence": _bands.DEFAULT_CONFIDENCE,
                        "seconds": round(seconds, 1),
                    }
                print(f"{key} [{mode}]: " + ", ".join(f"{n} {min(v):.4g}..{max(v):.4g}" for n, v in values.items()))
    finally:
        if previous is None:
            os.environ.pop("KERASDL_SMOKE", None)
        else:
            os.environ["KERASDL_SMOKE"] = previous
    content["measured"] = {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d"),
        "command": "python -m kerasdl.exercises.measure",
        "backend": keras.backend.backend(),
        "cpu": _cpu(),
        "python": platform.python_version(),
        "versions": _versions(),
    }
    return content


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kerasdl.exercises.measure", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="exercise ids, e.g. 04.2 (default: every measured exercise)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds per mode (default 5)")
    parser.add_argument("--modes", nargs="+", choices=("full", "smoke"), default=["full", "smoke"])
    parser.add_argument("--out", default=None, help="where to write (default: the package's bands file)")
    args = parser.parse_args(argv)
    if args.seeds < 2:
        parser.error(f"--seeds must be at least 2 (a band needs a spread); got {args.seeds}")
    content = measure_bands(args.only, args.seeds, tuple(args.modes))
    out = args.out or str(_bands._bands_path())
    from kerasdl.files import atomic_write

    with atomic_write(out) as handle:
        handle.write((json.dumps(content, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    print(f"bands written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
