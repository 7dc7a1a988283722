"""MkDocs hook: KaTeX served from the site itself, so formulas render offline.

At build time the pinned KaTeX release is fetched once from the npm registry
(``npm pack``, which checks the tarball against the registry's integrity hash)
into ``.cache/katex-<version>/`` and its script, style sheet, fonts and
auto-render extension are added to the site under ``assets/katex/``.
``docs/javascripts/katex-init.js`` then typesets, after load:

* tutorial pages: ``$...$`` and ``$$...$$`` in markdown cells, which
  nbconvert leaves as TeX;
* pages and docstrings: ``\\(...\\)`` / ``\\[...\\]`` that
  ``pymdownx.arithmatex`` (generic mode) writes for ``$...$`` in Markdown.

``KERASDL_KATEX_DIR`` may point at an unpacked ``katex`` npm package (its
``package/`` folder) instead, for machines that cannot reach the registry.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

log = logging.getLogger("mkdocs.hooks.math_assets")

KATEX_VERSION = "0.16.22"
SITE_DIR = "assets/katex"
SCRIPTS = ("katex.min.js", "contrib/auto-render.min.js")
STYLES = ("katex.min.css",)
_package: list[Path] = []


def _fetch(root: Path) -> Path:
    """The unpacked `dist/` folder of KaTeX `KATEX_VERSION`, fetched once."""
    override = os.environ.get("KERASDL_KATEX_DIR")
    if override:
        dist = Path(override).expanduser() / "dist"
        if not (dist / "katex.min.js").is_file():
            raise PluginError(f"KERASDL_KATEX_DIR={override!r} holds no dist/katex.min.js")
        return dist
    cache = root / ".cache" / f"katex-{KATEX_VERSION}"
    dist = cache / "package" / "dist"
    if (dist / "katex.min.js").is_file():
        return dist
    npm = shutil.which("npm")
    if npm is None:
        raise PluginError(
            "formulas need KaTeX, fetched with npm at build time: install Node.js/npm, "
            "or set KERASDL_KATEX_DIR to an unpacked katex package"
        )
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            [npm, "pack", f"katex@{KATEX_VERSION}", "--pack-destination", scratch, "--silent"],
            capture_output=True, text=True, timeout=300,
        )
        tarballs = list(Path(scratch).glob("katex-*.tgz"))
        if done.returncode != 0 or not tarballs:
            raise PluginError(f"npm pack katex@{KATEX_VERSION} failed: {done.stderr.strip()[-500:]}")
        cache.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarballs[0]) as archive:
            _extract(archive, cache)
    log.info("KaTeX %s fetched from the npm registry into %s", KATEX_VERSION, cache)
    return dist


def _extract(archive: tarfile.TarFile, into: Path) -> None:
    """Unpack the npm tarball, refusing members that would land outside `into`."""
    if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later
        archive.extractall(into, filter="data")
        return
    # Older 3.11 releases have no extraction filters: check the members by hand.
    root = into.resolve()
    for member in archive.getmembers():
        target = (root / member.name).resolve()
        if not (member.isfile() or member.isdir()) or not target.is_relative_to(root):
            raise PluginError(f"unexpected entry {member.name!r} in the KaTeX tarball")
    archive.extractall(into)


def on_config(config):
    root = Path(config.config_file_path).resolve().parent
    _package[:] = [_fetch(root)]
    config.extra_css = [*(f"{SITE_DIR}/{name}" for name in STYLES), *config.extra_css]
    config.extra_javascript = [
        *(f"{SITE_DIR}/{name}" for name in SCRIPTS),
        "javascripts/katex-init.js",
        *config.extra_javascript,
    ]
    return config


def on_files(files, config):
    dist = _package[0]
    wanted = [*SCRIPTS, *STYLES, *(p.relative_to(dist).as_posix() for p in (dist / "fonts").glob("*"))]
    for name in wanted:
        files.append(
            File.generated(config, f"{SITE_DIR}/{name}", abs_src_path=str(dist / name))
        )
    return files
