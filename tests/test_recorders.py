"""GradientRecorder / ActivationRecorder against independent gradient computations.

The reference gradient of each step is recomputed outside the optimizer
(tf.GradientTape on TensorFlow, jax.grad on JAX, torch.autograd.grad on
PyTorch) from the weights captured
before that step and the same batch; the recorder must match it to float32
precision.
"""

from __future__ import annotations

import json
import os
import warnings

import keras
import numpy as np
import pytest

from kerasdl.models import cnn, deep_mlp
from kerasdl.recorders import (
    ActivationHistory,
    ActivationRecorder,
    GradientHistory,
    GradientRecorder,
    NonFiniteGradientWarning,
    SkippedStepWarning,
    activation_stats,
    gradient_ratios,
    gradient_table,
)

pytestmark = pytest.mark.backend_neutral
BATCH = 16


def _data(shape=(16,), n=64, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, *shape)).astype("float32"), rng.integers(0, classes, n)


def reference_grads(model, x, y):
    """Gradient of mean sparse cross-entropy w.r.t. model.trainable_variables, not via any optimizer."""
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        return [np.asarray(g) for g in tape.gradient(loss, model.trainable_variables)]
    if backend == "jax":
        import jax

        ntv = [v.value for v in model.non_trainable_variables]

        def f(tv):
            pred, _ = model.stateless_call(tv, ntv, x, training=True)
            return loss_fn(y, pred)

        return [np.asarray(g) for g in jax.grad(f)([v.value for v in model.trainable_variables])]
    if backend == "torch":
        import torch

        loss = loss_fn(y, model(x, training=True))
        grads = torch.autograd.grad(loss, [v.value for v in model.trainable_variables])
        return [g.detach().cpu().numpy() for g in grads]
    pytest.skip(f"no reference gradient for backend {backend}")


class WeightLog(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.weights = []

    def on_train_batch_begin(self, batch, logs=None):
        self.weights.append(self.model.get_weights())


def _max_rel_err(rec, build, x, y, weights, steps_per_epoch):
    ref = build()
    worst = 0.0
    for k, w in enumerate(weights):
        ref.set_weights(w)
        b = (k % steps_per_epoch) * BATCH
        expected = np.array([np.linalg.norm(g) for g in reference_grads(ref, x[b:b + BATCH], y[b:b + BATCH])])
        got = rec.history.values["l2"][k]
        worst = max(worst, float(np.max(np.abs(got - expected) / expected)))
    return worst


def _assert_rows_match(history, build, weights, x, y, steps, rtol=1e-5):
    """Rows 0..steps-1 equal the reference norms of consecutive batches at fixed `weights` (SGD lr 0)."""
    ref = build()
    ref.set_weights(weights)
    for k in range(steps):
        g = reference_grads(ref, x[k * BATCH:(k + 1) * BATCH], y[k * BATCH:(k + 1) * BATCH])
        np.testing.assert_allclose(history.values["l2"][k], [np.linalg.norm(v) for v in g], rtol=rtol)


BUILDERS = {
    "mlp": (lambda: deep_mlp((16,), 3, depth=3, width=16), (16,)),
    "cnn": (lambda: cnn((8, 8, 1), 3, filters=(4, 8)), (8, 8, 1)),
}


# Un-jitted JAX runs op by op (~20 s per case here); on TensorFlow both cases take seconds.
_EAGER_JAX = pytest.mark.slow if keras.backend.backend() == "jax" else ()
# jit_compile=True on PyTorch is torch.compile, which compiles C++ for ~40 s per case on a CPU.
_TORCH_COMPILE = pytest.mark.slow if keras.backend.backend() == "torch" else ()
# Keras's PyTorch trainer refuses steps_per_execution > 1 (ValueError at fit).
_NO_SPE_ON_TORCH = pytest.mark.skipif(keras.backend.backend() == "torch",
                                      reason="the PyTorch backend runs steps_per_execution=1 only")


@pytest.mark.parametrize("jit", [pytest.param(False, marks=_EAGER_JAX),
                                 pytest.param(True, marks=_TORCH_COMPILE)])
@pytest.mark.parametrize("arch", ["mlp", "cnn"])
def test_recorded_norms_match_independent_gradients(arch, jit):
    build, shape = BUILDERS[arch]
    x, y = _data(shape)
    model = build()
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy", jit_compile=jit)
    log, rec = WeightLog(), GradientRecorder()
    model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0, callbacks=[log, rec])
    assert rec.history.steps.tolist() == list(range(8))
    assert _max_rel_err(rec, build, x, y, log.weights, 4) < 1e-5
    # Grouped by layer, kernel and bias apart, in model order.
    assert rec.history.layers[-1] == "output"
    assert [v for layer, v in rec.history.columns if layer == "output"] == ["kernel", "bias"]
    combined = rec.history.get("output")
    kernel, bias = (rec.history["output", v]["l2"] for v in ("kernel", "bias"))
    np.testing.assert_allclose(combined, np.hypot(kernel, bias), rtol=1e-6)
    np.testing.assert_allclose(rec.history["output"]["l2"], combined)


