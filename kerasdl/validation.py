"""Argument checks shared by every public function.

Each check raises `ValueError` or `TypeError` naming the parameter, the value
it received and what is allowed, so a learner sees a one-line explanation
instead of a traceback from deep inside Keras. They run before any Keras
call.

Example:
    >>> from kerasdl.validation import check_positive_int
    >>> check_positive_int("depth", 3)
    3
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

# Tasks a model head can be built for; the loss each needs lives in training.py.
TASKS = ("multiclass", "binary", "regression")


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_positive_int(name: str, value: Any) -> int:
    """Return `value` as an int if it is an integer >= 1.

    Args:
        name: The parameter's name, used in the error message.
        value: What the caller passed.

    Returns:
        The value as a Python int.

    Raises:
        TypeError: If `value` is not an integer.
        ValueError: If `value` < 1.

    Example:
        >>> check_positive_int("width", 64)
        64
    """
    return _check_int_at_least(name, value, 1, "positive")


def check_non_negative_int(name: str, value: Any) -> int:
    """Return `value` as an int if it is an integer >= 0.

    Example:
        >>> check_non_negative_int("dense_units", 0)
        0
    """
    return _check_int_at_least(name, value, 0, "non-negative")


def _check_int_at_least(name: str, value: Any, low: int, kind: str) -> int:
    # One body for both integer checks, so their messages cannot drift apart.
    if not _is_int(value):
        raise TypeError(f"{name} must be a {kind} integer; got {value!r} ({type(value).__name__}).")
    if value < low:
        raise ValueError(f"{name} must be a {kind} integer (>= {low}); got {value!r}.")
    return int(value)


def check_rate(name: str, value: Any) -> float:
    """Return `value` as a float if it is a rate in [0, 1).

    Dropout of 1.0 would switch off every unit, so 1 is excluded.

    Example:
        >>> check_rate("dropout", 0.5)
        0.5
    """
    if not _is_real(value):
        raise TypeError(f"{name} must be a number in [0, 1); got {value!r} ({type(value).__name__}).")
    value = float(value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1); got {value!r}.")
    return value


def check_positive_float(name: str, value: Any) -> float:
    """Return `value` as a float if it is a finite number > 0.

    Example:
        >>> check_positive_float("learning_rate", 1e-3)
        0.001
    """
    if not _is_real(value):
        raise TypeError(f"{name} must be a positive number; got {value!r} ({type(value).__name__}).")
    value = float(value)
    if not (value > 0.0 and value != float("inf")):
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}.")
    return value


def check_non_negative_float(name: str, value: Any) -> float:
    """Return `value` as a float if it is a finite number >= 0.

    Example:
        >>> check_non_negative_float("sparsity", 0)
        0.0
    """
    if not _is_real(value):
        raise TypeError(f"{name} must be a number >= 0; got {value!r} ({type(value).__name__}).")
    value = float(value)
    if not 0.0 <= value < float("inf"):
        raise ValueError(f"{name} must be a finite number >= 0; got {value!r}.")
    return value


def check_bool(name: str, value: Any) -> bool:
    """Return `value` if it is a bool.

    Example:
        >>> check_bool("batch_norm", True)
        True
    """
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False; got {value!r} ({type(value).__name__}).")
    return value


def check_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    """Return `value` if it is one of `choices` (case-insensitive strings).

    Example:
        >>> check_choice("cell", "LSTM", ("simple", "lstm", "gru"))
        'lstm'
    """
    choices = tuple(choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {list(choices)}; got {value!r} ({type(value).__name__}).")
    lowered = value.lower()
    if lowered not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}; got {value!r}.")
    return lowered


def check_shape(name: str, value: Any, ndim: int | Sequence[int] | None = None,
                allow_none: bool = False) -> tuple:
    """Return `value` as a tuple of positive ints (a shape without the batch axis).

    Args:
        name: The parameter's name.
        value: A tuple/list of ints, or a single int for a 1-D input.
        ndim: Allowed number of dimensions (an int or a sequence of ints).
        allow_none: Whether `None` entries (variable length) are allowed.

    Example:
        >>> check_shape("input_shape", (8, 8, 1), ndim=(2, 3))
        (8, 8, 1)
    """
    if _is_int(value):
        value = (value,)
    if not isinstance(value, (tuple, list)) or len(value) == 0:
        raise TypeError(f"{name} must be a non-empty tuple of positive integers; got {value!r}.")
    dims = []
    for dim in value:
        if dim is None and allow_none:
            dims.append(None)
            continue
        if not _is_int(dim) or dim < 1:
            raise ValueError(
                f"{name} must contain positive integers{' or None' if allow_none else ''}; got {tuple(value)!r}."
            )
        dims.append(int(dim))
    if ndim is not None:
        allowed = (ndim,) if _is_int(ndim) else tuple(ndim)
        if len(dims) not in allowed:
            raise ValueError(
                f"{name} must have {' or '.join(map(str, allowed))} dimension(s) (batch axis excluded); "
                f"got {tuple(value)!r} with {len(dims)}."
            )
    return tuple(dims)


def check_int_sequence(name: str, value: Any, allow_empty: bool = False) -> tuple[int, ...]:
    """Return `value` as a tuple of positive ints (layer sizes, filter counts).

    Example:
        >>> check_int_sequence("filters", [16, 32])
        (16, 32)
    """
    if _is_int(value):
        value = (value,)
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must be a tuple of positive integers; got {value!r} ({type(value).__name__}).")
    if not value and not allow_empty:
        raise ValueError(f"{name} must contain at least one positive integer; got {value!r}.")
    for item in value:
        if not _is_int(item) or item < 1:
            raise ValueError(f"{name} must contain positive integers only; got {tuple(value)!r}.")
    return tuple(int(item) for item in value)


def check_task(task: Any, num_outputs: int) -> str:
    """Resolve the output task from `task` and `num_outputs`.

    `None` means "multiclass" when `num_outputs > 1` and "binary" when it is 1.

    Example:
        >>> check_task(None, 10)
        'multiclass'
        >>> check_task("regression", 1)
        'regression'
    """
    if task is None:
        return "multiclass" if num_outputs > 1 else "binary"
    task = check_choice("task", task, TASKS)
    if task == "binary" and num_outputs != 1:
        raise ValueError(f"task='binary' needs num_outputs=1 (one sigmoid unit); got num_outputs={num_outputs}.")
    if task == "multiclass" and num_outputs < 2:
        raise ValueError(f"task='multiclass' needs num_outputs >= 2 (one softmax unit per class); got {num_outputs}.")
    return task


def _resolve_keras_name(name: str, value: Any, kind: str, get: Any, what: str, options: str) -> Any:
    # Shared by the activation and initializer checks: a name Keras knows, or a TypeError/ValueError.
    if not isinstance(value, str):
        raise TypeError(f"{name} must be {kind}; got {value!r} ({type(value).__name__}).")
    try:
        get(value)
    except (ValueError, TypeError, KeyError):
        raise ValueError(f"{name}={value!r} is not {what}; try {options}.") from None
    return value


def resolve_activation(name: str, value: Any) -> Any:
    """Check that `value` names a Keras activation (or is a callable).

    Example:
        >>> resolve_activation("activation", "relu")
        'relu'
    """
    import keras

    if callable(value) and not isinstance(value, str):
        return value
    return _resolve_keras_name(
        name, value, "a Keras activation name such as 'relu', 'sigmoid', 'tanh' or 'gelu'",
        keras.activations.get, "a Keras activation",
        "'relu', 'sigmoid', 'tanh', 'elu', 'gelu', 'selu', 'swish', 'leaky_relu' or 'linear'",
    )


def resolve_initializer(name: str, value: Any) -> Any:
    """Check that `value` names a Keras initializer or is an initializer object.

    Example:
        >>> resolve_initializer("kernel_initializer", "he_normal")
        'he_normal'
    """
    import keras

    if isinstance(value, keras.initializers.Initializer):
        return value
    return _resolve_keras_name(
        name, value,
        "an initializer name such as 'glorot_uniform', 'he_normal' or 'zeros', or a "
        "keras.initializers.Initializer",
        keras.initializers.get, "a Keras initializer",
        "'glorot_uniform', 'glorot_normal', 'he_normal', 'he_uniform', 'lecun_normal', "
        "'random_normal', 'zeros' or 'ones'",
    )
