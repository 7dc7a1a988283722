"""GradientRecorder in fresh processes: MirroredStrategy on two logical CPUs, and the JAX backend.

Logical devices are fixed when TensorFlow starts and the backend when Keras
is imported, so each check runs a child process and reads back JSON.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import keras
import pytest

pytestmark = pytest.mark.slow

_MIRRORED = textwrap.dedent('''
    import json, os, sys
    import numpy as np
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    from kerasdl.models import cnn, deep_mlp
    from kerasdl.recorders import GradientRecorder

    keras.utils.set_random_seed(0)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    rng = np.random.default_rng(0)
    out = {"replicas": strategy.num_replicas_in_sync}
    for name, build, shape in (("mlp", lambda: deep_mlp((16,), 3, depth=3, width=16), (16,)),
                               ("cnn", lambda: cnn((8, 8, 1), 3, filters=(4, 8)), (8, 8, 1))):
        x = rng.normal(size=(64, *shape)).astype("float32")
        y = rng.integers(0, 3, 64)
        for clip in (None, 0.05):
            with strategy.scope():
                model = build()
                # Learning rate 0: every step's gradient is taken at the initial weights.
                model.compile(keras.optimizers.SGD(0.0, clipnorm=clip), "sparse_categorical_crossentropy")
            w0 = model.get_weights()
            rec = GradientRecorder()
            model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0, callbacks=[rec])
            ref = build()
            ref.set_weights(w0)
            worst = 0.0
            for k in range(4):
                with tf.GradientTape() as tape:
                    pred = ref(x[16 * k:16 * (k + 1)], training=True)
                    loss = keras.losses.SparseCategoricalCrossentropy()(y[16 * k:16 * (k + 1)], pred)
                expected = np.array([np.linalg.norm(g) for g in tape.gradient(loss, ref.trainable_variables)])
                worst = max(worst, float(np.max(np.abs(rec.history.values["l2"][k] - expected) / expected)))
            key = name if clip is None else name + "_clip"
            out[key] = {"steps": rec.history.steps.tolist(), "max_rel_err": worst,
                        "stats": rec.history.stats, "replicas_meta": rec.history.meta["replicas"]}
            if clip:
                out[key]["max_clipped"] = float(rec.history.values["l2_clipped"].max())
    print("RESULT" + json.dumps(out))
''')

_JAX = textwrap.dedent('''
    import json, os, sys, tempfile
    os.environ["KERAS_BACKEND"] = "jax"
    import numpy as np
    import jax
    import keras
    from kerasdl.models import deep_mlp
    from kerasdl.recorders import GradientRecorder

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 16)).astype("float32")
    y = rng.integers(0, 3, 96)

    def run(callbacks):
        keras.utils.set_random_seed(0)
        model = deep_mlp((16,), 3, depth=3, width=16)
        model.compile(keras.optimizers.SGD(0.0), "sparse_categorical_crossentropy", steps_per_execution=2)
        syncs = []
        original = model.jax_state_sync
        model.jax_state_sync = lambda: (syncs.append(1), original())[1]
        w0 = model.get_weights()
        model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0, callbacks=callbacks)
        return model, w0, len(syncs)

    _, _, plain_syncs = run([])
    # A 4-row buffer forces reads in the middle of epochs, from the trainer's live state.
    rec = GradientRecorder(capacity=4)
    model, w0, rec_syncs = run([rec])
    ref = deep_mlp((16,), 3, depth=3, width=16)
    ref.set_weights(w0)
    tv = [v.value for v in ref.trainable_variables]
    worst = 0.0
    for k in range(6):
        xb, yb = x[16 * k:16 * (k + 1)], y[16 * k:16 * (k + 1)]
        def f(tv):
            pred, _ = ref.stateless_call(tv, [], xb, training=True)
            return keras.losses.SparseCategoricalCrossentropy()(yb, pred)
        expected = np.array([np.linalg.norm(np.asarray(g)) for g in jax.grad(f)(tv)])
        for row in (k, k + 6):  # same batch in both epochs, same weights
            worst = max(worst, float(np.max(np.abs(rec.history.values["l2"][row] - expected) / expected)))
    path = os.path.join(tempfile.mkdtemp(), "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    same = all(np.array_equal(np.asarray(a.value), np.asarray(b.value))
               for a, b in zip(model.optimizer.variables, loaded.optimizer.variables))
    print("RESULT" + json.dumps({
        "backend": keras.backend.backend(), "steps": rec.history.steps.tolist(), "max_rel_err": worst,
        "plain_syncs": plain_syncs, "recorder_syncs": rec_syncs,
        "optimizer_vars": [len(model.optimizer.variables), len(loaded.optimizer.variables)],
        "optimizer_state_equal": same,
    }))
''')


def _run(script: str, env_extra: dict[str, str]) -> dict:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **env_extra}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")]
    assert proc.returncode == 0 and lines, f"child failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
    return json.loads(lines[-1][len("RESULT"):])


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="tf.distribute needs the tensorflow backend")
def test_mirrored_strategy_two_cpus_records_all_reduced_gradients():
    out = _run(_MIRRORED, {"KERAS_BACKEND": "tensorflow"})
    assert out["replicas"] == 2
    for key in ("mlp", "cnn", "mlp_clip", "cnn_clip"):
        assert out[key]["steps"] == [0, 1, 2, 3]
        assert out[key]["replicas_meta"] == 2
        assert out[key]["max_rel_err"] < 1e-5, (key, out[key])
    assert out["mlp_clip"]["stats"] == ["l2", "l2_clipped"]


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax is not installed")
def test_jax_backend_recorder_matches_jax_grad_without_extra_state_syncs():
    out = _run(_JAX, {"KERAS_BACKEND": "jax"})
    assert out["backend"] == "jax"
    assert out["steps"] == list(range(12))
    assert out["max_rel_err"] < 1e-5
    # Reading the recorder never forces the trainer to copy its whole state back.
    assert out["recorder_syncs"] == out["plain_syncs"]
    assert out["optimizer_vars"][0] == out["optimizer_vars"][1] and out["optimizer_state_equal"]