@pytest.mark.parametrize("spe", [1, pytest.param(3, marks=_NO_SPE_ON_TORCH)])
def test_steps_per_execution_and_every(spe):
    build, shape = BUILDERS["mlp"]
    x, y = _data(shape, n=160)
    model = build()
    w0 = model.get_weights()
    # Learning rate 0 keeps the weights fixed, so every step's reference is at w0.
    model.compile(keras.optimizers.SGD(0.0), "sparse_categorical_crossentropy", steps_per_execution=spe)
    every1, every4 = GradientRecorder(capacity=4), GradientRecorder(every=4)
    model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0, callbacks=[every1])
    model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0, callbacks=[every4])
    assert every1.history.steps.tolist() == list(range(10))
    assert every4.history.steps.tolist() == [12, 16]
    # The default recorder reads its buffer at epoch ends only: no per-batch callback, so Keras
    # keeps its asynchronous callback dispatch where the backend allows it.
    assert getattr(every4.on_train_batch_end, "_is_default", False)
    assert not getattr(every1.on_train_batch_end, "_is_default", False)
    _assert_rows_match(every1.history, build, w0, x, y, 10)


def test_extra_stats_and_weight_norm():
    build, shape = BUILDERS["mlp"]
    x, y = _data(shape)
    model = build()
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    log, rec = WeightLog(), GradientRecorder(stats=("l2", "max_abs", "mean", "std", "weight_l2"))
    model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0, callbacks=[log, rec])
    ref = build()
    for k, w in enumerate(log.weights):
        ref.set_weights(w)
        g = reference_grads(ref, x[k * BATCH:(k + 1) * BATCH], y[k * BATCH:(k + 1) * BATCH])
        np.testing.assert_allclose(rec.history.values["max_abs"][k], [np.abs(v).max() for v in g], rtol=1e-5)
        np.testing.assert_allclose(rec.history.values["mean"][k], [v.mean() for v in g], rtol=1e-4, atol=1e-8)
        np.testing.assert_allclose(rec.history.values["std"][k], [v.std() for v in g], rtol=1e-4)
        np.testing.assert_allclose(rec.history.values["weight_l2"][k], [np.linalg.norm(v) for v in w],
                                   rtol=1e-5, atol=1e-7)


