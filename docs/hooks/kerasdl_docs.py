"""MkDocs hook: executed tutorials and build provenance for the kerasdl site.

What it does, by build stage:

* ``on_config``: lists ``tutorials/NN_*.py`` (top level, outside ``docs/``),
  fills the "Tutorials" section of the nav in file-name (= course) order,
  writes a Jupyter kernel spec ``kerasdl-docs`` that runs this interpreter
  with ``capture_fd_output=False`` (so TensorFlow's C++ log lines go to the
  terminal, not into the pages), the inline figure backend and a scratch
  working directory, and points the mkdocs-jupyter cache at a
  folder keyed by smoke/full mode and a fingerprint of the library sources
  and package versions (the plugin's own cache key ignores both).
* ``on_files``: adds the tutorials as pages and moves ``index.md`` and ``about.md`` last, so they are rendered
  after every tutorial and can show each one's figure and run time.
* ``on_nav``: starts executing every tutorial the cache cannot serve, in
  worker processes, two at a time by default (``tutorial_runner.py``; the
  ones in ``RUN_ALONE`` print timings and run with nothing beside them).
* ``on_pre_page`` / ``on_page_content``: fills each tutorial page from its
  worker's HTML (or the cache), records its run time, links its
  ``.ipynb`` download, flags smoke builds, folds the worked solutions of
  the exercises into closed blocks (``solutions.py``), and drops the CDN ``<script>``
  tags nbconvert adds (MathJax, Mermaid) and its MathJax configuration: the
  site fetches nothing from the internet and typesets math with its own
  KaTeX (``math_assets.py``).
* ``on_page_markdown``: replaces the marker in ``about.md`` with the build
  date, mode, package versions, device and per-tutorial run times, and the
  one in ``index.md`` with the course map (``course_map.py``).
* ``on_post_build``: writes each card's figure. The notebooks and the wheel
  they install are written by ``downloads.py``.

Environment: ``KERASDL_SMOKE=1`` builds in smoke mode (tutorials shrink data
and epochs); ``KERASDL_DOCS_CACHE=0`` re-executes every tutorial;
``KERASDL_DOCS_JOBS=N`` executes N tutorials at a time (1: one after the other).
"""

from __future__ import annotations

import atexit
import datetime as _dt
import hashlib
import html
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import course_map
import jupytext
import solutions
import tutorial_runner
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.kerasdl_docs")

KERNEL_NAME = "kerasdl-docs"
TUTORIAL_GLOB = "[0-9][0-9]_*.py"
ABOUT_PAGE = "about.md"
HOME_PAGE = "index.md"
ABOUT_MARKER = "<!-- kerasdl:build-info -->"
VERSIONED_PACKAGES = (
    "kerasdl",
    "keras",
    "tensorflow",
    "numpy",
    "scikit-learn",
    "matplotlib",
    "mkdocs",
    "mkdocs-material",
    "mkdocs-jupyter",
    "mkdocstrings-python",
    "jupytext",
    "ipykernel",
)

# The build is single-threaded and one hook module serves one build at a time.
_state: dict = {}
_KERNEL_ROOT: list[Path] = []

_EXTERNAL_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc=[\"']https?://[^\"']*[\"'][^>]*>\s*</script>", re.IGNORECASE
)
_EXTERNAL_IMPORT_MODULE = re.compile(
    r"<script\b[^>]*type=[\"']module[\"'][^>]*>(?:(?!</script>).)*?"
    r"import\s[^;]*?https?://(?:(?!</script>).)*?</script>",
    re.IGNORECASE | re.DOTALL,
)
# nbconvert's MathJax loader (its CDN address already removed) and configuration.
_MATHJAX_LEFTOVERS = re.compile(
    r'<script src="">\s*</script>|<script type="text/x-mathjax-config">.*?</script>', re.DOTALL
)


def smoke() -> bool:
    """Same rule as ``kerasdl.smoke_mode()``, without importing the package."""
    return os.environ.get("KERASDL_SMOKE", "0").strip().lower() in {"1", "true", "yes"}


def tutorial_files(root: Path) -> list[Path]:
    """Tutorial scripts in course order (their file names start with NN_)."""
    return sorted((root / "tutorials").glob(TUTORIAL_GLOB))


