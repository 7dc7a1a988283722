"""Every tutorial runs top to bottom in smoke mode, each in a fresh Python process.

The list is the glob of ``tutorials/NN_*.py``, so a new tutorial is tested
as soon as its file exists. Smoke mode (``KERASDL_SMOKE=1``) shrinks data and
epochs; the Agg backend makes ``plt.show()`` a no-op; the working directory
is a temporary folder, so files a tutorial writes do not land in the repo.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = sorted((ROOT / "tutorials").glob("[0-9][0-9]_*.py"))
# Generous: a smoke run takes well under a minute; this only stops a hang.
TIMEOUT_S = 300


def test_tutorials_are_found():
    assert TUTORIALS, f"no tutorials matched {ROOT / 'tutorials'}/NN_*.py"


@pytest.mark.slow
@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_runs_in_smoke_mode(path: Path, tmp_path: Path):
    env = {
        **os.environ,
        "KERASDL_SMOKE": "1",
        "MPLBACKEND": "Agg",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONUNBUFFERED": "1",
    }
    try:
        done = subprocess.run(
            [sys.executable, str(path)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as error:
        out = error.stdout.decode(errors="replace") if isinstance(error.stdout, bytes) else error.stdout or ""
        pytest.fail(f"{path.name} did not finish within {TIMEOUT_S} s in smoke mode:\n{out[-3000:]}")
    assert done.returncode == 0, (
        f"{path.name} failed in smoke mode (exit {done.returncode}).\n"
        f"--- stdout (tail) ---\n{done.stdout[-3000:]}\n--- stderr (tail) ---\n{done.stderr[-6000:]}"
    )
    assert done.stdout.strip(), f"{path.name} printed nothing; tutorials print what they measure"
