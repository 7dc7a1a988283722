"""The private Keras names the gradient hook needs, in one place.

Why they are needed: Keras 3 has no public way to ask an optimizer "which of
your slots is this variable", to take a variable back out of its tracked
list, or to clip gradients the way it is configured to, and JAX keeps live
optimizer state outside the variables during `fit`. Every name below is
present in the Keras 3.3.3 sources already (`iterations` moved, see below);
the supported range starts later, at 3.10, for the reasons given at
`MIN_KERAS`; `kerasdl.recorders._hook` reaches Keras internals only
through this module, so a Keras release that renames one breaks here, in one
file, and `check_keras_version` refuses releases outside the tested range
before that can happen silently.
"""

from __future__ import annotations

from typing import Any

import keras

# The range the recorder tests pass on (CI tests both ends); pyproject.toml pins the same.
# Why not lower: on keras 3.3-3.5 steps_per_execution runs one optimizer step more than
# there are batches and the probe's compute_loss has no `training` argument, and up to
# 3.8 LossScaleOptimizer's skipped steps do not add up as the recorder expects.
MIN_KERAS = (3, 10)
BELOW_KERAS = (4, 0)
SUPPORTED = f">={MIN_KERAS[0]}.{MIN_KERAS[1]},<{BELOW_KERAS[0]}.{BELOW_KERAS[1]}"


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit()) if not piece.isdigit() else piece
        if not digits:
            break
        parts.append(int(digits))
        if digits != piece:
            break
    return tuple(parts)


def check_keras_version(version: str | None = None) -> None:
    """Raise ImportError unless `version` (default: the installed Keras) is in the supported range.

    Example:
        >>> check_keras_version("3.15.1")
        >>> check_keras_version("3.1.0")
        Traceback (most recent call last):
        ...
        ImportError: kerasdl's recorders need keras>=3.10,<4.0; found keras 3.1.0. ...
    """
    version = keras.__version__ if version is None else version
    found = _version_tuple(version)
    if not (MIN_KERAS <= found[:2] < BELOW_KERAS):
        raise ImportError(
            f"kerasdl's recorders need keras{SUPPORTED}; found keras {version}. "
            f'Install a supported release: pip install "keras{SUPPORTED}".'
        )


def variable_index(optimizer: Any, variable: Any) -> int:
    """Slot of a trainable `variable` in `optimizer` (Keras 3.3+: `_get_variable_index`)."""
    return optimizer._get_variable_index(variable)


def trainable_variables(optimizer: Any) -> list[Any]:
    """The variables `optimizer` was built for (Keras 3.3+: `_trainable_variables`)."""
    return list(optimizer._trainable_variables)


def iterations(optimizer: Any) -> Any:
    """The raw update counter variable (micro-steps under gradient accumulation).

    Keras 3.3-3.4 keep it in the public `iterations` variable; since 3.5 it is
    `_iterations`, and `iterations` counts accumulated updates instead.
    """
    raw = getattr(optimizer, "_iterations", None)
    return optimizer.iterations if raw is None else raw


def tracked_variables(optimizer: Any) -> list[Any]:
    """The list `optimizer.variables` copies (Keras 3.3+: `_variables`), without the copy."""
    return optimizer._variables


def untrack(optimizer: Any, variable: Any) -> None:
    """Drop `variable` from `optimizer.variables` (Keras 3.3+: `_untrack_variable`)."""
    if any(v is variable for v in optimizer._variables):
        optimizer._untrack_variable(variable)


def track(optimizer: Any, variable: Any) -> None:
    """Put `variable` back at the end of `optimizer.variables` (Keras 3.3+: `_tracker`)."""
    if any(v is variable for v in optimizer._variables):
        return
    tracker = optimizer._tracker
    locked = tracker.locked
    tracker.unlock()
    try:
        tracker.add_to_store("variables", variable)
    finally:
        if locked:
            tracker.lock()


def clip_gradients(optimizer: Any, grads: list[Any]) -> list[Any]:
    """`grads` clipped as `optimizer` would clip them (Keras 3.3+: `_clip_gradients`); no state."""
    return optimizer._clip_gradients(grads)


def callback_model(callback: Any) -> Any:
    """`callback`'s model without the JAX state sync that `Callback.model` does (Keras 3.3+: `_model`)."""
    return callback._model


def jax_state(model: Any) -> dict | None:
    """The live JAX training state of `model` mid-`fit` (Keras 3.3+: `_jax_state`), or None."""
    if keras.backend.backend() != "jax":
        return None
    return getattr(model, "_jax_state", None)


check_keras_version()  # at import: the hook would otherwise fail later, deep inside a train step
