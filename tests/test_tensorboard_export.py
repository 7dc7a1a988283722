"""Recordings written to TensorBoard event files and read back with TensorBoard's own reader."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from kerasdl.recorders import (
    ActivationHistory,
    GradientHistory,
    GradientRecorder,
    TensorBoardRecording,
    write_tensorboard,
)

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

pytestmark = pytest.mark.backend_neutral


def _read(logdir) -> EventAccumulator:
    acc = EventAccumulator(str(logdir), size_guidance={"tensors": 0})
    acc.Reload()
    return acc


def _series(acc: EventAccumulator, tag: str) -> tuple[list[int], list[float]]:
    events = acc.Tensors(tag)
    return [e.step for e in events], [float(tensor_util.make_ndarray(e.tensor_proto)) for e in events]


def test_saved_history_exported_as_scalars_and_histograms(tmp_path):
    h = GradientHistory(columns=[("hidden_1", "kernel"), ("hidden_1", "bias"), ("output", "kernel")])
    h.append([0, 5, 10], {"l2": np.array([[3.0, 4.0, 1.0], [0.3, 0.4, 0.5], [6.0, 8.0, 2.0]])})
    saved = h.save(tmp_path / "grads.npz")
    out = write_tensorboard(str(saved), tmp_path / "tb", histograms=True)
    assert out["rows"] == 3 and out["tags"] == 5
    acc = _read(tmp_path / "tb")
    tags = set(acc.Tags()["tensors"])
    assert {"gradients/hidden_1", "gradients/hidden_1/kernel", "gradients/hidden_1/bias",
            "gradients/output", "gradients/output/kernel", "gradients/log10_norms"} <= tags
    steps, values = _series(acc, "gradients/hidden_1")
    assert steps == [0, 5, 10]
    np.testing.assert_allclose(values, [5.0, 0.5, 10.0], rtol=1e-6)  # kernel and bias combined
    assert _series(acc, "gradients/output/kernel")[1] == pytest.approx([1.0, 0.5, 2.0])
    hist = tensor_util.make_ndarray(acc.Tensors("gradients/log10_norms")[0].tensor_proto)
    assert hist[:, 2].sum() == 3  # one count per recorded variable


def test_activation_history_exported(tmp_path):
    h = ActivationHistory(columns=[("act_1", "output")])
    h.append([0, 3], {"std": [[0.5], [0.25]], "saturated_frac": [[np.nan], [np.nan]]})
    write_tensorboard(h, tmp_path)
    acc = _read(tmp_path)
    assert _series(acc, "activations/act_1/std") == ([0, 3], [0.5, 0.25])
    assert "activations/act_1/saturated_frac" not in acc.Tags()["tensors"]  # NaN: not a sigmoid layer


def test_live_export_during_fit_matches_the_recording(tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="hidden_1"),
                              keras.layers.Dense(1, name="output")])
    model.compile("sgd", "mse")
    rec = GradientRecorder()
    tb = TensorBoardRecording(rec, tmp_path / "live")
    x, y = np.random.default_rng(0).normal(size=(16, 4)), np.zeros((16, 1))
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[rec, tb])
    assert tb.written == len(rec.history) == 8
    steps, values = _series(_read(tmp_path / "live"), "gradients/output")
    assert steps == rec.history.steps.tolist()
    np.testing.assert_allclose(values, rec.history.get("output"), rtol=1e-6)


def test_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match="history must be a GradientHistory or ActivationHistory"):
        write_tensorboard({"l2": [1.0]}, tmp_path)
    with pytest.raises(TypeError, match="recorder must be a GradientRecorder"):
        TensorBoardRecording("rec", tmp_path)
    with pytest.raises(ValueError, match="prefix must be None"):
        write_tensorboard(GradientHistory(columns=[("a", "kernel")]), tmp_path, prefix="/")
