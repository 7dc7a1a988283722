"""tf.distribute for real: MirroredStrategy over two logical CPUs, and two workers over loopback.

Both need a fresh TensorFlow process (logical devices and collective ops
are fixed when TensorFlow starts), so each check runs child processes with
bounded timeouts and reads back what they wrote as JSON.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest

pytestmark = pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                                reason="tf.distribute drives only the tensorflow backend")

# Shared by every child: the same data (a slice of the digits set whose sizes
# divide evenly by the global batch, so replicas always get equal halves and
# the averaged gradient equals the single-device one) and the same builders.
_COMMON = textwrap.dedent('''
    import json, os, sys
    import numpy as np

    def setup_data():
        from dataclasses import replace
        from kerasdl import datasets
        data = datasets.load("digits", seed=0)
        return replace(data, x_train=data.x_train[:256], y_train=data.y_train[:256],
                       x_test=data.x_test[:128], y_test=data.y_test[:128])

    def builders(data, names):
        from kerasdl import models
        every = {
            "deep_mlp": lambda: models.deep_mlp(data.input_shape, data.num_outputs, depth=3, width=16),
            "cnn": lambda: models.cnn(data.input_shape, data.num_outputs, filters=(4, 8)),
        }
        return {name: every[name] for name in names}

    def run_compare(data, scope, names=("deep_mlp", "cnn")):
        from kerasdl import training
        with scope:
            result = training.compare(builders(data, names), data, epochs=2, batch_size=32, seed=0, verbose=0)
        weights = {name: [w.tolist() for w in m.get_weights()] for name, m in result.models.items()}
        return {"rows": result.rows, "histories": result.histories, "weights": weights}
''')

_MIRRORED = _COMMON + textwrap.dedent('''
    import contextlib
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    from kerasdl import device, models, training
    from kerasdl.recorders import ActivationRecorder, GradientRecorder
    from kerasdl.transfer import backbone, build_transfer_model, fine_tune

    def run_recorders(data, scope):
        keras.utils.set_random_seed(0)
        x, y = data.x_train, data.y_train
        with scope:
            model = training.compile_for(models.deep_mlp(data.input_shape, data.num_outputs, depth=2, width=16))
            grads, acts = GradientRecorder(), ActivationRecorder(x[:32], every=2)
            model.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0, callbacks=[grads, acts])
        return {"gradients": {k: v.tolist() for k, v in grads.history.values.items()},
                "activations": {k: v.tolist() for k, v in acts.history.values.items()}}

    def run_fine_tune(data, scope):
        keras.utils.set_random_seed(0)
        with scope:  # dropout=0: per-replica dropout masks cannot match one device's
            model = build_transfer_model(backbone("kerasdl_glyphs"), data.num_outputs, dropout=0.0)
            history = fine_tune(model, (data.x_train, data.y_train), head_epochs=1, fine_tune_epochs=1,
                                batch_size=32)
        return {"history": history.history, "weights": [w.tolist() for w in model.get_weights()]}

    data = setup_data()
    strategy = device.strategy(devices=["/cpu:0", "/cpu:1"])
    out = {"replicas": strategy.num_replicas_in_sync, "type": type(strategy).__name__,
           "jit": device.jit_compile_default(strategy)}
    for part, run in (("compare", run_compare), ("recorders", run_recorders), ("fine_tune", run_fine_tune)):
        out[part] = {"plain": run(data, contextlib.nullcontext()), "mirrored": run(data, strategy.scope())}
    json.dump(out, open(sys.argv[1], "w"))
''')

_WORKER = _COMMON + textwrap.dedent('''
    from kerasdl import device
    strategy = device.strategy()  # from TF_CONFIG; must come before any other TensorFlow work
    data = setup_data()
    out = run_compare(data, strategy.scope(), names=("deep_mlp",))
    out.update(replicas=strategy.num_replicas_in_sync, type=type(strategy).__name__, plan=device.strategy_plan())
    json.dump(out, open(sys.argv[1], "w"))
''')


def _child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", KERAS_BACKEND="tensorflow", **extra)
    env.pop("TF_CONFIG", None)
    env.update(extra)
    return env


def _run_children(scripts: list[tuple[Path, dict[str, str]]], timeout: float) -> None:
    procs = [subprocess.Popen([sys.executable, str(script), str(script.with_suffix(".json"))], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for script, env in scripts]
    try:
        outputs = [proc.communicate(timeout=timeout)[0] for proc in procs]
    finally:
        for proc in procs:  # a worker whose peer died would wait forever
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    for proc, output in zip(procs, outputs):
        assert proc.returncode == 0, output[-4000:]


def _assert_same_weights(a: dict, b: dict, atol: float) -> None:
    assert a.keys() == b.keys()
    for name in a:
        for wa, wb in zip(a[name], b[name], strict=True):
            np.testing.assert_allclose(np.asarray(wa), np.asarray(wb), atol=atol, rtol=0, err_msg=name)


@pytest.fixture(scope="module")
def mirrored(tmp_path_factory):
    """One child process trains everything with and without a 2-replica MirroredStrategy."""
    script = tmp_path_factory.mktemp("mirrored") / "mirrored.py"
    script.write_text(_MIRRORED)
    _run_children([(script, _child_env())], timeout=300)
    out = json.loads(script.with_suffix(".json").read_text())
    assert out["replicas"] == 2 and out["type"] == "MirroredStrategy"
    return out


@pytest.mark.slow
def test_mirrored_builders_and_compare_match_one_device(mirrored):
    assert mirrored["jit"] is False  # Keras turns XLA off under tf.distribute, and so do we.
    plain, strat = mirrored["compare"]["plain"], mirrored["compare"]["mirrored"]
    _assert_same_weights(plain["weights"], strat["weights"], atol=1e-5)
    for row, row_mirrored in zip(plain["rows"], strat["rows"], strict=True):
        for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
            assert row_mirrored[key] == pytest.approx(row[key], rel=1e-4, abs=1e-5), (row["model"], key)
    for name, history in plain["histories"].items():
        np.testing.assert_allclose(strat["histories"][name]["loss"], history["loss"], rtol=1e-4)


@pytest.mark.slow
def test_mirrored_recorders_see_the_same_gradients_and_activations(mirrored):
    plain, strat = mirrored["recorders"]["plain"], mirrored["recorders"]["mirrored"]
    # Applied gradients are the all-reduced ones, so their norms match one device's.
    np.testing.assert_allclose(strat["gradients"]["l2"], plain["gradients"]["l2"], rtol=1e-4, atol=1e-7)
    assert np.asarray(plain["gradients"]["l2"]).shape[0] == 8  # 256 examples / 32 per step
    for stat, values in plain["activations"].items():
        np.testing.assert_allclose(np.asarray(strat["activations"][stat], dtype=float),
                                   np.asarray(values, dtype=float), rtol=1e-4, atol=1e-6, err_msg=stat)


@pytest.mark.slow
def test_mirrored_fine_tune_matches_one_device(mirrored):
    plain, strat = mirrored["fine_tune"]["plain"], mirrored["fine_tune"]["mirrored"]
    np.testing.assert_allclose(strat["history"]["loss"], plain["history"]["loss"], rtol=1e-4)
    _assert_same_weights({"model": plain["weights"]}, {"model": strat["weights"]}, atol=1e-5)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_two_workers_over_loopback_finish_with_the_same_weights(tmp_path):
    addresses = [f"127.0.0.1:{_free_port()}" for _ in range(2)]
    scripts = []
    for index in range(2):
        script = tmp_path / f"worker{index}.py"
        script.write_text(_WORKER)
        config = {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": index}}
        scripts.append((script, _child_env(TF_CONFIG=json.dumps(config))))
    _run_children(scripts, timeout=300)
    first, second = (json.loads(s.with_suffix(".json").read_text()) for s, _ in scripts)
    assert first["replicas"] == second["replicas"] == 2
    assert first["type"] == "MultiWorkerMirroredStrategy"
    assert "2 workers" in first["plan"] and "worker 1" in second["plan"]
    _assert_same_weights(first["weights"], second["weights"], atol=1e-6)
    for name, history in first["histories"].items():
        losses = history["loss"]
        assert np.all(np.isfinite(losses)) and losses[-1] < losses[0], name
        np.testing.assert_allclose(second["histories"][name]["loss"], losses, rtol=1e-6)
