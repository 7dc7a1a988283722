"""Statistics of the gradients an optimizer applies, computed inside its `apply`.

Every Keras 3 backend's trainer hands the real gradients to
`optimizer.apply(grads, variables)` (TensorFlow through `apply_gradients`,
JAX through `stateless_apply`, PyTorch directly; `LossScaleOptimizer` calls
its inner optimizer's `apply` with unscaled gradients and skips it on
non-finite steps). `OptimizerHook` replaces `apply` *on the instance* (the
class is untouched, so the optimizer still serialises as itself) with a
version that writes one row of statistics per step into a ring buffer held
as an optimizer variable. Being an optimizer variable is what lets the
buffer travel through JAX's stateless train step; the host reads it only
every few hundred steps.
"""

from __future__ import annotations

import threading
import types
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
from keras import ops

GRADIENT_STATS = ("l2", "max_abs", "mean", "std", "weight_l2")
_MARK = "_kerasdl_gradient_hook"


def _dense(grad: Any) -> Any:
    # TF hands embedding gradients over as IndexedSlices; norms need them dense.
    if type(grad).__name__ == "IndexedSlices":
        import tensorflow as tf

        return tf.convert_to_tensor(grad)
    return grad


def _all_reduce(grads: list[Any]) -> list[Any]:
    """Sum per-replica gradients under tf.distribute (each replica's is already 1/N of the batch)."""
    if keras.backend.backend() != "tensorflow":
        return grads
    import tensorflow as tf

    ctx = tf.distribute.get_replica_context()
    if ctx is None or ctx.num_replicas_in_sync <= 1:
        return grads
    present = [i for i, g in enumerate(grads) if g is not None]
    if not present:
        return grads
    reduced = ctx.all_reduce(tf.distribute.ReduceOp.SUM, [grads[i] for i in present])
    out = list(grads)
    for i, g in zip(present, reduced):
        out[i] = g
    return out


def stat_values(stat: str, grads: Sequence[Any], variables: Sequence[Any], scale: Any = None) -> list[Any]:
    """One float32 scalar per gradient for `stat` (keras.ops, traceable on every backend)."""
    out = []
    for grad, var in zip(grads, variables):
        if stat == "weight_l2":
            w = ops.cast(var, "float32")
            out.append(ops.sqrt(ops.sum(ops.square(w))))
            continue
        if grad is None:
            # A variable the loss does not reach has an exactly zero gradient.
            out.append(ops.zeros((), "float32"))
            continue
        g = ops.cast(_dense(grad), "float32")
        if scale is not None:
            g = g / ops.cast(scale, "float32")
        if stat == "l2":
            out.append(ops.sqrt(ops.sum(ops.square(g))))
        elif stat == "max_abs":
            out.append(ops.max(ops.abs(g)))
        elif stat == "mean":
            out.append(ops.mean(g))
        elif stat == "std":
            out.append(ops.std(g))
        else:  # pragma: no cover - stats are validated by the recorder
            raise ValueError(f"unknown gradient statistic {stat!r}")
    return out


def _clipping_on(opt: Any) -> bool:
    return bool(opt.clipnorm or opt.global_clipnorm or opt.clipvalue)


