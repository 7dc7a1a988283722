"""`kerasdl doctor`: check the setup and say what to do about each problem.

Each check returns a `Check` with a status ("ok", "warn" or "fail"), what
was found and, when it is not ok, what to do. A "fail" is blocking (the
tutorials will not run as written); the command then exits with status 1.
`kerasdl info` stays the plain list of facts; this module judges them.

The versions the package is tested with are kept here, in `TESTED`.

Example:
    >>> from kerasdl.setup_check import check_version
    >>> check_version("keras", "3.15.1").status
    'ok'
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# The oldest and newest (major.minor) versions the test suite has passed with. Older ones are
# refused (the package uses their APIs); newer ones are allowed with a warning.
TESTED = {
    "python": ("3.11", "3.11"),
    "tensorflow": ("2.16", "2.21"),
    "keras": ("3.3", "3.15"),
}
BACKENDS = ("tensorflow", "jax", "torch")
# Free space under the cache folders: ImageNet backbones are 10-100 MB each, a TFDS set up to a
# few GB. Below 2 GB a download may fail half-way; below 200 MB even the small ones will.
MIN_FREE_WARN_GB = 2.0
MIN_FREE_FAIL_GB = 0.2
OFFLINE_DATASETS = ("digits", "breast_cancer", "wine", "spirals")
STATUSES = ("ok", "warn", "fail")


@dataclass(frozen=True)
class Check:
    """The result of one check.

    Attributes:
        name: What was checked ("python", "backend", "gpu"...).
        status: "ok", "warn" (works, but not as intended) or "fail" (blocking).
        found: What was found, in one line.
        fix: What to do about it (empty when ok).

    Example:
        >>> Check("gpu", "warn", "no GPU", "use one").line()
        '[warn] gpu: no GPU\\n       -> use one'
    """

    name: str
    status: str
    found: str
    fix: str = ""

    def line(self) -> str:
        """The check as printed by `kerasdl doctor`."""
        text = f"[{self.status}] {self.name}: {self.found}"
        return text + (f"\n       -> {self.fix}" if self.fix else "")


def _minor(version: str) -> tuple[int, int]:
    parts = [int("".join(ch for ch in p if ch.isdigit()) or 0) for p in version.split(".")[:2]]
    return (parts + [0, 0])[0], (parts + [0, 0])[1]


def check_version(package: str, version: str | None) -> Check:
    """Compare an installed version with the tested range in `TESTED`.

    Args:
        package: "python", "tensorflow" or "keras".
        version: The installed version, or None when it is not installed.

    Returns:
        "ok" inside the range, "warn" above it (untested), "fail" below it
        or when missing.

    Example:
        >>> check_version("tensorflow", "2.12.0").status
        'fail'
        >>> check_version("keras", "9.0").status
        'warn'
    """
    if package not in TESTED:
        raise ValueError(f"package must be one of {list(TESTED)}; got {package!r}.")
    low, high = TESTED[package]
    span = f"tested {low}-{high}" if low != high else f"tested {low}"
    pip = "a newer Python" if package == "python" else f'pip install "{package}>={low}"'
    if version is None:
        return Check(package, "fail", "not installed", f"run: {pip}")
    if _minor(version) < _minor(low):
        return Check(package, "fail", f"{version} is older than the tested range ({span})", f"upgrade: {pip}")
    if _minor(version) > _minor(high):
        return Check(package, "warn", f"{version} is newer than the tested range ({span})",
                     "it will probably work; if something breaks, install a tested version")
    return Check(package, "ok", f"{version} ({span})")


def _installed(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_backend(keras_was_imported: bool) -> Check:
    """The backend Keras runs on against `KERAS_BACKEND`, and the import order.

    Args:
        keras_was_imported: Whether Keras was already imported before the
            doctor ran (its backend is fixed at import).

    Example:
        >>> check_backend(keras_was_imported=True).name
        'backend'
    """
    wanted = os.environ.get("KERAS_BACKEND")
    if wanted is not None and wanted not in BACKENDS:
        return Check("backend", "fail", f"KERAS_BACKEND={wanted!r} is not a Keras backend",
                     f"set KERAS_BACKEND to one of {', '.join(BACKENDS)} (or unset it for tensorflow)")
    try:
        import keras
    except Exception as error:  # a broken backend install raises anything at import
        return Check("backend", "fail", f"Keras cannot be imported ({type(error).__name__}: {error})",
                     f"install the backend package ({wanted or 'tensorflow'}) or unset KERAS_BACKEND")
    active = keras.backend.backend()
    if wanted is not None and wanted != active:
        if keras_was_imported:
            return Check("backend", "fail",
                         f"Keras runs on {active!r} but KERAS_BACKEND={wanted!r}: Keras was imported "
                         "before the variable was set, and it reads it only once, at import",
                         "restart the Python kernel and set os.environ['KERAS_BACKEND'] before the first "
                         "`import keras` (or `import kerasdl` submodules that load it)")
        return Check("backend", "fail", f"Keras runs on {active!r} although KERAS_BACKEND={wanted!r}",
                     "check ~/.keras/keras.json and that the backend package is installed")
    source = "KERAS_BACKEND" if wanted else "the default (KERAS_BACKEND unset)"
    note = "" if active == "tensorflow" else " (the GAN tutorial's training step needs tensorflow)"
    return Check("backend", "ok", f"{active}, from {source}{note}")


def hosted_notebook() -> str | None:
    """Name of the hosted notebook service this runs on ("Colab", "Kaggle"), or None.

    Example:
        >>> hosted_notebook() in (None, "Colab", "Kaggle")
        True
    """
    if "COLAB_RELEASE_TAG" in os.environ or "COLAB_GPU" in os.environ or "google.colab" in sys.modules:
        return "Colab"
    if "KAGGLE_KERNEL_RUN_TYPE" in os.environ:
        return "Kaggle"
    return None


def check_gpu(hw: dict[str, Any] | None = None) -> Check:
    """Whether Keras sees a GPU; a plain warning on a hosted notebook's CPU runtime.

    Example:
        >>> check_gpu({"gpus": [{"name": "T4"}], "tpus": 0, "cpu": {}}).status
        'ok'
    """
    if hw is None:
        from kerasdl.device import hardware

        hw = hardware()
    gpus, tpus = hw.get("gpus") or [], hw.get("tpus") or 0
    if gpus:
        return Check("gpu", "ok", ", ".join(str(g.get("name")) for g in gpus))
    if tpus:
        return Check("gpu", "ok", f"no GPU, {tpus} TPU core(s)")
    service = hosted_notebook()
    if service:
        menu = ("Runtime > Change runtime type > GPU" if service == "Colab"
                else "Settings > Accelerator > GPU")
        return Check("gpu", "warn", f"this {service} notebook runs on a CPU-only runtime",
                     f"choose a GPU runtime ({menu}); the tutorials run on a CPU, only slower")
    if shutil.which("nvidia-smi"):
        return Check("gpu", "warn", "an NVIDIA driver is installed but Keras sees no GPU",
                     'install the CUDA libraries: pip install "tensorflow[and-cuda]"')
    return Check("gpu", "warn", "no GPU: training runs on the CPU",
                 "fine for the tutorials (they are sized for a laptop CPU)")


def check_mixed_precision() -> Check:
    """Whether this hardware profits from mixed precision (never blocking).

    Example:
        >>> check_mixed_precision().status in ("ok", "warn")
        True
    """
    from kerasdl.device import recommended_policy

    policy, reason = recommended_policy()
    if policy:
        return Check("mixed precision", "ok", f"{policy} recommended: {reason}")
    return Check("mixed precision", "ok", f"not used here: {reason}")


def check_datasets(names: tuple[str, ...] = OFFLINE_DATASETS) -> Check:
    """That the offline datasets the tutorials use load.

    Example:
        >>> check_datasets(("wine",)).status
        'ok'
    """
    from kerasdl import datasets

    failed = []
    for name in names:
        try:
            datasets.load(name)
        except Exception as error:  # any failure to load is what this check reports
            failed.append(f"{name} ({type(error).__name__}: {error})")
    if failed:
        return Check("datasets", "fail", "cannot load " + "; ".join(failed),
                     "reinstall the package with its dependencies: pip install -e . (scikit-learn ships the data)")
    return Check("datasets", "ok", f"{len(names)} offline sets load ({', '.join(names)})")


def _existing(path: str) -> str:
    while path and not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path or "."


def check_disk(folders: dict[str, str] | None = None) -> Check:
    """Free disk space under the cache folders (Keras weights, TensorFlow Datasets).

    Example:
        >>> check_disk({"tmp": "/tmp"}).name
        'disk'
    """
    if folders is None:
        home = os.path.expanduser("~")
        folders = {
            "Keras cache": os.environ.get("KERAS_HOME", os.path.join(home, ".keras")),
            "TFDS data": os.environ.get("TFDS_DATA_DIR", os.path.join(home, "tensorflow_datasets")),
        }
    free = {name: shutil.disk_usage(_existing(path)).free / 1e9 for name, path in folders.items()}
    name, least = min(free.items(), key=lambda kv: kv[1])
    text = ", ".join(f"{k} {v:.1f} GB free" for k, v in free.items())
    if least < MIN_FREE_FAIL_GB:
        return Check("disk", "fail", text, f"free space under {folders[name]} (downloads will fail)")
    if least < MIN_FREE_WARN_GB:
        return Check("disk", "warn", text, f"downloads of backbones or TFDS sets may not fit under {folders[name]}")
    return Check("disk", "ok", text)


def run_checks(keras_was_imported: bool | None = None) -> list[Check]:
    """Run every check and return the results, in the order they are printed.

    Args:
        keras_was_imported: Whether Keras was imported before this call;
            default: look at `sys.modules` now.

    Example:
        >>> [c.name for c in run_checks()][:3]  # doctest: +SKIP
        ['python', 'tensorflow', 'keras']
    """
    if keras_was_imported is None:
        keras_was_imported = "keras" in sys.modules
    py = ".".join(map(str, sys.version_info[:3]))
    checks = [check_version("python", py), check_version("tensorflow", _installed("tensorflow")),
              check_version("keras", _installed("keras")), check_backend(keras_was_imported)]
    if checks[-1].status == "fail":
        return checks  # nothing below can be trusted on the wrong backend
    later: list[Callable[[], Check]] = [check_gpu, check_mixed_precision, check_datasets, check_disk]
    for check in later:
        try:
            checks.append(check())
        except Exception as error:  # a check that crashes is itself a finding, not a traceback
            checks.append(Check(check.__name__.removeprefix("check_"), "fail",
                                f"the check itself failed: {type(error).__name__}: {error}"))
    return checks


def doctor(print_fn: Callable[[str], Any] | None = print) -> int:
    """Check the setup, print what was found and what to do; return the exit status.

    Args:
        print_fn: Where the lines go (default `print`); None prints nothing.

    Returns:
        0 when nothing is blocking, 1 when a check failed.

    Example:
        >>> doctor(print_fn=None) in (0, 1)  # doctest: +SKIP
        True
    """
    keras_was_imported = "keras" in sys.modules
    checks = run_checks(keras_was_imported)
    failed = [c for c in checks if c.status == "fail"]
    warned = [c for c in checks if c.status == "warn"]
    if print_fn is not None:
        for check in checks:
            print_fn(check.line())
        verdict = (f"{len(failed)} blocking problem(s): fix them before running the tutorials."
                   if failed else "Ready" + (f", with {len(warned)} warning(s)." if warned else "."))
        print_fn(verdict)
    return 1 if failed else 0
