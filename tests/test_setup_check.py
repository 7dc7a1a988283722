"""`kerasdl doctor`, run in a subprocess as a user would, and its checks one by one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kerasdl.setup_check import TESTED, Check, check_disk, check_gpu, check_version


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    return subprocess.run([sys.executable, "-c", code], env={**clean, "TF_CPP_MIN_LOG_LEVEL": "2", **env},
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_doctor_healthy_setup_exits_zero():
    result = _python("import sys; from kerasdl.cli import main; sys.exit(main(['doctor']))")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    names = [line.split("]")[1].split(":")[0].strip() for line in lines if line.startswith("[")]
    assert names == ["python", "tensorflow", "keras", "backend", "gpu", "mixed precision", "datasets", "disk"]
    assert "[fail]" not in result.stdout
    assert lines[-1].startswith("Ready")


@pytest.mark.slow
def test_doctor_backend_set_after_import_is_blocking():
    code = ("import os, sys, keras; os.environ['KERAS_BACKEND'] = 'jax'\n"
            "from kerasdl.cli import main; sys.exit(main(['doctor']))")
    result = _python(code)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[fail] backend" in result.stdout
    assert "imported before the variable was set" in result.stdout
    assert "blocking problem" in result.stdout.splitlines()[-1]


@pytest.mark.slow
def test_doctor_unknown_backend_is_blocking():
    result = _python("import sys; from kerasdl.setup_check import doctor; sys.exit(doctor())",
                     KERAS_BACKEND="theano")
    assert result.returncode == 1
    assert "KERAS_BACKEND='theano' is not a Keras backend" in result.stdout


@pytest.mark.backend_neutral
def test_version_ranges():
    low, high = TESTED["tensorflow"]
    assert check_version("tensorflow", low + ".0").status == "ok"
    assert check_version("tensorflow", high + ".3").status == "ok"
    assert check_version("tensorflow", "2.15.1").status == "fail"
    assert check_version("tensorflow", None).status == "fail"
    assert check_version("keras", "4.0.0").status == "warn"
    with pytest.raises(ValueError, match="package must be one of"):
        check_version("torch", "2.0")


@pytest.mark.backend_neutral
def test_gpu_warning_on_hosted_cpu_runtime(monkeypatch):
    cpu_only = {"gpus": [], "tpus": 0, "cpu": {"name": "x"}}
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release")
    check = check_gpu(cpu_only)
    assert check.status == "warn" and "Colab notebook runs on a CPU-only runtime" in check.found
    assert "Change runtime type" in check.fix
    monkeypatch.delenv("COLAB_RELEASE_TAG")
    assert check_gpu({"gpus": [{"name": "NVIDIA T4"}], "tpus": 0}).status == "ok"


@pytest.mark.backend_neutral
def test_disk_thresholds(tmp_path, monkeypatch):
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10**12, 0, 10**8))  # 0.1 GB
    assert check_disk({"cache": str(tmp_path / "not" / "yet")}).status == "fail"
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10**12, 0, 10**9))
    assert check_disk({"cache": str(tmp_path)}).status == "warn"
    assert Check("x", "ok", "fine").line() == "[ok] x: fine"
