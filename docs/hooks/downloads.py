"""MkDocs hook: the kerasdl that produced the pages, served by the site.

* ``on_pre_build``: builds kerasdl's wheel and sdist (``python -m build``)
  from the sources next to ``mkdocs.yml``, once per version of those sources
  (cached in ``.cache/dist-<hash>/``).
* ``on_post_build``: copies them to ``downloads/`` with a ``SHA256SUMS``
  file, and writes ``tutorials/<name>/<name>.ipynb`` for every tutorial (no
  outputs). The notebook's first cell installs exactly that wheel from the
  site's address (``site_url`` in ``mkdocs.yml``); a site built without an
  address cannot know where it will be served, so the cell then checks that
  kerasdl is importable and says how to install it from a checkout.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.downloads")

DOWNLOADS = "downloads"
MARKER = "<!-- kerasdl:downloads -->"
_dist: list[Path] = []


def _sources_hash(root: Path) -> str:
    digest = hashlib.sha256()
    paths = [root / "pyproject.toml", root / "README.md", *sorted((root / "kerasdl").rglob("*"))]
    for path in paths:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def build_dist(root: Path) -> list[Path]:
    """Wheel and sdist of the sources under `root`, built once per source hash."""
    parent = root / ".cache" / "dist"
    out = parent / _sources_hash(root)
    found = sorted(out.glob("kerasdl-*.whl")) + sorted(out.glob("kerasdl-*.tar.gz"))
    if len(found) == 2:
        return found
    shutil.rmtree(parent, ignore_errors=True)
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(out), str(root)],
        capture_output=True, text=True, timeout=900,
    )
    found = sorted(out.glob("kerasdl-*.whl")) + sorted(out.glob("kerasdl-*.tar.gz"))
    if done.returncode != 0 or len(found) != 2:
        raise PluginError(f"building kerasdl's wheel and sdist failed:\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}")
    log.info("built %s", ", ".join(p.name for p in found))
    return found


def install_cell(site_url: str | None, wheel: str) -> nbformat.NotebookNode:
    """First cell of every notebook: install the wheel the site serves, or say how to get kerasdl."""
    if site_url:
        url = f"{site_url.rstrip('/')}/{DOWNLOADS}/{wheel}"
        source = (
            "# The kerasdl wheel this page was built from, served by the site (add `[gpu]` after the\n"
            "# file name for a local NVIDIA GPU). Set KERASDL_SMOKE=1 for a quick run on shrunk data.\n"
            f'%pip install --quiet "kerasdl @ {url}"'
        )
    else:
        source = (
            "# This site was built without an address (site_url in mkdocs.yml), so it cannot point\n"
            "# at its own copy of the wheel: install kerasdl from a checkout (`pip install .`) or\n"
            f"# from the wheel the site serves under {DOWNLOADS}/{wheel}.\n"
            "# Set KERASDL_SMOKE=1 for a quick run on shrunk data.\n"
            "import importlib.util\n"
            "\n"
            'if importlib.util.find_spec("kerasdl") is None:\n'
            '    raise ModuleNotFoundError("kerasdl is not installed: see the comment above")'
        )
    return nbformat.v4.new_code_cell(source)


def on_pre_build(config):
    root = Path(config.config_file_path).resolve().parent
    _dist[:] = build_dist(root)


def on_post_build(config):
    root = Path(config.config_file_path).resolve().parent
    site = Path(config.site_dir)
    target = site / DOWNLOADS
    target.mkdir(parents=True, exist_ok=True)
    sums = []
    for path in _dist:
        shutil.copy2(path, target / path.name)
        sums.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}")
    (target / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    wheel = next(p.name for p in _dist if p.suffix == ".whl")

    for path in sorted((root / "tutorials").glob("[0-9][0-9]_*.py")):
        notebook = jupytext.read(path)
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        notebook.metadata.pop("jupytext", None)
        notebook.cells.insert(0, install_cell(config.site_url, wheel))
        page_dir = site / "tutorials"
        if config.use_directory_urls:
            page_dir = page_dir / path.stem
        page_dir.mkdir(parents=True, exist_ok=True)
        jupytext.write(notebook, page_dir / f"{path.stem}.ipynb", fmt="ipynb")


def on_page_markdown(markdown: str, page, config, files) -> str:
    """Replace the downloads marker with links to the wheel and sdist of this build."""
    if MARKER not in markdown:
        return markdown
    depth = page.url.count("/") if config.use_directory_urls else page.file.dest_uri.count("/")
    prefix = "../" * depth
    kinds = {".whl": "wheel", ".gz": "source distribution"}
    items = [
        f'- <a href="{prefix}{DOWNLOADS}/{p.name}" download><code>{p.name}</code></a> ({kinds[p.suffix]}, '
        f"{p.stat().st_size / 1e6:.2f} MB)"
        for p in _dist
    ]
    items.append(f'- <a href="{prefix}{DOWNLOADS}/SHA256SUMS"><code>SHA256SUMS</code></a> (checksums)')
    return markdown.replace(MARKER, "\n".join(items))
