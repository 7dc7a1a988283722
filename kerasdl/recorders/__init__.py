"""Keras callbacks that record what happens inside each layer during training.

* `GradientRecorder`: per-layer norms (and optional extra statistics) of the
  gradients the optimizer applies, every step, on every Keras backend.
* `ActivationRecorder`: per-layer activation statistics (mean, std, dead
  ReLU units, saturated sigmoid/tanh units) on a fixed batch.
* `gradient_table`: the course's table of per-layer gradient norms and their
  ratio to the output layer.

Example:
    >>> from kerasdl.recorders import GradientRecorder, ActivationRecorder
    >>> GradientRecorder().stats
    ('l2',)
"""

from kerasdl.recorders.activations import ActivationRecorder, activation_stats
from kerasdl.recorders.gradients import GradientRecorder, NonFiniteGradientWarning, SkippedStepWarning
from kerasdl.recorders.history import ActivationHistory, GradientHistory, StepHistory
from kerasdl.recorders.tables import gradient_ratios, gradient_table

__all__ = [
    "ActivationHistory",
    "ActivationRecorder",
    "GradientHistory",
    "GradientRecorder",
    "NonFiniteGradientWarning",
    "SkippedStepWarning",
    "StepHistory",
    "activation_stats",
    "gradient_ratios",
    "gradient_table",
]