class OptimizerHook:
    """Install/remove per-step gradient statistics on a compiled model's optimizer.

    Row layout: for each stat in `stats`, one value per column variable; then,
    if clipping is on, the post-clip L2 norm per column variable.
    """

    def __init__(self, model: Any, columns: Sequence[Any], stats: Sequence[str], every: int,
                 capacity: int) -> None:
        self.model = model
        self.outer = model.optimizer
        # LossScaleOptimizer unscales and skips non-finite steps before calling its inner optimizer.
        self.target = getattr(self.outer, "inner_optimizer", None) or self.outer
        self.columns = list(columns)  # keras Variables, in history column order
        self.stats = tuple(stats)
        self.every = int(every)
        self.capacity = int(capacity)
        self.accumulating = bool(self.target.gradient_accumulation_steps)
        self.clipped = _clipping_on(self.target) and not self.accumulating
        self.width = len(self.columns) * (len(self.stats) + int(self.clipped))
        self.buffer: Any = None
        self.step_buffer: Any = None
        # Per thread: MirroredStrategy traces each replica's step in its own thread.
        self._local = threading.local()
        self._patched: list[tuple[Any, str]] = []

    @property
    def stat_names(self) -> list[str]:
        return list(self.stats) + (["l2_clipped"] if self.clipped else [])

    # ---- install / uninstall -----------------------------------------------------------------

    def install(self) -> None:
        remove_stale_hook(self.model)
        opt, target = self.outer, self.target
        with _strategy_scope(self.model):
            if not opt.built:
                opt.build(self.model.trainable_variables)
            # "only_first_replica": under tf.distribute each replica computes the same
            # (all-reduced) row, and the first replica's write is the one kept.
            self.buffer = target.add_variable(
                (self.capacity, self.width), initializer="zeros", dtype="float32",
                aggregation="only_first_replica", name="kerasdl_gradient_stats")
            self.step_buffer = target.add_variable(
                (self.capacity,), initializer=keras.initializers.Constant(-1), dtype="int32",
                aggregation="only_first_replica", name="kerasdl_gradient_steps")
        self.own = (self.buffer, self.step_buffer)
        self.index = {id(v): target._get_variable_index(v) for v in self.columns}
        self._patch(target, "apply", _recording_apply)
        if self.clipped:
            self._patch(target, "_backend_apply_gradients", _recording_backend_apply)
            self._patch(target, "_clip_gradients", _recording_clip)
        for holder in {id(opt): opt, id(target): target}.values():
            # Checkpoints written mid-training must look like the plain optimizer's.
            self._patch(holder, "save_own_variables", _save_without_hook)
            self._patch(holder, "load_own_variables", _load_without_hook)
        setattr(self.model, _MARK, self)
        self._reset_train_function()

    def _patch(self, obj: Any, name: str, func: Any) -> None:
        obj.__dict__[name] = types.MethodType(func, obj)
        obj.__dict__.setdefault(_MARK, self)
        self._patched.append((obj, name))

    def uninstall(self) -> None:
        for obj, name in self._patched:
            obj.__dict__.pop(name, None)
            obj.__dict__.pop(_MARK, None)
        self._patched = []
        for var in (self.buffer, self.step_buffer):
            if var is not None and any(v is var for v in self.target._variables):
                self.target._untrack_variable(var)
        if getattr(self.model, _MARK, None) is self:
            delattr(self.model, _MARK)
        self._reset_train_function()

    def _reset_train_function(self) -> None:
        # The compiled train step captured the previous `apply`; make fit() trace a new one.
        self.model.train_function = None
        self.model.make_train_function(force=True)

    # ---- in-graph recording ------------------------------------------------------------------

    def weights_before(self) -> list[Any] | None:
        # Weight norms describe the weights the gradient was computed at, before the update.
        # The cast reads the value here; TF would otherwise read the variable after the update.
        return [ops.cast(v, "float32") for v in self.columns] if "weight_l2" in self.stats else None

    def record(self, target: Any, grads: Sequence[Any], variables: Sequence[Any], step: Any,
               weights: Sequence[Any] | None = None) -> None:
        by_index = {target._get_variable_index(v): g for g, v in zip(grads, variables)}
        col_grads = [by_index.get(self.index[id(v)]) for v in self.columns]
        clipped = self._stash.pop("clipped", None)
        scale = target.loss_scale_factor

        def row() -> Any:
            reduced = _all_reduce(col_grads)
            values = []
            for stat in self.stats:
                if stat == "weight_l2":
                    values += stat_values(stat, reduced, weights)
                else:
                    values += stat_values(stat, reduced, self.columns, scale)
            if self.clipped:
                post = _all_reduce(clipped) if clipped is not None else reduced
                values += stat_values("l2", post, self.columns)
            return ops.stack(values)

        step = ops.cast(step, "int32")
        slot = ops.mod(ops.floor_divide(step, self.every), self.capacity)
        buf, steps_buf = self.buffer.value, self.step_buffer.value

        def write() -> tuple[Any, Any]:
            new_buf = ops.slice_update(buf, (slot, 0), ops.reshape(row(), (1, self.width)))
            new_steps = ops.slice_update(steps_buf, (slot,), ops.reshape(step, (1,)))
            return new_buf, new_steps

        if self.every == 1:
            new_buf, new_steps = write()
        else:
            # Values, not assignments, leave the cond: JAX's stateless scope forbids the latter.
            new_buf, new_steps = ops.cond(ops.equal(ops.mod(step, self.every), 0), write,
                                          lambda: (buf, steps_buf))
        self.buffer.assign(new_buf)
        self.step_buffer.assign(new_steps)

    @property
    def _stash(self) -> dict[str, Any]:
        if not hasattr(self._local, "stash"):
            self._local.stash = {}
        return self._local.stash

    def stash_clipped(self, grads: Sequence[Any]) -> None:
        variables = self._stash.pop("variables", None)
        if variables is None:
            return
        by_key = {self.target._get_variable_index(v): g for g, v in zip(grads, variables)}
        self._stash["clipped"] = [by_key.get(self.index[id(v)]) for v in self.columns]

    # ---- host side ---------------------------------------------------------------------------

    def read(self) -> tuple[np.ndarray, np.ndarray, int]:
        """(steps, rows, iterations) as numpy, without a full JAX state sync."""
        values = _read_values(self.model, [self.step_buffer, self.buffer, self.target._iterations])
        steps, rows, iterations = values
        return steps.astype(np.int64), rows.astype(np.float32), int(iterations)


