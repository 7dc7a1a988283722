"""Run the tutorials of a docs build in worker processes, several at a time.

Executing the tutorials is almost all of a full build, and most of their cells
are small Keras trainings that keep one core busy with Python and TensorFlow
overhead. Two tutorials executed side by side on a 2-core machine finish in
about two thirds of the time they take one after the other. So the build hook
starts a `TutorialRunner` before the pages are rendered; each page then waits
for its own tutorial's HTML instead of executing it.

Policy: tutorials named in `run_alone` (they print timings that another
tutorial running beside them would distort) run after the others, one at a
time, with nothing else executing. `KERASDL_DOCS_JOBS` sets how many run at
once (default: 2 when the machine has 2 or more cores, else 1). Tutorials that
share the machine split its cores: each kernel gets `cores // jobs` threads
(TensorFlow's two pools, OpenMP, BLAS) unless the environment already sets
them. Two kernels of two threads each on two cores fight over them:
`benchmarks/docs_threads.py` runs 04 and 06 side by side in full mode, the
two settings alternating, and both finished 1.12x and 1.19x sooner with one
thread each (`benchmarks/results/*-docs-threads.txt`). The tutorials that run
alone keep every thread.

Mechanism: each tutorial is one worker process running this file as a script:
it converts the notebook with mkdocs-jupyter's own `nb2html` (so a page is
exactly what the plugin would have rendered), writes the HTML and the
seconds it took to a JSON file and exits non-zero with the error if a cell
fails. The worker's output (TensorFlow's C++ log lines included) goes to a
log file whose tail is shown when the tutorial fails. Each kernel works in
its own scratch folder (`KERASDL_DOCS_TUTORIAL` names it), so two tutorials
never write the same file.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

JOBS_VARIABLE = "KERASDL_DOCS_JOBS"
TUTORIAL_VARIABLE = "KERASDL_DOCS_TUTORIAL"
_LOG_TAIL = 4000
#: Environment variables that size the thread pools of TensorFlow, OpenMP and the BLAS libraries.
THREAD_VARIABLES = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS",
                    "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def jobs_from_environment() -> int:
    """How many tutorials run at once: `KERASDL_DOCS_JOBS`, else 2 on a multi-core machine."""
    raw = os.environ.get(JOBS_VARIABLE, "").strip()
    if not raw:
        return 2 if (os.cpu_count() or 1) >= 2 else 1
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{JOBS_VARIABLE}={raw!r}: expected a whole number >= 1 (1 runs the tutorials one at a time).")
    return int(raw)


def thread_environment(jobs: int, alone: bool, environ: dict | None = None) -> dict[str, str]:
    """The thread settings of a kernel: `cores // jobs` each while sharing the machine, none when alone.

    Variables already set in `environ` (default `os.environ`) are kept as the user set them.
    """
    environ = os.environ if environ is None else environ
    if alone or jobs <= 1:
        return {}
    threads = str(max(1, (os.cpu_count() or 1) // jobs))
    return {name: threads for name in THREAD_VARIABLES if name not in environ}


@dataclass
class _Outcome:
    done: threading.Event = field(default_factory=threading.Event)
    result: dict | None = None
    error: str | None = None


class TutorialRunner:
    """Executes tutorials in worker processes; `result(stem)` waits for one.

    Args:
        sources: Tutorial scripts to execute, in course order.
        options: Keyword arguments for mkdocs-jupyter's `nb2html` (JSON-able).
        jobs: How many tutorials execute at once.
        run_alone: Stems of tutorials that execute with nothing beside them.
        limit_threads: Give kernels that share the machine `cores // jobs` threads each
            (`thread_environment`); False leaves the libraries' defaults (for comparison).
    """

    def __init__(self, sources: list[Path], options: dict, jobs: int, run_alone: set[str],
                 limit_threads: bool = True) -> None:
        self.sources = list(sources)
        self.limit_threads = limit_threads
        self.options = dict(options)
        self.jobs = jobs
        self.run_alone = {s.stem for s in self.sources if s.stem in run_alone}
        self._outcomes = {s.stem: _Outcome() for s in self.sources}
        self._workers: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._scratch = Path(tempfile.mkdtemp(prefix="kerasdl-docs-run-"))
        self._thread = threading.Thread(target=self._run_all, name="kerasdl-tutorials", daemon=True)

    def start(self) -> "TutorialRunner":
        self._thread.start()
        return self

    def __contains__(self, stem: str) -> bool:
        return stem in self._outcomes

    def result(self, stem: str) -> dict:
        """The tutorial's `{"content", "seconds", "finished_at", "alone", "jobs", "threads"}`.

        `threads` is the kernel's thread count when it was limited (see `thread_environment`), else None.
        Raises RuntimeError if the tutorial failed.
        """
        outcome = self._outcomes[stem]
        outcome.done.wait()
        if outcome.error is not None:
            self.stop()
            raise RuntimeError(outcome.error)
        return outcome.result

    def stop(self) -> None:
        """Skip the tutorials not started yet and end the running workers (and their kernels)."""
        self._stopped.set()
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            try:
                os.killpg(worker.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass

    # ------------------------------------------------------------------ scheduling
    def _run_all(self) -> None:
        together = [s for s in self.sources if s.stem not in self.run_alone]
        alone = [s for s in self.sources if s.stem in self.run_alone]
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            list(pool.map(lambda source: self._run_one(source, alone=self.jobs == 1), together))
        for source in alone:
            self._run_one(source, alone=True)

    def _run_one(self, source: Path, alone: bool) -> None:
        outcome = self._outcomes[source.stem]
        try:
            if self._stopped.is_set():
                outcome.error = f"tutorial {source.stem} was not executed: the build stopped after another tutorial failed."
            else:
                threads = thread_environment(self.jobs, alone) if self.limit_threads else {}
                outcome.result = {**self._execute(source, threads), "alone": alone, "jobs": self.jobs,
                                  "threads": int(next(iter(threads.values()))) if threads else None}
        except Exception as error:  # reported when the page asks for it; the build will fail
            outcome.error = str(error)
            self.stop()
        finally:
            outcome.done.set()

    def _execute(self, source: Path, threads: dict[str, str]) -> dict:
        folder = self._scratch / source.stem
        folder.mkdir()
        (folder / "options.json").write_text(json.dumps(self.options), encoding="utf-8")
        out, log_path = folder / "page.json", folder / "worker.log"
        env = {**os.environ, **threads, TUTORIAL_VARIABLE: source.stem}
        with log_path.open("wb") as log:
            worker = subprocess.Popen(
                [sys.executable, __file__, str(source), str(folder / "options.json"), str(out)],
                stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            )
            with self._lock:
                self._workers.add(worker)
            try:
                code = worker.wait()
            finally:
                with self._lock:
                    self._workers.discard(worker)
        if code != 0 or not out.is_file():
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-_LOG_TAIL:]
            raise RuntimeError(f"tutorial {source.name} failed (worker exit code {code}; whole log in "
                               f"{log_path}); the end of its log:\n{tail}")
        page = json.loads(out.read_text(encoding="utf-8"))
        shutil.rmtree(folder, ignore_errors=True)  # a failed tutorial's folder stays, for its log
        return page

    def close(self) -> None:
        """`stop`, then remove the scratch folder unless a failed tutorial's log is in it."""
        self.stop()
        try:
            self._scratch.rmdir()
        except OSError:
            pass


def _worker(source: str, options_path: str, out_path: str) -> None:
    # SIGTERM from TutorialRunner.stop: unwind, so that the kernel is shut down too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    from mkdocs_jupyter import convert

    options = json.loads(Path(options_path).read_text(encoding="utf-8"))
    start = time.perf_counter()
    content = convert.nb2html(source, execute=True, **options)
    seconds = time.perf_counter() - start
    finished = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    Path(out_path).write_text(json.dumps({"content": content, "seconds": seconds, "finished_at": finished}),
                              encoding="utf-8")


if __name__ == "__main__":
    _worker(*sys.argv[1:4])
