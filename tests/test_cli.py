"""The `kerasdl` command, run as a user would: in a subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def _run(*args: str, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "kerasdl.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def _table(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("model "))
    # Drop the seconds column: wall time is the one number that may differ between runs.
    return [line.rsplit(None, 1)[0] for line in lines[start:start + 3]]


def test_demo_writes_png_and_prints_table(tmp_path):
    result = _run("demo", "--epochs", "1", "--out", "curves/demo.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "curves" / "demo.png").stat().st_size > 10_000
    table = _table(result.stdout)
    assert table[0].split() == ["model", "params", "best_epoch", "train_accuracy", "val_accuracy", "test_accuracy",
                                "train_loss", "val_loss", "test_loss"]
    assert table[1].startswith("shallow") and table[2].startswith("deep")
    # Keras prints one progress line per epoch (it leaves out the "Epoch 1/1" header for one epoch).
    assert re.search(r"^\d+/\d+ - .*val_accuracy", result.stdout + result.stderr, re.MULTILINE)
    assert "written to" in result.stdout
    assert "val_*: the validation split" in result.stdout and "exact McNemar p =" in result.stdout


def test_demo_same_seed_same_numbers(tmp_path):
    runs = [_run("demo", "--dataset", "wine", "--epochs", "3", "--seed", "7", "--out", f"r{i}.png", cwd=tmp_path)
            for i in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr
    assert _table(runs[0].stdout) == _table(runs[1].stdout)


def test_demo_bad_arguments_exit_cleanly(tmp_path):
    result = _run("demo", "--epochs", "0", cwd=tmp_path)
    assert result.returncode == 2 and "--epochs must be a positive integer" in result.stderr
    assert "Traceback" not in result.stderr
    result = _run("demo", "--dataset", "imagenet", cwd=tmp_path)
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_info_prints_its_own_lines_first(tmp_path):
    # As `kerasdl info 2>&1 | head -3` shows it: one stream, no log level set by the user.
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run([sys.executable, "-m", "kerasdl.cli", "info"], cwd=tmp_path, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    assert done.returncode == 0, done.stdout
    first = done.stdout.splitlines()[:3]
    assert first[0].startswith("Keras backend"), first
    assert not any("absl" in line or ".cc:" in line for line in first), first