def test_mixed_precision_records_unscaled_gradients():
    x, y = _data()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        build = BUILDERS["mlp"][0]
        model = build()
        # A modest loss scale, so that no step overflows and is skipped (that case is tested below).
        opt = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.0), initial_scale=256.0)
        model.compile(opt, "sparse_categorical_crossentropy")
        w0 = model.get_weights()
        rec = GradientRecorder()
        model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0, callbacks=[rec])
        assert rec.history.steps.tolist() == [0, 1, 2, 3] and rec.history.skipped_steps == 0
        # float16 forward pass: agreement to half precision, and nowhere near the 256x loss scale.
        _assert_rows_match(rec.history, build, w0, x, y, 4, rtol=2e-2)
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_loss_scale_skipped_steps_are_reported_not_recorded():
    x, y = _data()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = BUILDERS["mlp"][0]()
        opt = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.01), initial_scale=2.0 ** 24)
        model.compile(opt, "sparse_categorical_crossentropy")
        rec = GradientRecorder()
        with pytest.warns(SkippedStepWarning, match="skipped by loss scaling"):
            model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[rec])
    finally:
        keras.mixed_precision.set_global_policy("float32")
    applied = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
    assert rec.history.skipped_steps == 16 - applied > 0
    assert rec.history.steps.tolist() == list(range(applied))
    assert np.isfinite(rec.history.values["l2"]).all()


@pytest.mark.parametrize("clip", ["clipnorm", "global_clipnorm"])
def test_clipping_gives_pre_and_post_norms(clip):
    x, y = _data()
    model = BUILDERS["mlp"][0]()
    model.compile(keras.optimizers.SGD(0.05, **{clip: 0.2}), "sparse_categorical_crossentropy")
    rec = GradientRecorder()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, callbacks=[rec])
    pre, post = rec.history.values["l2"], rec.history.values["l2_clipped"]
    if clip == "clipnorm":
        np.testing.assert_allclose(post, np.minimum(pre, 0.2), rtol=1e-5)
    else:
        total = np.sqrt((pre.astype(np.float64) ** 2).sum(axis=1))
        np.testing.assert_allclose(np.sqrt((post.astype(np.float64) ** 2).sum(axis=1)), np.minimum(total, 0.2),
                                   rtol=1e-5)
    assert (pre > post + 1e-6).any()


def test_gradient_accumulation_records_micro_batches():
    build, shape = BUILDERS["mlp"]
    x, y = _data(shape)
    model = build()
    w0 = model.get_weights()
    model.compile(keras.optimizers.SGD(0.0, gradient_accumulation_steps=2), "sparse_categorical_crossentropy")
    rec = GradientRecorder()
    model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0, callbacks=[rec])
    assert rec.history.steps.tolist() == [0, 1, 2, 3]  # micro-steps
    _assert_rows_match(rec.history, build, w0, x, y, 4)


def test_nan_gradients_are_flagged_not_fatal():
    x, y = _data()
    x[20] = np.nan  # second batch
    model = BUILDERS["mlp"][0]()
    model.compile("sgd", "sparse_categorical_crossentropy")
    rec = GradientRecorder()
    with pytest.warns(NonFiniteGradientWarning, match=r"layer 'hidden_1'.*at step 1"):
        model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0, callbacks=[rec])
    l2 = rec.history.values["l2"]
    # TF propagates the NaN into every gradient; JAX's ReLU derivative at NaN is 0, sparing the biases.
    assert np.isfinite(l2[0]).all() and np.isnan(l2[1]).any()
    first = rec.history.nonfinite[0]
    assert (first["layer"], first["variable"], first["step"]) == ("hidden_1", "kernel", 1)


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_history_save_load_and_append(tmp_path, suffix):
    x, y = _data()
    model = BUILDERS["mlp"][0]()
    model.compile("adam", "sparse_categorical_crossentropy")
    path = tmp_path / f"grads{suffix}"
    rec = GradientRecorder(path=path, stats=("l2", "max_abs"))
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, callbacks=[rec])
    # A second recorder on the same file appends to what the first one saved.
    rec2 = GradientRecorder(path=path, stats=("l2", "max_abs"))
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, callbacks=[rec2])
    loaded = GradientHistory.load(path)
    assert loaded.steps.tolist() == list(range(8))
    assert loaded.columns == rec.history.columns
    for stat in ("l2", "max_abs"):
        np.testing.assert_array_equal(loaded.values[stat][:4], rec.history.values[stat])
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind
    assert json.loads(json.dumps(loaded.to_dict()))["kind"] == "gradients"


