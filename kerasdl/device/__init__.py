"""Devices, mixed precision, XLA and distribution strategies.

The course says deep learning became practical when GPUs made matrix maths
fast. This package answers the practical questions that follow: what does
Keras run on here (`describe`), may it compute in 16-bit floats
(`enable_mixed_precision`), should steps be compiled with XLA
(`jit_compile_default`), and how to spread training over several GPUs or
machines (`strategy`).

The code lives in `accelerators`, `precision`, `distribute` and `throughput`; this package
re-exports it. `describe` works on every Keras backend and never imports
TensorFlow unless TensorFlow is the backend. `strategy` drives
`tf.distribute`, so it needs the TensorFlow backend. `matmul_gflops` and
`fit_throughput` (in `throughput`) measure how fast this machine computes;
`load_recordings` reads back what `benchmarks/throughput.py` saved.

Example:
    >>> from kerasdl import device
    >>> info = device.describe()
    >>> info["backend"] in ("tensorflow", "jax", "torch")
    True
"""

from __future__ import annotations

import platform
from collections.abc import Mapping
from typing import Any

import keras

from kerasdl.device.distribute import jit_compile_default, strategy, strategy_plan
from kerasdl.device.accelerators import _backend, _version, hardware
from kerasdl.device.precision import (
    POLICIES,
    MixedPrecisionUnsupportedError,
    enable_mixed_precision,
    mixed_precision,
    recommended_policy,
    reset_mixed_precision,
)
from kerasdl.device.throughput import fit_throughput, is_accelerated, load_recordings, matmul_gflops

__all__ = [
    "POLICIES",
    "MixedPrecisionUnsupportedError",
    "describe",
    "enable_mixed_precision",
    "fit_throughput",
    "format_description",
    "hardware",
    "is_accelerated",
    "jit_compile_default",
    "load_recordings",
    "matmul_gflops",
    "mixed_precision",
    "recommended_policy",
    "reset_mixed_precision",
    "strategy",
    "strategy_plan",
]


def _cuda(backend: str, gpus: list) -> dict[str, Any]:
    built = cuda = cudnn = None
    if backend == "tensorflow":
        import tensorflow as tf

        build = tf.sysconfig.get_build_info()
        built, cuda, cudnn = bool(build.get("is_cuda_build")), build.get("cuda_version"), build.get("cudnn_version")
    elif backend == "torch":
        import torch

        built, cuda = torch.version.cuda is not None, torch.version.cuda
        cudnn = str(torch.backends.cudnn.version()) if built and torch.backends.cudnn.is_available() else None
    elif backend == "jax":
        built = any(_version(p) for p in ("jax-cuda12-plugin", "jax-cuda13-plugin", "jax-cuda12-pjrt"))
    return {"built_with_cuda": built, "cuda_version": cuda, "cudnn_version": None if cudnn is None else str(cudnn),
            "in_use": bool(built and gpus)}


def describe() -> dict[str, Any]:
    """Versions, devices and the precision/XLA/distribution choices for this machine.

    Works on the tensorflow, jax and torch backends; TensorFlow is imported
    only when it is the backend (its version is read from package metadata
    otherwise, None when it is not installed).

    Returns:
        A plain dict (JSON-serialisable): backend, versions, python, platform,
        cpu, gpus, tpus, cuda, mixed_precision (recommended, reason, policy),
        jit_compile_default, strategy.

    Example:
        >>> sorted(describe())[:3]
        ['backend', 'backend_version', 'cpu']
    """
    backend = _backend()
    hw = hardware()
    recommended, reason = recommended_policy(hw)
    return {
        "backend": backend,
        "backend_version": _version({"torch": "torch", "jax": "jax"}.get(backend, "tensorflow")),
        "keras_version": keras.__version__,
        "tensorflow_version": _version("tensorflow"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": hw["cpu"],
        "gpus": hw["gpus"],
        "tpus": hw["tpus"],
        "cuda": _cuda(backend, hw["gpus"]),
        "mixed_precision": {"recommended": recommended, "reason": reason,
                            "policy": keras.config.dtype_policy().name},
        "jit_compile_default": jit_compile_default(),
        "strategy": strategy_plan(),
    }


def format_description(info: Mapping[str, Any]) -> str:
    """Render a `describe()` dict as aligned text for a terminal.

    Example:
        >>> print(format_description(describe()).splitlines()[0])  # doctest: +SKIP
        Keras backend      tensorflow 2.21.0 (Keras 3.15.1)
    """
    if not isinstance(info, Mapping):
        raise TypeError(f"info must be the dict returned by describe(); got {type(info).__name__}.")
    cpu, cuda, mp = info.get("cpu", {}), info.get("cuda", {}), info.get("mixed_precision", {})

    def yes(value: Any) -> str:
        return "unknown" if value is None else ("yes" if value else "no")

    gpu_lines = []
    for i, gpu in enumerate(info.get("gpus", [])):
        memory = f"{gpu['memory_mib'] / 1024:.0f} GiB" if gpu.get("memory_mib") else "memory unknown"
        gpu_lines.append(f"{i}: {gpu.get('name')} (compute capability {gpu.get('compute_capability') or '?'}, "
                         f"{memory})")
    cuda_text = yes(cuda.get("built_with_cuda"))
    if cuda.get("cuda_version"):
        cuda_text += f" (CUDA {cuda['cuda_version']}, cuDNN {cuda.get('cudnn_version') or '?'})"
    if mp.get("recommended"):
        mp_text = f"{mp['recommended']} recommended: {mp.get('reason')}"
    else:
        mp_text = f"not recommended: {mp.get('reason')}"
    rows = [
        ("Keras backend", f"{info.get('backend')} {info.get('backend_version') or ''} "
                          f"(Keras {info.get('keras_version')})"),
        ("TensorFlow", info.get("tensorflow_version") or "not installed"),
        ("Python", f"{info.get('python')} on {info.get('platform')}"),
        ("CPU", f"{cpu.get('name')}, {cpu.get('cores')} cores, bfloat16 matrix units: "
                f"{yes(cpu.get('bf16_matrix_units'))}"),
        ("GPUs", gpu_lines[0] if gpu_lines else "none visible"),
        *[("", line) for line in gpu_lines[1:]],
        ("TPUs", str(info.get("tpus") or 0)),
        ("Built with CUDA", cuda_text),
        ("CUDA/cuDNN in use", yes(cuda.get("in_use"))),
        ("Mixed precision", mp_text),
        ("Dtype policy", str(mp.get("policy"))),
        ("XLA by default", yes(info.get("jit_compile_default"))),
        ("Distribution", str(info.get("strategy"))),
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label.ljust(width)}  {value}".rstrip() for label, value in rows)
