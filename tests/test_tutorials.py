"""Every tutorial runs top to bottom in smoke mode.

The list is the glob of ``tutorials/NN_*.py``, so a new tutorial is tested
as soon as its file exists. Smoke mode (``KERASDL_SMOKE=1``) shrinks data and
epochs. Each tutorial runs once per test session: when the smoke docs build
of ``test_docs.py`` (waited for through ``build_lock.py`` if it is running in
the other test worker) has already executed this exact source
with these library sources and package versions (its provenance record, see
``docs/hooks/kerasdl_docs.py``: written only after a tutorial ran to the end
without an error), that run counts; otherwise the tutorial runs here as a
script in a fresh Python process, with the Agg backend (``plt.show()`` is a
no-op) and a temporary working directory, so files it writes do not land in
the repo.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = sorted((ROOT / "tutorials").glob("[0-9][0-9]_*.py"))
# Generous: a smoke run takes well under a minute; this only stops a hang.
TIMEOUT_S = 300


def _ran_in_docs_build() -> set[tuple[str, str]]:
    sys.path.insert(0, str(Path(__file__).parent))
    import build_lock

    sys.path.pop(0)
    try:
        sys.path.insert(0, str(ROOT / "docs" / "hooks"))
        import kerasdl_docs
    except ImportError:  # the docs extra is not installed: every tutorial runs here
        return set()
    finally:
        sys.path.pop(0)
    with build_lock.held(exclusive=False):  # a docs build in the other worker finishes first
        return kerasdl_docs.executed_in_smoke_cache(ROOT)


def test_tutorials_are_found():
    assert TUTORIALS, f"no tutorials matched {ROOT / 'tutorials'}/NN_*.py"


@pytest.mark.slow
@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_runs_in_smoke_mode(path: Path, tmp_path: Path):
    if (path.stem, hashlib.sha256(path.read_bytes()).hexdigest()) in _ran_in_docs_build():
        return  # a smoke docs build of this exact source, library and versions ran it to the end
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
