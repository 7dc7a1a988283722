"""The documentation site builds with --strict from executed tutorials.

One smoke-mode build (``KERASDL_SMOKE=1``) into a temporary folder is shared
by the checks: every tutorial page carries its executed output, an embedded
PNG figure and a notebook download; the API pages are generated; the About
page reports the build; nothing is loaded from the internet. The build uses
the smoke cache in ``.cache/``, keyed by the tutorial, the library sources and
the package versions (a hit is output of exactly this code), which the
browser check then reuses. A second, tiny build without cache shows that a
tutorial raising an exception fails the build.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import build_lock  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = sorted((ROOT / "tutorials").glob("[0-9][0-9]_*.py"))
API_MODULES = sorted(
    p.stem if p.suffix == ".py" else p.name
    for p in (ROOT / "kerasdl").iterdir()
    if not p.name.startswith("_") and (p.suffix == ".py" or (p / "__init__.py").is_file())
)
BUILD_TIMEOUT_S = 1500

pytest.importorskip("mkdocs_jupyter", reason="docs extra not installed (pip install -e '.[docs]')")
pytest.importorskip("mkdocstrings_handlers.python", reason="docs extra not installed")
pytest.importorskip("material", reason="docs extra not installed")

pytestmark = pytest.mark.slow


def _build(config: Path, site: Path, cwd: Path, cache: bool = True) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "KERASDL_SMOKE": "1",
        "KERASDL_DOCS_CACHE": "1" if cache else "0",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "NO_MKDOCS_2_WARNING": "1",
    }
    env.pop("MPLBACKEND", None)
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("docs") / "site"
    with build_lock.held(exclusive=True):  # test_tutorials.py waits for this build's records
        done = _build(ROOT / "mkdocs.yml", site, ROOT)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout[-4000:]}\n{done.stderr[-8000:]}"
    return site


def _page(site: Path, stem: str) -> str:
    return (site / "tutorials" / stem / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_page_has_executed_output_and_figure(site: Path, path: Path):
    page = _page(site, path.stem)
    outputs = re.findall(
        r'<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="text/plain"[^>]*>\s*<pre>(.*?)</pre>',
        page,
        re.DOTALL,
    )
    assert any(text.strip() for text in outputs), f"{path.name}: no printed output on its page"
    figures = re.findall(r'<img[^>]*src="data:image/png;base64,([A-Za-z0-9+/=]{200,})"', page)
    assert figures, f"{path.name}: no embedded PNG figure on its page"
    assert "Traceback (most recent call last)" not in page
    # A Python warning printed on a page ("file.py:12: UserWarning: ...") is a flaw a reader sees.
    shown = re.findall(r"\.py:\d+: (\w*Warning): ([^\n<]{0,80})", page)
    assert not shown, f"{path.name}: warnings printed on its page: {shown}"
    # So is a library's logged warning ("WARNING:tensorflow:5 out of the last 32 calls ...").
    logged = re.findall(r"WARNING:\w+:([^\n<]{0,80})", page)
    assert not logged, f"{path.name}: logged warnings printed on its page: {logged}"


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_page_offers_its_notebook(site: Path, path: Path):
    import jupytext
    import nbformat

    notebook_path = site / "tutorials" / path.stem / f"{path.stem}.ipynb"
    notebook = nbformat.read(notebook_path, as_version=4)
    nbformat.validate(notebook)
    source_cells = [c.source for c in jupytext.read(path).cells if c.cell_type == "code"]
    install, *code = [c.source for c in notebook.cells if c.cell_type == "code"]
    assert code == source_cells
    # Built without site_url, the first cell cannot name an address: it names the served file.
    wheel = next((site / "downloads").glob("kerasdl-*.whl")).name
    assert f"downloads/{wheel}" in install and "pip install" in install
    assert f'href="{path.stem}.ipynb"' in _page(site, path.stem)


def test_site_serves_the_wheel_and_sdist_it_was_built_from(site: Path):
    import hashlib
    import zipfile

    downloads = site / "downloads"
    wheel = next(downloads.glob("kerasdl-*.whl"))
    sdist = next(downloads.glob("kerasdl-*.tar.gz"))
    sums = dict(reversed(line.split("  ")) for line in (downloads / "SHA256SUMS").read_text().splitlines())
    for path in (wheel, sdist):
        assert sums[path.name] == hashlib.sha256(path.read_bytes()).hexdigest()
    with zipfile.ZipFile(wheel) as archive:
        packaged = archive.read("kerasdl/models/convolutional.py")
    assert packaged == (ROOT / "kerasdl" / "models" / "convolutional.py").read_bytes()
    assert f'downloads/{wheel.name}"' in (site / "getting-started" / "index.html").read_text(encoding="utf-8")


def test_install_cell_uses_the_site_address():
    sys.path.insert(0, str(ROOT / "docs" / "hooks"))
    try:
        import downloads
    finally:
        sys.path.pop(0)
    cell = downloads.install_cell("https://example.org/kerasdl/", "kerasdl-0.1.0-py3-none-any.whl")
    assert cell.source.splitlines()[-1] == (
        '%pip install --quiet "kerasdl @ https://example.org/kerasdl/downloads/kerasdl-0.1.0-py3-none-any.whl"'
    )


def test_home_page_maps_the_course(site: Path):
    home = (site / "index.html").read_text(encoding="utf-8")
    cards = re.findall(r'<a class="kerasdl-card" href="(tutorials/[^"]+/)"><img src="([^"]+)"', home)
    assert [href for href, _ in cards] == [f"tutorials/{p.stem}/" for p in TUTORIALS]
    for _, image in cards:
        assert (site / image).read_bytes().startswith(b"\x89PNG"), image
    assert len(re.findall(r"Ran in \d+(?:\.\d)? (?:s|min) on the build machine", home)) == len(TUTORIALS)


def test_math_is_served_by_the_site(site: Path):
    assert (site / "assets" / "katex" / "katex.min.js").is_file()
    assert list((site / "assets" / "katex" / "fonts").glob("*.woff2"))
    page = _page(site, "07_vanishing_exploding_gradients")
    assert 'src="../../assets/katex/katex.min.js"' in page and "text/x-mathjax-config" not in page
    models = (site / "api" / "models" / "index.html").read_text(encoding="utf-8")
    assert '<span class="arithmatex">' in models  # docstring math, typeset in the browser


def test_tutorials_are_in_the_nav_in_course_order(site: Path):
    home = (site / "index.html").read_text(encoding="utf-8")
    positions = [home.find(f"tutorials/{p.stem}/") for p in TUTORIALS]
    assert all(pos >= 0 for pos in positions) and positions == sorted(positions)


@pytest.mark.parametrize("module", API_MODULES)
def test_api_page_is_generated_from_docstrings(site: Path, module: str):
    page = (site / "api" / module / "index.html").read_text(encoding="utf-8")
    assert "doc-object" in page, f"kerasdl.{module}: no documented objects on its API page"


def test_api_reference_documents_every_public_name(site: Path):
    import api_surface

    assert "kerasdl.models.convolutional" in api_surface.modules()  # the walk reaches submodules
    missing = api_surface.missing_entries(site)
    assert not missing, f"public names without an entry on the API pages: {missing}"


def test_api_entries_show_signature_and_example(site: Path):
    page = (site / "api" / "models" / "index.html").read_text(encoding="utf-8")
    # From the entry's own heading to the next one.
    entry = page.split('id="kerasdl.models.cnn"', 1)[1].split('class="doc doc-heading"')[1]
    assert "doc-signature" in entry and "&gt;&gt;&gt;" in entry, "cnn: no signature or example on its entry"


def test_api_pages_are_in_the_nav(site: Path):
    home = (site / "index.html").read_text(encoding="utf-8")
    for module in API_MODULES:
        assert f'href="api/{module}/"' in home, f"kerasdl.{module} has no API page in the nav"


def test_no_module_is_named_like_a_function_or_class_inside_it():
    import api_surface

    import importlib

    names = api_surface.modules()
    clashes = []
    for name in names:
        short = name.rsplit(".", 1)[-1]
        is_package = hasattr(importlib.import_module(name), "__path__")
        # A module file defining its own name confuses readers and the collector; a package may
        # re-export a function of its name (kerasdl.diagnose.diagnose) as long as no submodule shadows it.
        if short in api_surface.public_names(name) and not is_package:
            clashes.append(name)
        if is_package:
            clashes += [f"{name}.{n}" for n in api_surface.public_names(name) if f"{name}.{n}" in names]
    assert not clashes, f"modules that define a name equal to their own (the docs collector loses it): {clashes}"


def test_search_index_finds_builders(site: Path):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(doc["title"] + " " + doc["text"] for doc in index["docs"])
    for name in ("deep_mlp", "shallow_mlp", "compile_for", "plot_history"):
        assert name in text, f"{name} is not in the search index"


def test_about_page_reports_how_the_numbers_were_made(site: Path):
    about = (site / "about" / "index.html").read_text(encoding="utf-8")
    assert "<!-- kerasdl:build-info -->" not in about
    assert re.search(r"<strong>Mode:</strong>\s*smoke", about)
    assert f"<td>{metadata.version('tensorflow')}</td>" in about
    assert "Device:" in about
    for path in TUTORIALS:
        assert f"<code>{path.name}</code>" in about, f"{path.name} missing from the About run table"
    # How the run times were taken: tutorials side by side, the timing ones alone.
    assert "KERASDL_DOCS_JOBS" in about and "03_why_practical.py" in about
    limits = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
              "MKL_NUM_THREADS")  # the build sets those the user left unset
    if "tutorials at a time" in about and not all(name in os.environ for name in limits):
        assert re.search(r"tutorials at a time, \d+ threads? each\)", about)


def test_nothing_is_loaded_from_the_internet(site: Path):
    external = re.compile(
        r"<(?:script|img|iframe)\b[^>]*\bsrc=[\"']https?://|<link\b[^>]*\bhref=[\"']https?://|"
        r"@import\s+url\([\"']?https?://|fonts\.googleapis",
        re.IGNORECASE,
    )
    offenders = [
        str(path.relative_to(site))
        for path in site.rglob("*")
        if path.suffix in {".html", ".css"} and external.search(path.read_text(encoding="utf-8", errors="ignore"))
    ]
    assert not offenders, f"pages that load resources from the internet: {offenders[:5]}"


def test_a_broken_tutorial_fails_the_build(tmp_path: Path):
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    for name in ("kerasdl", "pyproject.toml", "README.md"):  # API pages, the served wheel
        (tmp_path / name).symlink_to(ROOT / name)
    # The wheel and KaTeX cached by other builds (the tutorial cache is off in this build).
    (ROOT / ".cache").mkdir(exist_ok=True)
    (tmp_path / ".cache").symlink_to(ROOT / ".cache")
    (tmp_path / "tutorials").mkdir()
    (tmp_path / "tutorials" / "01_broken.py").write_text(
        '# %% [markdown]\n# # Broken\n\n# %%\nraise ValueError("this tutorial is broken on purpose")\n',
        encoding="utf-8",
    )
    done = _build(tmp_path / "mkdocs.yml", tmp_path / "site", tmp_path, cache=False)
    assert done.returncode != 0
    assert "broken on purpose" in done.stdout + done.stderr


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_header_has_the_house_fields(path: Path):
    import jupytext

    header = jupytext.read(path).cells[0]
    assert header.cell_type == "markdown"
    text = header.source
    assert re.match(r"# [A-Z][^\n]+\n", text) and not re.match(r"# \d", text), "title first, without a number"
    for field in (rf"\*Topic {int(path.name[:2])} of the course: ", r"\*\*Data used:\*\* ",
                  r"\*\*Prerequisites:\*\* ", r"\*\*What you will learn\*\*"):
        assert re.search(field, text), f"{path.name}: header lacks {field!r}"