def test_history_nan_round_trip(tmp_path):
    h = GradientHistory(columns=[("d", "kernel"), ("d", "bias")])
    h.append([0, 1], {"l2": np.array([[1.0, np.nan], [np.inf, 2.0]])})
    for name in ("h.npz", "h.json"):
        back = GradientHistory.load(h.save(tmp_path / name))
        assert np.isnan(back.values["l2"][0, 1]) and back.values["l2"][1, 1] == 2.0
    with pytest.raises(ValueError, match="path must end in .npz or .json"):
        h.save(tmp_path / "h.csv")


def test_model_trained_with_recorder_saves_and_loads(tmp_path):
    x, y = _data()
    model = BUILDERS["mlp"][0]()
    model.compile("adam", "sparse_categorical_crossentropy")
    mid = tmp_path / "mid.keras"

    class SaveMidway(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 0:
                self.model.save(mid)  # while the recorder is installed

    rec = GradientRecorder()
    model.fit(x, y, batch_size=BATCH, epochs=2, verbose=0, callbacks=[rec, SaveMidway()])
    plain = BUILDERS["mlp"][0]()
    plain.compile("adam", "sparse_categorical_crossentropy")
    plain.optimizer.build(plain.trainable_variables)
    assert len(model.optimizer.variables) == len(plain.optimizer.variables)
    model.save(tmp_path / "end.keras")
    for path, iterations in ((mid, 4), (tmp_path / "end.keras", 8)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Skipping variable loading" would be a warning
            loaded = keras.models.load_model(path)
        assert int(keras.ops.convert_to_numpy(loaded.optimizer.iterations)) == iterations
    for a, b in zip(model.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))
    np.testing.assert_allclose(model.predict(x, verbose=0), loaded.predict(x, verbose=0), rtol=1e-6)
    # Training the loaded model again, with a recorder, continues the step count.
    rec2 = GradientRecorder()
    loaded.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, callbacks=[rec2])
    assert rec2.history.steps.tolist() == [8, 9, 10, 11]


def test_probe_mode_measures_fixed_batch():
    x, y = _data()
    model = BUILDERS["mlp"][0]()
    w0 = model.get_weights()
    model.compile("adam", "sparse_categorical_crossentropy")
    rec = GradientRecorder(mode="probe", data=(x[:BATCH], y[:BATCH]), every=2)
    applied = GradientRecorder()  # the two modes can run side by side
    model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0, callbacks=[rec, applied])
    assert rec.history.steps.tolist() == [0, 2, 4]
    assert rec.history.meta["mode"] == "probe"
    # Step 0: same weights; the probe batch is the first training batch, so the two agree there.
    np.testing.assert_allclose(rec.history.values["l2"][0], applied.history.values["l2"][0], rtol=1e-5)
    ref = BUILDERS["mlp"][0]()
    ref.set_weights(w0)
    g = reference_grads(ref, x[:BATCH], y[:BATCH])
    np.testing.assert_allclose(rec.history.values["l2"][0], [np.linalg.norm(v) for v in g], rtol=1e-5)


def test_layers_filter_and_bad_arguments():
    x, y = _data()
    model = BUILDERS["mlp"][0]()
    model.compile("adam", "sparse_categorical_crossentropy")
    rec = GradientRecorder(layers=["hidden_1", "output"])
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, callbacks=[rec])
    assert rec.history.layers == ["hidden_1", "output"]
    with pytest.raises(ValueError, match="every"):
        GradientRecorder(every=0)
    with pytest.raises(ValueError, match="stats"):
        GradientRecorder(stats=("l2", "median"))
    with pytest.raises(ValueError, match="data=\\(x, y\\)"):
        GradientRecorder(mode="probe")
    with pytest.raises(ValueError, match="mode"):
        GradientRecorder(mode="tape")
    with pytest.raises(ValueError, match="lacks"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[GradientRecorder(layers=["hidden_9"])])
    with pytest.raises(ValueError, match="only one GradientRecorder"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[GradientRecorder(), GradientRecorder()])
    # The refused fit left no hook behind: a plain recorder works again.
    rec3 = GradientRecorder()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, callbacks=[rec3])
    assert len(rec3.history) == 4


