"""Module attributes that load on first use, so importing a kerasdl package stays light.

Example:
    >>> from kerasdl._lazy import lazy_module_attributes
    >>> getattr_, dir_ = lazy_module_attributes("demo", {"sqrt": "math"}, ["sqrt"], {})
    >>> getattr_("sqrt")(9.0)
    3.0
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_module_attributes(
    module: str, lazy: dict[str, str], exported: list[str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for a package whose names in `lazy` come from other modules on first use.

    `lazy` maps a name to the module that defines it; the loaded value is stored
    in `namespace` (the package's ``globals()``) so later lookups are plain.
    """

    def __getattr__(name: str) -> Any:
        if name in lazy:
            value = getattr(importlib.import_module(lazy[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(exported)

    return __getattr__, __dir__
