"""kerasdl.device.throughput: the measuring core shared by the benchmark and the tutorials, and recordings."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from kerasdl import device, models, training

pytestmark = pytest.mark.backend_neutral

ROOT = Path(__file__).resolve().parents[1]


def test_matmul_gflops_reports_a_positive_rate():
    row = device.matmul_gflops(32, "float32", min_seconds=0.01, repeats=2)
    assert row["size"] == 32 and row["dtype"] == "float32" and row["reps"] >= 1
    assert row["seconds"] > 0
    assert row["gflops"] == pytest.approx(2 * 32**3 * row["reps"] / row["seconds"] / 1e9)


@pytest.mark.parametrize("kwargs, error", [({"n": 0}, ValueError), ({"n": 8, "min_seconds": -1.0}, ValueError),
                                           ({"n": 8, "repeats": 0}, ValueError)])
def test_matmul_gflops_checks_its_arguments(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs.keys() - {"n"}), "n")):
        device.matmul_gflops(**kwargs)


def test_fit_throughput_times_whole_epochs_after_a_warm_up():
    model = training.compile_for(models.deep_mlp((4,), 3, depth=2, width=8))
    x = np.random.default_rng(0).random((96, 4), dtype=np.float32)
    y = np.arange(96) % 3
    row = device.fit_throughput(model, x, y, batch_size=32, repeats=2)
    assert row["examples"] == 96 and row["batch_size"] == 32
    assert row["warmup_seconds"] > 0 and row["seconds"] > 0
    assert row["examples_per_s"] == pytest.approx(96 / row["seconds"])


def test_fit_throughput_rejects_bad_input():
    x, y = np.zeros((8, 4), "float32"), np.zeros(8, "int32")
    with pytest.raises(TypeError, match="compiled"):
        device.fit_throughput(models.deep_mlp((4,), 3, depth=1, width=4), x, y)
    model = training.compile_for(models.deep_mlp((4,), 3, depth=1, width=4))
    with pytest.raises(ValueError, match="equal length"):
        device.fit_throughput(model, x, y[:4])
    with pytest.raises(ValueError, match="batch_size"):
        device.fit_throughput(model, x, y, batch_size=0)


def _recording(gpus: list, date: str) -> dict:
    return {"device": "x", "backend": "tensorflow", "date": date, "describe": {"gpus": gpus, "tpus": 0},
            "matmul": [{"size": 8, "dtype": "float32", "gflops": 1.0}], "train": []}


def test_load_recordings_filters_by_device_and_sorts_newest_first(tmp_path):
    (tmp_path / "cpu.json").write_text(json.dumps(_recording([], "2025-01-01T00:00:00+00:00")))
    (tmp_path / "gpu-old.json").write_text(json.dumps(_recording([{"name": "G"}], "2025-01-02T00:00:00+00:00")))
    (tmp_path / "gpu-new.json").write_text(json.dumps(_recording([{"name": "G"}], "2025-03-01T00:00:00+00:00")))
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "other.json").write_text(json.dumps({"something": "else"}))
    # The same folder twice (and a missing one) must not duplicate or fail.
    folders = [tmp_path, tmp_path / "missing", str(tmp_path)]
    every = device.load_recordings(folders)
    assert [Path(r["path"]).name for r in every] == ["gpu-new.json", "gpu-old.json", "cpu.json"]
    assert [Path(r["path"]).name for r in device.load_recordings(tmp_path, accelerated=True)] == [
        "gpu-new.json", "gpu-old.json"]
    assert [Path(r["path"]).name for r in device.load_recordings(tmp_path, accelerated=False)] == ["cpu.json"]
    assert device.load_recordings(tmp_path / "missing") == []


def test_committed_recordings_say_what_they_ran_on():
    for recording in device.load_recordings(ROOT / "benchmarks" / "results"):
        assert {"device", "backend", "date", "describe"} <= set(recording)
        assert device.is_accelerated(recording) == (not recording["device"].startswith("cpu-"))


def test_benchmark_measures_with_the_library_code():
    spec = importlib.util.spec_from_file_location("throughput_benchmark", ROOT / "benchmarks" / "throughput.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.matmul_gflops is device.matmul_gflops
    assert bench.fit_throughput is device.fit_throughput
    cfg = dict(bench.QUICK, steps=2, batch_size=16, repeats=1, mlp_width=8, mlp_depth=1)
    row = bench.train_throughput("deep_mlp", False, "float32", cfg)
    assert row["examples_per_s"] > 0 and row["steps"] == 2