def test_gradient_table_follows_the_course():
    h = GradientHistory(columns=[(f"hidden_{i}", "kernel") for i in range(1, 5)] + [("output", "kernel")])
    h.append([0], {"l2": np.array([[0.00128, 0.0064, 0.032, 0.16, 0.8]])})
    rows = gradient_ratios(h)
    assert [r["layer"] for r in rows] == ["output", "hidden_4", "hidden_3", "hidden_2", "hidden_1"]
    assert rows[-1]["times_smaller"] == pytest.approx(625, rel=1e-4)
    table = gradient_table(h)
    assert table.splitlines()[-1].split()[-1] == "625"
    with pytest.raises(ValueError, match="step"):
        gradient_table(h, step=7)


def test_activation_recorder_dead_and_saturated_units_and_batchnorm_untouched():
    x, _ = _data((8,))
    y = (x[:, 0] > 0).astype("int32")
    inp = keras.Input((8,))
    dead = keras.layers.Dense(6, activation="relu", bias_initializer=keras.initializers.Constant(-100.0),
                              name="dead_relu")(inp)
    sat = keras.layers.Dense(6, activation="sigmoid", kernel_initializer=keras.initializers.Constant(50.0),
                             name="saturated")(inp)
    h = keras.layers.Concatenate(name="concat")([dead, sat])
    h = keras.layers.BatchNormalization(name="bn")(h)
    out = keras.layers.Dense(2, activation="softmax", name="output")(h)
    model = keras.Model(inp, out)
    model.compile("adam", "sparse_categorical_crossentropy")
    bn_before = [keras.ops.convert_to_numpy(v).copy() for v in model.get_layer("bn").non_trainable_weights]
    stats = activation_stats(model, x)
    assert stats["dead_relu"]["dead_frac"] == 1.0 and stats["dead_relu"]["zero_frac"] == 1.0
    assert stats["saturated"]["saturated_frac"] > 0.9
    assert np.isnan(stats["dead_relu"]["saturated_frac"])
    for a, b in zip(bn_before, model.get_layer("bn").non_trainable_weights):
        np.testing.assert_array_equal(a, keras.ops.convert_to_numpy(b))
    rec = ActivationRecorder(x[:32], every=3)
    model.fit(x, y, batch_size=BATCH, epochs=2, verbose=0, callbacks=[rec])
    assert rec.history.steps.tolist() == [0, 3, 6, 8]
    assert rec.history.layers == ["dead_relu", "saturated", "output"]
    assert isinstance(rec.history, ActivationHistory)
    np.testing.assert_array_equal(rec.history.get("dead_relu", "dead_frac"), 1.0)


