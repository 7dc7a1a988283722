"""API reference pages, generated from the package's own structure.

Every public top-level module or package of ``kerasdl`` gets one page,
``api/<name>.md``, holding ``::: kerasdl.<name>`` (mkdocstrings renders the
names the module exports). The docs collector (griffe) reads the sources
without importing them, so a name it cannot place on the package's page is
rendered from the submodule that defines it instead:

* a public name of a submodule that the package does not re-export;
* a re-exported name hidden by a submodule of the same name (the package
  attribute ``fine_tune`` and the module ``fine_tune.py``): griffe lists the
  module there, so the function is rendered under its full path.

A new module needs nothing here: its page, its nav entry and its row on the
overview appear on the next build. ``PREFERRED_ORDER`` only orders the nav.
"""

from __future__ import annotations

from pathlib import Path

import griffe

PACKAGE = "kerasdl"
# Course order first (what to build, what to train on, how to train, how to look at it);
# modules not listed follow alphabetically.
PREFERRED_ORDER = (
    "models",
    "datasets",
    "training",
    "stats",
    "diagnose",
    "exercises",
    "plots",
    "recorders",
    "transfer",
    "device",
)
HIDDEN = {"__main__"}


def module_names(root: Path) -> list[str]:
    """Public top-level modules and packages of kerasdl, in nav order."""
    base = root / PACKAGE
    names = {p.stem for p in base.glob("*.py")} | {p.parent.name for p in base.glob("*/__init__.py")}
    names = {n for n in names if not n.startswith("_") and n not in HIDDEN}
    ordered = [n for n in PREFERRED_ORDER if n in names]
    return ordered + sorted(names - set(ordered))


def load(root: Path) -> griffe.Module:
    """The package as the docs collector sees it (static analysis, nothing imported)."""
    return griffe.load(PACKAGE, search_paths=[str(root)], resolve_aliases=False)


def public_names(module: griffe.Module) -> list[str]:
    """`__all__` when the module has one, else its own public functions and classes."""
    if module.exports is not None:
        # Entries griffe cannot evaluate (`*_SUBMODULES`) name submodules, which get pages.
        return [n for n in module.exports if isinstance(n, str) and not n.startswith("__")]
    return [
        name
        for name, member in module.members.items()
        if not name.startswith("_") and not member.is_alias and member.kind.value in {"function", "class"}
    ]


def _target(module: griffe.Module, name: str) -> str | None:
    """Full path of the object `module.name`, or None where griffe sees a module there."""
    member = module.members.get(name)
    if member is None:
        return None
    if member.is_alias:
        return member.target_path
    return None if member.is_module else member.path


def _submodules(module: griffe.Module) -> list[griffe.Module]:
    found = []
    for name, member in module.members.items():
        if not member.is_alias and member.is_module and not name.startswith("_"):
            found.append(member)
            found.extend(_submodules(member))
    return found


def page_markdown(package: griffe.Module, name: str) -> str:
    """Markdown of the API page of `kerasdl.<name>`."""
    module = package[name]
    lines = [f"# {PACKAGE}.{name}", "", f"::: {PACKAGE}.{name}", ""]
    shown = {t for n in public_names(module) if (t := _target(module, n))}
    for sub in _submodules(module):
        missing = [n for n in public_names(sub) if (_target(sub, n) or f"{sub.path}.{n}") not in shown]
        if not missing:
            continue
        lines += [
            f"## `{sub.path}`",
            "",
            f"::: {sub.path}",
            "    options:",
            "      heading_level: 3",
            f"      members: [{', '.join(missing)}]",
            "",
        ]
        shown.update(f"{sub.path}.{n}" for n in missing)
    return "\n".join(lines)


def _summary(module: griffe.Module) -> str:
    docstring = module.docstring.value.strip() if module.docstring else ""
    first = docstring.split("\n\n", 1)[0].replace("\n", " ")
    return first.replace("|", "\\|") or "(no module docstring)"


def overview_markdown(package: griffe.Module, names: list[str]) -> str:
    """The API overview: one row per module, then the top-level names."""
    rows = [f"| [`{PACKAGE}.{n}`]({n}.md) | {_summary(package[n])} |" for n in names]
    top = [n for n in public_names(package) if _target(package, n)]
    lines = [
        "# API reference",
        "",
        "Generated from the docstrings of the package when this site was built: every",
        "public function and class of every module, with its signature and a short",
        "example. The tutorials show the same calls on real data.",
        "",
        "| Module | What it is for |",
        "| --- | --- |",
        *rows,
        "",
    ]
    if top:
        lines += [
            f"## Top level: `import {PACKAGE}`",
            "",
            f"::: {PACKAGE}",
            "    options:",
            "      heading_level: 3",
            f"      members: [{', '.join(top)}]",
            "",
        ]
    return "\n".join(lines)


def pages(root: Path) -> dict[str, str]:
    """`{"api/index.md": ..., "api/<name>.md": ...}` for the current sources."""
    package = load(root)
    names = module_names(root)
    result = {"api/index.md": overview_markdown(package, names)}
    result.update({f"api/{n}.md": page_markdown(package, n) for n in names})
    return result


def nav(root: Path) -> list:
    """Nav entries of the "API reference" section."""
    return [{"Overview": "api/index.md"}, *({f"{PACKAGE}.{n}": f"api/{n}.md"} for n in module_names(root))]


# --- MkDocs hook events -------------------------------------------------------------


def on_config(config):
    """Fill the nav's "API reference" section (written as `[]` in mkdocs.yml)."""
    root = Path(config.config_file_path).resolve().parent
    entries = nav(root)
    config.nav = [
        {"API reference": entries} if isinstance(item, dict) and "API reference" in item else item
        for item in config.nav or []
    ]
    return config


def on_files(files, config):
    """Add the generated pages; a hand-written page of the same name would be a conflict."""
    from mkdocs.structure.files import File

    root = Path(config.config_file_path).resolve().parent
    for uri, content in pages(root).items():
        if files.get_file_from_path(uri) is not None:
            raise ValueError(f"docs/{uri} is generated by docs/hooks/api_pages.py; delete the file")
        files.append(File.generated(config, uri, content=content))
    return files