def tutorial_title(path: Path) -> str:
    """The notebook's first level-1 heading, or a title made from the file name."""
    notebook = jupytext.read(path)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+?)\s*$", cell.source, re.MULTILINE)
            if match:
                return match.group(1)
    return path.stem.split("_", 1)[-1].replace("_", " ").capitalize()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _fingerprint(root: Path) -> str:
    """Hash of the library sources and package versions the pages depend on."""
    digest = hashlib.sha256()
    files = (p for p in (root / "kerasdl").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in sorted(files):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    for package in VERSIONED_PACKAGES:
        digest.update(f"{package}={_version(package)}".encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()[:12]


def executed_in_smoke_cache(root: Path) -> set[tuple[str, str]]:
    """Tutorials that a smoke build of *these* sources executed to the end: ``{(stem, source sha256)}``.

    Read from the provenance file of the smoke cache folder keyed by the current
    fingerprint (library sources and package versions). A record is written
    only after a tutorial ran top to bottom without an error, so a tutorial
    whose current source hash is listed has passed its smoke run.
    """
    path = root / ".cache" / "mkdocs-jupyter" / f"smoke-{_fingerprint(root)}" / "provenance.jsonl"
    found: set[tuple[str, str]] = set()
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record.get("source_sha256"):
                found.add((record["tutorial"], record["source_sha256"]))
    return found


def _write_kernel_spec() -> None:
    # A private kernel spec (instead of the user's "python3", which may point at
    # another interpreter) that runs this interpreter without fd capture.
    # Written once per process: `mkdocs serve` calls on_config on every rebuild.
    if _KERNEL_ROOT:
        return
    spec_root = Path(tempfile.mkdtemp(prefix="kerasdl-docs-kernel-"))
    _KERNEL_ROOT.append(spec_root)
    atexit.register(shutil.rmtree, spec_root, ignore_errors=True)
    spec_dir = spec_root / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    # Files a tutorial writes (saved models, figures) land here, not in the repo.
    workdir = spec_root / "work"
    workdir.mkdir()
    spec = {
        "argv": [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            "--IPKernelApp.capture_fd_output=False",
            # One scratch folder per tutorial (tutorial_runner names it), as two run at once.
            "--IPKernelApp.exec_lines=import os as _os; _d = _os.path.join("
            f"{str(workdir)!r}, _os.environ.get({tutorial_runner.TUTORIAL_VARIABLE!r}, 'default')); "
            "_os.makedirs(_d, exist_ok=True); _os.chdir(_d); del _os, _d",
        ],
        "display_name": "Python 3 (kerasdl docs)",
        "language": "python",
        "env": {
            "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
            # An inherited MPLBACKEND=Agg would leave the pages without figures.
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        },
        "metadata": {"debugger": False},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    paths = [str(spec_root), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(paths)


def _configure_cache(config, root: Path) -> None:
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is None:
        return
    _state["cache_dir"] = None
    if os.environ.get("KERASDL_DOCS_CACHE", "1").strip().lower() in {"0", "false", "no"}:
        plugin.config["cache"] = False
    if not plugin.config["cache"]:
        return
    mode = "smoke" if smoke() else "full"
    parent = root / ".cache" / "mkdocs-jupyter"
    cache_dir = parent / f"{mode}-{_fingerprint(root)}"
    if parent.is_dir():
        # Outputs of older sources can never be hit again; keep one per mode.
        for stale in parent.glob(f"{mode}-*"):
            if stale != cache_dir:
                shutil.rmtree(stale, ignore_errors=True)
    plugin.config["cache_dir"] = str(cache_dir)
    _state["cache_dir"] = cache_dir


def on_config(config):
    root = Path(config.config_file_path).resolve().parent
    tutorials = tutorial_files(root)
    _state.clear()
    _state.update(root=root, tutorials=tutorials, runs={}, figures={}, started=_dt.datetime.now(_dt.timezone.utc))

    entries = [{f"{int(path.name[:2])}. {tutorial_title(path)}": f"tutorials/{path.name}"} for path in tutorials]
    nav = []
    for item in config.nav or []:
        if isinstance(item, dict) and "Tutorials" in item:
            if entries:
                nav.append({"Tutorials": entries})
        else:
            nav.append(item)
    config.nav = nav

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    _write_kernel_spec()
    _configure_cache(config, root)
    return config


@event_priority(100)  # before mkdocs-jupyter wraps notebook files
def on_files(files: Files, config) -> Files:
    root = _state["root"]
    added = [
        File(f"tutorials/{path.name}", str(root), config.site_dir, config.use_directory_urls)
        for path in _state["tutorials"]
    ]
    last = [f for name in (HOME_PAGE, ABOUT_PAGE) for f in files if f.src_uri == name]
    rest = [f for f in files if f.src_uri not in (HOME_PAGE, ABOUT_PAGE)]
    return Files(rest + added + last)


def _is_tutorial(page) -> bool:
    uri = page.file.src_uri
    return uri.startswith("tutorials/") and uri.endswith(".py")


def _cache_entries() -> set[str]:
    cache_dir = _state.get("cache_dir")
    return {p.name for p in cache_dir.glob("*.json")} if cache_dir and cache_dir.is_dir() else set()


def _provenance_path() -> Path | None:
    cache_dir = _state.get("cache_dir")
    return cache_dir / "provenance.jsonl" if cache_dir else None


def _cached_provenance(stem: str) -> dict | None:
    path = _provenance_path()
    if not path or not path.exists():
        return None
    found = None
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("tutorial") == stem:
            found = record
    return found


#: Tutorials that print timings: another tutorial executing beside them would distort them.
RUN_ALONE = {
    "03_why_practical": "it measures matrix-product speed and training throughput",
    "08_architecture_tour": "its table compares the families' training seconds",
    "09_dl_vs_classical_ml": "its verdicts compare the models' fit times",
}
# Options of mkdocs-jupyter that its nb2html takes (the worker calls it with them).
_NB2HTML_OPTIONS = ("kernel_name", "theme", "allow_errors", "show_input", "no_input", "no_prompt",
                    "remove_tag_config", "highlight_extra_classes", "include_requirejs", "custom_mathjax_url")


# The plugin's cache key, cache path and table of contents come from three of its private
# functions (`_compute_cache_key`, `_get_cache_path`, `_get_nb_toc_tokens`), so that a page filled
# from a worker is cached and titled exactly as the plugin would; pyproject.toml pins the plugin
# (mkdocs-jupyter==0.26.3) for that reason.
def _plugin_cache_path(plugin, source: Path) -> Path | None:
    if not plugin.config["cache"]:
        return None
    from mkdocs_jupyter import plugin as jupyter_plugin

    key = jupyter_plugin._compute_cache_key(str(source), plugin.config, True)
    return jupyter_plugin._get_cache_path(plugin.config["cache_dir"], key)


def on_nav(nav, config, files):
    """Start executing, in worker processes, every tutorial the cache cannot serve."""
    plugin = config.plugins.get("mkdocs-jupyter")
    _state["runner"] = None
    if plugin is None or not plugin.config["execute"] or plugin.config["execute_ignore"]:
        return nav  # the plugin renders (or skips) the notebooks itself
    pending = [p for p in _state["tutorials"] if not ((c := _plugin_cache_path(plugin, p)) and c.exists())]
    if pending:
        jobs = tutorial_runner.jobs_from_environment()
        options = {name: plugin.config[name] for name in _NB2HTML_OPTIONS}
        runner = tutorial_runner.TutorialRunner(pending, options, jobs, set(RUN_ALONE)).start()
        atexit.register(runner.close)
        _state["runner"] = runner
        log.info("executing %d tutorial(s), %d at a time (alone: %s)", len(pending), jobs,
                 ", ".join(sorted(runner.run_alone)) or "none")
    return nav


def _render_from_runner(page, stem: str, config) -> dict:
    """Fill the page from the runner's HTML, as mkdocs-jupyter's render would, and cache it."""
    from mkdocs.structure.toc import get_toc
    from mkdocs_jupyter import plugin as jupyter_plugin

    plugin = config.plugins.get("mkdocs-jupyter")
    result = _state["runner"].result(stem)
    toc_tokens, title = jupyter_plugin._get_nb_toc_tokens(page.file.abs_src_path, plugin.config["toc_depth"])
    page.content = result["content"]
    page.toc = get_toc(toc_tokens)
    if title is not None and not plugin.config["ignore_h1_titles"]:
        page.title = title
    if (cache_path := _plugin_cache_path(plugin, Path(page.file.abs_src_path))) is not None:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        cache_path.write_text(json.dumps({"content": result["content"], "toc_tokens": toc_tokens, "title": title}),
                              encoding="utf-8")
    return result


@event_priority(-100)  # after mkdocs-jupyter has replaced page.render
def on_pre_page(page, config, files):
    if not _is_tutorial(page):
        return page
    stem = Path(page.file.src_uri).stem
    page.nb_url = f"{stem}.ipynb"  # written next to the page in on_post_build
    render = page.render

    def timed_render(config, files):
        runner = _state.get("runner")
        if runner is not None and stem in runner:
            run = _render_from_runner(page, stem, config)
            seconds, executed = run["seconds"], True
            how = {"alone": run["alone"], "jobs": run["jobs"], "threads": run.get("threads"),
                   "executed_at": run["finished_at"]}
        else:
            before = _cache_entries()
            start = time.perf_counter()
            render(config, files)
            seconds = time.perf_counter() - start
            executed = _state.get("cache_dir") is None or bool(_cache_entries() - before)
            how = {"alone": True, "jobs": 1}
        if executed:
            record = {
                "tutorial": stem,
                # Lets tests/test_tutorials.py count this run as the tutorial's smoke test.
                "source_sha256": hashlib.sha256(Path(page.file.abs_src_path).read_bytes()).hexdigest(),
                "seconds": round(seconds, 1),
                "executed_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                **how,
            }
            if (path := _provenance_path()) is not None:
                with path.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(record) + "\n")
            record["from_cache"] = False
        else:
            record = dict(_cached_provenance(stem) or {"tutorial": stem, "seconds": None, "executed_at": None})
            record["from_cache"] = True
        _state["runs"][stem] = record
        log.info("tutorial %s: %s", stem, "from cache" if record["from_cache"] else f"executed in {seconds:.1f} s")

    page.render = timed_render
    return page


def on_page_content(html_text: str, page, config, files) -> str:
    if not _is_tutorial(page):
        return html_text
    html_text = _EXTERNAL_IMPORT_MODULE.sub("", _EXTERNAL_SCRIPT.sub("", html_text))
    html_text = _MATHJAX_LEFTOVERS.sub("", html_text)
    stem = Path(page.file.src_uri).stem
    html_text, folded = solutions.fold_solutions(html_text)
    log.info("tutorial %s: %d solution block(s) folded", stem, folded)
    if (figure := course_map.first_figure(html_text)) is not None:
        _state["figures"][stem] = figure
    record = _state["runs"].get(stem) or {}
    ran = f"{record['seconds']:.1f} s" if record.get("seconds") is not None else "an unrecorded time"
    gpu_link = "../../getting-started/#run-a-tutorial-on-a-gpu" if config.use_directory_urls else "../getting-started.html#run-a-tutorial-on-a-gpu"
    about_link = "../../about/" if config.use_directory_urls else "../about.html"
    banner = (
        '<div class="admonition info kerasdl-notebook-links"><p>'
        f'<a href="{html.escape(stem)}.ipynb" download>Download this tutorial as a notebook '
        f"(<code>{html.escape(stem)}.ipynb</code>)</a>. "
        f'The same code runs unchanged on a GPU: see <a href="{gpu_link}">running a tutorial on a GPU</a>. '
        f"The output below was produced when this site was built; the code ran in {ran} on the build "
        f'machine (<a href="{about_link}">how</a>).</p></div>'
    )
    if smoke():
        banner += (
            '<div class="admonition warning kerasdl-smoke"><p class="admonition-title">Smoke build</p>'
            "<p>This page was built with <code>KERASDL_SMOKE=1</code>: data and epochs were shrunk to "
            "check that the tutorial runs, so its numbers are not meaningful.</p></div>"
        )
    # Right under the notebook's title, or on top when it has none.
    head, sep, tail = html_text.partition("</h1>")
    return head + sep + banner + tail if sep else banner + html_text


def _device_summary() -> dict:
    probe = (
        "import json, os\n"
        "import tensorflow as tf, keras\n"
        "gpus = []\n"
        "for gpu in tf.config.list_physical_devices('GPU'):\n"
        "    details = tf.config.experimental.get_device_details(gpu)\n"
        "    gpus.append(details.get('device_name', gpu.name))\n"
        "print(json.dumps({'backend': keras.backend.backend(), 'gpus': gpus}))\n"
    )
    summary = {"backend": "unknown", "gpus": []}
    try:
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=os.environ.copy()
        )
        summary.update(json.loads(done.stdout.strip().splitlines()[-1]))
    except (subprocess.SubprocessError, ValueError, IndexError) as error:
        log.info("device probe failed: %s", error)
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    summary["cpu"] = f"{cpu} ({os.cpu_count()} logical cores visible)"
    return summary


def _build_info_markdown() -> str:
    mode = "smoke" if smoke() else "full"
    device = _device_summary()
    gpus = ", ".join(device["gpus"]) if device["gpus"] else "none (CPU only)"
    lines = [
        f"- **Built:** {_state['started'].strftime('%Y-%m-%d %H:%M UTC')}",
        f"- **Mode:** {mode}"
        + (
            " (`KERASDL_SMOKE=1`: tutorials shrank data and epochs; their numbers only show that the code runs)"
            if mode == "smoke"
            else " (tutorials ran with their full data and epochs)"
        ),
        f"- **Device:** CPU: {device['cpu']}; GPU: {gpus}",
        f"- **Keras backend:** {device['backend']}",
        f"- **Python:** {platform.python_version()} on {platform.system()} {platform.machine()}",
        "",
        "| Package | Version |",
        "| --- | --- |",
        *(f"| {package} | {_version(package)} |" for package in VERSIONED_PACKAGES),
        "",
    ]
    runs = _state["runs"]
    if runs:
        lines += ["| Tutorial | Executed (UTC) | Run time | Source of output |", "| --- | --- | --- | --- |"]
        for path in _state["tutorials"]:
            record = runs.get(path.stem)
            if record is None:
                continue
            seconds = f"{record['seconds']:.1f} s" if record.get("seconds") is not None else "unknown"
            if record.get("jobs", 1) > 1 and record.get("seconds") is not None:
                threads = record.get("threads")
                each = f", {threads} thread{'s' if threads != 1 else ''} each" if threads else ""
                seconds += " (alone)" if record.get("alone") else f" (up to {record['jobs']} tutorials at a time{each})"
            when = record.get("executed_at") or "unknown"
            source = "build cache (same mode, sources and versions)" if record["from_cache"] else "this build"
            lines.append(f"| `{path.name}` | {when} | {seconds} | {source} |")
        alone = [f"`{stem}.py` ({why})" for stem, why in RUN_ALONE.items() if stem in runs]
        lines += ["", "Tutorials execute in worker processes, several at a time on a multi-core machine "
                  "(`KERASDL_DOCS_JOBS` sets how many; 1 runs them one after the other), so a run time "
                  "counts the time shared with the tutorial running beside it; tutorials that share the "
                  "machine split its cores between them (each kernel's TensorFlow, OpenMP and BLAS threads). "
                  "These run with nothing "
                  "beside them, because they print timings: " + "; ".join(alone) + "."]
    else:
        lines.append("No tutorials were executed in this build.")
    return "\n".join(lines)


def on_page_markdown(markdown: str, page, config, files) -> str:
    if page.file.src_uri == HOME_PAGE and course_map.MARKER in markdown:
        cards = course_map.cards_html(
            _state["tutorials"], _state["runs"], _state["figures"], config.use_directory_urls, smoke()
        )
        return markdown.replace(course_map.MARKER, cards)
    if page.file.src_uri != ABOUT_PAGE or ABOUT_MARKER not in markdown:
        return markdown
    return markdown.replace(ABOUT_MARKER, _build_info_markdown())


def on_post_build(config) -> None:
    for stem, figure in _state.get("figures", {}).items():
        path = course_map.image_path(Path(config.site_dir), stem, config.use_directory_urls)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(figure)
