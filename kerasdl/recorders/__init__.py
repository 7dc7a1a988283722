"""Keras callbacks that record what happens inside each layer during training.

* `GradientRecorder`: per-layer norms (and optional extra statistics) of the
  gradients the optimizer applies, every step, on every Keras backend.
* `ActivationRecorder`: per-layer activation statistics (mean, std, dead
  ReLU units, saturated sigmoid/tanh units) on a fixed batch.
* `write_tensorboard` / `TensorBoardRecording`: recordings as TensorBoard
  scalars (and histograms), from a saved history or during `fit`.
* `gradient_table`: the course's table of per-layer gradient norms and their
  ratio to the output layer.

Recordings (`GradientHistory`, `ActivationHistory`) and the table helpers
need only numpy; the callbacks load Keras on first use.

Example:
    >>> from kerasdl.recorders import GradientRecorder, ActivationRecorder
    >>> GradientRecorder().stats
    ('l2',)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kerasdl._lazy import lazy_module_attributes

from kerasdl.recorders.history import ActivationHistory, GradientHistory, StepHistory
from kerasdl.recorders.tables import gradient_ratios, gradient_table
from kerasdl.recorders.tensorboard_export import write_tensorboard

# The docs collector reads these imports (it does not run `__getattr__`); at run
# time they stay lazy, so plots and tables do not load Keras.
if TYPE_CHECKING:
    from kerasdl.recorders.activations import ActivationRecorder, activation_stats
    from kerasdl.recorders.gradients import GradientRecorder, NonFiniteGradientWarning, SkippedStepWarning
    from kerasdl.recorders.tensorboard_callback import TensorBoardRecording

# Names that need Keras, loaded on first access so plots and tables stay light.
_LAZY = {
    "ActivationRecorder": "kerasdl.recorders.activations",
    "activation_stats": "kerasdl.recorders.activations",
    "GradientRecorder": "kerasdl.recorders.gradients",
    "NonFiniteGradientWarning": "kerasdl.recorders.gradients",
    "SkippedStepWarning": "kerasdl.recorders.gradients",
    "TensorBoardRecording": "kerasdl.recorders.tensorboard_callback",
}

__all__ = [
    "ActivationHistory",
    "ActivationRecorder",
    "GradientHistory",
    "GradientRecorder",
    "NonFiniteGradientWarning",
    "SkippedStepWarning",
    "StepHistory",
    "TensorBoardRecording",
    "activation_stats",
    "gradient_ratios",
    "gradient_table",
    "write_tensorboard",
]


__getattr__, __dir__ = lazy_module_attributes(__name__, _LAZY, __all__, globals())
