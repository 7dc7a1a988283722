"""`GradientRecorder`: the per-layer gradients the optimizer applies, every step.

Example:
    >>> import numpy as np, keras
    >>> from kerasdl.recorders import GradientRecorder
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="hidden_1"),
    ...                           keras.layers.Dense(1, name="output")])
    >>> model.compile("sgd", "mse")
    >>> rec = GradientRecorder()
    >>> _ = model.fit(np.ones((8, 4)), np.ones((8, 1)), batch_size=4, epochs=1, verbose=0,
    ...               callbacks=[rec])
    >>> rec.history.steps.tolist(), rec.history.layers
    ([0, 1], ['hidden_1', 'output'])
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np

from kerasdl.recorders import _keras_private as kp
from kerasdl.recorders._hook import (GRADIENT_STATS, OptimizerHook, attach_hook, optimizer_iterations,
                                     records_clipped)
from kerasdl.recorders._stats import row_width
from kerasdl.recorders.history import GradientHistory
from kerasdl.recorders.progress import Progress as _Progress
from kerasdl.validation import check_choice, check_positive_int

MODES = ("applied", "probe")
_UNKNOWN_EPOCH_ROWS = 4096  # buffer rows when Keras does not know the epoch's length
_MAX_BUFFER_FLOATS = 2**24  # 64 MiB of float32 at most


class NonFiniteGradientWarning(RuntimeWarning):
    """A recorded gradient statistic was NaN or infinite."""


class SkippedStepWarning(RuntimeWarning):
    """Loss scaling skipped optimizer updates (non-finite gradients), so nothing was recorded for them."""


def check_layers(name: str, value: Any) -> tuple[str, ...] | None:
    """Validate a `layers=` argument: None or a sequence of layer names.

    Example:
        >>> check_layers("layers", ["hidden_1", "output"])
        ('hidden_1', 'output')
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, (list, tuple)) or not value or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{name} must be None or a non-empty list of layer names; got {value!r}.")
    return tuple(value)


def variable_columns(model: Any, layers: Sequence[str] | None, allowed: Sequence[Any]) -> list[tuple[str, str, Any]]:
    """`(layer, variable_name, variable)` for each trainable variable, grouped by top-level layer.

    Example:
        >>> m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="out")])
        >>> [c[:2] for c in variable_columns(m, None, m.trainable_variables)]
        [('out', 'kernel'), ('out', 'bias')]
    """
    allowed_ids = {id(v) for v in allowed}
    names = [layer.name for layer in model.layers]
    if layers is not None:
        unknown = [n for n in layers if n not in names]
        if unknown:
            raise ValueError(f"layers={list(layers)!r} names layers the model lacks: {unknown}; it has {names}.")
    seen: set[int] = set()
    columns = []
    for layer in model.layers:
        if layers is not None and layer.name not in layers:
            continue
        for var in layer.trainable_weights:
            if id(var) in seen or id(var) not in allowed_ids:
                continue
            seen.add(id(var))
            path = getattr(var, "path", var.name)
            short = path[len(layer.name) + 1:] if path.startswith(layer.name + "/") else var.name
            columns.append((layer.name, short, var))
    if not columns:
        raise ValueError(f"no trainable variables to record in layers={list(layers) if layers else names}.")
    return columns


