"""The docs build's tutorial runner: tutorials in worker processes, several at a time.

Real kernels execute tiny notebooks that log when they start and end, so the
tests see the schedule the build gets: two at a time, the `run_alone` ones
with nothing beside them, a failing tutorial reported with its traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("mkdocs_jupyter", reason="docs extra not installed (pip install -e '.[docs]')")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "hooks"))
import tutorial_runner  # noqa: E402

OPTIONS = {"kernel_name": "python3", "allow_errors": False, "no_prompt": True}


def _tutorial(folder: Path, stem: str, log: Path, seconds: float, fail: bool = False) -> Path:
    body = (
        "import json, time\n"
        f"log = open({str(log)!r}, 'a')\n"
        f"log.write(json.dumps(['{stem}', 'start', time.time()]) + '\\n'); log.flush()\n"
        f"time.sleep({seconds})\n"
        + ("raise ValueError('this tutorial fails on purpose')\n" if fail else "")
        + f"log.write(json.dumps(['{stem}', 'end', time.time()]) + '\\n'); log.close()\n"
        f"print('{stem} ran')\n"
    )
    path = folder / f"{stem}.py"
    path.write_text(f"# %% [markdown]\n# # {stem}\n\n# %%\n{body}", encoding="utf-8")
    return path


def _intervals(log: Path) -> dict[str, tuple[float, float]]:
    events = [json.loads(line) for line in log.read_text().splitlines()]
    return {stem: (next(t for s, e, t in events if s == stem and e == "start"),
                   next(t for s, e, t in events if s == stem and e == "end")) for stem, _, _ in events}


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def test_two_at_a_time_and_the_timed_tutorial_alone(tmp_path: Path):
    log = tmp_path / "events.jsonl"
    sources = [_tutorial(tmp_path, stem, log, 1.5) for stem in ("01_a", "02_b", "03_timed", "04_c")]
    runner = tutorial_runner.TutorialRunner(sources, OPTIONS, jobs=2, run_alone={"03_timed"}).start()
    results = {s.stem: runner.result(s.stem) for s in sources}

    for stem, result in results.items():
        assert f"{stem} ran" in result["content"]  # the executed output is in the page's HTML
        assert result["seconds"] >= 1.5 and result["jobs"] == 2
        assert result["alone"] == (stem == "03_timed")
    spans = _intervals(log)
    others = [spans[s] for s in ("01_a", "02_b", "04_c")]
    assert not any(_overlap(spans["03_timed"], other) for other in others)
    # Two ran at the same time (the pool is not secretly sequential).
    assert any(_overlap(a, b) for i, a in enumerate(others) for b in others[i + 1:])
    runner.close()  # nothing is left behind after a good build
    assert not runner._scratch.exists()


def test_one_job_runs_them_one_after_the_other(tmp_path: Path):
    log = tmp_path / "events.jsonl"
    sources = [_tutorial(tmp_path, stem, log, 1.0) for stem in ("01_a", "02_b")]
    runner = tutorial_runner.TutorialRunner(sources, OPTIONS, jobs=1, run_alone=set()).start()
    assert all(runner.result(s.stem)["alone"] for s in sources)
    spans = _intervals(log)
    assert not _overlap(spans["01_a"], spans["02_b"])


def test_a_failing_tutorial_reports_its_error_and_stops_the_rest(tmp_path: Path):
    log = tmp_path / "events.jsonl"
    sources = [_tutorial(tmp_path, "01_fails", log, 0.1, fail=True), _tutorial(tmp_path, "02_later", log, 0.1)]
    runner = tutorial_runner.TutorialRunner(sources, OPTIONS, jobs=1, run_alone=set()).start()
    with pytest.raises(RuntimeError, match="fails on purpose"):
        runner.result("01_fails")
    with pytest.raises(RuntimeError, match="not executed"):
        runner.result("02_later")
    runner.close()  # the failed tutorial's whole log stays for reading
    assert (runner._scratch / "01_fails" / "worker.log").is_file()


def test_kernels_beside_others_split_the_cores_and_alone_keep_them(tmp_path: Path, monkeypatch):
    for name in tutorial_runner.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(tutorial_runner.os, "cpu_count", lambda: 4)  # the worker inherits the env, not this
    names = tutorial_runner.THREAD_VARIABLES
    body = f"import os\nprint('threads=' + ','.join(str(os.environ.get(n)) for n in {names!r}))\n"
    sources = []
    for stem in ("01_shared", "02_alone"):
        path = tmp_path / f"{stem}.py"
        path.write_text(f"# %% [markdown]\n# # {stem}\n\n# %%\n{body}", encoding="utf-8")
        sources.append(path)
    runner = tutorial_runner.TutorialRunner(sources, OPTIONS, jobs=2, run_alone={"02_alone"}).start()
    shared, alone = runner.result("01_shared"), runner.result("02_alone")
    assert shared["threads"] == 2 and alone["threads"] is None
    assert "threads=" + ",".join(["2"] * len(names)) in shared["content"]
    assert "threads=" + ",".join(["None"] * len(names)) in alone["content"]
    runner.close()
    unlimited = tutorial_runner.TutorialRunner(sources[:1], OPTIONS, jobs=2, run_alone=set(),
                                               limit_threads=False).start()
    assert "threads=" + ",".join(["None"] * len(names)) in unlimited.result("01_shared")["content"]
    unlimited.close()


def test_thread_settings_the_user_made_are_kept():
    environ = {"OMP_NUM_THREADS": "3"}
    chosen = tutorial_runner.thread_environment(2, alone=False, environ=environ)
    assert "OMP_NUM_THREADS" not in chosen and set(chosen) == set(tutorial_runner.THREAD_VARIABLES) - {"OMP_NUM_THREADS"}
    assert tutorial_runner.thread_environment(2, alone=True, environ={}) == {}
    assert tutorial_runner.thread_environment(1, alone=False, environ={}) == {}


@pytest.mark.parametrize("raw, expected", [("1", 1), ("3", 3), (" 2 ", 2)])
def test_jobs_come_from_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv(tutorial_runner.JOBS_VARIABLE, raw)
    assert tutorial_runner.jobs_from_environment() == expected


@pytest.mark.parametrize("raw", ["0", "-1", "two", "1.5"])
def test_bad_jobs_value_is_a_clear_error(monkeypatch, raw):
    monkeypatch.setenv(tutorial_runner.JOBS_VARIABLE, raw)
    with pytest.raises(ValueError, match="KERASDL_DOCS_JOBS"):
        tutorial_runner.jobs_from_environment()
