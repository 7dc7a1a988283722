"""Statistics of the gradients an optimizer applies, computed inside its `apply`.

Every Keras 3 backend's trainer hands the real gradients to
`optimizer.apply(grads, variables)` (TensorFlow through `apply_gradients`,
JAX through `stateless_apply`, PyTorch directly; `LossScaleOptimizer` calls
its inner optimizer's `apply` with unscaled gradients and skips it on
non-finite steps). `OptimizerHook` puts a recording `apply` on the optimizer
*instance* (see `_patch` for why not a wrapper) that writes one row of
statistics per step into a ring buffer held as an optimizer variable. Being
an optimizer variable is what lets the buffer travel through JAX's stateless
train step; the host reads it at epoch ends (or whenever it is about to
fill), never every step.

Three parts, each in its own place:

* mechanism: `InstancePatch` (`_patch.py`) puts functions on one object and
  takes them off; this module decides which functions on which optimizer;
* statistics: the `STATISTICS` table (`_stats.py`);
* policy (what to record, when to read): `GradientRecorder` (`gradients.py`).

Life of a hook (why it outlives one `fit`): installing one means the train
function must be traced again, which costs far more than a short `fit`
(tenths of a second on a small CNN). So a hook, once installed, stays on the
optimizer between `fit` calls, *detached*: its buffers are taken out of
`optimizer.variables` (the optimizer saves, loads and counts its variables
like a plain one), and the recording `apply` records nothing while detached,
so a later trace without a recorder is a plain step. The next recorder that
asks for the same thing (same model, optimizer instance, columns, stats,
`every`, clipping, and a buffer at least as long) attaches it again and the
train function Keras already traced is reused. Anything else (a new
optimizer after `compile`, other stats...) uninstalls it and installs a new
one. `remove_hook(model)` takes it off for good.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
from keras import ops

from kerasdl.recorders import _keras_private as kp
from kerasdl.recorders._patch import InstancePatch
from kerasdl.recorders._stats import GRADIENT_STATS, STATISTICS, row_width, stat_vector

__all__ = ["GRADIENT_STATS", "OptimizerHook", "attach_hook", "optimizer_iterations", "records_clipped",
           "remove_hook", "stat_vector"]

_MARK = "_kerasdl_gradient_hook"  # key in model.__dict__ of the hook installed on its optimizer


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


def _value_now(variable: Any, dtype: str) -> Any:
    """The value `variable` holds now, as `dtype`, unaffected by later updates of the variable.

    On TensorFlow the cast forces the read here (a variable read inside a graph may otherwise
    happen lazily, after the update). On PyTorch a cast to the same dtype returns the variable's
    own tensor, which the optimizer then updates in place, so the value is cloned.
    """
    value = ops.cast(variable, dtype)
    if keras.backend.backend() == "torch":
        value = value.clone()
    return value


def records_clipped(optimizer: Any) -> bool:
    """Whether a hook on `optimizer` adds the post-clip L2 norm ("l2_clipped") to each row.

    Not under gradient accumulation: there the optimizer clips the accumulated sum, not the
    micro-batch gradients the rows hold.
    """
    target = _target(optimizer)
    clipping = bool(target.clipnorm or target.global_clipnorm or target.clipvalue)
    return clipping and not target.gradient_accumulation_steps


def _target(optimizer: Any) -> Any:
    # LossScaleOptimizer unscales and skips non-finite steps before calling its inner optimizer.
    return getattr(optimizer, "inner_optimizer", None) or optimizer


class OptimizerHook:
    """Per-step gradient statistics on a compiled model's optimizer.

    Row layout (`_stats.row_width`): for each stat in `stats`, one value per
    column variable; then, if clipping is on, the post-clip L2 norm per
    column variable. States: not installed -> `install()` -> attached
    (recording) <-> detached (`detach()` / `attach()`) -> `uninstall()`.
    """

    def __init__(self, model: Any, columns: Sequence[Any], stats: Sequence[str], every: int,
                 capacity: int) -> None:
        self.model = model
        self.outer = model.optimizer
        self.target = _target(self.outer)
        self.columns = list(columns)  # keras Variables, in history column order
        self.stats = tuple(stats)
        self.every = int(every)
        self.capacity = int(capacity)
        self.accumulating = bool(self.target.gradient_accumulation_steps)
        self.clipped = records_clipped(self.outer)
        self.width = row_width(len(self.columns), len(self.stats), self.clipped)
        self.token: Any = None  # the fit() call using the hook now (two recorders in one fit clash)
        self.attached = False
        self.buffer: Any = None
        self.step_buffer: Any = None
        self.calls: Any = None  # train steps asked of a LossScaleOptimizer (it may skip some)
        self.index: dict[int, int] = {}
        self._patches: list[InstancePatch] = []

    @property
    def stat_names(self) -> list[str]:
        return list(self.stats) + (["l2_clipped"] if self.clipped else [])

    @property
    def own(self) -> tuple[Any, ...]:
        return tuple(v for v in (self.buffer, self.step_buffer, self.calls) if v is not None)

    def fits(self, model: Any, columns: Sequence[Any], stats: Sequence[str], every: int,
             capacity: int) -> bool:
        """Whether this hook already records what a recorder asks for."""
        target = _target(model.optimizer)
        return (
            self.model is model and self.outer is model.optimizer
            and [id(v) for v in self.columns] == [id(v) for v in columns]
            and self.stats == tuple(stats) and self.every == int(every)
            and self.capacity >= capacity
            and self.accumulating == bool(target.gradient_accumulation_steps)
            and self.clipped == records_clipped(model.optimizer)
        )

    # ---- install / attach / detach / uninstall ---------------------------------------------

    def install(self) -> None:
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
            if opt is not target:
                self.calls = opt.add_variable((), initializer="zeros", dtype="int32",
                                              aggregation="only_first_replica", name="kerasdl_train_steps")
        self.index = {id(v): kp.variable_index(target, v) for v in self.columns}
        self._patches = [InstancePatch(target, {"apply": self._recording_apply(target)})]
        if self.calls is not None:
            self._patches.append(InstancePatch(opt, {"apply": self._counting_apply(opt),
                                                     "stateless_apply": self._counting_stateless_apply(opt)}))
        for holder in {id(opt): opt, id(target): target}.values():
            # Checkpoints written mid-training must look like the plain optimizer's.
            self._patches.append(InstancePatch(holder, {
                "save_own_variables": self._save_without_hook(holder),
                "load_own_variables": self._load_without_hook(holder)}))
        for patch in self._patches:
            patch.apply()
        self.attached = True
        self.model.__dict__[_MARK] = self
        # The train step Keras traced for this fit captured the plain `apply`: trace it again.
        self.model.train_function = None
        self.model.make_train_function(force=True)

    def attach(self) -> None:
        """Record again: put the buffers back into the optimizer's variables (no retrace)."""
        kp.track(self.target, self.buffer)
        kp.track(self.target, self.step_buffer)
        if self.calls is not None:
            kp.track(self.outer, self.calls)
        self.attached = True

    def detach(self) -> None:
        """Stop recording; the optimizer's variables are its own again. Safe to call twice."""
        for holder, var in ((self.target, self.buffer), (self.target, self.step_buffer),
                            (self.outer, self.calls)):
            if var is not None:
                kp.untrack(holder, var)
        self.attached = False
        self.token = None

    def uninstall(self) -> None:
        """Take the hook off the optimizer; the next fit traces a plain step. Safe to call twice."""
        self.detach()
        for patch in self._patches:
            patch.remove()
        self._patches = []
        if self.model.__dict__.get(_MARK) is self:
            del self.model.__dict__[_MARK]
            self.model.train_function = None

    # ---- in-graph recording ----------------------------------------------------------------

    def weights_before(self) -> list[Any] | None:
        # Weight norms describe the weights the gradient was computed at, before the update.
        # The cast reads the value here; TF would otherwise read the variable after the update.
        if not any(STATISTICS[s].of_weights for s in self.stats):
            return None
        return [_value_now(v, "float32") for v in self.columns]

    def _by_column(self, grads: Sequence[Any], variables: Sequence[Any]) -> list[Any]:
        by_index = {kp.variable_index(self.target, v): g for g, v in zip(grads, variables)}
        return [by_index.get(self.index[id(v)]) for v in self.columns]

    def _clipped(self, grads: Sequence[Any], variables: Sequence[Any], scale: Any) -> list[Any]:
        # The optimizer clips the unscaled, non-None gradients (see Optimizer.apply); clipping is a
        # pure function of them, so doing it again here gives exactly the values it applied.
        present = [(g if scale is None else g / scale, v) for g, v in zip(grads, variables) if g is not None]
        clipped = kp.clip_gradients(self.target, [g for g, _ in present])
        return self._by_column(clipped, [v for _, v in present])

    def record(self, grads: Sequence[Any], variables: Sequence[Any], step: Any,
               weights: Sequence[Any] | None = None) -> None:
        scale = self.target.loss_scale_factor
        col_grads = self._by_column(grads, variables)

        def row() -> Any:
            reduced = _all_reduce(col_grads)
            parts = [stat_vector(s, weights) if STATISTICS[s].of_weights else stat_vector(s, reduced, scale)
                     for s in self.stats]
            if self.clipped:
                parts.append(stat_vector("l2", _all_reduce(self._clipped(grads, variables, scale))))
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

    # ---- the functions put on the optimizer instances --------------------------------------

    def _recording_apply(self, opt: Any) -> Any:
        def apply(grads: Any, trainable_variables: Any = None) -> Any:
            grads = list(grads)
            variables = (list(trainable_variables) if trainable_variables is not None
                         else kp.trainable_variables(opt))
            # Read the counter before the update increments it, so row s is update s (from 0).
            step = _value_now(kp.iterations(opt), "int32")
            weights = self.weights_before() if self.attached else None
            result = type(opt).apply(opt, grads, trainable_variables)
            if grads and self.attached:  # detached: a step traced now is a plain one
                self.record(grads, variables, step, weights)
            return result
        return apply

    def _counting_apply(self, opt: Any) -> Any:
        def apply(grads: Any, trainable_variables: Any = None) -> Any:
            if self.attached:
                self.calls.assign_add(ops.ones((), "int32"))
            return type(opt).apply(opt, grads, trainable_variables)
        return apply

    def _counting_stateless_apply(self, opt: Any) -> Any:
        # JAX's trainer calls stateless_apply, not apply: bump the counter in the returned state.
        def stateless_apply(optimizer_variables: Any, grads: Any, trainable_variables: Any) -> Any:
            new_trainable, new_optimizer = type(opt).stateless_apply(
                opt, optimizer_variables, grads, trainable_variables)
            pos = [i for i, v in enumerate(opt.variables) if v is self.calls]
            if not (self.attached and pos):
                return new_trainable, new_optimizer
            new_optimizer = list(new_optimizer)
            new_optimizer[pos[0]] = optimizer_variables[pos[0]] + 1
            return new_trainable, new_optimizer
        return stateless_apply

    def _save_without_hook(self, opt: Any) -> Any:
        def save_own_variables(store: Any) -> None:
            kept = [v for v in opt.variables if not any(v is o for o in self.own)]
            for i, variable in enumerate(kept):
                store[str(i)] = variable.numpy()
        return save_own_variables

    def _load_without_hook(self, opt: Any) -> Any:
        def load_own_variables(store: Any) -> None:
            kept = [v for v in opt.variables if not any(v is o for o in self.own)]
            if len(store.keys()) != len(kept):
                return type(opt).load_own_variables(opt, store)
            for i, variable in enumerate(kept):
                variable.assign(store[str(i)])
            return None
        return load_own_variables

    # ---- host side -------------------------------------------------------------------------

    def read(self) -> tuple[np.ndarray, np.ndarray, int, int | None]:
        """(steps, rows, iterations, train-step calls) as numpy, without a full JAX state sync."""
        wanted = [self.step_buffer, self.buffer, kp.iterations(self.target)]
        values = _read_values(self.model, wanted + ([self.calls] if self.calls is not None else []))
        calls = int(values[3]) if self.calls is not None else None
        return values[0].astype(np.int64), values[1].astype(np.float32), int(values[2]), calls


