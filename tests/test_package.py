"""The package itself: light import, version, runnable docstring examples."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import kerasdl


def test_import_is_light():
    code = ("import sys, kerasdl; heavy = [m for m in ('tensorflow', 'keras', 'matplotlib', 'sklearn', "
            "'tensorflow_datasets') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_recorders_names_stay_lazy():
    # The docs collector reads these names from imports under TYPE_CHECKING; at run time
    # the recordings and tables must still load without Keras.
    code = ("import sys, kerasdl.recorders, kerasdl.plots; "
            "print([m for m in ('tensorflow', 'keras') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    import kerasdl.recorders

    assert kerasdl.recorders.GradientRecorder.__module__ == "kerasdl.recorders.gradients"


def test_version_and_lazy_submodules():
    assert kerasdl.__version__.count(".") == 2
    assert kerasdl.models.deep_mlp is not None
    with pytest.raises(AttributeError):
        kerasdl.not_a_module  # noqa: B018


def _modules_with_examples() -> list[str]:
    """Every kerasdl module whose docstrings hold a `>>>` example (found from the source, not a list)."""
    root = Path(kerasdl.__file__).parent
    names = []
    for path in sorted(root.rglob("*.py")):
        if ">>>" in path.read_text(encoding="utf-8"):
            parts = path.relative_to(root.parent).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


DOCTESTED = _modules_with_examples()


def test_examples_are_found():
    assert {"kerasdl.models.mlp", "kerasdl.recorders.gradients", "kerasdl.transfer.head"} <= set(DOCTESTED)


@pytest.mark.parametrize("name", DOCTESTED)
def test_docstring_examples_run(name, monkeypatch):
    monkeypatch.setenv("KERASDL_SMOKE", "0")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0


def test_tensorflows_retracing_warning_for_new_models_is_dropped_and_nothing_else(caplog):
    import logging

    tf_logger = logging.getLogger("tensorflow")
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        tf_logger.warning("5 out of the last 12 calls to <function f at 0x1> triggered tf.function retracing. "
                          "Tracing is expensive.")
        tf_logger.warning("Some other TensorFlow warning")
    assert [r.getMessage() for r in caplog.records] == ["Some other TensorFlow warning"]
    importlib.reload(kerasdl)  # a reload does not stack a second filter
    assert sum(type(f).__name__ == "_NewModelsAreNotRetracing" for f in tf_logger.filters) == 1
