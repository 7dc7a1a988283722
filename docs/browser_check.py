"""Open the built kerasdl site in headless Chromium and check what a reader sees.

Serves the built site (``site/`` by default; when there is none, it first
builds one in smoke mode into a temporary folder) on 127.0.0.1 from a thread,
starts headless Chromium with the DevTools protocol on a pipe (no extra
Python packages, no open debugging port), and checks:

* the home page renders, with the nav listing the tutorials;
* typing a builder's name (``deep_mlp``) into the search box lists a result
  (and the built search index contains the name);
* a tutorial page shows executed output and a figure that the browser
  decoded (``naturalWidth > 0``), and its ``.ipynb`` download is served;
* the home page shows the course map (a card with a decoded figure per tutorial);
* math: on a tutorial page with formulas and on the API page whose docstrings
  have some, KaTeX typeset them (``.katex`` elements), and no page visited
  shows raw TeX (a dollar-delimited command, a backslash-parenthesis) outside code after load;
* the recorders API page lists ``GradientRecorder``;
* the worked solutions of the exercises are folded when a tutorial page
  loads, and a click on "Solution" opens one, showing its code and output;
* no request leaves 127.0.0.1, no local request fails, no script throws;
* the wheel linked from "Getting started" and a notebook, both downloaded
  from the served site, install and run: ``wheel_check.py`` puts the wheel in
  a fresh virtual environment, runs ``kerasdl demo --epochs 1`` from it and
  executes the notebook top to bottom in a fresh kernel of that environment
  (smoke mode). ``--no-install`` skips this part.

Screenshots go to ``--screenshots`` (default: ``browser_check/`` beside the
site, or a temporary folder for a site built here; the path is printed).
Prints one PASS/FAIL line per check and a summary; exits 1 on any failure,
2 when Chromium or the site is missing.

Usage:
    python docs/browser_check.py [SITE_DIR] [--page tutorials/01_shallow_vs_deep/] [--query deep_mlp]
    python docs/browser_check.py --build      # build a smoke site first, even if site/ exists

Chromium on Debian: ``apt-get install -y chromium``.
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import functools
import http.server
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urljoin, urlparse
from urllib.request import urlopen

import wheel_check

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--remote-debugging-pipe",
)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static file handler that does not log every request."""

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass


def _move_above(fd: int, floor: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, floor + 1)
    os.close(fd)
    return moved


