"""Where does the executed docs build spend its time? Per tutorial, per cell.

`mkdocs build` runs every tutorial in a Jupyter kernel. To see which cells
cost the most, start the build with an IPython startup file that appends one
JSON line per executed cell (kernel process id, seconds, first source line)
to a log; this script writes that startup file and, after the build, turns
the log into a table: each tutorial's total and its heaviest cells.

Usage:
    python benchmarks/docs_cells.py setup /tmp/ipy /tmp/cells.jsonl
    IPYTHONDIR=/tmp/ipy KERASDL_DOCS_CACHE=0 mkdocs build --strict
    python benchmarks/docs_cells.py report /tmp/cells.jsonl --min-seconds 8

Tutorials are told apart by kernel process (one kernel per page). The build
runs them in worker processes that name the tutorial (`KERASDL_DOCS_TUTORIAL`),
and the log keeps that name; for logs without it the report numbers the kernels
in build order, and `--names` (the tutorial stems, in that order) labels them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

STARTUP = '''\
import json as _json, time as _time
_kerasdl_cell = {}


def _kerasdl_pre(info):
    _kerasdl_cell["start"] = _time.perf_counter()
    _kerasdl_cell["first"] = ((info.raw_cell or "").strip().splitlines() or [""])[0][:80]


def _kerasdl_post(result):
    with open(LOG, "a", encoding="utf-8") as handle:
        handle.write(_json.dumps({"pid": __import__("os").getpid(), "first": _kerasdl_cell["first"],
                                  "tutorial": __import__("os").environ.get("KERASDL_DOCS_TUTORIAL"),
                                  "s": round(_time.perf_counter() - _kerasdl_cell["start"], 2)}) + "\\n")


get_ipython().events.register("pre_run_cell", _kerasdl_pre)
get_ipython().events.register("post_run_cell", _kerasdl_post)
'''


def setup(ipython_dir: Path, log: Path) -> Path:
    """Write the startup file that logs every cell's time to `log`; return its path.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> setup(folder, folder / "cells.jsonl").name
        '00_kerasdl_cell_times.py'
    """
    startup = ipython_dir / "profile_default" / "startup" / "00_kerasdl_cell_times.py"
    startup.parent.mkdir(parents=True, exist_ok=True)
    startup.write_text(f"LOG = {str(log)!r}\n" + STARTUP, encoding="utf-8")
    return startup


def report(log: Path, min_seconds: float = 8.0, names: list[str] | None = None) -> list[dict]:
    """Per kernel (= tutorial, in build order): total seconds and the cells above `min_seconds`.

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "cells.jsonl"
        >>> _ = path.write_text('{"pid": 1, "first": "import keras", "s": 9.0}\\n'
        ...                     '{"pid": 1, "first": "x = 1", "s": 0.1}\\n', encoding="utf-8")
        >>> report(path)[0]["total_s"]
        9.1
    """
    rows = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    order = list(dict.fromkeys(row["pid"] for row in rows))
    out = []
    for i, pid in enumerate(order):
        cells = [row for row in rows if row["pid"] == pid]
        named = cells[0].get("tutorial")
        out.append({"tutorial": named or (names[i] if names and i < len(names) else f"#{i + 1}"),
                    "total_s": round(sum(row["s"] for row in cells), 1), "cells": len(cells),
                    "heavy": [(row["s"], row["first"]) for row in cells if row["s"] >= min_seconds]})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    first = sub.add_parser("setup", help="write the IPython startup file")
    first.add_argument("ipython_dir", type=Path)
    first.add_argument("log", type=Path)
    second = sub.add_parser("report", help="summarise a log")
    second.add_argument("log", type=Path)
    second.add_argument("--min-seconds", type=float, default=8.0)
    second.add_argument("--names", nargs="*", default=None)
    args = parser.parse_args()
    if args.command == "setup":
        print(f"wrote {setup(args.ipython_dir, args.log)}; build with IPYTHONDIR={args.ipython_dir}")
        return
    for entry in report(args.log, args.min_seconds, args.names):
        print(f"{entry['tutorial']}: {entry['total_s']:.1f} s in {entry['cells']} cells")
        for seconds, first in entry["heavy"]:
            print(f"  {seconds:7.1f} s  {first}")


if __name__ == "__main__":
    main()
