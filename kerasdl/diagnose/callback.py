"""`DiagnosisCallback`: a short diagnosis printed when `fit` ends.

Example:
    >>> from kerasdl.diagnose import DiagnosisCallback
    >>> DiagnosisCallback().diagnosis is None
    True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import keras

from kerasdl.diagnose.analysis import _check_rules, diagnose
from kerasdl.validation import check_bool


class DiagnosisCallback(keras.callbacks.Callback):
    """Diagnose the run at the end of `fit` and print a short report.

    It keeps its own copy of the epoch logs (so it works without the
    `History` object) and, at `on_train_end`, calls `diagnose` with them,
    the model and the recordings of any recorders passed in. List it after
    the recorders in `callbacks=[...]` so their last rows are in.

    Args:
        gradients: A `GradientRecorder` (or its history) to diagnose too.
        activations: An `ActivationRecorder` (or its history).
        rules: Rule names to run (default all).
        short: Print one line per finding (default) or the full report.
        print_fn: Where the report goes (default `print`); `None` prints nothing.

    Attributes:
        diagnosis: The last `Diagnosis` (None before the first `fit` ends).
        logs: `{metric: [value per epoch]}` over every `fit` seen.

    Example:
        >>> import numpy as np, keras
        >>> m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> m.compile(keras.optimizers.SGD(1e-9), "mse")
        >>> cb = DiagnosisCallback(print_fn=None)
        >>> _ = m.fit(np.ones((8, 2)), np.ones((8, 1)), epochs=3, verbose=0, callbacks=[cb])
        >>> cb.diagnosis.kinds
        ['lr_too_low']
    """

    def __init__(
        self,
        gradients: Any = None,
        activations: Any = None,
        rules: Sequence[str] | None = None,
        short: bool = True,
        print_fn: Callable[[str], Any] | None = print,
    ) -> None:
        super().__init__()
        self.gradients = gradients
        self.activations = activations
        self.rules = None if rules is None else _check_rules(rules)
        self.short = check_bool("short", short)
        if print_fn is not None and not callable(print_fn):
            raise TypeError(f"print_fn must be callable or None; got {print_fn!r}.")
        self.print_fn = print_fn
        self.logs: dict[str, list[float]] = {}
        self.diagnosis: Any = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        for key, value in (logs or {}).items():
            try:
                self.logs.setdefault(key, []).append(float(value))
            except (TypeError, ValueError):
                continue  # a non-scalar log entry (rare custom metrics) has no curve

    def on_train_end(self, logs: dict | None = None) -> None:
        self.diagnosis = diagnose(self.logs, gradients=self.gradients, activations=self.activations,
                                  model=self.model, rules=self.rules)
        if self.print_fn is not None:
            self.print_fn(self.diagnosis.report(short=self.short))