class Browser:
    """Headless Chromium driven over the DevTools protocol on fds 3/4."""

    def __init__(self, binary: str, user_data_dir: str, deadline: float) -> None:
        self.deadline = deadline
        cmd_read, self._cmd_write = os.pipe()
        self._res_read, res_write = os.pipe()
        # Move the child's ends above 4 so the redirections below cannot clash.
        cmd_read, res_write = (_move_above(fd, 9) for fd in (cmd_read, res_write))
        # The protocol pipe must be fds 3 (commands in) and 4 (replies out) in
        # Chromium; bash (dash cannot name fds above 9) sets that up without a
        # preexec_fn, which is unsafe next to the server thread.
        shell = f'exec "$0" "$@" 3<&{cmd_read} 4>&{res_write} {cmd_read}<&- {res_write}>&-'
        self.process = subprocess.Popen(
            [shutil.which("bash") or "bash", "-c", shell, binary, *CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}", "about:blank"],
            pass_fds=(cmd_read, res_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(cmd_read)
        os.close(res_write)
        self._next_id = 0
        self._replies: dict[int, dict] = {}
        self._inbox: queue.Queue = queue.Queue()
        self.events: list[dict] = []
        self.session: str | None = None
        threading.Thread(target=self._read_loop, daemon=True).start()

    def _read_loop(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._res_read, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                self._inbox.put(None)
                return
            buffer += chunk
            while b"\0" in buffer:
                message, buffer = buffer.split(b"\0", 1)
                self._inbox.put(json.loads(message))

    def _pump(self, timeout: float) -> None:
        message = self._inbox.get(timeout=max(0.01, timeout))
        if message is None:
            raise RuntimeError("Chromium closed the DevTools pipe (did it crash?)")
        if "id" in message:
            self._replies[message["id"]] = message
        else:
            self.events.append(message)

    def _time_left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("browser check ran out of time")
        return left

    def call(self, method: str, params: dict | None = None, session: bool = True, timeout: float = 30.0) -> dict:
        """Send one protocol command and return its result."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._cmd_write, json.dumps(message).encode() + b"\0")
        until = time.monotonic() + min(timeout, self._time_left())
        while self._next_id not in self._replies:
            left = until - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no reply to {method}")
            try:
                self._pump(left)
            except queue.Empty:
                pass
        reply = self._replies.pop(self._next_id)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def open_tab(self, width: int = 1280, height: int = 900) -> None:
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)[
            "sessionId"
        ]
        for domain in ("Page.enable", "Runtime.enable", "Network.enable"):
            self.call(domain)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def navigate(self, url: str, timeout: float = 30.0) -> None:
        seen = len(self.events)
        self.call("Page.navigate", {"url": url})
        until = time.monotonic() + min(timeout, self._time_left())
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events[seen:]):
            if time.monotonic() > until:
                raise TimeoutError(f"{url} did not finish loading")
            try:
                self._pump(until - time.monotonic())
            except queue.Empty:
                pass

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {result['exceptionDetails'].get('text')}: {expression[:80]}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20.0):
        """Evaluate `expression` until it is truthy; return its last value."""
        until = time.monotonic() + min(timeout, self._time_left())
        value = None
        while time.monotonic() < until:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.25)
        return value

    def type_text(self, text: str) -> None:
        for char in text:
            self.call("Input.dispatchKeyEvent", {"type": "keyDown", "text": char, "key": char})
            self.call("Input.dispatchKeyEvent", {"type": "keyUp", "key": char})

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.call("Browser.close", session=False, timeout=5)
        except Exception:  # noqa: BLE001 - shutting down anyway
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        for fd in (self._cmd_write, self._res_read):
            try:
                os.close(fd)
            except OSError:
                pass


class Report:
    """Collects PASS/FAIL lines."""

    def __init__(self) -> None:
        self.results: list[tuple[bool, str, str]] = []

    def check(self, ok: bool, name: str, detail: str = "") -> bool:
        self.results.append((bool(ok), name, detail))
        print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f"  ({detail})" if detail else ""), flush=True)
        return bool(ok)

    @property
    def failed(self) -> int:
        return sum(not ok for ok, _, _ in self.results)


def find_chromium() -> str | None:
    if os.environ.get("CHROME_BIN"):
        return os.environ["CHROME_BIN"]
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def default_tutorial_page(site: Path) -> str | None:
    pages = sorted(p.parent for p in (site / "tutorials").glob("*/index.html"))
    return f"tutorials/{pages[0].name}/" if pages else None


# Text outside code and typeset math that still looks like TeX: $...\cmd...$, \( \[ or a
# bare \frac-style command.
RAW_TEX_JS = r"""(() => {
  const root = document.querySelector('article') || document.body;
  const skip = 'pre, code, script, style, textarea, .katex, .katex-display';
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {acceptNode: n =>
    n.parentElement && n.parentElement.closest(skip) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  const pattern = /\$[^$]*\\[A-Za-z]+[^$]*\$|\\\(|\\\[|\\(frac|sigma|partial|prod|sum|sqrt|operatorname|mathrm)\b/;
  const found = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (pattern.test(n.textContent)) found.push(n.textContent.trim().slice(0, 80));
  }
  return found.slice(0, 5);
})()"""


def check_no_raw_tex(browser: Browser, what: str, report: Report) -> None:
    raw = browser.evaluate(RAW_TEX_JS)
    report.check(not raw, f"no raw TeX visible on {what}", "; ".join(raw))


def default_math_page(site: Path) -> str | None:
    """The first tutorial page whose source text has a formula ($...\\command...$)."""
    formula = re.compile(r"\$[^$<]*\\[A-Za-z]+[^$<]*\$")
    for page in sorted((site / "tutorials").glob("*/index.html")):
        if formula.search(page.read_text(encoding="utf-8")):
            return f"tutorials/{page.parent.name}/"
    return None


def check_math(browser: Browser, base: str, page: str, what: str, shots: Path, shot: str, report: Report) -> None:
    browser.navigate(base + page)
    count = browser.wait_for("document.querySelectorAll('article .katex').length", timeout=15)
    report.check(bool(count), f"formulas typeset on {what}", f"{count or 0} KaTeX elements on {page}")
    check_no_raw_tex(browser, what, report)
    if count:
        browser.evaluate("document.querySelector('article .katex').scrollIntoView({block: 'center'}); true")
        time.sleep(0.3)
    browser.screenshot(shots / shot)


def check_api_page(browser: Browser, base: str, shots: Path, report: Report) -> None:
    browser.navigate(base + "api/recorders/")
    names = browser.evaluate(
        "['GradientRecorder', 'ActivationRecorder', 'gradient_table']"
        ".filter(n => document.getElementById('kerasdl.recorders.' + n))"
    )
    report.check(len(names) == 3, "recorders API page lists its callbacks", f"found {names}")
    check_no_raw_tex(browser, "the recorders API page", report)
    browser.screenshot(shots / "api_recorders.png")


def check_home(browser: Browser, base: str, query: str, shots: Path, report: Report) -> None:
    browser.navigate(base)
    title = browser.evaluate("document.title")
    report.check("kerasdl" in (title or ""), "home page loads", f"title {title!r}")
    cards = browser.wait_for(
        "(() => { const imgs = Array.from(document.querySelectorAll('.kerasdl-card img'));"
        " imgs.forEach(i => i.loading = 'eager');"
        " return imgs.length && imgs.every(i => i.complete && i.naturalWidth > 0) ? imgs.length : 0; })()"
    )
    total = browser.evaluate("document.querySelectorAll('.kerasdl-card').length")
    report.check(bool(cards) and cards == total, "home page shows the course map", f"{total} cards, {cards} figures decoded")
    check_no_raw_tex(browser, "the home page", report)
    tutorials = browser.evaluate(
        "Array.from(document.querySelectorAll('nav.md-nav a.md-nav__link'))"
        ".filter(a => a.getAttribute('href') && a.getAttribute('href').includes('tutorials/')).length"
    )
    report.check(tutorials > 0, "nav lists the tutorials", f"{tutorials} tutorial links")
    browser.screenshot(shots / "home.png")

    # Type into the search box the way a reader does.
    browser.evaluate("document.querySelector('.md-header label[for=\"__search\"]').click(); true")
    browser.evaluate("document.querySelector('input.md-search__input').focus(); true")
    browser.type_text(query)
    found = browser.wait_for(
        "(() => { const items = Array.from(document.querySelectorAll('.md-search-result__item'));"
        f" const hits = items.filter(i => i.textContent.includes({json.dumps(query)}));"
        " return hits.length ? hits.map(i => (i.querySelector('a') || {}).href || '').slice(0, 3) : 0; })()",
        timeout=30,
    )
    meta = browser.evaluate("(document.querySelector('.md-search-result__meta') || {}).textContent || ''")
    report.check(bool(found), f"search box finds {query!r}", f"{meta.strip()}; first hits {found}" if found else meta)
    browser.screenshot(shots / "search.png")


def check_tutorial(browser: Browser, base: str, page: str, shots: Path, report: Report) -> str:
    browser.navigate(base + page)
    heading = browser.evaluate("(document.querySelector('article h1') || {}).textContent || ''")
    report.check(bool(heading.strip()), "tutorial page loads", heading.strip().rstrip("¶"))
    outputs = browser.evaluate(
        "Array.from(document.querySelectorAll('.jp-OutputArea-output pre'))"
        ".filter(p => p.textContent.trim().length > 0).length"
    )
    report.check(outputs > 0, "tutorial shows executed text output", f"{outputs} text outputs")
    figures = browser.wait_for(
        "(() => { const imgs = Array.from(document.querySelectorAll('.jp-OutputArea-output img'))"
        ".filter(i => i.src.startsWith('data:image/png;base64,'));"
        " return imgs.length && imgs.every(i => i.complete && i.naturalWidth > 0)"
        " ? imgs.map(i => [i.naturalWidth, i.naturalHeight]) : 0; })()"
    )
    report.check(bool(figures), "figures are embedded and decoded", f"{len(figures or [])} PNGs, sizes {figures}")
    browser.screenshot(shots / "tutorial_top.png")
    if figures:
        browser.evaluate(
            "document.querySelector('.jp-OutputArea-output img').scrollIntoView({block: 'center'}); true"
        )
        time.sleep(0.3)
        visible = browser.evaluate(
            "(() => { const r = document.querySelector('.jp-OutputArea-output img').getBoundingClientRect();"
            " return r.width > 100 && r.height > 50 && r.top < innerHeight && r.bottom > 0; })()"
        )
        report.check(visible, "first figure is visible on screen")
        browser.screenshot(shots / "tutorial_figure.png")
    notebook = browser.evaluate(
        "(async () => { const a = Array.from(document.querySelectorAll('a[href$=\".ipynb\"]'))[0];"
        " if (!a) return 'no link'; const r = await fetch(a.href); if (!r.ok) return 'HTTP ' + r.status;"
        " const nb = await r.json(); return nb.nbformat ? 'nbformat ' + nb.nbformat + ', '"
        " + nb.cells.length + ' cells' : 'not a notebook'; })()"
    )
    report.check(str(notebook).startswith("nbformat"), "notebook download is served", str(notebook))
    check_no_raw_tex(browser, "the tutorial page", report)
    return browser.evaluate("(Array.from(document.querySelectorAll('a[href$=\".ipynb\"]'))[0] || {}).href || ''")


def default_solution_page(site: Path) -> str | None:
    """The first tutorial page with a folded exercise solution, as a path under the site."""
    for index in sorted((site / "tutorials").glob("*/index.html")):
        if "kerasdl-solution" in index.read_text(encoding="utf-8"):
            return index.parent.relative_to(site).as_posix() + "/"
    return None


def check_solutions(browser: Browser, base: str, page: str, shots: Path, report: Report) -> None:
    """Exercise solutions are folded when the page loads and open, code and output shown, on a click."""
    browser.navigate(base + page)
    state = browser.evaluate(
        "(() => { const d = Array.from(document.querySelectorAll('details.kerasdl-solution'));"
        " return [d.length, d.filter(x => x.open).length,"
        " d.filter(x => { const c = x.querySelector('.jp-Cell'); return c && c.checkVisibility(); }).length]; })()"
    )
    total, opened, shown = state or (0, 0, 0)
    report.check(total > 0 and opened == 0 and shown == 0, "exercise solutions are folded on load",
                 f"{total} solution blocks on {page}, {opened} open, {shown} with visible cells")
    browser.evaluate(
        "(() => { const s = document.querySelector('details.kerasdl-solution > summary');"
        " s.scrollIntoView({block: 'start'}); return true; })()"
    )
    time.sleep(0.2)
    browser.screenshot(shots / "tutorial_solution_closed.png")
    browser.evaluate("document.querySelector('details.kerasdl-solution > summary').click(); true")
    time.sleep(0.3)
    after = browser.evaluate(
        "(() => { const d = document.querySelector('details.kerasdl-solution');"
        " const code = d.querySelector('.jp-InputArea pre, .highlight pre');"
        " const out = d.querySelector('.jp-OutputArea-output');"
        " const h = e => e ? e.getBoundingClientRect().height : 0;"
        " return [d.open && code.checkVisibility(), h(code), h(out)]; })()"
    )
    is_open, code_height, output_height = after or (False, 0, 0)
    report.check(bool(is_open) and code_height > 0 and output_height > 0, "a click opens a solution with its output",
                 f"open={is_open}, code {code_height:.0f} px, output {output_height:.0f} px high")
    browser.screenshot(shots / "tutorial_solution_open.png")


def wheel_link(browser: Browser, base: str) -> str:
    browser.navigate(base + "getting-started/")
    return browser.evaluate("(document.querySelector('a[href$=\".whl\"]') || {}).href || ''")


def download(url: str, folder: Path) -> Path:
    target = folder / Path(urlparse(url).path).name
    with urlopen(url, timeout=60) as response:  # noqa: S310 - a 127.0.0.1 address built above
        target.write_bytes(response.read())
    return target


def run(site: Path, page: str | None, query: str, shots: Path, timeout: float, install: bool = True) -> int:
    report = Report()
    if not (site / "index.html").is_file():
        print(f"FAIL  no built site at {site} (run `mkdocs build` first)")
        return 2
    binary = find_chromium()
    if binary is None:
        print("FAIL  Chromium not found (apt-get install -y chromium, or set CHROME_BIN)")
        return 2
    page = page or default_tutorial_page(site)
    shots.mkdir(parents=True, exist_ok=True)

    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    hits = [doc["location"] for doc in index["docs"] if query in doc.get("text", "") + doc.get("title", "")]
    report.check(bool(hits), f"search index contains {query!r}", f"{len(hits)} entries, e.g. {hits[:2]}")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    profile = tempfile.mkdtemp(prefix="kerasdl-chromium-")
    browser = None
    notebook_url = wheel_url = ""
    try:
        browser = Browser(binary, profile, deadline=time.monotonic() + timeout)
        browser.open_tab()
        check_home(browser, base, query, shots, report)
        if page:
            notebook_url = check_tutorial(browser, base, page, shots, report)
        else:
            report.check(False, "tutorial page", "no tutorials/*/index.html in the site")
        solution_page = default_solution_page(site)
        if report.check(bool(solution_page), "a tutorial page has folded exercise solutions", str(solution_page)):
            check_solutions(browser, base, solution_page, shots, report)
        math_page = default_math_page(site)
        if report.check(bool(math_page), "a tutorial page has formulas", str(math_page)):
            check_math(browser, base, math_page, "a tutorial page", shots, "tutorial_math.png", report)
        check_math(browser, base, "api/models/", "the models API page (docstrings)", shots, "api_models_math.png", report)
        check_api_page(browser, base, shots, report)
        wheel_url = wheel_link(browser, base)
        report.check(wheel_url.endswith(".whl"), "getting started links the wheel", wheel_url)

        requests = [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
        external = sorted(
            {u for u in requests if urlparse(u).scheme in {"http", "https", "ws", "wss"} and urlparse(u).hostname != "127.0.0.1"}
        )
        report.check(not external, "nothing fetched from outside 127.0.0.1", f"{len(requests)} requests; outside: {external}")
        failed = [
            f"{e['params']['response']['status']} {e['params']['response']['url']}"
            for e in browser.events
            if e.get("method") == "Network.responseReceived" and e["params"]["response"]["status"] >= 400
        ]
        failed += [
            f"{e['params'].get('errorText')}" for e in browser.events if e.get("method") == "Network.loadingFailed"
        ]
        report.check(not failed, "no failed requests", "; ".join(failed[:5]))
        errors = [
            e["params"]["exceptionDetails"].get("exception", {}).get("description")
            or e["params"]["exceptionDetails"].get("text")
            for e in browser.events
            if e.get("method") == "Runtime.exceptionThrown"
        ]
        report.check(not errors, "no script errors", "; ".join(str(e)[:120] for e in errors[:3]))
    except (TimeoutError, RuntimeError, OSError) as error:
        report.check(False, "browser session", f"{type(error).__name__}: {error}")
    finally:
        if browser is not None:
            browser.close()
    try:
        if install and wheel_url.endswith(".whl") and notebook_url.endswith(".ipynb"):
            # What a learner does: download both from the site, install, run.
            with tempfile.TemporaryDirectory(prefix="kerasdl-install-") as scratch:
                wheel = download(urljoin(base, wheel_url), Path(scratch))
                notebook = download(urljoin(base, notebook_url), Path(scratch))
                report.check(wheel.stat().st_size > 0, "wheel downloaded from the site", f"{wheel.name}, {wheel.stat().st_size:,} bytes")
                wheel_check.check(wheel, notebook, Path(scratch), report)
        elif install:
            report.check(False, "wheel and notebook downloads", f"wheel {wheel_url!r}, notebook {notebook_url!r}")
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(profile, ignore_errors=True)

    total = len(report.results)
    verdict = "PASS" if report.failed == 0 else "FAIL"
    print(f"\n{verdict}: {total - report.failed}/{total} checks passed; screenshots in {shots}")
    return 0 if report.failed == 0 else 1


def build_smoke_site(root: Path, site: Path, timeout: float) -> bool:
    """`KERASDL_SMOKE=1 mkdocs build --strict` into `site`; True on success."""
    env = {**os.environ, "KERASDL_SMOKE": "1", "NO_MKDOCS_2_WARNING": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml"), "-d", str(site)]
    print(f"building a smoke site: KERASDL_SMOKE=1 mkdocs build --strict -d {site}", flush=True)
    start = time.monotonic()
    try:
        done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"FAIL  site build did not finish within {timeout:.0f} s")
        return False
    if done.returncode != 0:
        print(f"FAIL  site build failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
        return False
    print(f"built in {time.monotonic() - start:.0f} s", flush=True)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", type=Path, help="built site folder (default: site/, built if missing)")
    parser.add_argument("--build", action="store_true", help="build a smoke-mode site into a temporary folder first")
    parser.add_argument("--build-timeout", type=float, default=1800.0, help="seconds allowed for that build")
    parser.add_argument("--page", help="tutorial page to open, e.g. tutorials/01_shallow_vs_deep/ (default: first)")
    parser.add_argument("--query", default="deep_mlp", help="text to search for (default: deep_mlp)")
    parser.add_argument("--screenshots", type=Path, help="folder for PNG screenshots")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds for the whole browser session")
    parser.add_argument("--no-install", action="store_true", help="skip installing the wheel and running a notebook")
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parents[1]
    site = (args.site or root / "site").resolve()
    if args.build or (args.site is None and not (site / "index.html").is_file()):
        scratch = Path(tempfile.mkdtemp(prefix="kerasdl-site-"))
        try:
            if not build_smoke_site(root, scratch / "site", args.build_timeout):
                return 1
            shots = args.screenshots or scratch.with_name(scratch.name + "-screenshots")
            return run(scratch / "site", args.page, args.query, shots, args.timeout, not args.no_install)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    shots = args.screenshots or site.parent / "browser_check"
    return run(site, args.page, args.query, shots, args.timeout, not args.no_install)


if __name__ == "__main__":
    sys.exit(main())