def attach_hook(model: Any, columns: Sequence[Any], stats: Sequence[str], every: int, capacity: int,
                token: Any) -> OptimizerHook:
    """The hook for one recorder in one `fit` call: the installed one if it fits, else a new one.

    `token` identifies the `fit` call; a second recorder in the same call is refused.
    """
    hook = model.__dict__.get(_MARK)
    if hook is not None:
        if hook.token is not None and hook.token is token:
            raise ValueError(
                "only one GradientRecorder(mode='applied') can run in one fit() call; record several "
                "statistics with one recorder (stats=(...)) instead.")
        if hook.fits(model, columns, stats, every, capacity):
            hook.attach()
            hook.token = token
            return hook
        hook.uninstall()
    hook = OptimizerHook(model, columns, stats, every, capacity)
    hook.install()
    hook.token = token
    return hook


def remove_hook(model: Any) -> bool:
    """Take a gradient hook off `model`'s optimizer; True if there was one.

    Recorders leave their hook installed (detached) after `fit`, so that the
    next recorder on the same model need not trace the train step again.
    This removes it: the next `fit` traces a plain step.

    Example:
        >>> import keras
        >>> m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> remove_hook(m)
        False
    """
    hook = model.__dict__.get(_MARK)
    if hook is None:
        return False
    hook.uninstall()
    return True


def _read_values(model: Any, variables: Sequence[Any]) -> list[np.ndarray]:
    state = kp.jax_state(model)
    opt_vars = model.optimizer.variables
    live = state.get("optimizer_variables") if state else None
    # Only trust the state while it still lines up with the optimizer's variable list.
    if live is not None and len(live) == len(opt_vars):
        # Mid-epoch, JAX keeps the live values in the trainer's state, not in the variables;
        # Callback.model would copy the whole state back, so pick just these arrays.
        out = []
        for var in variables:
            pos = next(i for i, v in enumerate(opt_vars) if v is var)
            out.append(np.asarray(live[pos]))
        return out
    return [np.asarray(v.numpy()) for v in variables]


def optimizer_iterations(model: Any) -> int:
    """The optimizer's raw update counter (micro-steps under gradient accumulation)."""
    opt = getattr(model, "optimizer", None)
    if opt is None or isinstance(opt, str):
        return 0
    return int(_read_values(model, [kp.iterations(_target(opt))])[0])


def _strategy_scope(model: Any) -> Any:
    strategy = getattr(model, "distribute_strategy", None)
    if strategy is not None and keras.backend.backend() == "tensorflow":
        return strategy.scope()
    import contextlib

    return contextlib.nullcontext()
