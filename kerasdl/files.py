"""Writing files so that an interrupted run never leaves half of one.

Recordings (`kerasdl.recorders`) and the transfer recipe's resume state
(`kerasdl.transfer`) both go through `atomic_write`: the bytes go to a
temporary file in the same folder, are flushed to disk, and only then
replace the target with `os.replace` (atomic on POSIX and Windows). A crash
or Ctrl-C leaves either the previous file or the new one.

Example:
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "notes.txt")
    >>> with atomic_write(path) as handle:
    ...     _ = handle.write(b"kept whole")
    >>> open(path, "rb").read()
    b'kept whole'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Open a binary handle whose contents replace `path` only if the block finishes.

    The parent folder is created if needed. On an exception the temporary
    file is removed and `path` is left as it was.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "a", "b.json")
        >>> with atomic_write(path) as handle:
        ...     _ = handle.write(b"{}")
        >>> os.path.getsize(path)
        2
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
