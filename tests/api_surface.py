"""The public surface of kerasdl, found by walking the package (no list to keep up to date).

Used by tests/test_docs.py to check that the API reference documents every name.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import kerasdl


def modules() -> list[str]:
    """Every importable module of kerasdl whose dotted path has no private part."""
    found = ["kerasdl"]
    for info in pkgutil.walk_packages(kerasdl.__path__, prefix="kerasdl."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            found.append(info.name)
    return sorted(found)


def public_names(module_name: str) -> list[str]:
    """`__all__` (minus dunders and submodules) or the module's own public functions and classes."""
    module = importlib.import_module(module_name)
    exported = getattr(module, "__all__", None)
    if exported is not None:
        names = [n for n in exported if not n.startswith("__")]
        return [n for n in names if not inspect.ismodule(getattr(module, n, None))]
    return sorted(
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and value.__module__ == module_name
    )


def documented_ids(site: Path) -> set[str]:
    """Anchors of the objects mkdocstrings rendered on the API pages."""
    ids: set[str] = set()
    for page in (site / "api").rglob("*.html"):
        ids.update(re.findall(r'<h\d id="(kerasdl[\w.]*)"[^>]*class="doc doc-heading"', page.read_text("utf-8")))
    return ids


def missing_entries(site: Path) -> list[str]:
    """`module.name` of every public name that has no entry on any API page.

    A name counts as documented under its own module, under any package above
    it that exports it (`kerasdl.models.cnn` for `kerasdl.models.convolutional.cnn`),
    or, for an exported function or class, under the module that defines it.
    """
    ids = documented_ids(site)
    missing = []
    for module_name in modules():
        parts = module_name.split(".")
        owners = [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
        for name in public_names(module_name):
            places = [
                owner
                for owner in owners
                if owner == module_name or name in getattr(importlib.import_module(owner), "__all__", ())
            ]
            candidates = {f"{place}.{name}" for place in places}
            value = getattr(importlib.import_module(module_name), name, None)
            if inspect.isfunction(value) or inspect.isclass(value):
                candidates.add(f"{value.__module__}.{value.__qualname__}")
            if not candidates & ids:
                missing.append(f"{module_name}.{name}")
    return missing
