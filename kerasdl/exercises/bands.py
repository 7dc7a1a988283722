"""Tolerance bands for exercise checks, measured over seeds and stored with how they were measured.

A learner's run differs from the reference run by seed, machine and library
version, so a check never compares a score with one number. For the few
exercises whose answer is a score, the reference solution is run over seeds
(``python -m kerasdl.exercises.measure``) in full and in smoke mode, and the
values are stored in ``kerasdl/assets/exercise_bands.json`` together with the
seeds, the package versions, the backend and the CPU. A check then asks
whether the learner's value lies inside the *prediction interval* for one new
run (`kerasdl.stats.prediction_interval`, 99% by default), widened by a small
floor where the seeds happened to agree closely.

Example:
    >>> from kerasdl.exercises.bands import Band
    >>> b = Band("demo", "full", values=(0.90, 0.92, 0.91), low=0.88, high=0.94)
    >>> b.contains(0.93), b.contains(0.80)
    (True, False)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

BANDS_FILE = "exercise_bands.json"
DEFAULT_CONFIDENCE = 0.99


@dataclass(frozen=True)
class Band:
    """Where one more run of a reference solution is expected to land (`low` .. `high`).

    Example:
        >>> from kerasdl.exercises.bands import Band
        >>> Band("demo", "smoke", values=(1.0, 2.0), low=0.0, high=3.0).describe()
        '0 .. 3 (2 seeds, smoke mode)'
    """

    key: str
    mode: str
    values: tuple[float, ...]
    low: float
    high: float

    def contains(self, value: float) -> bool:
        """True when `value` lies inside the band (ends included)."""
        return self.low <= float(value) <= self.high

    def describe(self, digits: int = 3) -> str:
        """The band as a phrase: ``'0.88 .. 0.94 (5 seeds, full mode)'``."""
        return f"{self.low:.{digits}g} .. {self.high:.{digits}g} ({len(self.values)} seeds, {self.mode} mode)"


def band_from_values(
    key: str, mode: str, values: list[float], floor: float = 0.0, confidence: float = DEFAULT_CONFIDENCE
) -> Band:
    """The prediction interval of `values` as a `Band`, at least `floor` wide on each side of the mean.

    Example:
        >>> from kerasdl.exercises.bands import band_from_values
        >>> b = band_from_values("demo", "full", [0.91, 0.91, 0.91], floor=0.02)
        >>> round(b.low, 2), round(b.high, 2)
        (0.89, 0.93)
    """
    from kerasdl.stats import prediction_interval

    mean, low, high = prediction_interval(values, confidence=confidence)
    return Band(key, mode, tuple(float(v) for v in values), min(low, mean - floor), max(high, mean + floor))


def _bands_path() -> Path:
    return Path(str(resources.files("kerasdl") / "assets" / BANDS_FILE))


@lru_cache(maxsize=1)
def stored() -> dict[str, Any]:
    """The stored measurements: ``{"measured": {...how...}, "bands": {key: {mode: {...}}}}``.

    Example:
        >>> from kerasdl.exercises.bands import stored
        >>> sorted(stored())
        ['bands', 'measured']
    """
    path = _bands_path()
    if not path.is_file():
        return {"measured": {}, "bands": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def band(key: str, mode: str | None = None) -> Band:
    """The stored band `key` (``"04.2/train_accuracy"``) for this mode (smoke or full by default).

    Raises:
        LookupError: when the band was never measured (run ``python -m kerasdl.exercises.measure``).

    Example:
        >>> from kerasdl.exercises.bands import band, stored
        >>> keys = sorted(stored()["bands"])
        >>> band(keys[0], "full").mode if keys else "full"
        'full'
    """
    import kerasdl

    mode = mode or ("smoke" if kerasdl.smoke_mode() else "full")
    if mode not in {"smoke", "full"}:
        raise ValueError(f"mode must be 'smoke' or 'full'; got {mode!r}.")
    entry = stored()["bands"].get(key, {}).get(mode)
    if entry is None:
        raise LookupError(
            f"no {mode}-mode band {key!r} is stored in kerasdl/assets/{BANDS_FILE}; "
            "measure it with `python -m kerasdl.exercises.measure`."
        )
    return Band(key, mode, tuple(entry["values"]), float(entry["low"]), float(entry["high"]))
