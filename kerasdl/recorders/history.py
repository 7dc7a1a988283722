"""Recorded per-layer statistics: step numbers plus one numpy column per variable.

Both recorders produce a `StepHistory`: rows are recorded training steps,
columns are (layer, variable) pairs, and every statistic ("l2", "mean", ...)
is a `(steps, columns)` float32 array. Histories append across several `fit`
calls and save atomically to `.npz` or `.json`.

Example:
    >>> import numpy as np
    >>> from kerasdl.recorders import GradientHistory
    >>> h = GradientHistory(columns=[("hidden_1", "kernel"), ("output", "kernel")])
    >>> h.append([0, 1], {"l2": np.array([[0.5, 2.0], [0.25, 1.0]])})
    >>> h.get("hidden_1", variable="kernel").tolist()
    [0.5, 0.25]
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kerasdl.files import atomic_write

_FORMAT = "kerasdl.recorders"
_VERSION = 1


class StepHistory:
    """Statistics per recorded step and per (layer, variable) column.

    Attributes:
        steps: int64 array of optimizer step numbers, one per recorded row.
        columns: list of `(layer_name, variable_name)` pairs, layers in model
            order (input side first).
        values: dict statistic name -> float32 array of shape
            `(len(steps), len(columns))`.
        meta: JSON-serialisable facts about how the values were recorded.
        events: JSON-serialisable notes (non-finite values, skipped steps).

    Example:
        >>> h = StepHistory(columns=[("dense", "kernel")])
        >>> h.append([3], {"l2": [[1.5]]})
        >>> len(h), h.steps.tolist()
        (1, [3])
    """

    kind = "steps"

    def __init__(
        self,
        columns: Sequence[tuple[str, str]] = (),
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self.columns: list[tuple[str, str]] = [(str(a), str(b)) for a, b in columns]
        self.steps = np.zeros((0,), dtype=np.int64)
        self.values: dict[str, np.ndarray] = {}
        self.meta: dict[str, Any] = dict(meta or {})
        self.events: list[dict[str, Any]] = []

    def __len__(self) -> int:
        return int(self.steps.shape[0])

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(steps={len(self)}, layers={len(self.layers)}, "
            f"columns={len(self.columns)}, stats={self.stats})"
        )

    @property
    def layers(self) -> list[str]:
        """Layer names in model order (input side first), without repeats."""
        return list(dict.fromkeys(layer for layer, _ in self.columns))

    @property
    def stats(self) -> list[str]:
        """Names of the recorded statistics."""
        return list(self.values)

    def append(self, steps: Iterable[int], rows: Mapping[str, Any]) -> None:
        """Add recorded rows: `rows[stat]` has shape `(len(steps), len(columns))`.

        Example:
            >>> h = StepHistory(columns=[("a", "kernel")])
            >>> h.append([0], {"l2": [[1.0]]}); h.append([1], {"l2": [[2.0]]})
            >>> h.values["l2"][:, 0].tolist()
            [1.0, 2.0]
        """
        steps = np.asarray(list(steps), dtype=np.int64).reshape(-1)
        if len(self) and set(rows) != set(self.values):
            raise ValueError(f"rows must hold the statistics {self.stats}; got {sorted(rows)}.")
        arrays = {}
        for stat, block in rows.items():
            block = np.asarray(block, dtype=np.float32).reshape(len(steps), len(self.columns))
            arrays[stat] = block
        self.steps = np.concatenate([self.steps, steps])
        for stat, block in arrays.items():
            old = self.values.get(stat, np.zeros((0, len(self.columns)), np.float32))
            self.values[stat] = np.concatenate([old, block])

    def extend(self, other: StepHistory) -> None:
        """Append every row of `other` (same columns) to this history.

        Example:
            >>> a = StepHistory(columns=[("d", "kernel")]); a.append([0], {"l2": [[1.0]]})
            >>> b = StepHistory(columns=[("d", "kernel")]); b.append([1], {"l2": [[2.0]]})
            >>> a.extend(b); a.steps.tolist()
            [0, 1]
        """
        if other.columns != self.columns:
            raise ValueError(
                f"cannot append a history with columns {other.columns[:3]}... to one with "
                f"columns {self.columns[:3]}...: the model's layers differ."
            )
        if len(other):
            self.append(other.steps, other.values)
        self.events.extend(other.events)

    def column_index(self, layer: str, variable: str | None = None) -> list[int]:
        """Indices of the columns of `layer` (all of them, or only `variable`).

        Example:
            >>> StepHistory(columns=[("d", "kernel"), ("d", "bias")]).column_index("d", "bias")
            [1]
        """
        found = [
            i for i, (lay, var) in enumerate(self.columns)
            if lay == layer and (variable is None or var == variable)
        ]
        if not found:
            known = self.layers if variable is None else [
                f"{lay}/{var}" for lay, var in self.columns if lay == layer
            ] or self.layers
            what = layer if variable is None else f"{layer}/{variable}"
            raise KeyError(f"{what!r} was not recorded; recorded: {known}.")
        return found

    def __getitem__(self, key: str | tuple[str, str]) -> dict[str, np.ndarray]:
        """Every recorded statistic of one layer, or of one of its variables: `{stat: values per step}`.

        `history["hidden_1"]` combines the layer's variables the way `get`
        does (root of the summed squares for norms, the largest value for
        "max_abs"), and leaves out statistics that have no such rule;
        `history["hidden_1", "kernel"]` reads one variable. The same on
        gradient and activation recordings (an activation column is "output").

        Example:
            >>> h = StepHistory(columns=[("d", "kernel"), ("d", "bias")])
            >>> h.append([0], {"l2": [[3.0, 4.0]], "mean": [[0.5, 0.0]]})
            >>> {k: v.tolist() for k, v in h["d"].items()}
            {'l2': [5.0]}
            >>> {k: v.tolist() for k, v in h["d", "bias"].items()}
            {'l2': [4.0], 'mean': [0.0]}
        """
        if isinstance(key, tuple):
            if len(key) != 2:
                raise TypeError(f"index with a layer name or (layer, variable); got {key!r}.")
            layer, variable = key
        else:
            layer, variable = key, None
        columns = self.column_index(layer, variable)
        found = {}
        for stat, block in self.values.items():
            try:
                found[stat] = _combine(stat, block[:, columns])
            except ValueError:  # a statistic with no rule for adding variables up
                continue
        return found

    def _check_stat(self, stat: str) -> np.ndarray:
        if stat not in self.values:
            raise ValueError(f"stat must be one of the recorded statistics {self.stats}; got {stat!r}.")
        return self.values[stat]

    def step_index(self, step: int | str) -> int:
        """Row index of `step`: an int step number, "first", "last" or "middle".

        Example:
            >>> h = StepHistory(columns=[("d", "kernel")]); h.append([10, 20], {"l2": [[1.0], [2.0]]})
            >>> h.step_index(20), h.step_index("first")
            (1, 0)
        """
        if not len(self):
            raise ValueError("nothing has been recorded yet (the history is empty).")
        if step == "first":
            return 0
        if step == "last":
            return len(self) - 1
        if step == "middle":
            return len(self) // 2
        if isinstance(step, (int, np.integer)) and not isinstance(step, bool):
            hits = np.flatnonzero(self.steps == int(step))
            if hits.size:
                return int(hits[-1])
            raise ValueError(
                f"step {int(step)} was not recorded; recorded steps run from {int(self.steps[0])} "
                f"to {int(self.steps[-1])} ({len(self)} rows)."
            )
        raise ValueError(f"step must be a recorded step number, 'first', 'middle' or 'last'; got {step!r}.")

    # ---- persistence -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (non-finite values become None).

        Example:
            >>> h = StepHistory(columns=[("d", "kernel")]); h.append([0], {"l2": [[float("nan")]]})
            >>> h.to_dict()["values"]["l2"]
            [[None]]
        """
        def clean(block: np.ndarray) -> list:
            return [[float(x) if np.isfinite(x) else None for x in row] for row in block]

        return {
            "format": _FORMAT,
            "version": _VERSION,
            "kind": self.kind,
            "steps": [int(s) for s in self.steps],
            "columns": [list(c) for c in self.columns],
            "values": {stat: clean(block) for stat, block in self.values.items()},
            "meta": self.meta,
            "events": self.events,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StepHistory:
        """Rebuild a history from `to_dict()` output.

        Example:
            >>> h = StepHistory(columns=[("d", "kernel")]); h.append([0], {"l2": [[1.0]]})
            >>> StepHistory.from_dict(h.to_dict()).steps.tolist()
            [0]
        """
        if not isinstance(data, Mapping) or data.get("format") != _FORMAT:
            raise ValueError(f"data is not a kerasdl recording (missing format={_FORMAT!r}).")
        kind = data.get("kind", cls.kind)
        target = _KINDS.get(kind, cls)
        if not issubclass(target, cls):
            raise ValueError(f"data holds a {kind!r} recording, not a {cls.kind!r} one.")
        history = target(columns=[tuple(c) for c in data["columns"]], meta=data.get("meta"))
        values = {
            stat: np.array([[np.nan if x is None else x for x in row] for row in block], np.float32)
            for stat, block in data["values"].items()
        }
        if data["steps"]:
            history.append(data["steps"], values)
        history.events = list(data.get("events", []))
        return history

    def save(self, path: str | os.PathLike) -> Path:
        """Write the history to `.npz` or `.json`, atomically.

        The file is written to a temporary name in the same folder and then
        moved over `path` with `os.replace`, so an interrupted run leaves
        either the previous file or the new one, never half of one.

        Example:
            >>> import tempfile, os
            >>> h = StepHistory(columns=[("d", "kernel")]); h.append([0], {"l2": [[1.0]]})
            >>> p = h.save(os.path.join(tempfile.mkdtemp(), "grads.npz"))
            >>> StepHistory.load(p).steps.tolist()
            [0]
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".npz", ".json"):
            raise ValueError(f"path must end in .npz or .json; got {str(path)!r}.")
        with atomic_write(path) as handle:
            if suffix == ".json":
                handle.write(json.dumps(self.to_dict()).encode("utf-8"))
            else:
                header = {k: v for k, v in self.to_dict().items() if k not in ("steps", "values")}
                arrays = {f"values__{stat}": block for stat, block in self.values.items()}
                np.savez(handle, header=np.array(json.dumps(header)), steps=self.steps, **arrays)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> StepHistory:
        """Read a history written by `save` (`.npz` or `.json`).

        Example:
            >>> import tempfile, os
            >>> h = StepHistory(columns=[("d", "bias")]); h.append([5], {"l2": [[2.0]]})
            >>> StepHistory.load(h.save(os.path.join(tempfile.mkdtemp(), "g.json"))).steps.tolist()
            [5]
        """
        path = Path(path)
        if path.suffix.lower() not in (".npz", ".json"):
            raise ValueError(f"path must end in .npz or .json; got {str(path)!r}.")
        if not path.exists():
            raise FileNotFoundError(f"no recording at {str(path)!r}.")
        if path.suffix.lower() == ".json":
            return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
        with np.load(path, allow_pickle=False) as npz:
            header = json.loads(str(npz["header"]))
            kind = header.get("kind", cls.kind)
            target = _KINDS.get(kind, cls)
            if not issubclass(target, cls):
                raise ValueError(f"{str(path)!r} holds a {kind!r} recording, not a {cls.kind!r} one.")
            history = target(columns=[tuple(c) for c in header["columns"]], meta=header.get("meta"))
            values = {key[len("values__"):]: npz[key] for key in npz.files if key.startswith("values__")}
            if npz["steps"].size:
                history.append(npz["steps"], values)
            history.events = list(header.get("events", []))
        return history


def _combine(stat: str, block: np.ndarray) -> np.ndarray:
    # How a layer's variables add up to one number per step.
    if stat.startswith("l2") or stat == "weight_l2":
        return np.sqrt(np.sum(np.square(block.astype(np.float64)), axis=1)).astype(np.float32)
    if stat == "max_abs":
        return np.max(block, axis=1)
    if block.shape[1] == 1:
        return block[:, 0]
    raise ValueError(
        f"stat {stat!r} cannot be combined over a layer's variables; pass variable= "
        "(e.g. 'kernel') to read one variable."
    )


class GradientHistory(StepHistory):
    """Per-layer gradient statistics recorded by `GradientRecorder`.

    Columns are the layer's trainable variables (kernel and bias kept apart).
    `get(layer)` combines a layer's variables into one norm per step (root of
    the summed squares), `get(layer, variable="kernel")` reads one, and
    `history[layer]` / `history[layer, variable]` give every statistic at once.

    Example:
        >>> import numpy as np
        >>> h = GradientHistory(columns=[("d", "kernel"), ("d", "bias")])
        >>> h.append([0], {"l2": np.array([[3.0, 4.0]])})
        >>> float(h.get("d")[0]), float(h["d", "bias"]["l2"][0])
        (5.0, 4.0)
    """

    kind = "gradients"

    def get(self, layer: str, stat: str = "l2", variable: str | None = None) -> np.ndarray:
        """One value per recorded step for `layer` (or one of its variables).

        The same signature as `ActivationHistory.get`: layer, then the statistic.

        Args:
            layer: Layer name, e.g. "hidden_1".
            stat: A recorded statistic, e.g. "l2" or "l2_clipped".
            variable: Variable name inside the layer ("kernel", "bias",
                "gamma"...); `None` combines all of the layer's variables
                (root-sum-square for norms, max for "max_abs").

        Example:
            >>> h = GradientHistory(columns=[("d", "kernel")]); h.append([0, 1], {"l2": [[1.0], [2.0]]})
            >>> h.get("d", variable="kernel").tolist()
            [1.0, 2.0]
        """
        if stat not in self.values and variable is None and (layer, stat) in self.columns:
            # Before the histories shared one signature, the second argument here was the variable.
            warnings.warn(f"get({layer!r}, {stat!r}): the second argument is now the statistic; "
                          f"pass variable={stat!r}.", DeprecationWarning, stacklevel=2)
            stat, variable = "l2", stat
        block = self._check_stat(stat)
        return _combine(stat, block[:, self.column_index(layer, variable)])

    def layer_values(self, stat: str = "l2") -> dict[str, np.ndarray]:
        """`{layer: values per step}` for every recorded layer, input side first.

        Example:
            >>> h = GradientHistory(columns=[("a", "kernel"), ("b", "kernel")]); h.append([0], {"l2": [[1.0, 2.0]]})
            >>> {k: v.tolist() for k, v in h.layer_values().items()}
            {'a': [1.0], 'b': [2.0]}
        """
        return {layer: self.get(layer, stat=stat) for layer in self.layers}

    @property
    def skipped_steps(self) -> int:
        """Training steps whose update was skipped (loss scaling met non-finite gradients)."""
        return int(sum(e.get("count", 0) for e in self.events if e.get("type") == "skipped"))

    @property
    def nonfinite(self) -> list[dict[str, Any]]:
        """Records of non-finite values: `{"step", "layer", "variable", "stat", "value"}`."""
        return [e for e in self.events if e.get("type") == "nonfinite"]


class ActivationHistory(StepHistory):
    """Per-layer activation statistics recorded by `ActivationRecorder`.

    One column per layer (the variable name is "output"); statistics are
    "mean", "std", "zero_frac", "dead_frac" and "saturated_frac".

    Example:
        >>> h = ActivationHistory(columns=[("hidden_1", "output")])
        >>> h.append([0], {"std": [[0.75]]})
        >>> h.get("hidden_1", "std").tolist()
        [0.75]
    """

    kind = "activations"

    def get(self, layer: str, stat: str = "std", variable: str | None = None) -> np.ndarray:
        """One value of `stat` per recorded step for `layer`.

        Args:
            layer: Layer name.
            stat: A recorded statistic ("mean", "std", "zero_frac"...).
            variable: Accepted for the same signature as `GradientHistory.get`;
                activations have one column per layer, named "output".

        Example:
            >>> h = ActivationHistory(columns=[("act_1", "output")]); h.append([0], {"mean": [[0.5]]})
            >>> h.get("act_1", "mean").tolist()
            [0.5]
        """
        block = self._check_stat(stat)
        (i,) = self.column_index(layer, variable)
        return block[:, i]


_KINDS: dict[str, type[StepHistory]] = {
    StepHistory.kind: StepHistory,
    GradientHistory.kind: GradientHistory,
    ActivationHistory.kind: ActivationHistory,
}
