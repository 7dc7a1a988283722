"""What the active Keras backend can compute on: GPUs, TPUs and the CPU.

Example:
    >>> from kerasdl.device.accelerators import hardware
    >>> sorted(hardware())
    ['cpu', 'gpus', 'tpus']
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
import subprocess
from typing import Any

import keras

# CPU flags of matrix units that make bfloat16 matmuls faster than float32
# (Intel AMX, Sapphire Rapids and later). AVX512-BF16 alone adds bfloat16
# dot-product instructions; on one such CPU (AMD EPYC, 2 cores) TensorFlow's
# oneDNN kernels ran bfloat16 matmuls faster than float32 in a full
# benchmarks/throughput.py run but slower in a short run under heavy load, so
# the recommendation stays conservative: only AMX counts until a steadier
# measurement says otherwise. `enable_mixed_precision(force=True)` still
# lets a learner try it.
_CPU_BF16_FLAGS = ("amx_bf16", "amx_tile")


def _backend() -> str:
    return keras.backend.backend()


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cpu() -> dict[str, Any]:
    name, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and name in ("", platform.machine(), platform.processor()):
                    name = value.strip()
                elif key.strip() == "flags":
                    flags = set(value.split())
                    break
    except OSError:
        pass  # Not Linux: no flags to read, so no bfloat16 units are assumed.
    return {"name": name, "cores": os.cpu_count(), "bf16_matrix_units": all(f in flags for f in _CPU_BF16_FLAGS)}


def _nvidia_smi_rows() -> list[dict[str, Any]]:
    # Frameworks report a GPU's name and compute capability but not its total
    # memory without allocating on it; the driver's tool knows it.
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return []
    try:
        out = subprocess.run([exe, "--query-gpu=index,uuid,name,memory.total", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    rows = []
    for line in out.splitlines():
        parts = [part.strip() for part in line.split(",")]
        if len(parts) == 4 and parts[0].isdigit():
            memory = int(parts[3]) if parts[3].isdigit() else None
            rows.append({"index": int(parts[0]), "uuid": parts[1], "name": parts[2], "memory_mib": memory})
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is None:
        return rows
    picked = []
    for token in (t.strip() for t in visible.split(",")):
        match = [r for r in rows if (token.isdigit() and r["index"] == int(token)) or
                 (not token.isdigit() and token and r["uuid"].startswith(token))]
        if not match:
            break  # CUDA ignores everything after the first entry it cannot resolve.
        picked.append(match[0])
    return picked


def _framework_accelerators(backend: str) -> tuple[list[dict[str, Any]], int]:
    gpus: list[dict[str, Any]] = []
    tpus = 0
    if backend == "tensorflow":
        import tensorflow as tf

        for gpu in tf.config.list_physical_devices("GPU"):
            details = tf.config.experimental.get_device_details(gpu)
            cc = details.get("compute_capability")
            gpus.append({"name": details.get("device_name", gpu.name),
                         "compute_capability": f"{cc[0]}.{cc[1]}" if cc else None})
        tpus = len(tf.config.list_physical_devices("TPU"))
    elif backend == "jax":
        import jax

        for d in jax.devices():
            if d.platform == "gpu":
                cc = getattr(d, "compute_capability", None)
                gpus.append({"name": d.device_kind, "compute_capability": str(cc) if cc else None})
            elif d.platform == "tpu":
                tpus += 1
    elif backend == "torch":
        import torch

        for i in range(torch.cuda.device_count() if torch.cuda.is_available() else 0):
            props = torch.cuda.get_device_properties(i)
            gpus.append({"name": props.name, "compute_capability": f"{props.major}.{props.minor}",
                         "memory_mib": props.total_memory // 2**20})
    return gpus, tpus


def hardware() -> dict[str, Any]:
    """What the active Keras backend can compute on: GPUs, TPUs and the CPU.

    Returns:
        `{"gpus": [{"name", "compute_capability", "memory_mib"}], "tpus": int,
        "cpu": {"name", "cores", "bf16_matrix_units"}}`. Unknown values are None.

    Example:
        >>> sorted(hardware())
        ['cpu', 'gpus', 'tpus']
    """
    gpus, tpus = _framework_accelerators(_backend())
    smi = _nvidia_smi_rows() if gpus else []
    for i, gpu in enumerate(gpus):
        gpu.setdefault("memory_mib", None)
        # Only trust the driver's row when it is plainly the same card.
        row = smi[i] if i < len(smi) else None
        if gpu["memory_mib"] is None and row and (gpu["name"] in row["name"] or row["name"] in gpu["name"]):
            gpu["memory_mib"] = row["memory_mib"]
    return {"gpus": gpus, "tpus": tpus, "cpu": _cpu()}
