"""kerasdl.device: describe(), the mixed-precision rules and switches, XLA default, strategy choice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import warnings

import keras
import numpy as np
import pytest

from kerasdl import device
from kerasdl.device import precision

pytestmark = pytest.mark.backend_neutral

BACKEND = keras.backend.backend()
CPU = {"name": "test cpu", "cores": 2, "bf16_matrix_units": False}


def _hw(*capabilities: str | None, tpus: int = 0, amx: bool = False) -> dict:
    gpus = [{"name": f"gpu{i}", "compute_capability": cc, "memory_mib": 16384} for i, cc in enumerate(capabilities)]
    return {"gpus": gpus, "tpus": tpus, "cpu": dict(CPU, bf16_matrix_units=amx)}


@pytest.fixture(autouse=True)
def _float32_policy():
    device.reset_mixed_precision()
    yield
    device.reset_mixed_precision()


def test_describe_reports_backend_versions_and_devices():
    info = device.describe()
    json.dumps(info)  # plain data, so it can be logged or saved with benchmark results
    assert info["backend"] == BACKEND
    assert info["keras_version"] == keras.__version__
    assert info["backend_version"]
    assert info["cpu"]["cores"] >= 1 and isinstance(info["cpu"]["bf16_matrix_units"], bool)
    for gpu in info["gpus"]:
        assert gpu["name"] and set(gpu) >= {"compute_capability", "memory_mib"}
    assert info["cuda"]["in_use"] == bool(info["cuda"]["built_with_cuda"] and info["gpus"])
    assert info["mixed_precision"]["policy"] == "float32"
    assert info["mixed_precision"]["reason"]
    assert info["jit_compile_default"] == device.jit_compile_default()
    text = device.format_description(info)
    assert text.splitlines()[0].startswith("Keras backend") and BACKEND in text.splitlines()[0]
    for label in ("GPUs", "CUDA/cuDNN in use", "Mixed precision", "XLA by default", "Distribution"):
        assert label in text


def test_describe_on_a_cpu_only_machine():
    info = device.describe()
    if info["gpus"] or info["tpus"]:
        pytest.skip("an accelerator is visible")
    assert info["cuda"]["in_use"] is False
    assert "GPUs               none visible" in device.format_description(info)
    if not info["cpu"]["bf16_matrix_units"]:
        assert info["mixed_precision"]["recommended"] is None
        assert "CPU" in info["mixed_precision"]["reason"]


@pytest.mark.parametrize(
    ("hw", "expected"),
    [
        (_hw("7.0"), "mixed_float16"),  # V100: first float16 tensor cores
        (_hw("9.0", "9.0"), "mixed_float16"),
        (_hw("8.6", "6.1"), None),  # the slowest card decides
        (_hw("6.1"), None),  # Pascal: no tensor cores
        (_hw(None), None),  # unknown capability: do not guess
        (_hw(tpus=8), "mixed_bfloat16"),
        (_hw(amx=True), "mixed_bfloat16"),
        (_hw(), None),
    ],
)
def test_recommended_policy_rules(hw, expected):
    policy, reason = device.recommended_policy(hw)
    assert policy == expected
    assert isinstance(reason, str) and reason


@pytest.mark.parametrize(
    ("hw", "policy", "allowed"),
    [
        (_hw("7.5"), "mixed_bfloat16", False),  # Turing: float16 tensor cores only
        (_hw("8.0"), "mixed_bfloat16", True),
        (_hw(tpus=1), "mixed_float16", False),
        (_hw(amx=True), "mixed_float16", False),
        (_hw(), "mixed_bfloat16", False),
    ],
)
def test_explicit_policy_checked_against_hardware(monkeypatch, hw, policy, allowed):
    monkeypatch.setattr(precision, "hardware", lambda: hw)
    if allowed:
        assert device.enable_mixed_precision(policy) == policy
        assert keras.config.dtype_policy().name == policy
    else:
        with pytest.raises(device.MixedPrecisionUnsupportedError, match="force=True"):
            device.enable_mixed_precision(policy)
        assert keras.config.dtype_policy().name == "float32"


def test_auto_policy_on_a_gpu_sets_float16_and_keeps_float32_weights(monkeypatch):
    monkeypatch.setattr(precision, "hardware", lambda: _hw("8.9"))
    assert device.enable_mixed_precision() == "mixed_float16"
    layer = keras.layers.Dense(3)
    layer.build((None, 4))
    assert layer.compute_dtype == "float16" and layer.kernel.dtype == "float32"
    assert device.reset_mixed_precision() == "float32"
    assert keras.layers.Dense(3).compute_dtype == "float32"


def test_refusal_on_cpu_is_clear_and_changes_nothing():
    policy, reason = device.recommended_policy()
    if policy is not None:
        pytest.skip(f"this machine supports {policy}")
    with pytest.raises(device.MixedPrecisionUnsupportedError) as error:
        device.enable_mixed_precision()
    message = str(error.value)
    assert reason in message and "float32" in message and "force=True" in message
    assert keras.config.dtype_policy().name == "float32"


def test_forced_policy_trains_and_resets_cleanly():
    from kerasdl import models, training

    expect_warning = device.recommended_policy()[0] is None
    with pytest.warns(UserWarning, match="forced") if expect_warning else warnings.catch_warnings():
        name = device.enable_mixed_precision("mixed_float16", force=True)
    assert name == keras.config.dtype_policy().name == "mixed_float16"
    model = training.compile_for(models.deep_mlp((6,), 3, depth=2, width=8), learning_rate=1e-2)
    assert model.get_layer("hidden_1").compute_dtype == "float16"
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)  # float16 needs loss scaling
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 6)).astype("float32"), rng.integers(0, 3, 64).astype("int32")
    # 12 steps: dynamic loss scaling may skip the first ones while it finds a scale without overflow.
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0).history["loss"]
    assert np.all(np.isfinite(history)) and history[-1] < history[0]
    assert device.reset_mixed_precision() == "float32"
    assert models.deep_mlp((6,), 3, depth=2, width=8).get_layer("hidden_1").compute_dtype == "float32"


def test_context_manager_restores_the_previous_policy_even_on_error():
    keras.config.set_dtype_policy("float16")  # a non-default policy must come back, not float32
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(KeyError), device.mixed_precision("mixed_bfloat16", force=True) as name:
            assert name == keras.config.dtype_policy().name == "mixed_bfloat16"
            raise KeyError("boom")
    assert keras.config.dtype_policy().name == "float16"


def test_bad_arguments_name_the_parameter():
    with pytest.raises(ValueError, match="policy"):
        device.enable_mixed_precision("fp16")
    with pytest.raises(TypeError, match="force"):
        device.enable_mixed_precision("mixed_float16", force="yes")
    with pytest.raises(TypeError, match="info"):
        device.format_description(["not", "a", "dict"])
    with pytest.raises(TypeError, match="hw"):
        device.recommended_policy("gpu")
    for devices in ("/cpu:0", [], ["/cpu:0", ""], [0]):
        with pytest.raises(ValueError, match="devices"):
            device.strategy(devices=devices)


def test_jit_compile_default_per_backend():
    expected = {"jax": True, "torch": False}
    if BACKEND == "tensorflow":
        import tensorflow as tf

        expected["tensorflow"] = bool(tf.config.list_physical_devices("GPU") or tf.config.list_physical_devices("TPU"))
    assert device.jit_compile_default() is expected[BACKEND]


def test_strategy_is_tensorflow_only_and_defaults_to_one_device():
    if BACKEND != "tensorflow":
        with pytest.raises(RuntimeError, match="keras.distribution"):
            device.strategy()
        return
    import tensorflow as tf

    if len(tf.config.list_physical_devices("GPU")) > 1:
        pytest.skip("several GPUs: strategy() mirrors them")
    assert device.strategy() is tf.distribute.get_strategy()
    assert device.strategy_plan() == "default strategy (one device)"


def test_tf_config_is_validated(monkeypatch):
    if BACKEND != "tensorflow":
        pytest.skip("TF_CONFIG is read by tf.distribute only")
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ValueError, match="TF_CONFIG"):
        device.strategy()
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {"worker": ["a:1"], "ps": ["b:2"]}}))
    with pytest.raises(ValueError, match="ParameterServerStrategy"):
        device.strategy()
    config = {"cluster": {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}, "task": {"type": "worker", "index": 1}}
    monkeypatch.setenv("TF_CONFIG", json.dumps(config))
    assert device.strategy_plan() == "MultiWorkerMirroredStrategy over 2 workers from TF_CONFIG (this is worker 1)"
    with pytest.raises(ValueError, match="TF_CONFIG"):
        device.strategy(devices=["/cpu:0"])


def test_describe_on_jax_without_tensorflow(tmp_path):
    pytest.importorskip("jax")
    # A None entry in sys.modules makes `import tensorflow` fail, as on a
    # machine where only jax is installed.
    script = textwrap.dedent("""
        import sys
        sys.modules["tensorflow"] = None
        from kerasdl import device
        info = device.describe()
        text = device.format_description(info)
        assert info["backend"] == "jax" and info["jit_compile_default"] is True, info
        assert "tensorflow" not in sys.modules or sys.modules["tensorflow"] is None
        print(text)
    """)
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu")
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.startswith("Keras backend      jax")
    assert "keras.distribution" in proc.stdout


def test_cli_info_prints_the_description(capsys):
    from kerasdl.cli import main

    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Keras backend      {BACKEND}") and "Mixed precision" in out


def test_cli_demo_flags(tmp_path, capsys):
    from kerasdl.cli import build_parser, main

    args = build_parser().parse_args(["demo", "--mixed-precision", "--jit"])
    assert args.mixed_precision is True and args.jit is True
    if device.recommended_policy()[0] is not None:
        pytest.skip("this machine accepts mixed precision; the refusal path cannot be shown")
    code = main(["demo", "--dataset", "wine", "--epochs", "1", "--mixed-precision", "--out", str(tmp_path / "d.png")])
    assert code == 2
    assert "--mixed-precision: Mixed precision is not enabled" in capsys.readouterr().err
    assert keras.config.dtype_policy().name == "float32"
    assert not (tmp_path / "d.png").exists()
