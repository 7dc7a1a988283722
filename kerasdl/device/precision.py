"""Mixed precision: 16-bit maths where the hardware makes it pay, float32 elsewhere.

Example:
    >>> from kerasdl.device.precision import recommended_policy
    >>> recommended_policy({"gpus": [], "tpus": 1, "cpu": {}})[0]
    'mixed_bfloat16'
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import keras

from kerasdl.device.accelerators import hardware
from kerasdl.validation import check_bool, check_choice

POLICIES = ("auto", "mixed_float16", "mixed_bfloat16")
"""Policies `enable_mixed_precision` accepts; "auto" picks the one this hardware runs fast."""


class MixedPrecisionUnsupportedError(RuntimeError):
    """Raised when a mixed-precision policy would only slow this machine down.

    Example:
        >>> issubclass(MixedPrecisionUnsupportedError, RuntimeError)
        True
    """


def _min_capability(gpus: Sequence[Mapping[str, Any]]) -> float | None:
    caps = [g.get("compute_capability") for g in gpus]
    if not caps or any(c is None for c in caps):
        return None
    return min(float(c) for c in caps)


def _refusal(policy: str, hw: Mapping[str, Any]) -> str | None:
    """Why `policy` would not pay off on `hw`, or None if it would."""
    gpus, tpus, cpu = hw.get("gpus", []), hw.get("tpus", 0), hw.get("cpu", {})
    cc = _min_capability(gpus)
    if policy == "mixed_float16":
        if gpus and cc is not None and cc >= 7.0:
            return None
        if gpus:
            return ("mixed_float16 needs float16 tensor cores (NVIDIA compute capability >= 7.0); the visible "
                    f"GPUs report {[g.get('compute_capability') for g in gpus]}, so the casts would cost more than "
                    "they save")
        if tpus:
            return "TPUs compute in bfloat16, not float16: use policy='mixed_bfloat16'"
        return ("only a CPU is visible and CPUs have no fast float16 arithmetic: float16 would be emulated, "
                "slower than float32")
    if tpus or (gpus and cc is not None and cc >= 8.0):
        return None
    if gpus:
        return (f"mixed_bfloat16 needs bfloat16 tensor cores (compute capability >= 8.0, Ampere or newer); "
                f"the visible GPUs report {[g.get('compute_capability') for g in gpus]}")
    if cpu.get("bf16_matrix_units"):
        return None
    return (f"only a CPU is visible ({cpu.get('name') or 'unknown'}) and it has no bfloat16 matrix units "
            "(Intel AMX): bfloat16 would be emulated, slower than float32")


def recommended_policy(hw: Mapping[str, Any] | None = None) -> tuple[str | None, str]:
    """The mixed-precision policy worth using here, and why.

    Rules: TPU -> "mixed_bfloat16"; NVIDIA GPUs with compute capability
    >= 7.0 -> "mixed_float16" (tensor cores; on >= 8.0 "mixed_bfloat16" is as
    fast and needs no loss scaling, so it is allowed when asked for); a CPU
    with AMX bfloat16 units -> "mixed_bfloat16"; anything else -> None,
    because 16-bit maths would be emulated and slower than float32.

    Args:
        hw: A `hardware()` dict; detected when None.

    Returns:
        `(policy or None, reason)`.

    Example:
        >>> recommended_policy({"gpus": [{"compute_capability": "8.0"}], "tpus": 0, "cpu": {}})[0]
        'mixed_float16'
    """
    hw = hardware() if hw is None else hw
    if not isinstance(hw, Mapping):
        raise TypeError(f"hw must be a dict from kerasdl.device.hardware(); got {type(hw).__name__}.")
    if hw.get("tpus"):
        return "mixed_bfloat16", "TPUs multiply bfloat16 natively"
    if hw.get("gpus"):
        reason = _refusal("mixed_float16", hw)
        if reason is None:
            return "mixed_float16", "the GPUs have float16 tensor cores (compute capability >= 7.0)"
        return None, reason
    reason = _refusal("mixed_bfloat16", hw)
    if reason is None:
        return "mixed_bfloat16", "the CPU has AMX bfloat16 matrix units"
    return None, reason


def enable_mixed_precision(policy: str = "auto", *, force: bool = False) -> str:
    """Set Keras's global dtype policy to a mixed-precision one.

    Layers created afterwards compute in float16/bfloat16 and keep float32
    weights; `compile` adds loss scaling for "mixed_float16" by itself. Where
    the policy would only slow training down (e.g. a plain CPU) this refuses
    unless `force=True` (useful to study the numerics). Undo it with
    `reset_mixed_precision()`, or use the `mixed_precision()` context manager.

    Args:
        policy: "auto" (see `recommended_policy`), "mixed_float16" or
            "mixed_bfloat16".
        force: Set the policy even where it would not pay off. With "auto"
            and nothing recommended, forces "mixed_bfloat16" on a CPU (no loss
            scaling needed) and "mixed_float16" on a GPU.

    Returns:
        The name of the policy now in effect.

    Raises:
        MixedPrecisionUnsupportedError: The policy would not pay off here.

    Example:
        >>> enable_mixed_precision("mixed_bfloat16", force=True)  # doctest: +SKIP
        'mixed_bfloat16'
    """
    policy = check_choice("policy", policy, POLICIES)
    force = check_bool("force", force)
    hw = hardware()
    if policy == "auto":
        chosen, reason = recommended_policy(hw)
        if chosen is None and not force:
            raise MixedPrecisionUnsupportedError(
                f"Mixed precision is not enabled: {reason}. Training stays in float32. "
                "Pass force=True to enable_mixed_precision() to set it anyway (to study the numerics, not for speed).")
        policy = chosen or ("mixed_float16" if hw["gpus"] else "mixed_bfloat16")
    else:
        reason = _refusal(policy, hw)
        if reason is not None and not force:
            raise MixedPrecisionUnsupportedError(
                f"policy={policy!r} refused: {reason}. Pass force=True to enable_mixed_precision() to set it anyway.")
    if force and _refusal(policy, hw) is not None:
        warnings.warn(f"{policy} forced on hardware where it is expected to be slower than float32.", stacklevel=2)
    keras.config.set_dtype_policy(policy)
    return policy


def reset_mixed_precision() -> str:
    """Go back to full precision: the dtype policy becomes `keras.config.floatx()`.

    Returns:
        The name of the policy now in effect (normally "float32").

    Example:
        >>> reset_mixed_precision()
        'float32'
    """
    keras.config.set_dtype_policy(keras.config.floatx())
    return keras.config.dtype_policy().name


@contextlib.contextmanager
def mixed_precision(policy: str = "auto", *, force: bool = False) -> Iterator[str]:
    """Context manager: mixed precision inside, the previous policy restored after.

    Models must be *built* inside the block; they keep their dtypes after it.

    Example:
        >>> with mixed_precision("mixed_bfloat16", force=True) as name:  # doctest: +SKIP
        ...     model = kerasdl.models.deep_mlp((64,), 10)
    """
    previous = keras.config.dtype_policy()
    try:
        yield enable_mixed_precision(policy, force=force)
    finally:
        keras.config.set_dtype_policy(previous)
