"""XLA and tf.distribute: `jit_compile_default` and `strategy`.

Example:
    >>> from kerasdl.device.distribute import jit_compile_default
    >>> isinstance(jit_compile_default(), bool)
    True
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Sequence
from typing import Any

from kerasdl.device.accelerators import _backend


def jit_compile_default(strategy: Any = None) -> bool:
    """Whether `model.compile(jit_compile=...)` should ask for XLA here.

    JAX always compiles with XLA (True). PyTorch's `jit_compile=True` means
    `torch.compile`, whose first compilation takes long and breaks on some
    layers, so False. TensorFlow: True with a GPU or TPU, where fusing ops
    saves memory traffic; False on a CPU-only machine, where TensorFlow's
    own kernels are already fast and compilation time is not paid back on
    small models (measure with `benchmarks/throughput.py`); False under a
    `tf.distribute` strategy, where Keras itself turns XLA off.

    Args:
        strategy: The strategy the model will train under, if any.

    Example:
        >>> isinstance(jit_compile_default(), bool)
        True
    """
    backend = _backend()
    if backend == "jax":
        return True
    if backend != "tensorflow":
        return False
    import tensorflow as tf

    if strategy is not None and strategy is not tf.distribute.get_strategy():
        return False
    if tf.distribute.has_strategy():
        return False
    return bool(tf.config.list_physical_devices("GPU") or tf.config.list_physical_devices("TPU"))


def _tf_config() -> dict[str, Any] | None:
    raw = os.environ.get("TF_CONFIG", "").strip()
    if not raw:
        return None
    try:
        config = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"TF_CONFIG must be JSON like {{'cluster': {{'worker': [...]}}, 'task': {{...}}}}; "
                         f"got {raw!r} ({error}).") from None
    cluster = config.get("cluster") if isinstance(config, dict) else None
    if not isinstance(cluster, dict) or not (cluster.get("worker") or cluster.get("chief")):
        raise ValueError(f"TF_CONFIG must name a 'cluster' with 'worker' (or 'chief') addresses; got {raw!r}.")
    if cluster.get("ps"):
        raise ValueError("TF_CONFIG describes a parameter-server cluster ('ps'); strategy() builds "
                         "MultiWorkerMirroredStrategy only: use tf.distribute.ParameterServerStrategy.")
    return config


def strategy_plan() -> str:
    """One line saying which strategy `strategy()` would build here, without building it.

    Example:
        >>> isinstance(strategy_plan(), str)
        True
    """
    backend = _backend()
    if backend != "tensorflow":
        return f"tf.distribute needs the tensorflow backend (this is {backend}; see keras.distribution)"
    config = _tf_config()
    if config is not None:
        cluster, task = config["cluster"], config.get("task", {})
        workers = len(cluster.get("worker", [])) + len(cluster.get("chief", []))
        return (f"MultiWorkerMirroredStrategy over {workers} workers from TF_CONFIG "
                f"(this is {task.get('type', '?')} {task.get('index', '?')})")
    import tensorflow as tf

    gpus = len(tf.config.list_physical_devices("GPU"))
    return f"MirroredStrategy over {gpus} GPUs" if gpus > 1 else "default strategy (one device)"


@functools.lru_cache(maxsize=None)
def _multi_worker_class() -> type:
    import tensorflow as tf

    class MultiWorkerMirroredStrategy(tf.distribute.MultiWorkerMirroredStrategy):
        """`tf.distribute.MultiWorkerMirroredStrategy` that Keras 3's `fit` can drive.

        Keras 3 (up to at least 3.15) reduces the whole `(x, y)` batch in one
        `strategy.reduce` call and reduces scalar metrics with `axis=0`; with
        more than one worker the collective path accepts neither
        (keras-team/keras#20585). Reducing leaf by leaf, and scalars without
        an axis, gives the same values the single-worker path computes.
        """

        def reduce(self, reduce_op: Any, value: Any, axis: int | None) -> Any:
            def one(v: Any) -> Any:
                local = self.experimental_local_results(v)[0] if isinstance(v, tf.distribute.DistributedValues) else v
                rank = getattr(getattr(local, "shape", None), "rank", None)
                return super(MultiWorkerMirroredStrategy, self).reduce(
                    reduce_op, v, None if rank == 0 else axis)

            return tf.nest.map_structure(one, value)

    return MultiWorkerMirroredStrategy


def strategy(devices: Sequence[str] | None = None) -> Any:
    """A `tf.distribute` strategy for this machine (or cluster).

    * `TF_CONFIG` set: `MultiWorkerMirroredStrategy` over its workers (create
      it at program start, before any other TensorFlow work).
    * `devices` given: `MirroredStrategy` over exactly those devices.
    * more than one local GPU: `MirroredStrategy` over all of them.
    * otherwise: the default strategy (one device, no copies).

    Build *and* compile the model inside `with strategy.scope():`; `fit` can
    then be called anywhere. Batches are split across replicas, so
    `batch_size` is the global batch.

    Args:
        devices: Device names such as `["/gpu:0", "/gpu:1"]`.

    Raises:
        RuntimeError: The Keras backend is not TensorFlow.
        ValueError: Bad `devices` or `TF_CONFIG`.

    Example:
        >>> s = strategy()  # doctest: +SKIP
        >>> with s.scope():  # doctest: +SKIP
        ...     model = kerasdl.training.compile_for(kerasdl.models.deep_mlp((64,), 10))
    """
    if devices is not None:
        if isinstance(devices, str) or not isinstance(devices, Sequence) or not devices or \
                not all(isinstance(d, str) and d.strip() for d in devices):
            raise ValueError(f"devices must be a non-empty list of device names like ['/gpu:0', '/gpu:1']; "
                             f"got {devices!r}.")
    backend = _backend()
    if backend != "tensorflow":
        raise RuntimeError(f"strategy() builds tf.distribute strategies, which drive only the tensorflow backend; "
                           f"KERAS_BACKEND is {backend!r}. On jax use keras.distribution.DataParallel instead.")
    config = _tf_config()
    import tensorflow as tf

    if config is not None:
        if devices is not None:
            raise ValueError(f"devices={devices!r} cannot be combined with TF_CONFIG: each worker uses its "
                             "local GPUs (or its CPU).")
        try:
            return _multi_worker_class()()
        except RuntimeError as error:
            raise RuntimeError(f"{error}. Call kerasdl.device.strategy() at program start, before any other "
                               "TensorFlow work.") from error
    if devices is not None:
        return tf.distribute.MirroredStrategy(list(devices))
    if len(tf.config.list_physical_devices("GPU")) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()
