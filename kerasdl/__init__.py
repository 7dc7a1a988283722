"""kerasdl: learn deep learning by running it.

Builders for every architecture family of the course (`kerasdl.models`),
offline datasets (`kerasdl.datasets`), training helpers (`kerasdl.training`),
figures (`kerasdl.plots`), a plain-words diagnosis of a run (`kerasdl.diagnose`),
a setup check (`kerasdl.setup_check`, the `kerasdl doctor` command) and the
`kerasdl` command.

Importing `kerasdl` is cheap: Keras, TensorFlow, matplotlib, scikit-learn and
TensorFlow Datasets load only when a submodule that needs them is first used.

Example:
    >>> import kerasdl
    >>> kerasdl.__version__
    '0.1.0'
"""

from __future__ import annotations

import importlib
import logging
import os
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = (
    "cli",
    "datasets",
    "device",
    "diagnose",
    "models",
    "plots",
    "recorders",
    "stats",
    "setup_check",
    "training",
    "transfer",
)

__all__ = ["__version__", "smoke_mode", *_SUBMODULES]


class _NewModelsAreNotRetracing(logging.Filter):
    """Drops TensorFlow's "N out of the last M calls ... triggered tf.function retracing" warning.

    Comparing models over seeds builds and fits many fresh models. Each has its own train and
    predict functions, which TensorFlow counts as retraces of one function, and it then advises
    not to create functions in a loop: advice that does not apply to a new model, and a line
    that would sit on tutorial pages among the results. Every other TensorFlow message passes.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


# The "tensorflow" logger exists before TensorFlow is imported, so this costs no import.
_tf_logger = logging.getLogger("tensorflow")
if not any(type(f).__name__ == "_NewModelsAreNotRetracing" for f in _tf_logger.filters):  # reload-safe
    _tf_logger.addFilter(_NewModelsAreNotRetracing())


def smoke_mode() -> bool:
    """Return True when `KERASDL_SMOKE=1` asks tutorials for a quick run.

    Tutorials read this to shrink data and epochs so the test suite can run
    every one of them in minutes; the docs build runs them in full.

    Example:
        >>> import os, kerasdl
        >>> os.environ["KERASDL_SMOKE"] = "1"
        >>> kerasdl.smoke_mode()
        True
    """
    return os.environ.get("KERASDL_SMOKE", "0").strip().lower() in {"1", "true", "yes"}


def __getattr__(name: str) -> Any:
    # Submodules load on first use so `import kerasdl` stays light.
    if name in _SUBMODULES:
        module = importlib.import_module(f"kerasdl.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'kerasdl' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