def _read_values(model: Any, variables: Sequence[Any]) -> list[np.ndarray]:
    state = getattr(model, "_jax_state", None) if keras.backend.backend() == "jax" else None
    if state and state.get("optimizer_variables") is not None:
        # Mid-epoch, JAX keeps the live values in the trainer's state, not in the variables;
        # Callback.model would copy the whole state back, so pick just these arrays.
        opt_vars = model.optimizer.variables
        out = []
        for var in variables:
            pos = next(i for i, v in enumerate(opt_vars) if v is var)
            out.append(np.asarray(state["optimizer_variables"][pos]))
        return out
    return [np.asarray(v.numpy()) for v in variables]


def optimizer_iterations(model: Any) -> int:
    """The optimizer's raw update counter (micro-steps under gradient accumulation)."""
    opt = getattr(model, "optimizer", None)
    if opt is None or isinstance(opt, str):
        return 0
    target = getattr(opt, "inner_optimizer", None) or opt
    return int(_read_values(model, [target._iterations])[0])


def _strategy_scope(model: Any) -> Any:
    strategy = getattr(model, "distribute_strategy", None)
    if strategy is not None and keras.backend.backend() == "tensorflow":
        return strategy.scope()
    import contextlib

    return contextlib.nullcontext()


def remove_stale_hook(model: Any) -> None:
    """Take off a hook a crashed `fit` left behind (on_train_end never ran)."""
    stale = getattr(model, _MARK, None)
    if stale is not None:
        stale.uninstall()


# ---- methods bound onto the optimizer instance -----------------------------------------------


def _recording_apply(self: Any, grads: Any, trainable_variables: Any = None) -> Any:
    hook = self.__dict__[_MARK]
    grads = list(grads)
    variables = list(trainable_variables) if trainable_variables is not None else self._trainable_variables
    # Read the counter before the update increments it: the row is labelled with the step it ends.
    # A cast forces the read now (TF hands out the variable itself, read lazily later).
    step = ops.cast(self._iterations, "int32")
    weights = hook.weights_before()
    result = type(self).apply(self, grads, trainable_variables)
    if grads:
        hook.record(self, grads, variables, step, weights)
    return result


def _recording_backend_apply(self: Any, grads: Any, trainable_variables: Any) -> Any:
    self.__dict__[_MARK]._stash["variables"] = list(trainable_variables)
    return type(self)._backend_apply_gradients(self, grads, trainable_variables)


def _recording_clip(self: Any, grads: Any) -> Any:
    clipped = type(self)._clip_gradients(self, grads)
    self.__dict__[_MARK].stash_clipped(clipped)
    return clipped


def _save_without_hook(self: Any, store: Any) -> None:
    own = self.__dict__[_MARK].own
    kept = [v for v in self.variables if not any(v is o for o in own)]
    for i, variable in enumerate(kept):
        store[str(i)] = variable.numpy()


def _load_without_hook(self: Any, store: Any) -> None:
    own = self.__dict__[_MARK].own
    kept = [v for v in self.variables if not any(v is o for o in own)]
    if len(store.keys()) != len(kept):
        return type(self).load_own_variables(self, store)
    for i, variable in enumerate(kept):
        variable.assign(store[str(i)])
    return None
