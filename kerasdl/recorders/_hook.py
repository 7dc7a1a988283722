"""Statistics of the gradients an optimizer applies, computed inside its `apply`.

Every Keras 3 backend's trainer hands the real gradients to
`optimizer.apply(grads, variables)` (TensorFlow through `apply_gradients`,
JAX through `stateless_apply`, PyTorch directly; `LossScaleOptimizer` calls
its inner optimizer's `apply` with unscaled gradients and skips it on
non-finite steps). `OptimizerHook` replaces `apply` *on the instance* (the
class is untouched, so the optimizer still serialises as itself) with a
version that writes one row of statistics per step into a ring buffer held
as an optimizer variable. Being an optimizer variable is what lets the
buffer travel through JAX's stateless train step; the host reads it at
epoch ends (or whenever it is about to fill), never every step.
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


def _sum_squares(x: Any) -> Any:
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        # One fused kernel instead of square + sum: op count is what costs in TF graphs.
        return 2.0 * tf.nn.l2_loss(x)
    return ops.sum(ops.square(x))


def stat_vector(stat: str, tensors: Sequence[Any], scale: Any = None) -> Any:
    """A float32 vector: `stat` of each tensor (a gradient, or a weight for "weight_l2").

    Built from keras.ops (plus TF's fused l2_loss), so it traces on every
    backend. `scale` divides the result (gradients still multiplied by a loss
    scale); a `None` gradient, i.e. one the loss does not reach, counts as 0.
    """
    values = []
    for t in tensors:
        if t is None:
            values.append(ops.zeros((), "float32"))
            continue
        t = _dense(t)
        if keras.backend.standardize_dtype(t.dtype) != "float32":
            t = ops.cast(t, "float32")
        if stat in ("l2", "weight_l2"):
            values.append(_sum_squares(t))
        elif stat == "max_abs":
            values.append(ops.max(ops.abs(t)))
        elif stat == "mean":
            values.append(ops.mean(t))
        elif stat == "std":
            values.append(ops.std(t))
        else:  # pragma: no cover - stats are validated by the recorder
            raise ValueError(f"unknown gradient statistic {stat!r}")
    vector = ops.stack(values)
    if stat in ("l2", "weight_l2"):
        vector = ops.sqrt(vector)
    if scale is not None and stat != "weight_l2":
        vector = vector / ops.abs(ops.cast(scale, "float32"))
    return vector


def _clipping_on(opt: Any) -> bool:
    return bool(opt.clipnorm or opt.global_clipnorm or opt.clipvalue)


class OptimizerHook:
    """Install/remove per-step gradient statistics on a compiled model's optimizer.

    Row layout: for each stat in `stats`, one value per column variable; then,
    if clipping is on, the post-clip L2 norm per column variable.
    """

    def __init__(self, model: Any, columns: Sequence[Any], stats: Sequence[str], every: int,
                 capacity: int, token: Any = None) -> None:
        self.model = model
        self.token = token  # identifies the fit() call that installed the hook
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
        self.calls: Any = None
        # Per thread: MirroredStrategy traces each replica's step in its own thread.
        self._local = threading.local()
        self._patched: list[tuple[Any, str]] = []

    @property
    def stat_names(self) -> list[str]:
        return list(self.stats) + (["l2_clipped"] if self.clipped else [])

    # ---- install / uninstall -----------------------------------------------------------------

    def install(self) -> None:
        remove_stale_hook(self.model, self.token)
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
            self.calls = None
            if opt is not target:
                # Loss scaling may skip the inner update; count the train steps it was asked for.
                self.calls = opt.add_variable((), initializer="zeros", dtype="int32",
                                              aggregation="only_first_replica", name="kerasdl_train_steps")
        self.own = tuple(v for v in (self.buffer, self.step_buffer, self.calls) if v is not None)
        self.index = {id(v): target._get_variable_index(v) for v in self.columns}
        self._patch(target, "apply", _recording_apply)
        if self.calls is not None:
            self._patch(opt, "apply", _counting_apply)
            self._patch(opt, "stateless_apply", _counting_stateless_apply)
        if self.clipped:
            self._patch(target, "_backend_apply_gradients", _recording_backend_apply)
            self._patch(target, "_clip_gradients", _recording_clip)
        for holder in {id(opt): opt, id(target): target}.values():
            # Checkpoints written mid-training must look like the plain optimizer's.
            self._patch(holder, "save_own_variables", _save_without_hook)
            self._patch(holder, "load_own_variables", _load_without_hook)
        # Straight into __dict__: Keras' attribute tracking has no business with the hook.
        self.model.__dict__[_MARK] = self
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
        for holder, var in ((self.target, self.buffer), (self.target, self.step_buffer),
                            (self.outer, self.calls)):
            if var is not None and any(v is var for v in holder._variables):
                holder._untrack_variable(var)
        if self.model.__dict__.get(_MARK) is self:
            del self.model.__dict__[_MARK]
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
            parts = [
                stat_vector(stat, weights) if stat == "weight_l2" else stat_vector(stat, reduced, scale)
                for stat in self.stats
            ]
            if self.clipped:
                post = _all_reduce(clipped) if clipped is not None else reduced
                parts.append(stat_vector("l2", post))
            return parts[0] if len(parts) == 1 else ops.concatenate(parts)

        slot = step if self.every == 1 else ops.floor_divide(step, self.every)
        slot = ops.mod(slot, self.capacity)
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

    def read(self) -> tuple[np.ndarray, np.ndarray, int, int | None]:
        """(steps, rows, iterations, train-step calls) as numpy, without a full JAX state sync."""
        wanted = [self.step_buffer, self.buffer, self.target._iterations]
        values = _read_values(self.model, wanted + ([self.calls] if self.calls is not None else []))
        calls = int(values[3]) if self.calls is not None else None
        return values[0].astype(np.int64), values[1].astype(np.float32), int(values[2]), calls


def _read_values(model: Any, variables: Sequence[Any]) -> list[np.ndarray]:
    state = getattr(model, "_jax_state", None) if keras.backend.backend() == "jax" else None
    opt_vars = model.optimizer.variables
    live = state.get("optimizer_variables") if state else None
    # Only trust the state while it still lines up with the optimizer's variable list.
    if live is not None and len(live) == len(opt_vars):
        # Mid-epoch, JAX keeps the live values in the trainer's state, not in the variables;
        # Callback.model would copy the whole state back, so pick just these arrays.
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


def remove_stale_hook(model: Any, token: Any = None) -> None:
    """Take off a hook a crashed `fit` left behind (its on_train_end never ran).

    A hook installed by the same `fit` call (same `token`) is not stale: it
    belongs to another recorder of this fit, which is refused.
    """
    hook = model.__dict__.get(_MARK)
    if hook is None:
        return
    if token is not None and hook.token is token:
        raise ValueError(
            "only one GradientRecorder(mode='applied') can run in one fit() call; record several "
            "statistics with one recorder (stats=(...)) instead."
        )
    hook.uninstall()


# ---- methods bound onto the optimizer instance -----------------------------------------------


def _recording_apply(self: Any, grads: Any, trainable_variables: Any = None) -> Any:
    hook = self.__dict__[_MARK]
    grads = list(grads)
    variables = list(trainable_variables) if trainable_variables is not None else self._trainable_variables
    # Read the counter before the update increments it, so row s is update s (counting from 0).
    # The cast forces the read here; TF would otherwise read the variable lazily, after the update.
    step = ops.cast(self._iterations, "int32")
    weights = hook.weights_before()
    result = type(self).apply(self, grads, trainable_variables)
    if grads:
        hook.record(self, grads, variables, step, weights)
    return result


def _counting_apply(self: Any, grads: Any, trainable_variables: Any = None) -> Any:
    hook = self.__dict__[_MARK]
    hook.calls.assign_add(ops.ones((), "int32"))
    return type(self).apply(self, grads, trainable_variables)


def _counting_stateless_apply(self: Any, optimizer_variables: Any, grads: Any, trainable_variables: Any) -> Any:
    # JAX's trainer calls stateless_apply, not apply: bump the counter in the returned state.
    hook = self.__dict__[_MARK]
    new_trainable, new_optimizer = type(self).stateless_apply(self, optimizer_variables, grads, trainable_variables)
    pos = next(i for i, v in enumerate(self.variables) if v is hook.calls)
    new_optimizer = list(new_optimizer)
    new_optimizer[pos] = optimizer_variables[pos] + 1
    return new_trainable, new_optimizer


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
