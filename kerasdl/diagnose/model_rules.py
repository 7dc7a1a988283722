"""Rules over the model itself: BatchNormalization left trainable inside a frozen backbone.

Example:
    >>> import keras
    >>> from kerasdl.diagnose.inputs import Run
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.BatchNormalization()])
    >>> batchnorm_in_frozen_backbone(Run(logs={}, model=m))
    []
"""

from __future__ import annotations

from typing import Any

from kerasdl.diagnose import thresholds as T
from kerasdl.diagnose.findings import Finding
from kerasdl.diagnose.inputs import Run


def _leaves(layer: Any) -> list[Any]:
    inner = getattr(layer, "layers", None)
    if not inner:
        return [layer]
    return [leaf for sub in inner for leaf in _leaves(sub)]


def _is_bn(layer: Any) -> bool:
    return "BatchNormalization" in type(layer).__name__


def _backbones(model: Any) -> list[Any]:
    nested = [layer for layer in getattr(model, "layers", []) if getattr(layer, "layers", None)]
    return nested or [model]


def batchnorm_in_frozen_backbone(run: Run) -> list[Finding]:
    """A mostly frozen backbone whose BatchNormalization layers are still trainable.

    Example:
        >>> batchnorm_in_frozen_backbone(Run(logs={}))
        Traceback (most recent call last):
        ...
        kerasdl.diagnose.inputs.Skip: no model given
    """
    model = run.need_model()
    findings = []
    for backbone in _backbones(model):
        leaves = [leaf for leaf in _leaves(backbone) if getattr(leaf, "weights", None)]
        others = [leaf for leaf in leaves if not _is_bn(leaf)]
        if not others:
            continue
        frozen = sum(1 for leaf in others if not leaf.trainable) / len(others)
        live_bn = [leaf.name for leaf in leaves if _is_bn(leaf) and leaf.trainable]
        if frozen < T.FROZEN_FRACTION or not live_bn:
            continue
        findings.append(Finding.of(
            "batchnorm_in_frozen_backbone", "warning",
            f"{frozen:.0%} of the weight layers of {backbone.name!r} are frozen but {len(live_bn)} "
            f"BatchNormalization layer(s) are trainable ({', '.join(live_bn[:3])}"
            f"{', ...' if len(live_bn) > 3 else ''})",
            {"backbone": backbone.name, "frozen_fraction": frozen, "layers": live_bn},
        ))
    return findings


RULES = {"batchnorm_in_frozen_backbone": batchnorm_in_frozen_backbone}
