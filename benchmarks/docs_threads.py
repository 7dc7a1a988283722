"""Two tutorials side by side: how long until both finish, with and without thread limits?

The docs build executes tutorials two at a time (`docs/hooks/tutorial_runner.py`).
On a 2-core machine each kernel's TensorFlow, OpenMP and BLAS pools size
themselves to both cores, so two kernels run four or more busy threads on two
cores. This benchmark runs the same pair of full-mode tutorials through the
build's own `TutorialRunner`, once with the default threads and once with the
runner's limit (`cores // 2` threads per kernel), alternating the two settings
round after round, and prints the time until both finished (the makespan) and
the ratio per round.

Usage (from the repository root, docs extra installed):
    python benchmarks/docs_threads.py --rounds 2 04_dropout 06_weight_initialization
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "hooks"))
import tutorial_runner  # noqa: E402

OPTIONS = {"kernel_name": "python3", "allow_errors": False, "no_prompt": True}


def makespan(stems: list[str], limited: bool) -> dict:
    """Run the tutorials two at a time, with the runner's thread limit or the libraries' defaults."""
    for name in tutorial_runner.THREAD_VARIABLES:
        os.environ.pop(name, None)
    sources = [ROOT / "tutorials" / f"{stem}.py" for stem in stems]
    start = time.perf_counter()
    runner = tutorial_runner.TutorialRunner(sources, OPTIONS, jobs=2, run_alone=set(), limit_threads=limited).start()
    seconds = {s.stem: round(runner.result(s.stem)["seconds"], 1) for s in sources}
    runner.close()
    return {"threads": "limited" if limited else "default", "makespan": round(time.perf_counter() - start, 1),
            **seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stems", nargs=2, help="two tutorial stems, e.g. 04_dropout 06_weight_initialization")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    os.environ.pop("KERASDL_SMOKE", None)  # full mode, as in the real build
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores; pair {' + '.join(args.stems)}; "
          f"{args.rounds} rounds, settings alternating (the first setting flips every round)")
    for round_ in range(args.rounds):
        order = (False, True) if round_ % 2 == 0 else (True, False)
        rows = {limited: makespan(args.stems, limited) for limited in order}
        for limited in order:
            print(json.dumps({"round": round_ + 1, **rows[limited]}), flush=True)
        print(f"round {round_ + 1}: default / limited makespan = "
              f"{rows[False]['makespan'] / rows[True]['makespan']:.2f}x", flush=True)


if __name__ == "__main__":
    main()
