"""Install the wheel a built site serves and run it as a learner would (used by browser_check.py).

A fresh virtual environment gets the downloaded wheel. Its dependencies
(TensorFlow, Keras, Jupyter...) are not downloaded again: a ``.pth`` file puts
the site-packages of the interpreter running this check at the *end* of the new
environment's path, so only kerasdl comes from the wheel (checked, by where
``kerasdl`` is imported from). From that environment:

1. ``kerasdl demo --epochs 1`` runs in an empty folder;
2. the downloaded notebook runs top to bottom in a fresh Jupyter kernel of that
   environment, in smoke mode (``KERASDL_SMOKE=1``), with nbclient.

Usage (normally called from browser_check.py):
    python docs/wheel_check.py WHEEL NOTEBOOK
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

DEMO_TIMEOUT_S = 600
NOTEBOOK_TIMEOUT_S = 900


def make_venv(folder: Path) -> Path:
    """A new virtual environment that sees this interpreter's packages after its own."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    python = folder / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    # A plain path line: those folders join sys.path, but their own .pth files (an
    # editable kerasdl, say) are not run, so they cannot shadow the wheel.
    paths = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "_kerasdl_check_base.pth").write_text("\n".join(sorted(paths)) + "\n", encoding="utf-8")
    return python


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env.update({"TF_CPP_MIN_LOG_LEVEL": "2", "MPLBACKEND": "Agg", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}, **extra)
    return env


def _kernel_spec(python: Path, root: Path) -> str:
    spec = root / "kernels" / "kerasdl-wheel"
    spec.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    env = {"KERASDL_SMOKE": "1", "TF_CPP_MIN_LOG_LEVEL": "2", "MPLBACKEND": "Agg"}
    spec_json = {"argv": argv, "display_name": "kerasdl wheel", "language": "python", "env": env}
    (spec / "kernel.json").write_text(json.dumps(spec_json), encoding="utf-8")
    return "kerasdl-wheel"


def run_notebook(python: Path, notebook: Path, workdir: Path) -> tuple[bool, str]:
    """Execute `notebook` in a fresh kernel of the environment of `python`."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    spec_root = Path(tempfile.mkdtemp(prefix="kerasdl-kernels-"))
    name = _kernel_spec(python, spec_root)
    previous = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(spec_root), previous]))
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(nb, kernel_name=name, timeout=NOTEBOOK_TIMEOUT_S, resources={"metadata": {"path": str(workdir)}})
    start = time.monotonic()
    try:
        client.execute()
    except CellExecutionError as error:
        return False, str(error).strip().splitlines()[-1][:300]
    finally:
        if previous is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = previous
    code = sum(c.cell_type == "code" for c in nb.cells)
    return True, f"{code} code cells in {time.monotonic() - start:.0f} s"


def check(wheel: Path, notebook: Path, scratch: Path, report) -> None:
    """Install `wheel` into a fresh environment under `scratch`, then run the demo and `notebook`."""
    start = time.monotonic()
    python = make_venv(scratch / "venv")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        capture_output=True, text=True, timeout=300, env=_env(),
    )
    where = subprocess.run(
        [str(python), "-c", "import kerasdl, importlib.metadata as m; print(kerasdl.__file__, m.version('kerasdl'))"],
        capture_output=True, text=True, timeout=120, env=_env(), cwd=scratch,
    ).stdout.strip()
    from_wheel = done.returncode == 0 and where.startswith(str(scratch / "venv"))
    report.check(from_wheel, "wheel installs into a fresh virtual environment",
                 where or done.stderr.strip()[-300:])
    if not from_wheel:
        return
    demo_dir = scratch / "demo"
    demo_dir.mkdir()
    demo = subprocess.run(
        [str(scratch / "venv" / "bin" / "kerasdl"), "demo", "--epochs", "1"],
        capture_output=True, text=True, timeout=DEMO_TIMEOUT_S, env=_env(), cwd=demo_dir,
    )
    ok = demo.returncode == 0 and (demo_dir / "kerasdl_demo.png").is_file()
    lines = demo.stdout.splitlines()
    header = next((i for i, line in enumerate(lines) if line.startswith("model ")), len(lines))
    rows = "; ".join(" ".join(line.split()) for line in lines[header + 1:header + 3])
    report.check(ok, "kerasdl demo --epochs 1 runs from the installed wheel",
                 rows if ok else (demo.stdout + demo.stderr).strip()[-300:])
    work = scratch / "notebook"
    work.mkdir()
    ok, detail = run_notebook(python, notebook, work)
    report.check(ok, f"downloaded {notebook.name} runs in a fresh kernel (smoke mode)", detail)
    print(f"install checks took {time.monotonic() - start:.0f} s", flush=True)


class _Report:
    failed = 0

    def check(self, ok: bool, name: str, detail: str = "") -> bool:
        self.failed += not ok
        print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f"  ({detail})" if detail else ""), flush=True)
        return ok


if __name__ == "__main__":
    wheel_path, notebook_path = (Path(a).resolve() for a in sys.argv[1:3])
    with tempfile.TemporaryDirectory(prefix="kerasdl-install-") as folder:
        outcome = _Report()
        check(wheel_path, notebook_path, Path(folder), outcome)
    sys.exit(1 if outcome.failed else 0)
