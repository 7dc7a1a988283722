"""A lock file shared by the smoke docs build (tests/test_docs.py) and the tutorial runs (tests/test_tutorials.py).

The test suite runs in two worker processes. The docs build executes every
tutorial and records each run that finished; `test_tutorials.py` counts those
records instead of running the tutorials again. The build holds this lock
exclusively while it runs, and the tutorial test takes it shared before it
reads the records, so it waits for a build in progress instead of racing it.
Where `fcntl` does not exist (Windows) there is no lock: the tutorial test then
runs whatever the build has not yet recorded, which is slower but still right.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

LOCK = Path(__file__).resolve().parents[1] / ".cache" / "kerasdl-docs-build.lock"


@contextlib.contextmanager
def held(exclusive: bool) -> Iterator[None]:
    """Hold the build lock (exclusive for the build, shared for readers of its records)."""
    if fcntl is None:
        yield
        return
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