def test_recording_does_not_change_training():
    x, y = _data()

    def train(callbacks):
        keras.utils.set_random_seed(0)
        model = deep_mlp((16,), 3, depth=2, width=8, batch_norm=True)
        model.compile("adam", "sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0, callbacks=callbacks)
        return model.get_weights()

    plain = train([])
    recorded = train([GradientRecorder(stats=("l2", "weight_l2")), ActivationRecorder(x[:16], every=2)])
    for a, b in zip(plain, recorded):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_gradient_flow_aligns_models_by_layer_name():
    from kerasdl.plots import plot_gradient_flow

    plain = GradientHistory(columns=[("hidden_1", "kernel"), ("hidden_2", "kernel"), ("output", "kernel")])
    plain.append([0], {"l2": np.array([[0.01, 0.1, 1.0]])})
    with_bn = GradientHistory(columns=[("hidden_1", "kernel"), ("bn_1", "gamma"), ("hidden_2", "kernel"),
                                       ("bn_2", "gamma"), ("output", "kernel")])
    with_bn.append([0], {"l2": np.array([[0.5, 0.4, 0.6, 0.7, 0.9]])})
    fig = plot_gradient_flow({"plain": plain, "bn": with_bn}, step="first")
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["output", "bn_2", "hidden_2", "bn_1", "hidden_1"]
    lines = {line.get_label(): line for line in ax.lines}
    # hidden_1 is the same column for both models, although the plain one has fewer layers.
    assert lines["plain"].get_xdata().tolist() == [0, 2, 4]
    assert lines["bn"].get_xdata().tolist() == [0, 1, 2, 3, 4]


def test_plots_from_recordings(tmp_path):
    from kerasdl.plots import plot_activation_stats, plot_gradient_flow, plot_gradient_heatmap

    x, y = _data()
    model = BUILDERS["mlp"][0]()
    model.compile("adam", "sparse_categorical_crossentropy")
    grads, acts = GradientRecorder(), ActivationRecorder(x[:16], every=2)
    model.fit(x, y, batch_size=BATCH, epochs=2, verbose=0, callbacks=[grads, acts])
    fig = plot_gradient_flow(grads.history)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == ["output", "hidden_3", "hidden_2", "hidden_1"]
    assert len(fig.axes[0].lines) == 3 and fig.axes[0].get_yscale() == "log"
    compare = plot_gradient_flow({"a": grads.history, "b": grads.history.save(tmp_path / "g.json")}, step="last")
    assert [line.get_label() for line in compare.axes[0].lines] == ["a", "b"]
    heat = plot_gradient_heatmap(grads.history)
    assert [t.get_text() for t in heat.axes[0].get_yticklabels()][0] == "output"
    panels = plot_activation_stats(acts.history)
    assert [ax.get_title() for ax in panels.axes[:4]] == ["mean", "std", "zero_frac", "saturated_frac"]
    with pytest.raises(TypeError, match="GradientHistory"):
        plot_gradient_flow([1, 2, 3])
    assert os.path.exists(tmp_path / "g.json")


# ---- one hook per (model, optimizer, stats): no retrace per fit ------------------------------


def _count_traces(model):
    """A list that grows by one each time Keras traces (or, eagerly, runs) the train step.

    PyTorch has no traced train step (without jit_compile each step runs eagerly), so there
    the list grows each time Keras builds a new train function, which is what a retrace is.
    """
    if keras.backend.backend() == "torch":
        builds, make = [], model.make_train_function

        def make_train_function(force=False):
            if force or model.train_function is None:
                builds.append(1)
            return make(force=force)

        model.make_train_function = make_train_function
        return builds
    traces, plain = [], model.train_step

    def train_step(*args):
        traces.append(1)
        return plain(*args)

    model.train_step = train_step
    return traces


def _plain_optimizer(optimizer):
    return not {"apply", "stateless_apply", "save_own_variables"} & set(vars(optimizer))


def test_second_fit_reuses_the_traced_train_step():
    build, shape = BUILDERS["mlp"]
    x, y = _data(shape)
    model = build()
    w0 = model.get_weights()
    model.compile(keras.optimizers.SGD(0.0), "sparse_categorical_crossentropy")
    model.optimizer.build(model.trainable_variables)
    n_vars = len(model.optimizer.variables)
    traces = _count_traces(model)
    rec = GradientRecorder()
    fit = dict(batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    model.fit(x, y, **fit, callbacks=[rec])
    first = len(traces)
    assert first >= 1
    model.fit(x, y, **fit, callbacks=[rec])  # the same recorder again
    other = GradientRecorder()  # another recorder asking for the same thing
    model.fit(x, y, **fit, callbacks=[other])
    assert len(traces) == first
    assert len(model.optimizer.variables) == n_vars  # between fits the optimizer looks plain
    model.fit(x, y, **fit)  # a plain fit in between
    model.fit(x, y, **fit, callbacks=[other])
    assert rec.history.steps.tolist() == list(range(8))
    assert other.history.steps.tolist() == [8, 9, 10, 11, 16, 17, 18, 19]
    _assert_rows_match(rec.history, build, w0, x, y, 4)
    # Learning rate 0: every pass over the same batches gives the same rows.
    for h, k in ((rec.history, 4), (other.history, 0), (other.history, 4)):
        np.testing.assert_allclose(h.values["l2"][k:k + 4], rec.history.values["l2"][:4], rtol=1e-6)


def test_records_stay_right_after_compile_with_another_optimizer_and_other_stats():
    build, shape = BUILDERS["mlp"]
    x, y = _data(shape)
    model = build()
    w0 = model.get_weights()
    fit = dict(batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    first = keras.optimizers.SGD(0.0)
    model.compile(first, "sparse_categorical_crossentropy")
    model.fit(x, y, **fit, callbacks=[GradientRecorder()])
    # A new optimizer: the old one is left plain, the new one records from its own step 0.
    model.compile(keras.optimizers.Adam(0.0), "sparse_categorical_crossentropy")
    rec = GradientRecorder(stats=("l2", "max_abs"))
    model.fit(x, y, **fit, callbacks=[rec])
    assert _plain_optimizer(first) and not any("kerasdl" in v.path for v in first.variables)
    assert rec.history.steps.tolist() == [0, 1, 2, 3]
    _assert_rows_match(rec.history, build, w0, x, y, 4)
    # Other stats on the same optimizer, then the first kind again.
    for stats in (("l2",), ("l2", "max_abs")):
        again = GradientRecorder(stats=stats)
        model.fit(x, y, **fit, callbacks=[again])
        np.testing.assert_allclose(again.history.values["l2"], rec.history.values["l2"], rtol=1e-6)
    np.testing.assert_allclose(again.history.values["max_abs"], rec.history.values["max_abs"], rtol=1e-6)


@_NO_SPE_ON_TORCH
@pytest.mark.parametrize("jit", [pytest.param(False, marks=_EAGER_JAX), True])
def test_compile_again_with_steps_per_execution_and_jit(jit):
    build, shape = BUILDERS["mlp"]
    x, y = _data(shape, n=96)
    model = build()
    w0 = model.get_weights()
    opt = keras.optimizers.SGD(0.0)
    fit = dict(batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    model.compile(opt, "sparse_categorical_crossentropy")
    model.fit(x, y, **fit, callbacks=[GradientRecorder()])
    model.compile(opt, "sparse_categorical_crossentropy", steps_per_execution=4, jit_compile=jit)
    rec = GradientRecorder(capacity=4)
    model.fit(x, y, **fit, callbacks=[rec])
    assert rec.history.steps.tolist() == list(range(6, 12))
    _assert_rows_match(rec.history, build, w0, x, y, 6)


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="checks the PyTorch backend's refusal")
def test_torch_refuses_steps_per_execution_with_a_clear_error():
    x, y = _data()
    model = BUILDERS["mlp"][0]()
    model.compile("sgd", "sparse_categorical_crossentropy", steps_per_execution=2)
    with pytest.raises(ValueError, match="steps_per_execution.*PyTorch"):
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, callbacks=[GradientRecorder()])


def test_remove_hook_restores_the_plain_optimizer():
    from kerasdl.recorders._hook import remove_hook

    build, shape = BUILDERS["mlp"]
    x, y = _data(shape)
    model = build()
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, callbacks=[GradientRecorder()])
    assert not _plain_optimizer(model.optimizer)
    assert remove_hook(model) and _plain_optimizer(model.optimizer)
    assert not remove_hook(model)  # removing twice is harmless
    traces = _count_traces(model)
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    assert traces  # the next fit traces a plain step
