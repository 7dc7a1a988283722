"""The package itself: light import, version, runnable docstring examples."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys

import pytest

import kerasdl


def test_import_is_light():
    code = ("import sys, kerasdl; heavy = [m for m in ('tensorflow', 'keras', 'matplotlib', 'sklearn', "
            "'tensorflow_datasets') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_version_and_lazy_submodules():
    assert kerasdl.__version__.count(".") == 2
    assert kerasdl.models.deep_mlp is not None
    with pytest.raises(AttributeError):
        kerasdl.not_a_module  # noqa: B018


DOCTESTED = [
    "kerasdl", "kerasdl.validation", "kerasdl.network", "kerasdl.models.blocks", "kerasdl.models.mlp",
    "kerasdl.models.cnn", "kerasdl.models.recurrent", "kerasdl.models.transformer", "kerasdl.models.autoencoder",
    "kerasdl.models.gan", "kerasdl.datasets", "kerasdl.datasets.base", "kerasdl.datasets.builtin",
    "kerasdl.datasets.generated", "kerasdl.training", "kerasdl.plots.history", "kerasdl.cli",
]


@pytest.mark.parametrize("name", DOCTESTED)
def test_docstring_examples_run(name, monkeypatch):
    monkeypatch.setenv("KERASDL_SMOKE", "0")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0