class GradientRecorder(keras.callbacks.Callback):
    """Record per-layer statistics of the gradients the optimizer applies.

    Pass it to `fit` and nothing else changes: on `on_train_begin` it puts a
    recording `apply` on the compiled optimizer (the point every backend's
    train step passes the real gradients through) so that each step writes
    one row of statistics into an optimizer variable, read back at each epoch
    end. After training, `rec.history` (a `GradientHistory`) holds one value
    per layer variable (kernel and bias apart) per recorded step.

    Installing that hook means tracing the train step again, so it is done
    once per (model, optimizer, stats, every): after `fit` the hook stays on
    the optimizer, detached (the optimizer's variables, saving and loading
    are as without it), and the next recorder asking for the same thing
    reuses the traced step. `kerasdl.recorders._hook.remove_hook(model)`
    takes it off.

    What is recorded:
        * The gradients handed to `optimizer.apply`: all-reduced over
          replicas under `tf.distribute`, unscaled under mixed precision,
          before clipping ("l2") and after it ("l2_clipped", when `clipnorm`,
          `global_clipnorm` or `clipvalue` is set). Under `tf.distribute`
          Keras 3 clips each replica's share of the gradient before the
          replicas are summed, so "l2_clipped" is the sum of clipped shares,
          which can exceed `clipnorm`: clipping there is not the same as on
          one device.
        * With `gradient_accumulation_steps=k` the optimizer's `apply` sees
          every micro-batch, so rows are micro-batch gradients, numbered by
          micro-step; "l2_clipped" is not recorded then.
        * Mixed-precision steps skipped for non-finite gradients get no row;
          they are counted in `history.skipped_steps` and warned about.
        * Non-finite values are stored as they are, listed in
          `history.nonfinite` and reported with a `NonFiniteGradientWarning`
          naming the layer and step.
        * The step number is the optimizer's update counter: row `s` is the
          gradient at the weights after `s` updates. Several `fit` calls
          append to the same history.

    Backends: TensorFlow, JAX and PyTorch record the same quantities (the
    tests compare each against `tf.GradientTape`, `jax.grad` and
    `torch.autograd.grad` on the same batch). On PyTorch, Keras runs one
    batch per train step: `compile(steps_per_execution=k)` with `k > 1` is
    refused by Keras's PyTorch trainer with a ValueError when `fit` starts,
    with or without a recorder. `jit_compile=True` there means
    `torch.compile`, which the recorder supports (its first step compiles
    for tens of seconds on a CPU).

    `mode="probe"` instead computes, every `every` steps, the gradient of the
    loss on the fixed batch `data` at the current weights, in inference mode.
    That is a different quantity (one fixed batch, no dropout, BatchNorm in
    inference mode, no loss scaling or clipping), kept for comparison with
    the common GradientTape-in-a-callback recipe.

    Args:
        every: Record every `every`-th optimizer step (1 = all of them).
        stats: Statistics among "l2" (default), "max_abs", "mean", "std" and
            "weight_l2" (norm of the weights before the step). Each extra one
            costs time; "l2" alone is the cheap default.
        layers: Names of the layers to record; `None` records all layers
            with trainable variables.
        mode: "applied" (default) or "probe".
        data: `(x, y)` probe batch, required for and only used by `mode="probe"`.
        path: Optional `.npz`/`.json` file. An existing file is loaded and
            appended to; the history is saved there (atomically) at each
            epoch end and at the end of training.
        capacity: Rows held on the device between reads. `None` (default)
            sizes the buffer to one epoch and reads it only at epoch ends,
            so the recorder needs no per-batch callback and Keras keeps
            dispatching callbacks asynchronously (JAX, PyTorch). An integer
            reads the buffer whenever it is about to fill, from a per-batch
            callback (use it when epochs are huge or of unknown length).

    Example:
        >>> rec = GradientRecorder(every=10, stats=("l2", "max_abs"))
        >>> rec.every, rec.stats
        (10, ('l2', 'max_abs'))
    """

    def __init__(
        self,
        every: int = 1,
        stats: Sequence[str] = ("l2",),
        layers: Sequence[str] | None = None,
        mode: str = "applied",
        data: tuple[Any, Any] | None = None,
        path: str | os.PathLike | None = None,
        capacity: int | None = None,
    ) -> None:
        super().__init__()
        self.every = check_positive_int("every", every)
        if isinstance(stats, str):
            stats = (stats,)
        if not isinstance(stats, (list, tuple)) or not stats:
            raise TypeError(f"stats must be a non-empty tuple of names from {list(GRADIENT_STATS)}; got {stats!r}.")
        self.stats = tuple(dict.fromkeys(check_choice("stats", s, GRADIENT_STATS) for s in stats))
        self.layers = check_layers("layers", layers)
        self.mode = check_choice("mode", mode, MODES)
        if self.mode == "probe":
            if not (isinstance(data, (tuple, list)) and len(data) == 2):
                raise ValueError(f"mode='probe' needs data=(x, y), a fixed batch; got data={data!r}.")
        elif data is not None:
            raise ValueError("data is only used by mode='probe'; leave it None for mode='applied'.")
        self.data = tuple(data) if data is not None else None
        if path is not None and Path(path).suffix.lower() not in (".npz", ".json"):
            raise ValueError(f"path must end in .npz or .json; got {str(path)!r}.")
        self.path = Path(path) if path is not None else None
        self.capacity = None if capacity is None else check_positive_int("capacity", capacity)
        if self.capacity is not None and self.capacity < 4:
            raise ValueError(f"capacity must be None or >= 4; got {capacity}.")
        if self.mode == "applied" and self.capacity is None:
            # Without a per-batch hook, Keras may dispatch callbacks asynchronously (JAX, PyTorch):
            # shadow the method with the base class's no-op, which Keras recognises as a default.
            self.on_train_batch_end = super().on_train_batch_end
        self.history = GradientHistory()
        # Set up for each fit by on_train_begin (declared here, as Keras's callbacks do).
        self._hook: OptimizerHook | None = None
        self._probe: Any = None
        self._columns: list[Any] = []
        self._spe = 1
        self._progress = _Progress()

    # ---- lifecycle ---------------------------------------------------------------------------

    def on_train_begin(self, logs: dict | None = None) -> None:
        model = kp.callback_model(self)  # not self.model: on JAX that property syncs the whole state
        optimizer = getattr(model, "optimizer", None)
        if optimizer is None or isinstance(optimizer, str):
            raise ValueError("GradientRecorder needs a compiled model (model.compile(...)) before fit().")
        target = getattr(optimizer, "inner_optimizer", None) or optimizer
        if not target.built:
            optimizer.build(model.trainable_variables)
        cols = variable_columns(model, self.layers, kp.trainable_variables(target))
        self._columns = [v for _, _, v in cols]
        names = [(layer, var) for layer, var, _ in cols]
        if self.path is not None and not len(self.history) and self.path.exists():
            self.history = GradientHistory.load(self.path)
        if self.history.columns and self.history.columns != names:
            raise ValueError(
                "this GradientRecorder already holds a history for other layers "
                f"({self.history.layers}); use a new recorder (or another path) for this model."
            )
        self.history.columns = names
        self._spe = int(getattr(model, "steps_per_execution", 1) or 1)
        self._hook, self._probe = None, None
        if self.mode == "applied":
            capacity = self._capacity(optimizer, len(cols))
            self._hook = attach_hook(model, self._columns, self.stats, self.every, capacity, token=self.params)
            stat_names = self._hook.stat_names
        else:
            from kerasdl.recorders.probe import make_probe

            self._probe = make_probe(model, self.data, self._columns, self.stats)
            stat_names = list(self.stats)
        self.history.meta.update(self._meta(model, target, stat_names))
        self._progress = _Progress(last_step=self._iterations() - 1)
        if self._hook is not None and self._hook.calls is not None:
            self._progress.calls = self._hook.read()[3]
        if self.mode == "probe":
            self._record_probe(self._progress.last_step + 1)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._progress.last_batch = -1

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        progress = self._progress
        done = progress.advance(batch)
        if self.mode == "probe":
            if progress.batches // self.every > (progress.batches - done) // self.every:
                self._record_probe(self._iterations())
            return
        # Read before the ring buffer could wrap during the next execution.
        if math.ceil((progress.pending + self._spe) / self.every) + 1 >= self._hook.capacity:
            self._flush()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.mode == "applied":
            self._flush()
        self._save()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._hook is not None:
            self._flush()
            # Detached, not removed: the next recorder like this one reuses the traced step.
            self._hook.detach()
            self._hook = None
        self._save()

    # ---- internals ---------------------------------------------------------------------------

    def _capacity(self, optimizer: Any, columns: int) -> int:
        if self.capacity is not None:
            return max(self.capacity, 2 * math.ceil(self._spe / self.every) + 2)
        steps = (self.params or {}).get("steps")
        rows = math.ceil(steps / self.every) + 2 if steps else _UNKNOWN_EPOCH_ROWS
        width = row_width(columns, len(self.stats), records_clipped(optimizer))
        return max(4, min(rows, _MAX_BUFFER_FLOATS // width))

    def _iterations(self) -> int:
        return optimizer_iterations(kp.callback_model(self))

    def _meta(self, model: Any, target: Any, stat_names: list[str]) -> dict[str, Any]:
        replicas = 1
        if keras.backend.backend() == "tensorflow":
            replicas = int(getattr(getattr(model, "distribute_strategy", None), "num_replicas_in_sync", 1))
        return {
            "recorder": "GradientRecorder",
            "mode": self.mode,
            "every": self.every,
            "stats": stat_names,
            "backend": keras.backend.backend(),
            "replicas": replicas,
            "loss_scaling": hasattr(model.optimizer, "inner_optimizer"),
            "gradient_accumulation_steps": target.gradient_accumulation_steps,
            "clipping": {k: getattr(target, k) for k in ("clipnorm", "global_clipnorm", "clipvalue")},
            "what": (
                "gradient of the loss on a fixed probe batch, inference mode"
                if self.mode == "probe" else
                "gradients applied by the optimizer (micro-batch gradients with gradient accumulation)"
            ),
        }

    def _record_probe(self, step: int) -> None:
        if len(self.history) and int(self.history.steps[-1]) == step:
            return  # already measured at these weights (end of the previous fit)
        row = self._probe()
        n = len(self._columns)
        rows = {stat: row[i * n:(i + 1) * n][None, :] for i, stat in enumerate(self.stats)}
        self._add([step], rows)

    def _flush(self) -> None:
        hook = self._hook
        if hook is None:
            return
        progress = self._progress
        steps, buf, iterations, calls = hook.read()
        keep = np.flatnonzero(steps > progress.last_step)
        keep = keep[np.argsort(steps[keep], kind="stable")]
        first = -(-(progress.last_step + 1) // self.every) * self.every
        expected_rows = len(range(first, iterations, self.every))
        if len(keep) < expected_rows:
            warnings.warn(
                f"GradientRecorder kept only the last {len(keep)} of {expected_rows} rows since its previous read: "
                "the device buffer is too small for this epoch; pass capacity= (e.g. 256) to read it more often.",
                RuntimeWarning, stacklevel=2)
        if calls is not None:
            asked, applied = calls - progress.calls, iterations - (progress.last_step + 1)
            progress.calls = calls
            if asked > applied:
                skipped = asked - applied
                self.history.events.append({"type": "skipped", "count": int(skipped),
                                            "after_step": int(progress.last_step), "before_step": int(iterations)})
                warnings.warn(
                    f"{skipped} of the last {asked} training steps were skipped by loss scaling "
                    f"(non-finite gradients) before optimizer step {iterations}; nothing was recorded for them.",
                    SkippedStepWarning, stacklevel=2)
        progress.pending = 0
        progress.last_step = iterations - 1
        if keep.size:
            n = len(hook.columns)
            rows = {stat: buf[keep, i * n:(i + 1) * n] for i, stat in enumerate(hook.stat_names)}
            self._add(steps[keep], rows)

    def _add(self, steps: Any, rows: dict[str, np.ndarray]) -> None:
        steps = np.asarray(steps, np.int64)
        self.history.append(steps, rows)
        problems = []
        for stat, block in rows.items():
            bad_rows, bad_cols = np.nonzero(~np.isfinite(block))
            for col in np.unique(bad_cols):
                hit = bad_rows[bad_cols == col]
                layer, var = self.history.columns[col]
                value = float(block[hit[0], col])
                event = {"type": "nonfinite", "layer": layer, "variable": var, "stat": stat,
                         "step": int(steps[hit[0]]), "count": int(hit.size), "value": str(value)}
                self.history.events.append(event)
                problems.append(event)
        if problems:
            first = problems[0]
            more = f" ({len(problems) - 1} more layer variables affected)" if len(problems) > 1 else ""
            warnings.warn(
                f"non-finite gradient in layer {first['layer']!r} ({first['variable']} {first['stat']}="
                f"{first['value']}) at step {first['step']}, {first['count']} recorded step(s){more}.",
                NonFiniteGradientWarning, stacklevel=2)

    def _save(self) -> None:
        if self.path is not None and len(self.history):
            self.history.save(self.path)
