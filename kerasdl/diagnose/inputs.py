"""Turn what a learner has at hand (a History, recorders, saved files) into plain arrays.

Example:
    >>> from kerasdl.diagnose.inputs import as_logs
    >>> as_logs({"loss": [1.0, 0.5]})["loss"].tolist()
    [1.0, 0.5]
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kerasdl.recorders.history import ActivationHistory, GradientHistory, StepHistory


class Skip(Exception):
    """A rule lacks the data it needs; the message says which."""


def as_logs(history: Any) -> dict[str, np.ndarray]:
    """`{metric: float array per epoch}` from a keras `History`, a dict of lists, or None.

    Example:
        >>> sorted(as_logs({"loss": [2.0], "val_loss": [2.5]}))
        ['loss', 'val_loss']
    """
    if history is None:
        return {}
    data = getattr(history, "history", history)
    if not isinstance(data, Mapping):
        raise TypeError(
            "history must be a keras History (what fit returns), a dict {metric: [values per epoch]} "
            f"or None; got {type(history).__name__}."
        )
    logs = {}
    for key, values in data.items():
        try:
            logs[str(key)] = np.asarray(list(values), dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            raise TypeError(f"history[{key!r}] must be a list of numbers; got {values!r:.60}.") from None
    return logs


def _as_recording(name: str, value: Any, kind: type[StepHistory]) -> Any:
    if value is None:
        return None
    value = getattr(value, "history", value)  # a recorder: read its history
    if isinstance(value, (str, os.PathLike)):
        value = kind.load(Path(value))
    if not isinstance(value, kind):
        raise TypeError(
            f"{name} must be a {kind.__name__}, its recorder, a path to a saved one, or None; "
            f"got {type(value).__name__}."
        )
    return value


def as_gradients(value: Any) -> GradientHistory | None:
    """A `GradientHistory` from a recorder, a history, a `.npz`/`.json` path, or None.

    Example:
        >>> as_gradients(None) is None
        True
    """
    return _as_recording("gradients", value, GradientHistory)


def as_activations(value: Any) -> ActivationHistory | None:
    """An `ActivationHistory` from a recorder, a history, a `.npz`/`.json` path, or None.

    Example:
        >>> h = ActivationHistory(columns=[("h", "output")])
        >>> as_activations(h) is h
        True
    """
    return _as_recording("activations", value, ActivationHistory)


@dataclass
class Run:
    """Everything the rules may look at; any part may be missing.

    Example:
        >>> Run(logs={"loss": np.array([1.0])}).epochs
        1
    """

    logs: dict[str, np.ndarray]
    gradients: GradientHistory | None = None
    activations: ActivationHistory | None = None
    model: Any = None

    @property
    def epochs(self) -> int:
        """Epochs in the loss curve (0 without one)."""
        loss = self.logs.get("loss")
        return 0 if loss is None else int(loss.size)

    def curve(self, key: str, min_epochs: int = 1) -> np.ndarray:
        """The per-epoch values of `key`; `Skip` if absent or shorter than `min_epochs`.

        Example:
            >>> Run(logs={"loss": np.array([1.0, 0.5])}).curve("loss").tolist()
            [1.0, 0.5]
        """
        values = self.logs.get(key)
        if values is None:
            raise Skip(f"no {key!r} in the history")
        if values.size < min_epochs:
            raise Skip(f"{values.size} epoch(s) of {key!r}, needs {min_epochs}")
        return values

    def need_gradients(self) -> GradientHistory:
        """The gradient recording; `Skip` if there is none."""
        if self.gradients is None or not len(self.gradients):
            raise Skip("no gradient recording (pass gradients=GradientRecorder().history)")
        return self.gradients

    def need_activations(self) -> ActivationHistory:
        """The activation recording; `Skip` if there is none."""
        if self.activations is None or not len(self.activations):
            raise Skip("no activation recording (pass activations=ActivationRecorder(x).history)")
        return self.activations

    def need_model(self) -> Any:
        """The model; `Skip` if none was given."""
        if self.model is None:
            raise Skip("no model given")
        return self.model
