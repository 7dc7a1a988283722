"""Tell the learner what is wrong with a training run, in words, with the numbers that show it.

`diagnose(history, gradients=..., activations=..., model=...)` runs a set of
rules over the loss curves of `fit`, the per-layer gradient and activation
recordings of `kerasdl.recorders`, and the model, and returns a `Diagnosis`:
a list of `Finding`s (kind, severity, evidence, explanation, fix, tutorial
link) and a `report()`. `DiagnosisCallback` prints the short report when
`fit` ends. The thresholds live in `kerasdl.diagnose.thresholds`.

Rules: vanishing, exploding and non-finite gradients, clipping active on
almost every step, dead ReLU units, saturated sigmoid/tanh units, learning
rate too high or too low, overfitting, underfitting, validation loss below
training loss, BatchNormalization trainable inside a frozen backbone.

`diagnose` itself needs only numpy; importing the package loads Keras for the callback.

Example:
    >>> from kerasdl.diagnose import diagnose
    >>> d = diagnose({"loss": [2.3, 2.1, 2.6, 1.9, 2.7]})
    >>> d.kinds, d.findings[0].tutorial
    (['lr_too_high'], 'tutorials/05_batch_normalization/')
"""

from __future__ import annotations

from kerasdl.diagnose.analysis import RULES, diagnose
from kerasdl.diagnose.callback import DiagnosisCallback
from kerasdl.diagnose.findings import KINDS, SEVERITIES, TUTORIALS, Diagnosis, Finding

__all__ = ["KINDS", "RULES", "SEVERITIES", "TUTORIALS", "Diagnosis", "DiagnosisCallback", "Finding",
           "diagnose"]

